import asyncio


async def main(p):
    stack = []
    cond = asyncio.Condition()
    totals = [0] * p.consumers
    counts = [0] * p.consumers

    async def producer(j):
        for x in range(j * p.items, (j + 1) * p.items):
            async with cond:
                stack.append(x)
                cond.notify()

    async def consumer(i):
        for _ in range(p.items):
            async with cond:
                await cond.wait_for(lambda: stack)
                totals[i] += stack.pop()
            counts[i] += 1

    await asyncio.gather(*[consumer(i) for i in range(p.consumers)],
                         *[producer(j) for j in range(p.producers)])
    return totals, counts, len(stack)


def run(p):
    return asyncio.run(main(p))
