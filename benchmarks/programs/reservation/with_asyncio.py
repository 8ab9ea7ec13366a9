import asyncio

from benchmarks.programs.reservation import per_client


class Counter:
    def __init__(self):
        self.value = 0

    def increment(self) -> None:
        self.value += 1


async def main(clients, n):
    counter, lock = Counter(), asyncio.Lock()

    async def client():
        for _ in range(n):
            async with lock:  # the block: the lock held around the call
                counter.increment()

    await asyncio.gather(*(client() for _ in range(clients)))
    return counter.value


def run(p):
    return asyncio.run(main(p.clients, per_client(p)))
