"""11. philosopher (Savina): N dining philosophers around N forks, M meals each; a philosopher
eats holding both its forks, taken atomically. Each fork records who used it: every fork must be
used 2*M times, always by one of its two neighbours, and the meals must add up to N*M."""

from benchmarks.programs._common import expect

GROUP = "savina"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"philosophers": 20, "meals": 500}, "quick": {"philosophers": 5, "meals": 100}}]


def check(result, p) -> None:
    meals, fork_uses, strangers = result
    n = p.philosophers
    expect(sum(meals) == n * p.meals and all(m == p.meals for m in meals), f"meals {meals}")
    expect(list(fork_uses) == [2 * p.meals] * n, f"fork uses {fork_uses}")
    expect(strangers == 0, f"{strangers} fork uses by a non-neighbour")
