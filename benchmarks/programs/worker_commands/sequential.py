from time import perf_counter


class Counter:
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1


def run(p):
    counter = Counter()
    t0 = perf_counter()
    for _ in range(p.n):
        counter.increment()
    return counter.value, perf_counter() - t0
