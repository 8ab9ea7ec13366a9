import asyncio


async def main(p):
    buf = asyncio.Queue(maxsize=p.capacity)
    totals, counts = [0] * p.consumers, [0] * p.consumers
    high = [0]

    async def producer(j):
        for x in range(j * p.items, (j + 1) * p.items):
            await buf.put(x)
            high[0] = max(high[0], buf.qsize())

    async def consumer(i):
        for _ in range(p.items):
            totals[i] += await buf.get()
            counts[i] += 1

    await asyncio.gather(*[consumer(i) for i in range(p.consumers)],
                         *[producer(j) for j in range(p.producers)])
    return totals, counts, buf.qsize(), high[0]


def run(p):
    return asyncio.run(main(p))
