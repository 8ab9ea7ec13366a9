import scoop


class Counter(scoop.Separate):
    def __init__(self):
        self.value = 0
        self.wrong = 0

    def increment(self, parity: int) -> None:
        if self.value % 2 != parity:
            self.wrong += 1
        self.value += 1


class Worker(scoop.Separate):
    def __init__(self, parity: int, counter: Counter):
        self.parity = parity
        self.counter = counter

    def work(self, iterations: int) -> None:
        parity = self.parity
        for _ in range(iterations):
            # wait condition: reserved, checked, released until it holds; then the body runs
            with scoop.separate(self.counter, until=lambda c: c.value % 2 == parity) as c:
                c.increment(parity)

    def finished(self) -> bool:
        return True


def run(p):
    counter = Counter()
    workers = [Worker(i % 2, counter) for i in range(p.workers)]
    for w in workers:
        w.work(p.iterations)
    for w in workers:
        w.finished()
    with scoop.separate(counter) as c:
        return c.value, c.wrong


def teardown():
    scoop.shutdown(wait=True)
