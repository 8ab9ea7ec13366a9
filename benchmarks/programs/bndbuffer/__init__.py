"""10. bndbuffer (Savina): a bounded buffer of capacity 50 between 20 producers and 20 consumers
of 500 items each. Producers wait while it is full, consumers while it is empty. Producer j puts
j*I .. j*I+I-1: the consumed items must add up to sum(range(P*I)), each consumer gets I of them,
the buffer never holds more than its capacity and ends empty."""

from benchmarks.programs._common import expect

GROUP = "savina"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"capacity": 50, "producers": 20, "consumers": 20, "items": 500},
          "quick": {"capacity": 10, "producers": 5, "consumers": 5, "items": 100}}]


def check(result, p) -> None:
    totals, counts, left, high_water = result
    n = p.producers * p.items
    expect(p.consumers * p.items == n, "sizes: consumers*items must equal producers*items")
    expect(sum(totals) == n * (n - 1) // 2, f"consumed sum {sum(totals)}, expected {n * (n - 1) // 2}")
    expect(list(counts) == [p.items] * p.consumers, f"per-consumer counts {counts}")
    expect(left == 0, f"{left} items left in the buffer")
    expect(high_water <= p.capacity, f"buffer held {high_water} > capacity {p.capacity}")
