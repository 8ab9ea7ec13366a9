from benchmarks.programs.reservation import per_client


class Counter:
    def __init__(self):
        self.value = 0

    def increment(self) -> None:
        self.value += 1


def run(p):
    # The floor: the same calls with nothing to reserve.
    counter = Counter()
    n = per_client(p)
    for _ in range(p.clients):
        for _ in range(n):
            counter.increment()
    return counter.value
