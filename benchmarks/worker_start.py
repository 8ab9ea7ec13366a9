"""How long a worker process takes to start, by start method: ``python -m benchmarks.worker_start``.

A measurement, not a test (docs/performance.md, "Where the remaining gaps are"). Each line
times two no-op children started one after the other: ``fork`` (what ``multiprocessing.Pool``
uses on Linux, and pyscoop cannot: the Go runtime does not survive a fork), ``spawn``, and
``forkserver`` bare and with what pyscoop preloads in its fork server (``scoop._worker``, and
the module of the class placed there). The first ``forkserver`` child pays for starting the
server and its preloads; later children fork from it.
"""

from __future__ import annotations

import multiprocessing
import sys
import time


def _noop() -> None:
    pass


def time_two_children(method: str, preload: list[str]) -> tuple[float, float]:
    ctx = multiprocessing.get_context(method)
    if preload:
        ctx.set_forkserver_preload(preload)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        child = ctx.Process(target=_noop)
        child.start()
        child.join()
        times.append(time.perf_counter() - t0)
    return times[0], times[1]


def main(argv: list[str]) -> int:
    if argv:  # one configuration, in a fresh interpreter (a fork server starts once per process)
        method, *preload = argv
        first, second = time_two_children(method, preload)
        label = f"{method} + {', '.join(preload)}" if preload else method
        print(f"{label:<60} first {first * 1000:6.1f} ms   second {second * 1000:6.1f} ms")
        return 0
    import subprocess

    from benchmarks.runner import child_env

    env = child_env()
    for config in (["fork"], ["spawn"], ["forkserver"], ["forkserver", "scoop._worker"]):
        subprocess.run([sys.executable, "-m", "benchmarks.worker_start", *config], check=True, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
