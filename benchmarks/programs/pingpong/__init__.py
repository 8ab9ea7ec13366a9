"""3. pingpong (Savina): two objects bounce a message N times. Ping sends the ball to Pong,
Pong sends it back (one round trip per bounce); the ball counts the bounces."""

from benchmarks.programs._common import expect

GROUP = "micro"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [{"full": {"n": 100_000}, "quick": {"n": 5_000}}]


def check(result, p) -> None:
    ball, pong_hits = result
    expect(ball == 2 * p.n, f"ball counted {ball} hits, expected {2 * p.n}")
    expect(pong_hits == p.n, f"pong was hit {pong_hits} times, expected {p.n}")


def metrics(result, p, seconds) -> dict:
    return {"round_trips_per_s": p.n / seconds}
