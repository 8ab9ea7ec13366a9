from time import perf_counter_ns

from benchmarks.programs.worker_query import ANSWER


class Server:
    def answer(self) -> int:
        return ANSWER


def run(p):
    server = Server()
    total, samples = 0, []
    for _ in range(p.n):
        t0 = perf_counter_ns()
        total += server.answer()
        samples.append(perf_counter_ns() - t0)
    return total, samples
