import asyncio


class Cell:
    """An actor task of its own serving its asyncio.Queue."""

    def __init__(self, ident: int):
        self.ident = ident
        self.inbox = asyncio.Queue()
        self.task = asyncio.create_task(self._serve())

    async def _serve(self):
        while True:
            reply = await self.inbox.get()
            if reply is None:
                return
            reply.set_result(self.ident)

    async def get(self) -> int:
        reply = asyncio.get_running_loop().create_future()
        self.inbox.put_nowait(reply)
        return await reply


async def main(k):
    cells = [Cell(i) for i in range(k)]
    total = 0
    for c in cells:
        total += await c.get()
    for c in cells:
        c.inbox.put_nowait(None)
    await asyncio.gather(*(c.task for c in cells))
    cells.clear()
    return total


def run(p):
    return asyncio.run(main(p.k))
