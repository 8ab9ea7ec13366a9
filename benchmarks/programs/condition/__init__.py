"""6. condition (SCOOP/Qs): W workers, worker i has parity i mod 2; each of its I iterations
waits until the shared counter's parity equals its own, then increments it, so even and odd
workers strictly alternate. The counter counts increments made with the wrong parity (must be 0).
W must be even (as many even as odd workers), else the last ones would wait forever."""

from benchmarks.programs._common import expect

GROUP = "concurrency"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"workers": 32, "iterations": 1_000}, "quick": {"workers": 8, "iterations": 100}}]


def check(result, p) -> None:
    value, wrong = result
    expect(value == p.workers * p.iterations, f"counter is {value}, expected {p.workers * p.iterations}")
    expect(wrong == 0, f"{wrong} increments broke the even/odd alternation")
