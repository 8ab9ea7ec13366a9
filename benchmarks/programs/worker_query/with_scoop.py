from time import perf_counter_ns

import scoop
from benchmarks.programs.worker_query import ANSWER


class Server(scoop.Separate):
    def answer(self) -> int:
        return ANSWER


class Client(scoop.Separate):
    """Placed in a worker process; its queries go to the parent's Server."""

    def run(self, server: Server, n: int) -> tuple[int, list[int]]:
        total, samples = 0, []
        for _ in range(n):
            t0 = perf_counter_ns()
            total += server.answer()
            samples.append(perf_counter_ns() - t0)
        return total, samples


def run(p):
    scoop.configure(placement={f"{__name__}.Client": {"kind": "process"}})
    return Client().run(Server(), p.n)


def teardown():
    scoop.shutdown(wait=True)
