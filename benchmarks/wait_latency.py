"""Wake-up latency of a wait condition (SPEC §5): a benchmark, not a test.

Times, many times over, the interval from the moment a client logs the command that makes
a waiter's condition true to the moment the waiter's body starts running. Two waiters:

- ``block``: a plain thread waiting in ``with scoop.separate(buf, until=...)``;
- ``requires``: a separate object's method with ``@scoop.requires``, run by an executor.

    python benchmarks/wait_latency.py [N]
"""

from __future__ import annotations

import statistics
import sys
import threading
import time

import scoop


class Slot(scoop.Separate):
    def __init__(self) -> None:
        self.stamp: float | None = None

    @property
    def is_empty(self) -> bool:
        return self.stamp is None

    def put(self, stamp: float) -> None:
        self.stamp = stamp

    def take(self) -> float:
        stamp, self.stamp = self.stamp, None
        return stamp  # type: ignore[return-value]


class Waiter(scoop.Separate):
    def __init__(self) -> None:
        self.latencies: list[float] = []

    # ``sleeping`` is released when the condition is found false: the waiter is about to
    # sleep, so the next put must wake it (release() returns None: still false).
    @scoop.requires(lambda self, slot, sleeping: not slot.is_empty or sleeping.release())
    def wait_and_take(self, slot: Slot, sleeping) -> None:
        self.latencies.append(time.perf_counter() - slot.take())

    def results(self) -> list:
        return self.latencies


def block_waiter(n: int) -> list[float]:
    slot = Slot()
    latencies: list[float] = []
    waiting = threading.Semaphore(0)

    def condition(s: Slot) -> bool:
        if s.is_empty:
            waiting.release()  # about to sleep: the next put must wake us
            return False
        return True

    def run() -> None:
        for _ in range(n):
            with scoop.separate(slot, until=condition) as s:
                latencies.append(time.perf_counter() - s.take())

    t = threading.Thread(target=run)
    t.start()
    for _ in range(n):
        waiting.acquire()
        slot.put(time.perf_counter())
    t.join()
    return latencies


def requires_waiter(n: int) -> list[float]:
    slot, waiter = Slot(), Waiter()
    sleeping = scoop.shared(threading.Semaphore(0))
    for _ in range(n):
        waiter.wait_and_take(slot, sleeping)  # logged; waits until the slot fills
        sleeping.acquire()
        slot.put(time.perf_counter())
    return waiter.results()  # a query: after every wait_and_take has run


def report(name: str, latencies: list[float]) -> None:
    us = sorted(x * 1e6 for x in latencies)
    p99 = us[int(len(us) * 0.99)]
    print(f"{name:<9} n={len(us):>5}  median {statistics.median(us):8.1f} µs   p99 {p99:8.1f} µs")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    report("block", block_waiter(n))
    report("requires", requires_waiter(n))
    scoop.shutdown()


if __name__ == "__main__":
    main()
