import pykka


class Stack(pykka.ThreadingActor):
    def __init__(self):
        super().__init__()
        self.items = []

    def push(self, x: int) -> None:
        self.items.append(x)

    def try_pop(self):
        return self.items.pop() if self.items else None

    def size(self) -> int:
        return len(self.items)


class Producer(pykka.ThreadingActor):
    def __init__(self, stack):
        super().__init__()
        self.stack = stack

    def produce(self, start: int, count: int) -> None:
        for x in range(start, start + count):
            self.stack.push.defer(x)  # tell


class Consumer(pykka.ThreadingActor):
    def __init__(self, stack):
        super().__init__()
        self.stack = stack

    def consume(self, count: int):
        total = 0
        for _ in range(count):
            # Pykka has no wait conditions: ask, and retry (poll) while the stack is empty.
            while (x := self.stack.try_pop().get()) is None:
                pass
            total += x
        return total, count


def run(p):
    stack = Stack.start().proxy()
    consumers = [Consumer.start(stack).proxy() for _ in range(p.consumers)]
    producers = [Producer.start(stack).proxy() for _ in range(p.producers)]
    try:
        consumed = [c.consume(p.items) for c in consumers]
        pykka.get_all([pr.produce(j * p.items, p.items) for j, pr in enumerate(producers)])
        results = pykka.get_all(consumed)
        return [t for t, _ in results], [n for _, n in results], stack.size().get()
    finally:
        for a in consumers + producers:
            a.stop()
        stack.stop()
