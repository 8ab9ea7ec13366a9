"""Dining philosophers: each philosopher takes both forks in one atomic reservation.

    python examples/dining_philosophers.py               # 5 and then 50 philosophers
    python examples/dining_philosophers.py 7 200         # 7 philosophers, 200 meals each

The classic deadlock comes from taking the forks one at a time: everyone holds a left fork
and waits forever for a right one. In SCOOP a method reserves *all* its separate arguments
at once, and the runtime takes multi-reservations in one global order, so that state cannot
arise: a philosopher holds either both forks or none. No fork ordering trick, no waiter, no
arbitrator.
"""

import sys
import time

import scoop


class Fork(scoop.Separate):
    def __init__(self, number: int) -> None:
        self.number = number
        self.holder: int | None = None  # who is eating with this fork right now
        self.uses = 0

    def pick_up(self, who: int) -> None:
        # A reservation is exclusive, so this never fires. It is here so that the example
        # would fail loudly, not quietly, if two philosophers ever shared a fork.
        if self.holder is not None:
            raise RuntimeError(f"fork {self.number}: philosopher {who} took it from {self.holder}")
        self.holder = who
        self.uses += 1

    def put_down(self, who: int) -> None:
        if self.holder != who:
            raise RuntimeError(f"fork {self.number}: philosopher {who} put it down, "
                               f"but {self.holder} holds it")
        self.holder = None


class Philosopher(scoop.Separate):
    def __init__(self, number: int, left: Fork, right: Fork) -> None:
        # Forks kept as attributes are not reserved: only the arguments of eat() are, and only
        # while it runs, so between meals the neighbours can have them.
        self.number = number
        self.left = left
        self.right = right
        self.meals = 0

    def dine(self, meals: int) -> None:
        for _ in range(meals):
            self.eat(self.left, self.right)

    # A plain self.eat(...) call reserves nothing by itself; @scoop.separate gives it SCOOP's
    # rule: both forks are reserved together, for the whole body, or the call waits.
    @scoop.separate
    def eat(self, left: Fork, right: Fork) -> None:
        left.pick_up(self.number)  # commands: logged, run in order on each fork
        right.pick_up(self.number)
        self.meals += 1
        left.put_down(self.number)
        right.put_down(self.number)


def dinner(n: int, meals: int) -> bool:
    if n < 2:
        raise ValueError("a philosopher eats with two forks: seat at least two")
    forks = [Fork(i) for i in range(n)]
    philosophers = [Philosopher(i, forks[i], forks[(i + 1) % n]) for i in range(n)]
    started = time.perf_counter()
    for p in philosophers:
        p.dine(meals)  # a command: all of them dine at once

    # Queries wait by necessity: p.meals answers once p's dine() has finished. The forks'
    # counts are read after that, so they include every meal.
    eaten = [p.meals for p in philosophers]
    uses = [f.uses for f in forks]
    failures = scoop.stats()["failures"]
    elapsed = time.perf_counter() - started

    everyone_ate = all(m == meals for m in eaten)
    # Fork i lies between philosopher i-1 (it is their right fork) and philosopher i.
    forks_add_up = all(uses[i] == eaten[i - 1] + eaten[i] for i in range(n))
    ok = everyone_ate and forks_add_up and failures == 0
    print(f"{n} philosophers, {meals:,} meals each: {sum(eaten):,} meals in {elapsed:.2f} s; "
          f"each fork used {min(uses):,} to {max(uses):,} times; "
          f"{'no fork ever shared' if ok else 'WRONG'}")
    return ok


def main(argv: list[str]) -> int:
    if argv:
        runs = [(int(argv[0]), int(argv[1]) if len(argv) > 1 else 1_000)]
    else:
        runs = [(5, 1_000), (50, 1_000)]
    ok = all([dinner(n, meals) for n, meals in runs])
    print("every philosopher ate every meal, and no one starved or deadlocked" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
