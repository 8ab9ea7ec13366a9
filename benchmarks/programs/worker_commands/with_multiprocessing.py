from multiprocessing import get_context
from multiprocessing.managers import BaseManager
from time import perf_counter


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
    ctx = get_context("forkserver")
    with Manager(ctx=ctx) as manager:
        counter = manager.Counter()
        results = ctx.Queue()
        worker = ctx.Process(target=client, args=(counter, p.n, results))
        worker.start()
        result = results.get()
        worker.join()
        return result
