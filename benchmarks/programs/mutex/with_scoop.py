import scoop


class Counter(scoop.Separate):
    def __init__(self):
        self.value = 0

    def increment(self) -> None:
        self.value += 1


class Worker(scoop.Separate):
    def __init__(self, counter: Counter):
        self.counter = counter  # kept as an attribute: reserved per block below, not per body

    def work(self, iterations: int) -> None:
        for _ in range(iterations):
            with scoop.separate(self.counter) as c:
                c.increment()

    def finished(self) -> bool:  # query: answered once work() has run
        return True


def run(p):
    counter = Counter()
    workers = [Worker(counter) for _ in range(p.workers)]
    for w in workers:
        w.work(p.iterations)  # commands: the workers run concurrently
    for w in workers:
        w.finished()  # wait by necessity
    return counter.value


def teardown():
    scoop.shutdown(wait=True)
