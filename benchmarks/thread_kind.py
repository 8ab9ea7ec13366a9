"""What the ``thread`` placement kind costs (SPEC §7): a benchmark, not a test.

Times, with ``timeit``, the same calls on two objects of one class: one on a default processor,
one on a thread processor (``kind = "thread"``), from the main thread:

- ``query``: a query round trip (the body returns an attribute);
- ``command``: N commands logged, then one query that waits for them all, per command.

A default object's query runs on the caller's own thread (client-side query execution); a
thread object's crosses to its dedicated thread and back, two thread hand-offs under the GIL.
A default object's commands are run by an executor in batches; a thread object's each cross to
its thread. The ratio is the price of thread affinity.

    python benchmarks/thread_kind.py [N]
"""

from __future__ import annotations

import sys
import timeit

import scoop


class Echo(scoop.Separate):
    def __init__(self) -> None:
        self.n = 0

    def get(self) -> int:
        return self.n

    def bump(self) -> None:
        self.n += 1


def per_call(stmt: str, namespace: dict, n: int, number: int) -> float:
    """The best of 7 runs of *stmt* (run *number* times a run), in µs per call of *n*: the
    best, as ``python -m timeit`` reports, on a machine where other work only adds time."""
    runs = timeit.repeat(stmt, globals=namespace, number=number, repeat=7)
    return min(runs) / n * 1e6


def main(n: int) -> None:
    scoop.configure(placement={f"{__name__}.Echo": {"kind": "thread"}})
    thread, default = Echo(), Echo.on(scoop.processor())()
    ns = {"t": thread, "d": default, "n": n}
    for name in ("d", "t"):  # both started and warm
        ns[name].get()
    rows = [
        ("query", per_call("d.get()", ns, n, n), per_call("t.get()", ns, n, n)),
        (
            "command",
            per_call("for _ in range(n): d.bump()\nd.get()", ns, n, 1),
            per_call("for _ in range(n): t.bump()\nt.get()", ns, n, 1),
        ),
    ]
    print(f"{'':10} {'default µs':>11} {'thread µs':>10} {'ratio':>7}   (best of 7 runs of {n})")
    for what, d, t in rows:
        print(f"{what:10} {d:11.2f} {t:10.2f} {t / d:6.1f}x")
    scoop.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
