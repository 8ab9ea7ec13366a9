"""worker_query: a call from an object in a worker process to an object in the parent
(issue 9). N sequential queries, each timed in the worker with perf_counter_ns; the median
and p99 round trip in microseconds are reported. The multiprocessing version is what a
multiprocessing user has for the same thing: a manager's proxy to an object in the manager
process, called from a worker."""

from benchmarks.programs.query_latency import ANSWER, check, metrics  # noqa: F401 - the same check

GROUP = "micro"
VERSIONS = ["scoop", "multiprocessing", "sequential"]
CASES = [{"full": {"n": 5_000}, "quick": {"n": 500}}]
