import asyncio


async def main(ring, hops):
    inboxes = [asyncio.Queue() for _ in range(ring)]
    finished = asyncio.get_running_loop().create_future()

    async def worker(i):
        inbox, nxt = inboxes[i], inboxes[(i + 1) % ring]
        while True:
            h = await inbox.get()
            if h is None:
                return
            if h == 0:
                finished.set_result(i + 1)
            else:
                nxt.put_nowait(h - 1)

    tasks = [asyncio.create_task(worker(i)) for i in range(ring)]
    inboxes[0].put_nowait(hops)
    winner = await finished
    for q in inboxes:
        q.put_nowait(None)
    await asyncio.gather(*tasks)
    return winner


def run(p):
    return asyncio.run(main(p.ring, p.hops))
