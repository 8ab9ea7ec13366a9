from time import perf_counter_ns

import scoop

from benchmarks.programs.query_latency import ANSWER


class Server(scoop.Separate):
    def answer(self) -> int:  # query: the caller waits for the result
        return ANSWER


def run(p):
    server = Server()
    total, samples = 0, []
    for _ in range(p.n):
        t0 = perf_counter_ns()
        total += server.answer()  # an unreserved query: a reservation of its own
        samples.append(perf_counter_ns() - t0)
    return total, samples


def teardown():
    scoop.shutdown(wait=True)
