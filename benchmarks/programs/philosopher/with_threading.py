import threading


class Fork:
    def __init__(self, ident, n):
        self.ident, self.n = ident, n
        self.lock = threading.Lock()
        self.uses = self.strangers = 0

    def use(self, who: int) -> None:
        self.uses += 1
        if who not in (self.ident, (self.ident + 1) % self.n):
            self.strangers += 1


def run(p):
    n = p.philosophers
    forks = [Fork(i, n) for i in range(n)]
    meals = [0] * n

    def philosopher(i):
        left, right = forks[i - 1], forks[i]
        first, second = sorted((left, right), key=lambda f: f.ident)  # lock ordering: no deadlock
        for _ in range(p.meals):
            with first.lock, second.lock:
                left.use(i)
                right.use(i)
            meals[i] += 1

    threads = [threading.Thread(target=philosopher, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return meals, [f.uses for f in forks], sum(f.strangers for f in forks)
