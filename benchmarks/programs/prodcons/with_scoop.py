import scoop


class Stack(scoop.Separate):
    def __init__(self):
        self.items = []

    def push(self, x: int) -> None:
        self.items.append(x)

    def pop(self) -> int:
        return self.items.pop()

    @property
    def is_empty(self) -> bool:
        return not self.items

    def size(self) -> int:
        return len(self.items)


class Producer(scoop.Separate):
    def __init__(self, stack: Stack):
        self.stack = stack

    def produce(self, start: int, count: int) -> None:
        for x in range(start, start + count):
            self.stack.push(x)


class Consumer(scoop.Separate):
    def __init__(self, stack: Stack):
        self.stack = stack
        self.total = 0
        self.count = 0

    def consume(self, count: int) -> None:
        for _ in range(count):
            with scoop.separate(self.stack, until=lambda s: not s.is_empty) as s:
                self.total += s.pop()
            self.count += 1


def run(p):
    stack = Stack()
    consumers = [Consumer(stack) for _ in range(p.consumers)]
    producers = [Producer(stack) for _ in range(p.producers)]
    for c in consumers:
        c.consume(p.items)
    for j, prod in enumerate(producers):
        prod.produce(j * p.items, p.items)
    totals = [c.total for c in consumers]  # queries: wait until each consume() has run
    counts = [c.count for c in consumers]
    return totals, counts, stack.size()


def teardown():
    scoop.shutdown(wait=True)
