class Counter:
    def __init__(self):
        self.value = 0
        self.wrong = 0

    def increment(self, parity: int) -> None:
        if self.value % 2 != parity:
            self.wrong += 1
        self.value += 1


def run(p):
    counter = Counter()
    left = [p.iterations] * p.workers
    # whichever worker's turn it is (parity of the counter) increments; round-robin among them
    by_parity = {0: list(range(0, p.workers, 2)), 1: list(range(1, p.workers, 2))}
    nxt = {0: 0, 1: 0}
    for _ in range(p.workers * p.iterations):
        parity = counter.value % 2
        group = by_parity[parity]
        while left[group[nxt[parity] % len(group)]] == 0:
            nxt[parity] += 1
        w = group[nxt[parity] % len(group)]
        nxt[parity] += 1
        left[w] -= 1
        counter.increment(parity)
    return counter.value, counter.wrong
