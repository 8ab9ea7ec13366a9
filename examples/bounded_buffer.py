"""Producers and consumers around a bounded buffer, with wait conditions instead of locks.

    python examples/bounded_buffer.py

The buffer is a separate object with a fixed capacity. A producer may put only when the buffer
is not full, a consumer may take only when it is not empty. In SCOOP these are preconditions
on a separate argument, and such a precondition is a *wait condition*: the call waits until it
holds, then runs with the buffer still reserved, so "check, then put" is one atomic step. There
is no condition variable to signal and no wake-up to forget.
"""

import sys

import scoop


class Buffer(scoop.Separate):
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.items: list[int] = []

    @property
    def is_full(self) -> bool:  # a property read through a reference is a query
        return len(self.items) >= self.capacity

    @property
    def is_empty(self) -> bool:
        return not self.items

    def put(self, item: int) -> None:  # a command: the producer does not wait for it
        # The producer's wait condition guarantees room; we check anyway, because a violated
        # capacity is exactly what this example exists to rule out.
        if len(self.items) >= self.capacity:
            raise OverflowError("put on a full buffer")
        self.items.append(item)

    def take(self) -> int:  # a query: the consumer needs the item
        return self.items.pop(0)


class Producer(scoop.Separate):
    def __init__(self, buf: Buffer, first: int, count: int) -> None:
        # Kept as an attribute, not passed to run(): a separate *argument* is reserved for the
        # whole method, so run(buf) would hold the buffer for all its puts and no consumer
        # could ever take anything. Each put() below reserves it for one item only.
        self.buf = buf
        self.items = range(first, first + count)

    def run(self) -> None:
        for item in self.items:
            self.put(self.buf, item)

    # Called on self, this is a plain Python call; @scoop.requires still reserves ``buf`` and
    # waits, without using any CPU, until the buffer is not full.
    @scoop.requires(lambda self, buf, item: not buf.is_full)
    def put(self, buf: Buffer, item: int) -> None:
        buf.put(item)


class Consumer(scoop.Separate):
    def __init__(self, buf: Buffer, count: int) -> None:
        self.buf = buf
        self.count = count
        self.taken: list[int] = []

    def run(self) -> None:
        for _ in range(self.count):
            self.taken.append(self.take(self.buf))

    @scoop.requires(lambda self, buf: not buf.is_empty)
    def take(self, buf: Buffer) -> int:
        return buf.take()


def main(producers: int = 4, consumers: int = 2, per_producer: int = 500, capacity: int = 8) -> int:
    # Twice as many producers as consumers: the buffer fills up, and the producers' wait
    # condition, not luck, is what keeps it from overflowing.
    total = producers * per_producer
    if total % consumers:
        raise ValueError("the consumers must be able to share the items evenly")
    buf = Buffer(capacity)
    ps = [Producer(buf, i * per_producer, per_producer) for i in range(producers)]
    cs = [Consumer(buf, total // consumers) for _ in range(consumers)]
    for c in cs:  # commands: every producer and consumer now runs on its own processor
        c.run()
    for p in ps:
        p.run()

    # ``c.taken`` is a query, so it waits until this thread's earlier call on ``c``, run(),
    # has finished: no join, no event, just wait by necessity.
    taken = [c.taken for c in cs]
    everything = sorted(item for items in taken for item in items)
    expected = list(range(total))

    print(f"{producers} producers x {per_producer} items -> buffer of {capacity} -> "
          f"{consumers} consumers")
    for i, items in enumerate(taken):
        print(f"  consumer {i}: {len(items):,} items, sum {sum(items):,}")
    ok = everything == expected and buf.is_empty
    verdict = "each consumed exactly once" if ok else "WRONG"
    print(f"{len(everything):,} items consumed (sum {sum(everything):,}, expected "
          f"{total:,} with sum {sum(expected):,}): {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
