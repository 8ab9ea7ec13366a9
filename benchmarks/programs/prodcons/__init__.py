"""7. prodcons (SCOOP/Qs): P producers each push I ints onto one shared stack; C consumers each
pop I, waiting while it is empty. Producer j pushes j*I .. j*I+I-1, so the consumed ints must
add up to sum(range(P*I)), every consumer must get I of them and the stack must end empty."""

from benchmarks.programs._common import expect

GROUP = "concurrency"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"producers": 16, "consumers": 16, "items": 2_000},
          "quick": {"producers": 4, "consumers": 4, "items": 200}}]


def check(result, p) -> None:
    totals, counts, left = result
    n = p.producers * p.items
    expect(p.consumers * p.items == n, "sizes: consumers*items must equal producers*items")
    expect(sum(totals) == n * (n - 1) // 2, f"consumed sum {sum(totals)}, expected {n * (n - 1) // 2}")
    expect(list(counts) == [p.items] * p.consumers, f"per-consumer counts {counts}")
    expect(left == 0, f"{left} items left on the stack")
