"""worker_commands: N commands from an object in a worker process to an object in the parent
(issue 9), then one query that reads the count (must be N). The worker times the loop and
the query itself, so the figure is commands per second across the process boundary, without
the worker's start. The multiprocessing version calls a manager's proxy (every call a round
trip: a proxy has no asynchronous call)."""

from benchmarks.programs._common import expect

GROUP = "micro"
VERSIONS = ["scoop", "multiprocessing", "sequential"]
CASES = [{"full": {"n": 100_000}, "quick": {"n": 5_000}}]


def check(result, p) -> None:
    count, _ = result
    expect(count == p.n, f"the counter reads {count}, expected {p.n}")


def metrics(result, p, seconds) -> dict:
    return {"commands_per_s": p.n / result[1]}
