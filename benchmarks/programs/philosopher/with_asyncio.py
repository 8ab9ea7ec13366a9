import asyncio


class Fork:
    def __init__(self, ident, n):
        self.ident, self.n = ident, n
        self.lock = asyncio.Lock()
        self.uses = self.strangers = 0

    def use(self, who: int) -> None:
        self.uses += 1
        if who not in (self.ident, (self.ident + 1) % self.n):
            self.strangers += 1


async def main(p):
    n = p.philosophers
    forks = [Fork(i, n) for i in range(n)]
    meals = [0] * n

    async def philosopher(i):
        left, right = forks[i - 1], forks[i]
        first, second = sorted((left, right), key=lambda f: f.ident)
        for _ in range(p.meals):
            async with first.lock, second.lock:
                left.use(i)
                right.use(i)
            meals[i] += 1
            await asyncio.sleep(0)  # leave the table: let the neighbours eat

    await asyncio.gather(*(philosopher(i) for i in range(n)))
    return meals, [f.uses for f in forks], sum(f.strangers for f in forks)


def run(p):
    return asyncio.run(main(p))
