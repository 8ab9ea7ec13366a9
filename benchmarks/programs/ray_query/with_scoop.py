from time import perf_counter_ns

import scoop
from benchmarks.programs import _ray_cluster
from benchmarks.programs.ray_query import ANSWER

_ray_cluster.connect()


class Server(scoop.Separate):
    """Placed in a Ray actor."""

    def answer(self) -> int:
        return ANSWER


def run(p):
    scoop.configure(placement={f"{__name__}.Server": {"kind": "ray"}})
    server = Server()
    server.answer()  # the actor is up
    total, samples = 0, []
    for _ in range(p.n):
        t0 = perf_counter_ns()
        total += server.answer()
        samples.append(perf_counter_ns() - t0)
    return total, samples


def teardown():
    scoop.shutdown(wait=True)
