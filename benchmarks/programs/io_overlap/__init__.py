"""io_overlap: K objects, one blocking call each (``time.sleep(0.05)`` standing for blocking
I/O: a socket read, a database driver, a C library call that releases the GIL). Every
concurrent version should overlap the K calls, so the ideal time is one call's 0.05 s; the
sequential version does the K sleeps one after the other (K x 0.05 s). Two cases, K=50 and
K=500; the scoop version uses the default placement (no ``scoop.configure``).

Each object's call returns the object's index; the check wants every index exactly once."""

from benchmarks.programs._common import expect

GROUP = "micro"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [
    {"label": "K=50", "full": {"k": 50, "sleep_s": 0.05}, "quick": {"k": 10, "sleep_s": 0.05}},
    {"label": "K=500", "full": {"k": 500, "sleep_s": 0.05}, "quick": {"k": 40, "sleep_s": 0.05}},
]


def check(result, p) -> None:
    answers = sorted(result)
    expect(answers == list(range(p.k)),
           f"the K={p.k} calls answered {len(answers)} indexes, "
           f"{len(set(answers))} distinct, expected each of 0..{p.k - 1} once")


def metrics(result, p, seconds) -> dict:
    # How many of the blocking calls ran at once, on average: K for perfect overlap, 1 for none.
    return {"overlap_x": p.k * p.sleep_s / seconds}
