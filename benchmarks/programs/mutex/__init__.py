"""5. mutex (SCOOP/Qs): W workers, each I times reserves one shared counter and increments it;
the final value must be W*I."""

from benchmarks.programs._common import expect

GROUP = "concurrency"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"workers": 32, "iterations": 2_000}, "quick": {"workers": 8, "iterations": 200}}]


def check(result, p) -> None:
    expected = p.workers * p.iterations
    expect(result == expected, f"counter is {result}, expected {expected}")
