"""8. threadring (SCOOP/Qs, Benchmarks Game): R workers in a ring pass a token T hops, starting
at worker 1; the final holder must be (T mod R) + 1, counting from 1."""

from benchmarks.programs._common import expect

GROUP = "concurrency"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"ring": 503, "hops": 100_000}, "quick": {"ring": 503, "hops": 5_000}}]


def check(result, p) -> None:
    expected = p.hops % p.ring + 1
    expect(result == expected, f"final holder {result}, expected {expected}")


def metrics(result, p, seconds) -> dict:
    return {"hops_per_s": p.hops / seconds}
