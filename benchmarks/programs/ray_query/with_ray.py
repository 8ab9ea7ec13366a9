from time import perf_counter_ns

import ray

from benchmarks.programs import _ray_cluster
from benchmarks.programs.ray_query import ANSWER

_ray_cluster.connect()


@ray.remote
class Server:
    def answer(self) -> int:
        return ANSWER


def run(p):
    server = Server.remote()
    ray.get(server.answer.remote())  # the actor is up
    total, samples = 0, []
    for _ in range(p.n):
        t0 = perf_counter_ns()
        total += ray.get(server.answer.remote())
        samples.append(perf_counter_ns() - t0)
    ray.kill(server)
    return total, samples
