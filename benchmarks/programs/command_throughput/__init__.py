"""1. command_throughput: one object with a counter; the client logs N increment commands,
then one query reads the counter, which must be N."""

from benchmarks.programs._common import expect

GROUP = "micro"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"n": 200_000}, "quick": {"n": 20_000}}]


def check(result, p) -> None:
    expect(result == p.n, f"counter is {result!r}, expected {p.n}")


def metrics(result, p, seconds) -> dict:
    return {"commands_per_s": p.n / seconds}
