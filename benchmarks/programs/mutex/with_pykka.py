import pykka


class Counter(pykka.ThreadingActor):
    def __init__(self):
        super().__init__()
        self.value = 0

    def increment(self) -> None:
        self.value += 1


class Worker(pykka.ThreadingActor):
    def __init__(self, counter):
        super().__init__()
        self.counter = counter

    def work(self, iterations: int) -> None:
        # The counter actor serializes its messages: each increment is one exclusive access.
        for _ in range(iterations):
            self.counter.increment().get()


def run(p):
    counter = Counter.start().proxy()
    workers = [Worker.start(counter).proxy() for _ in range(p.workers)]
    try:
        pykka.get_all([w.work(p.iterations) for w in workers])
        return counter.value.get()
    finally:
        for w in workers:
            w.stop()
        counter.stop()
