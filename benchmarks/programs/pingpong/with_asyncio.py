import asyncio


async def main(n):
    to_pong, to_ping = asyncio.Queue(), asyncio.Queue()

    async def pong():
        hits = 0
        while True:
            ball = await to_pong.get()
            if ball is None:
                return hits
            hits += 1
            to_ping.put_nowait(ball + 1)

    async def ping():
        ball = 0
        for _ in range(n):
            to_pong.put_nowait(ball + 1)
            ball = await to_ping.get()
        to_pong.put_nowait(None)
        return ball

    hits, ball = await asyncio.gather(pong(), ping())
    return ball, hits


def run(p):
    return asyncio.run(main(p.n))
