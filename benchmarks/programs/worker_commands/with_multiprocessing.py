from multiprocessing.managers import BaseManager
from time import perf_counter

from benchmarks.programs._common import run_with_manager


class Counter:
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1

    def get(self) -> int:
        return self.value


class Manager(BaseManager):
    pass


Manager.register("Counter", Counter)


def client(counter, n, results):
    t0 = perf_counter()
    for _ in range(n):
        counter.increment()
    value = counter.get()
    results.put((value, perf_counter() - t0))


def run(p):
    return run_with_manager(Manager, "Counter", client, p.n)
