from multiprocessing.managers import BaseManager
from time import perf_counter_ns

from benchmarks.programs._common import run_with_manager
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
    return run_with_manager(Manager, "Server", client, p.n)
