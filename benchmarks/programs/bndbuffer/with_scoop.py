from collections import deque

import scoop


class Buffer(scoop.Separate):
    def __init__(self, capacity: int):
        self.capacity = capacity
        self.items = deque()
        self.high_water = 0

    @property
    def is_full(self) -> bool:
        return len(self.items) >= self.capacity

    @property
    def is_empty(self) -> bool:
        return not self.items

    def put(self, x: int) -> None:
        self.items.append(x)
        self.high_water = max(self.high_water, len(self.items))

    def take(self) -> int:
        return self.items.popleft()

    def size(self) -> int:
        return len(self.items)


class Producer(scoop.Separate):
    def __init__(self, buf: Buffer):
        self.buf = buf

    def produce(self, start: int, count: int) -> None:
        for x in range(start, start + count):
            with scoop.separate(self.buf, until=lambda b: not b.is_full) as b:
                b.put(x)


class Consumer(scoop.Separate):
    def __init__(self, buf: Buffer):
        self.buf = buf
        self.total = self.count = 0

    def consume(self, count: int) -> None:
        for _ in range(count):
            with scoop.separate(self.buf, until=lambda b: not b.is_empty) as b:
                self.total += b.take()
            self.count += 1


def run(p):
    buf = Buffer(p.capacity)
    consumers = [Consumer(buf) for _ in range(p.consumers)]
    producers = [Producer(buf) for _ in range(p.producers)]
    for c in consumers:
        c.consume(p.items)
    for j, pr in enumerate(producers):
        pr.produce(j * p.items, p.items)
    totals = [c.total for c in consumers]  # queries: wait until each consume() has run
    counts = [c.count for c in consumers]
    with scoop.separate(buf) as b:
        return totals, counts, b.size(), b.high_water


def teardown():
    scoop.shutdown(wait=True)
