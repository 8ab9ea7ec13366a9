"""One measured run of one (program, case, version), in a fresh interpreter.

    python -m benchmarks.child PROGRAM CASE VERSION MODE OUT_JSON

Imports and input set-up happen before the clock starts; the measured section is the version's
``run(p)`` only (which includes starting and stopping whatever workers the version uses).
Then the shared check of the program verifies the answer: a wrong answer or an exception exits
with status 1 and no time; a missing optional dependency exits with status 3 ("unavailable").
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import resource
import sys
import time
import traceback
import types

EXIT_OK, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 3


def _status_field(name: str) -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv: list[str]) -> int:
    program, case_index, version, mode, out_path = argv
    report: dict = {"program": program, "version": version, "mode": mode}

    def finish(status: str, code: int) -> int:
        report["status"] = status
        with open(out_path, "w") as f:
            json.dump(report, f)
        return code

    from benchmarks.programs import OPTIONAL_DEPENDENCY, VERSION_MODULES

    dep = OPTIONAL_DEPENDENCY.get(version) or OPTIONAL_DEPENDENCY.get(program)
    if dep and importlib.util.find_spec(dep) is None:
        extra = "ray" if dep == "ray" else "bench"
        report["error"] = f"optional dependency {dep!r} is not installed (pip install .[{extra}])"
        return finish("unavailable", EXIT_UNAVAILABLE)

    try:
        prog = importlib.import_module(f"benchmarks.programs.{program}")
        case = prog.CASES[int(case_index)]
        params = dict(case[mode])
        p = types.SimpleNamespace(**params)
        if hasattr(prog, "setup"):
            p.data = prog.setup(p)
        module = importlib.import_module(f"benchmarks.programs.{program}.{VERSION_MODULES[version]}")
        gc.collect()
        report["rss_before_kb"] = _status_field("VmRSS")
        t0 = time.perf_counter()
        result = module.run(p)
        seconds = time.perf_counter() - t0
        report["threads_end"] = _status_field("Threads")
        report["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        prog.check(result, p)
        report["seconds"] = seconds
        if hasattr(prog, "metrics"):
            report["metrics"] = prog.metrics(result, p, seconds)
        teardown = getattr(module, "teardown", None)
        if teardown is not None:
            teardown()
    except BaseException as exc:  # noqa: BLE001 - every failure is reported, never a time
        report.pop("seconds", None)
        report["error"] = "".join(traceback.format_exception(exc))[-4000:]
        traceback.print_exc()
        sys.stderr.flush()
        return finish("failed", EXIT_FAILED)
    return finish("ok", EXIT_OK)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave at once: a version that left non-daemon threads behind must not hang the suite.
    os._exit(code) if code != EXIT_OK else sys.exit(code)
