"""ray_commands: N commands from the main thread to an object in a Ray actor (issue 10), then
one query that reads the count (must be N), against one ``actor.method.remote()`` per call and a
final ``ray.get``, in the same run. The loop and the query are timed, after one untimed call has
started the actor: commands per second. Target: scoop >= 5x Ray's rate (it posts commands in
batches, docs/protocol.md)."""

from benchmarks.programs._common import expect

GROUP = "micro"
VERSIONS = ["scoop", "ray"]
CASES = [{"full": {"n": 10_000}, "quick": {"n": 2_000}}]


def check(result, p) -> None:
    count, _ = result
    expect(count == p.n, f"the counter reads {count}, expected {p.n}")


def metrics(result, p, seconds) -> dict:
    return {"commands_per_s": p.n / result[1]}
