import scoop


class Fork(scoop.Separate):
    def __init__(self, ident: int, n: int):
        self.ident, self.n = ident, n
        self.uses = self.strangers = 0

    def use(self, who: int) -> None:
        self.uses += 1
        if who not in (self.ident, (self.ident + 1) % self.n):
            self.strangers += 1


class Philosopher(scoop.Separate):
    def __init__(self, ident: int, left: Fork, right: Fork):
        self.ident, self.left, self.right = ident, left, right
        self.meals = 0

    def dine(self, meals: int) -> None:
        for _ in range(meals):
            with scoop.separate(self.left, self.right) as (left, right):  # both, atomically
                left.use(self.ident)
                right.use(self.ident)
            self.meals += 1


def run(p):
    n = p.philosophers
    forks = [Fork(i, n) for i in range(n)]
    philosophers = [Philosopher(i, forks[i - 1], forks[i]) for i in range(n)]
    for ph in philosophers:
        ph.dine(p.meals)
    meals = [ph.meals for ph in philosophers]  # queries: wait until each has dined
    return meals, [f.uses for f in forks], sum(f.strangers for f in forks)


def teardown():
    scoop.shutdown(wait=True)
