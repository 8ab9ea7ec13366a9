class Counter:
    def __init__(self):
        self.value = 0

    def increment(self) -> None:
        self.value += 1


def run(p):
    counter = Counter()
    for _ in range(p.workers):
        for _ in range(p.iterations):
            counter.increment()
    return counter.value
