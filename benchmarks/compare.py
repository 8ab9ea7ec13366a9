"""Interleaved A/B runs of a few programs' scoop versions under several environments.

    python -m benchmarks.compare VARIANT [VARIANT ...] [--only P1,P2] [--rounds N] [--quick]

A VARIANT is ``NAME`` or ``NAME:VAR=VALUE[,VAR=VALUE...]``: the environment variables its
runs get. Use it to measure what a change costs against another build, or a setting against
none, on a machine too noisy for two separate suite runs to compare:

    # this checkout against main's Python code (a copy with the built _native beside it),
    # and with tracing on
    python -m benchmarks.compare main:PYTHONPATH=/tmp/scoop-main/python off \\
        on:SCOOP_TRACE=/tmp/bench-trace.json --only command_throughput,query_latency --rounds 15

Each round runs every variant once per program, each in a fresh process (``benchmarks.child``,
as the suite does), in an order that rotates from one round to the next, after one warm-up
round that is not counted. The table gives each metric's median over the rounds, its
interquartile range, and the median's ratio to the first variant's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from benchmarks.runner import load_programs, run_child


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    name, _, assignments = text.partition(":")
    env = {}
    for assignment in filter(None, assignments.split(",")):
        var, eq, value = assignment.partition("=")
        if not eq:
            raise SystemExit(f"variant {text!r}: {assignment!r} is not VAR=VALUE")
        env[var] = value
    return name, env


def run_once(program: str, mode: str, env: dict[str, str], timeout: float) -> dict:
    saved = {var: os.environ.get(var) for var in env}
    os.environ.update(env)
    try:
        return run_child(program, 0, "scoop", mode, timeout=timeout, max_rss_mb=8192, tree=False)
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return q1, statistics.median(values), q3


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variants", nargs="+", metavar="VARIANT")
    ap.add_argument("--only", default="command_throughput,query_latency")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="the programs' small sizes")
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args(argv)
    variants = [parse_variant(v) for v in args.variants]
    mode = "quick" if args.quick else "full"
    programs = [name for name, _ in load_programs([p.strip() for p in args.only.split(",") if p.strip()])]
    # samples[program][variant][metric] -> values
    samples: dict[str, dict[str, dict[str, list[float]]]] = {
        p: {name: {} for name, _ in variants} for p in programs
    }
    for r in range(args.warmup + args.rounds):
        counted = r >= args.warmup
        k = r % len(variants)
        order = variants[k:] + variants[:k]
        for program in programs:
            for name, env in order:
                rec = run_once(program, mode, env, args.timeout)
                if rec["status"] != "ok":
                    print(f"{program} {name}: {rec['status']}\n{rec.get('error', '')}\n"
                          f"{rec.get('stderr_tail', '')}", file=sys.stderr)
                    return 1
                metrics = {"seconds": rec["seconds"], **rec.get("metrics", {})}
                shown = ", ".join(f"{m}={v:,.4g}" for m, v in metrics.items())
                print(f"  [{'round ' + str(r - args.warmup + 1) if counted else 'warm-up'}] "
                      f"{program:<20} {name:<10} {shown}", file=sys.stderr)
                if counted:
                    for m, v in metrics.items():
                        samples[program][name].setdefault(m, []).append(v)
    first = variants[0][0]
    print(f"\nmedians of {args.rounds} interleaved rounds ({mode} sizes); [Q1–Q3]; ratio to {first}\n")
    print("| program | metric | " + " | ".join(name for name, _ in variants) + " |")
    print("| --- | --- |" + " ---: |" * len(variants))
    for program in programs:
        for metric in samples[program][first]:
            base = statistics.median(samples[program][first][metric])
            cells = []
            for name, _ in variants:
                q1, med, q3 = quartiles(samples[program][name][metric])
                cells.append(f"{med:,.4g} [{q1:,.4g}–{q3:,.4g}] ×{med / base:.3f}")
            print(f"| {program} | {metric} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
