from time import perf_counter

import ray

from benchmarks.programs import _ray_cluster

_ray_cluster.connect()


@ray.remote
class Counter:
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1

    def read(self) -> int:
        return self.value


def run(p):
    counter = Counter.remote()
    assert ray.get(counter.read.remote()) == 0  # the actor is up
    t0 = perf_counter()
    for _ in range(p.n):
        counter.increment.remote()
    value = ray.get(counter.read.remote())  # actor tasks of one caller run in order
    seconds = perf_counter() - t0
    ray.kill(counter)
    return value, seconds
