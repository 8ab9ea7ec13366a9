from collections import deque

import pykka


class Buffer(pykka.ThreadingActor):
    def __init__(self, capacity):
        super().__init__()
        self.capacity = capacity
        self.items = deque()
        self.high_water = 0

    def try_put(self, x) -> bool:
        if len(self.items) >= self.capacity:
            return False
        self.items.append(x)
        self.high_water = max(self.high_water, len(self.items))
        return True

    def try_take(self):
        return self.items.popleft() if self.items else None

    def state(self):
        return len(self.items), self.high_water


class Producer(pykka.ThreadingActor):
    def __init__(self, buf):
        super().__init__()
        self.buf = buf

    def produce(self, start, count) -> None:
        for x in range(start, start + count):
            # Pykka has no wait conditions: retry (poll) while the buffer is full.
            while not self.buf.try_put(x).get():
                pass


class Consumer(pykka.ThreadingActor):
    def __init__(self, buf):
        super().__init__()
        self.buf = buf

    def consume(self, count):
        total = 0
        for _ in range(count):
            # ... and retry (poll) while it is empty.
            while (x := self.buf.try_take().get()) is None:
                pass
            total += x
        return total, count


def run(p):
    buf = Buffer.start(p.capacity).proxy()
    consumers = [Consumer.start(buf).proxy() for _ in range(p.consumers)]
    producers = [Producer.start(buf).proxy() for _ in range(p.producers)]
    try:
        consumed = [c.consume(p.items) for c in consumers]
        pykka.get_all([pr.produce(j * p.items, p.items) for j, pr in enumerate(producers)])
        results = pykka.get_all(consumed)
        left, high = buf.state().get()
        return [t for t, _ in results], [n for _, n in results], left, high
    finally:
        for a in consumers + producers:
            a.stop()
        buf.stop()
