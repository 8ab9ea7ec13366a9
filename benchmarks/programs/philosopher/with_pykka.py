import pykka


class Fork(pykka.ThreadingActor):
    def __init__(self, ident, n):
        super().__init__()
        self.ident, self.n = ident, n
        self.holder = None
        self.uses = self.strangers = 0

    def try_take(self, who) -> bool:
        if self.holder is not None:
            return False
        self.holder = who
        return True

    def use_and_release(self, who) -> None:
        assert self.holder == who
        self.uses += 1
        if who not in (self.ident, (self.ident + 1) % self.n):
            self.strangers += 1
        self.holder = None

    def release(self, who) -> None:
        if self.holder == who:
            self.holder = None

    def report(self):
        return self.uses, self.strangers


class Philosopher(pykka.ThreadingActor):
    def __init__(self, ident, left, right):
        super().__init__()
        self.ident, self.left, self.right = ident, left, right

    def dine(self, meals) -> int:
        for _ in range(meals):
            # Pykka has no atomic multi-actor reservation and no wait conditions: take the
            # left fork, try the right one, and if it is busy put the left one back and retry.
            while True:
                if self.left.try_take(self.ident).get():
                    if self.right.try_take(self.ident).get():
                        break
                    self.left.release(self.ident).get()
            self.left.use_and_release(self.ident).get()
            self.right.use_and_release(self.ident).get()
        return meals


def run(p):
    n = p.philosophers
    forks = [Fork.start(i, n).proxy() for i in range(n)]
    phils = [Philosopher.start(i, forks[i - 1], forks[i]).proxy() for i in range(n)]
    try:
        meals = pykka.get_all([ph.dine(p.meals) for ph in phils])
        reports = pykka.get_all([f.report() for f in forks])
        return meals, [u for u, _ in reports], sum(s for _, s in reports)
    finally:
        for a in phils + forks:
            a.stop()
