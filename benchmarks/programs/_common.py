"""Helpers shared by the programs' versions and checks (standard library only)."""

from __future__ import annotations

import os
import statistics


class WrongResult(AssertionError):
    """A version computed a wrong answer: the child exits non-zero and reports no time."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise WrongResult(message)


def percentile(values, q: float) -> float:
    """The q-th percentile (0..100) of values, nearest-rank on the sorted list."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(q / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def latency_summary(samples_ns) -> dict:
    """Median and p99 in microseconds of a list of per-call nanosecond latencies."""
    return {
        "median_us": statistics.median(samples_ns) / 1000.0,
        "p99_us": percentile(samples_ns, 99) / 1000.0,
    }


def thread_budget() -> int:
    """How many more OS threads this machine can start (pid_max, threads-max, map count).

    A thread-per-object version (threading, Pykka) asks for this before starting K threads, so
    that it fails with a clear message instead of exhausting the machine's PIDs for everyone.
    """
    limits = []
    for path, per_thread in (
        ("/proc/sys/kernel/pid_max", 1),
        ("/proc/sys/kernel/threads-max", 1),
        ("/proc/sys/vm/max_map_count", 2),  # a thread stack is a mapping plus its guard page
    ):
        try:
            with open(path) as f:
                limits.append(int(f.read().split()[0]) // per_thread)
        except (OSError, ValueError):
            pass
    if not limits:
        return 1 << 30
    try:
        in_use = sum(1 for _ in os.scandir("/proc") if _.name.isdigit()) * 4
    except OSError:
        in_use = 0
    return min(limits) - in_use


def require_threads(k: int) -> None:
    """Raise RuntimeError when starting k more OS threads would exceed the machine's limits."""
    budget = thread_budget()
    if k > budget:
        raise RuntimeError(
            f"this version needs {k} OS threads (one per object) but this machine allows "
            f"about {budget} more (pid_max / threads-max / vm.max_map_count)"
        )


def run_with_manager(manager_class, typeid: str, client, n: int):
    """The multiprocessing peer of a worker calling an object elsewhere: make a *typeid*
    object in a manager process, run ``client(proxy, n, results)`` in a worker process, and
    return what the client put on ``results``."""
    from multiprocessing import get_context

    ctx = get_context("forkserver")
    with manager_class(ctx=ctx) as manager:
        target = getattr(manager, typeid)()
        results = ctx.Queue()
        worker = ctx.Process(target=client, args=(target, n, results))
        worker.start()
        result = results.get()
        worker.join()
        return result
