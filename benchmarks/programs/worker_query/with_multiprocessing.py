from multiprocessing import get_context
from multiprocessing.managers import BaseManager
from time import perf_counter_ns

from benchmarks.programs.worker_query import ANSWER


class Server:
    def answer(self) -> int:
        return ANSWER


class Manager(BaseManager):
    pass


Manager.register("Server", Server)


def client(server, n, results):
    total, samples = 0, []
    for _ in range(n):
        t0 = perf_counter_ns()
        total += server.answer()
        samples.append(perf_counter_ns() - t0)
    results.put((total, samples))


def run(p):
    ctx = get_context("forkserver")
    with Manager(ctx=ctx) as manager:
        server = manager.Server()
        results = ctx.Queue()
        worker = ctx.Process(target=client, args=(server, p.n, results))
        worker.start()
        result = results.get()
        worker.join()
        return result
