"""Classes for the tests of wait conditions, lock passing, callbacks and deadlocks (SPEC §5–§6)."""

from __future__ import annotations

import scoop


class Buffer(scoop.Separate):
    def __init__(self, capacity: int = 1_000_000) -> None:
        self.items: list = []
        self.capacity = capacity
        self.taken = 0

    @property
    def is_empty(self) -> bool:
        return not self.items

    @property
    def is_full(self) -> bool:
        return len(self.items) >= self.capacity

    def put(self, item) -> None:
        self.items.append(item)

    def take(self) -> object:
        self.taken += 1
        return self.items.pop(0)


class Consumer(scoop.Separate):
    def __init__(self) -> None:
        self.got: list = []

    @scoop.requires(lambda self, buf: not buf.is_empty)
    def consume(self, buf: Buffer) -> None:
        self.got.append(buf.take())

    def consume_many(self, buf: Buffer, n: int) -> None:
        for _ in range(n):
            self.consume(buf)  # a plain call: @requires still waits

    def count(self) -> int:
        return len(self.got)


@scoop.requires(lambda buf: not buf.is_empty)
def take_when_ready(buf: Buffer) -> object:
    return buf.take()


class Guarded(scoop.Separate):
    def __init__(self) -> None:
        self.ready = False

    @scoop.requires(lambda self: self.ready)
    def act(self) -> int:
        return 1


class Cell(scoop.Separate):
    def __init__(self, value: int = 0) -> None:
        self.value = value
        self.peer = None

    def set(self, value: int) -> None:
        self.value = value

    def set_peer(self, peer: "Cell") -> None:
        self.peer = peer

    def read(self, other: "Cell") -> int:
        """A query that uses a separate argument: reserves ``other`` for its body."""
        return other.value

    def add_from(self, other: "Cell") -> None:
        """A command with a separate argument: reads ``other`` while it runs."""
        self.value += other.value

    def bump(self, other: "Cell") -> None:
        """A command that changes its separate argument."""
        other.set(other.value + 1)

    def chain(self, depth: int) -> int:
        """Query along the ring of peers ``depth`` times, then back to the start."""
        if depth == 0:
            return self.value
        return self.peer.chain(depth - 1)

    def lend_self_to(self, other: "Cell") -> int:
        """Pass an object of this processor (self) to another: lock passing."""
        return other.read(self)

    def meet_at(self, gate: "Counter") -> None:
        self.gate = gate

    def hold_then_read_peer(self, mine: "Cell") -> int:
        """Reserve ``mine`` (this method's separate argument) and, holding it, query the
        stored peer, once every cell that meets at the same gate holds its own. Two of these
        whose peers are each other's ``mine`` deadlock.

        The meeting is a wait condition, not a ``threading.Barrier``: a body blocked in a
        barrier holds its executor's thread, and a body suspended on that thread (a fiber)
        cannot move to another to reach the barrier."""
        mine.value  # noqa: B018 - a query: the reservation of ``mine`` has started
        self.gate.increment()
        with scoop.separate(self.gate, until=lambda g: g.value >= 2):
            pass
        return self.peer.value


class Counter(scoop.Separate):
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1
