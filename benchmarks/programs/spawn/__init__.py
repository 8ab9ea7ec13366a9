"""4. spawn: create K separate objects, one query on each, then drop them; report time, peak
RSS and peak OS threads. Three cases, K=10,000, K=100,000 and (full suite only, scoop and
asyncio only) K=1,000,000; all K objects live at once.

The thread-per-object versions (threading, Pykka) check the machine's thread limits first and
fail with that message when K threads cannot be started (K=100,000 exceeds pid_max=32768 on
this machine), rather than exhausting the PIDs of every other process on the machine."""

from benchmarks.programs._common import expect

GROUP = "micro"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [
    {"label": "K=10000", "full": {"k": 10_000}, "quick": {"k": 500}},
    {"label": "K=100000", "full": {"k": 100_000}, "quick": {"k": 1_500}},
    # A million live objects: the full suite only, and only the versions that do not need a
    # thread per object (threading and Pykka would need 1,000,000 OS threads; they already
    # fail at K=100,000). Longer than the default 600 s per run under load.
    {"label": "K=1000000", "full": {"k": 1_000_000}, "quick": None,
     "versions": ["scoop", "asyncio"], "timeout_s": 1800},
]


def check(result, p) -> None:
    expected = p.k * (p.k - 1) // 2
    expect(result == expected, f"sum of the K answers is {result}, expected {expected}")


def metrics(result, p, seconds) -> dict:
    return {"objects_per_s": p.k / seconds}
