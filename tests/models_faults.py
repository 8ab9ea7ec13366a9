"""Classes for tests/test_faults.py. Importable by name: worker processes unpickle them."""

from __future__ import annotations

import os

import scoop


class Injected(Exception):
    """Raised on purpose by a fault the test injects."""


class HalfCopy:
    """A value whose copy (deepcopy or pickling) fails when ``fail`` is set.

    Put one with ``fail=True`` after good ones in a list: the copy fails halfway through.
    """

    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def __deepcopy__(self, memo: dict) -> HalfCopy:
        if self.fail:
            raise Injected("__deepcopy__ fails halfway")
        return HalfCopy(False)

    def __reduce__(self):
        if self.fail:
            raise Injected("pickling fails halfway")
        return (HalfCopy, (False,))


_BASE_EXCEPTIONS = {
    "MemoryError": MemoryError,
    "RecursionError": RecursionError,
    "KeyboardInterrupt": KeyboardInterrupt,
    "SystemExit": SystemExit,
}


class Victim(scoop.Separate):
    """An object whose calls can be made to fail in the ways a program's can."""

    def __init__(self) -> None:
        self.count = 0
        self.items: list = []
        self.tokens = 0

    def bump(self) -> None:
        self.count += 1

    def total(self) -> int:
        return self.count

    def explode(self, kind: str) -> None:
        raise _BASE_EXCEPTIONS[kind](f"injected {kind}")

    def explode_query(self, kind: str) -> int:
        raise _BASE_EXCEPTIONS[kind](f"injected {kind}")

    def recurse_forever(self) -> None:
        def deeper(n: int) -> int:
            return deeper(n + 1) + 1

        deeper(0)

    def keep(self, value: object) -> None:
        self.items.append(value)

    def kept(self) -> int:
        return len(self.items)

    def uncopyable_result(self) -> list:
        self.count += 1  # the query runs; only its result cannot cross
        return [HalfCopy(False), HalfCopy(True)]

    def pid(self) -> int:
        return os.getpid()

    def block_on(self, running: str, hold: str) -> None:
        """Tell the test the call runs (FIFO ``running``), then wait on the FIFO ``hold``.

        Opening a FIFO blocks until its other end is opened: no sleeping on either side.
        """
        with open(running, "w") as fifo:
            fifo.write("running")
        with open(hold) as fifo:
            fifo.read()
        self.count += 1

    def block_in_body(self, running: str, hold: str) -> str:
        """A query version of block_on: reports the thread that runs the body."""
        import threading

        with open(running, "w") as fifo:
            fifo.write(threading.current_thread().name)
        with open(hold) as fifo:
            fifo.read()
        self.count += 1
        return "finished"


def _raising_predicate(self, victim) -> bool:
    raise Injected("the wait condition raises")


class Waiter(scoop.Separate):
    @scoop.requires(_raising_predicate)
    def wait_then_bump(self, victim: Victim) -> None:
        victim.bump()

    @scoop.requires(_raising_predicate)
    def wait_then_count(self, victim: Victim) -> int:
        return victim.total()
