"""The README's tables, from a suite result: ``python -m benchmarks.tables [RESULT.json]
[--before OLD.json]``.

Prints the peers table (pyscoop against Pykka, threads and asyncio, the programs of the micro
and coordination groups), the Cowichan table (pyscoop's process workers against sequential
Python and both ``multiprocessing`` versions), and with ``--before``, pyscoop in an older result
beside this one, each as its median time over a reference version of the same run (asyncio, or
sequential Python). Ratios are of median times, so a ratio below 1 is
pyscoop ahead whatever the program reports (seconds, or a rate); those are in bold.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks.report import fmt_seconds, fmt_value

RESULTS = Path(__file__).parent / "results"

#: program key -> (README label, metric or None for seconds, unit)
PEER_ROWS = {
    "command_throughput": ("command_throughput", "commands_per_s", "commands/s"),
    "query_latency": ("query_latency", "query_median_us", "median µs"),
    "pingpong": ("pingpong", "round_trips_per_s", "round trips/s"),
    "threadring": ("threadring", "hops_per_s", "hops/s"),
    "spawn[K=100000]": ("spawn K=100,000", None, "s"),
    "spawn[K=1000000]": ("spawn K=1,000,000", None, "s"),
    "io_overlap[K=50]": ("io_overlap K=50 × 50 ms", None, "s"),
    "io_overlap[K=500]": ("io_overlap K=500 × 50 ms", None, "s"),
    "reservation[1 client]": ("reservation, 1 client", "blocks_per_s", "blocks/s"),
    "reservation[32 clients]": ("reservation, 32 clients", "blocks_per_s", "blocks/s"),
    "mutex": ("mutex", None, "s"),
    "philosopher": ("philosopher", None, "s"),
    "condition": ("condition", None, "s"),
    "prodcons": ("prodcons", None, "s"),
    "bndbuffer": ("bndbuffer", None, "s"),
    "chameneos[3 creatures]": ("chameneos, 3 creatures", None, "s"),
    "chameneos[10 creatures]": ("chameneos, 10 creatures", None, "s"),
}
PEERS = ["pykka", "threading", "asyncio"]
COWICHAN = ["randmat", "thresh", "winnow", "outer", "product", "chain"]
COWICHAN_VERSIONS = ["scoop", "scoop_ray", "multiprocessing", "processpool", "sequential"]


def _ratio(x: float) -> str:
    text = f"{x:.1f}" if x >= 10 else f"{x:.2f}" if x >= 0.1 else f"{x:.2g}"
    return f"**{text}**" if round(x, 2) < 1 else text


def _cell(v: dict | None, metric: str | None) -> str:
    if v is None:
        return "—"
    if v.get("status") != "ok":
        return "fails"
    if metric is None:
        return fmt_seconds(v["median_s"])
    return fmt_value(metric, v["metrics"][metric])


def _ok(v: dict | None) -> bool:
    return v is not None and v.get("status") == "ok"


def peers_table(data: dict) -> str:
    lines = [
        "| program | pyscoop | Pykka | threads | asyncio | pyscoop / Pykka | pyscoop / asyncio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, (label, metric, unit) in PEER_ROWS.items():
        prog = data["programs"].get(key)
        if prog is None:
            continue
        vs = prog["versions"]
        scoop = vs.get("scoop")
        cells = [_cell(scoop, metric)] + [_cell(vs.get(p), metric) for p in PEERS]
        ratios = []
        for p in ("pykka", "asyncio"):
            peer = vs.get(p)
            ok = _ok(scoop) and _ok(peer)
            ratios.append(_ratio(scoop["median_s"] / peer["median_s"]) if ok else "—")
        lines.append(f"| {label} ({unit}) | " + " | ".join(cells + ratios) + " |")
    return "\n".join(lines)


def cowichan_table(data: dict) -> str:
    lines = [
        "| program (s) | pyscoop, process | pyscoop, Ray | multiprocessing | ProcessPoolExecutor "
        "| sequential | pyscoop's speed-up over sequential |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in COWICHAN:
        prog = data["programs"].get(key)
        if prog is None:
            continue
        vs = prog["versions"]
        cells = [_cell(vs.get(v), None) for v in COWICHAN_VERSIONS]
        scoop, seq = vs.get("scoop"), vs.get("sequential")
        speedup = f"{seq['median_s'] / scoop['median_s']:.2f}×" if _ok(scoop) and _ok(seq) else "—"
        lines.append(f"| {key} | " + " | ".join(cells) + f" | {speedup} |")
    return "\n".join(lines)


def _relative(prog: dict) -> tuple[str, float] | None:
    """pyscoop's median time over the reference's in the same run (asyncio, or sequential
    Python where there is no asyncio version), and the reference's name."""
    vs = prog["versions"]
    for ref in ("asyncio", "sequential"):
        if _ok(vs.get(ref)):
            break
    else:
        return None
    scoop = vs.get("scoop")
    if not _ok(scoop):
        return None
    return ref, scoop["median_s"] / vs[ref]["median_s"]


def before_after_table(before: dict, after: dict) -> str:
    """pyscoop against itself in two runs, each measured against a reference of its own run:
    runs on different days of a shared machine differ by more than most changes do."""
    lines = [
        "| program | pyscoop / reference, before | after | after / before |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, prog in after["programs"].items():
        new = _relative(prog)
        old_prog = before["programs"].get(key)
        old = _relative(old_prog) if old_prog is not None else None
        if new is None or old is None or new[0] != old[0]:
            continue
        lines.append(
            f"| {key} (/ {new[0]}) | {old[1]:.3g} | {new[1]:.3g} | {_ratio(new[1] / old[1])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tables", description=__doc__.splitlines()[0])
    parser.add_argument("result", nargs="?", default=str(RESULTS / "latest.json"))
    parser.add_argument("--before", help="an older result, for a before/after table of pyscoop's medians")
    args = parser.parse_args(argv)
    data = json.loads(Path(args.result).read_text())
    meta = data["meta"]
    print(f"<!-- {args.result}: {meta['date']}, {meta['rounds']} rounds, Python {meta['python']} -->\n")
    print(peers_table(data))
    print()
    print(cowichan_table(data))
    if args.before:
        print()
        print(before_after_table(json.loads(Path(args.before).read_text()), data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
