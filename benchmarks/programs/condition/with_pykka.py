import pykka


class Counter(pykka.ThreadingActor):
    def __init__(self):
        super().__init__()
        self.value = 0
        self.wrong = 0

    def try_increment(self, parity: int) -> bool:
        if self.value % 2 != parity:
            return False
        self.value += 1
        return True


class Worker(pykka.ThreadingActor):
    def __init__(self, parity, counter):
        super().__init__()
        self.parity = parity
        self.counter = counter

    def work(self, iterations: int) -> None:
        for _ in range(iterations):
            # Pykka has no wait conditions: retry (poll) until the counter accepts our turn.
            while not self.counter.try_increment(self.parity).get():
                pass


def run(p):
    counter = Counter.start().proxy()
    workers = [Worker.start(i % 2, counter).proxy() for i in range(p.workers)]
    try:
        pykka.get_all([w.work(p.iterations) for w in workers])
        return counter.value.get(), counter.wrong.get()
    finally:
        for w in workers:
            w.stop()
        counter.stop()
