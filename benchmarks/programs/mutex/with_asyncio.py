import asyncio


async def main(workers, iterations):
    lock = asyncio.Lock()
    counter = [0]

    async def worker():
        for _ in range(iterations):
            async with lock:
                counter[0] += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return counter[0]


def run(p):
    return asyncio.run(main(p.workers, p.iterations))
