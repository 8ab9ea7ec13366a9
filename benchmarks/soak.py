"""Soak run (issue 11): millions of calls over many objects, watching for growth.

Not a test: it measures. Eight client threads share 10,000 separate objects and make, in all,
10 million commands, 1 million reservations and 1 million queries (``--scale`` shrinks every
count alike). Every few seconds it prints the calls done in that window and the process's
resident memory; at the end it checks every count (each object's counter equals the commands
and reserved commands logged on it) and compares the memory at the end with the memory once
the objects were made. Run it before a release:

    python -m benchmarks.soak                 # full size, a few minutes
    python -m benchmarks.soak --scale 0.1     # a tenth of it
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time

import scoop


class Cell(scoop.Separate):
    def __init__(self) -> None:
        self.count = 0

    def bump(self) -> None:
        self.count += 1

    def value(self) -> int:
        return self.count


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


COMMAND, BLOCK, QUERY = b"crq"


def plan(seed: int, commands: int, blocks: int, queries: int) -> bytes:
    """One client's operations, one byte each, in a random order. Made before
    the start's memory is measured, so that the run's growth is the
    runtime's: 1.5 MB a client at full size (a list of strings was 12 MB)."""
    ops = bytearray(commands + blocks + queries)
    ops[:commands] = bytes((COMMAND,)) * commands
    ops[commands : commands + blocks] = bytes((BLOCK,)) * blocks
    ops[commands + blocks :] = bytes((QUERY,)) * queries
    random.Random(seed).shuffle(ops)
    return bytes(ops)


def client(cells: list[Cell], ops: bytes, seed: int, done: list[int], logged: list[int]) -> None:
    rng = random.Random(-1 - seed)  # not the plan's stream
    for n, op in enumerate(ops, 1):
        i = rng.randrange(len(cells))
        cell = cells[i]
        if op == COMMAND:
            cell.bump()
            logged[i] += 1
        elif op == BLOCK:
            with scoop.separate(cell) as c:
                c.bump()
            logged[i] += 1
        else:
            cell.value()
        if n % 1000 == 0:
            done[0] += 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (default 1)")
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between reports")
    args = parser.parse_args(argv)
    k = args.threads
    commands, blocks, queries = (int(x * args.scale / k) for x in (10_000_000, 1_000_000, 1_000_000))
    cells = [Cell() for _ in range(args.objects)]
    assert [c.value() for c in cells[:10]] == [0] * 10
    plans = [plan(s, commands, blocks, queries) for s in range(k)]
    done = [0]
    logged = [[0] * args.objects for _ in range(k)]
    start_rss = rss_mb()
    threads = [
        threading.Thread(target=client, args=(cells, plans[s], s, done, logged[s])) for s in range(k)
    ]
    t0 = last = time.perf_counter()
    last_done = 0
    for t in threads:
        t.start()
    print(f"{args.objects} objects, {k} threads, {commands * k:,} commands, {blocks * k:,} reservations, "
          f"{queries * k:,} queries; RSS {start_rss:.0f} MB after creating the objects")
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(args.every)
            if time.perf_counter() - last >= args.every:
                break
        now = time.perf_counter()
        n = done[0]
        print(f"  {now - t0:6.1f} s  {(n - last_done) / (now - last):>10,.0f} calls/s  RSS {rss_mb():.0f} MB")
        last, last_done = now, n
    total = time.perf_counter() - t0
    expected = [sum(col) for col in zip(*logged)]
    counts = [c.value() for c in cells]
    stats = scoop.stats()
    scoop.shutdown()
    end_rss = rss_mb()
    ok = counts == expected
    print(f"{(commands + blocks + queries) * k:,} calls in {total:.1f} s; every count right: {ok}; "
          f"RSS {start_rss:.0f} MB after creation, {end_rss:.0f} MB at the end ({end_rss - start_rss:+.0f} MB); "
          f"{stats['executors']} executors")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
