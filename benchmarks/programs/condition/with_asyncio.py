import asyncio


async def main(workers, iterations):
    cond = asyncio.Condition()
    state = {"value": 0, "wrong": 0}

    async def worker(parity):
        for _ in range(iterations):
            async with cond:
                await cond.wait_for(lambda: state["value"] % 2 == parity)
                if state["value"] % 2 != parity:
                    state["wrong"] += 1
                state["value"] += 1
                cond.notify_all()

    await asyncio.gather(*(worker(i % 2) for i in range(workers)))
    return state["value"], state["wrong"]


def run(p):
    return asyncio.run(main(p.workers, p.iterations))
