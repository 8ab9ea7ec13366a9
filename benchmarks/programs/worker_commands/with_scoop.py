from time import perf_counter

import scoop


class Counter(scoop.Separate):
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1


class Client(scoop.Separate):
    """Placed in a worker process; its commands go to the parent's Counter."""

    def __init__(self, counter: Counter) -> None:
        self.counter = counter

    def run(self, n: int) -> tuple[int, float]:
        counter = self.counter
        t0 = perf_counter()
        for _ in range(n):
            counter.increment()
        value = counter.value  # a query: after every command this client logged
        return value, perf_counter() - t0


def run(p):
    scoop.configure(placement={f"{__name__}.Client": {"kind": "process"}})
    return Client(Counter()).run(p.n)


def teardown():
    scoop.shutdown(wait=True)
