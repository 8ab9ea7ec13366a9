import asyncio
from time import perf_counter_ns

from benchmarks.programs.query_latency import ANSWER


class Server:
    """An actor task answering each request's future."""

    def __init__(self):
        self.inbox = asyncio.Queue()
        self.task = asyncio.create_task(self._serve())

    async def _serve(self):
        while True:
            reply = await self.inbox.get()
            if reply is None:
                return
            reply.set_result(ANSWER)

    async def answer(self) -> int:
        reply = asyncio.get_running_loop().create_future()
        self.inbox.put_nowait(reply)
        return await reply


async def main(n):
    server = Server()
    total, samples = 0, []
    for _ in range(n):
        t0 = perf_counter_ns()
        total += await server.answer()
        samples.append(perf_counter_ns() - t0)
    server.inbox.put_nowait(None)
    await server.task
    return total, samples


def run(p):
    return asyncio.run(main(p.n))
