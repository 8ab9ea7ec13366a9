import asyncio


class Counter:
    """An actor task serving the messages of its asyncio.Queue, in order."""

    def __init__(self):
        self.value = 0
        self.inbox = asyncio.Queue()
        self.task = asyncio.create_task(self._serve())

    async def _serve(self):
        while True:
            msg = await self.inbox.get()
            if msg is None:
                return
            if msg == "increment":
                self.value += 1
            else:  # a future to answer with the value
                msg.set_result(self.value)

    def increment(self) -> None:
        self.inbox.put_nowait("increment")

    async def get_value(self) -> int:
        reply = asyncio.get_running_loop().create_future()
        self.inbox.put_nowait(reply)
        return await reply

    async def stop(self):
        self.inbox.put_nowait(None)
        await self.task


async def main(n):
    counter = Counter()
    for _ in range(n):
        counter.increment()
    value = await counter.get_value()
    await counter.stop()
    return value


def run(p):
    return asyncio.run(main(p.n))
