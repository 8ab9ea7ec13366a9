from time import perf_counter

import scoop
from benchmarks.programs import _ray_cluster

_ray_cluster.connect()


class Counter(scoop.Separate):
    """Placed in a Ray actor."""

    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1


def run(p):
    scoop.configure(placement={f"{__name__}.Counter": {"kind": "ray"}})
    counter = Counter()
    assert counter.value == 0  # the actor is up
    t0 = perf_counter()
    for _ in range(p.n):
        counter.increment()
    value = counter.value  # a query: after every command this client logged
    return value, perf_counter() - t0


def teardown():
    scoop.shutdown(wait=True)
