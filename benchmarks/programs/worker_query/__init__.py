"""worker_query: a call from an object in a worker process to an object in the parent
(issue 9). N sequential queries, each timed in the worker with perf_counter_ns; the median
and p99 round trip in microseconds are reported. The multiprocessing version is what a
multiprocessing user has for the same thing: a manager's proxy to an object in the manager
process, called from a worker."""

from benchmarks.programs._common import expect, latency_summary

GROUP = "micro"
VERSIONS = ["scoop", "multiprocessing", "sequential"]
CASES = [{"full": {"n": 5_000}, "quick": {"n": 500}}]
ANSWER = 42


def check(result, p) -> None:
    total, samples = result
    expect(len(samples) == p.n, f"{len(samples)} latencies for {p.n} queries")
    expect(total == ANSWER * p.n, f"sum of answers {total}, expected {ANSWER * p.n}")


def metrics(result, p, seconds) -> dict:
    s = latency_summary(result[1])
    return {"query_median_us": s["median_us"], "query_p99_us": s["p99_us"]}
