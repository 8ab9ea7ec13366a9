from time import perf_counter_ns

import pykka

from benchmarks.programs.query_latency import ANSWER


class Server(pykka.ThreadingActor):
    def answer(self) -> int:
        return ANSWER


def run(p):
    server = Server.start().proxy()
    try:
        total, samples = 0, []
        for _ in range(p.n):
            t0 = perf_counter_ns()
            total += server.answer().get()  # ask through the proxy, block on the future
            samples.append(perf_counter_ns() - t0)
        return total, samples
    finally:
        server.stop()
