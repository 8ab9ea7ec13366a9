"""2. query_latency: N sequential queries to one object returning a small int; the median and
p99 latency in microseconds are reported too (each query timed with perf_counter_ns)."""

from benchmarks.programs._common import expect, latency_summary

GROUP = "micro"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"n": 20_000}, "quick": {"n": 2_000}}]
ANSWER = 42


def check(result, p) -> None:
    total, samples = result
    expect(len(samples) == p.n, f"{len(samples)} latencies for {p.n} queries")
    expect(total == ANSWER * p.n, f"sum of answers {total}, expected {ANSWER * p.n}")


def metrics(result, p, seconds) -> dict:
    s = latency_summary(result[1])
    return {"query_median_us": s["median_us"], "query_p99_us": s["p99_us"]}
