"""ray_query: a query round trip from the main thread to an object in a Ray actor (issue 10),
against a plain ``ray.get(actor.method.remote())`` on a Ray actor, in the same run. N sequential
queries, each timed with perf_counter_ns after one untimed call has started the actor; the
median and p99 round trip in microseconds are reported. Target: scoop's median <= 1.2x Ray's."""

from benchmarks.programs._common import expect, latency_summary

GROUP = "micro"
VERSIONS = ["scoop", "ray"]
CASES = [{"full": {"n": 2_000}, "quick": {"n": 200}}]
ANSWER = 42


def check(result, p) -> None:
    total, samples = result
    expect(len(samples) == p.n, f"{len(samples)} latencies for {p.n} queries")
    expect(total == ANSWER * p.n, f"sum of answers {total}, expected {ANSWER * p.n}")


def metrics(result, p, seconds) -> dict:
    s = latency_summary(result[1])
    return {"query_median_us": s["median_us"], "query_p99_us": s["p99_us"]}
