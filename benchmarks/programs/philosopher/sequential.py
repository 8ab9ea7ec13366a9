class Fork:
    def __init__(self, ident, n):
        self.ident, self.n = ident, n
        self.uses = self.strangers = 0

    def use(self, who: int) -> None:
        self.uses += 1
        if who not in (self.ident, (self.ident + 1) % self.n):
            self.strangers += 1


def run(p):
    n = p.philosophers
    forks = [Fork(i, n) for i in range(n)]  # fork i lies between philosophers i and i+1
    meals = [0] * n
    for _ in range(p.meals):
        for i in range(n):
            left, right = forks[i - 1], forks[i]
            left.use(i)
            right.use(i)
            meals[i] += 1
    return meals, [f.uses for f in forks], sum(f.strangers for f in forks)
