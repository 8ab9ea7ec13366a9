"""reservation: the cost of one reservation block, ``with scoop.separate(x) as x_: x_.cmd()``,
with no wait condition. C clients (C=1 and C=32) each run B/C blocks on one shared object, each
block one increment command; the object's counter must end at B. Reported as blocks/s.

C=1 measures the block alone (nobody else wants the object); C=32 adds contention: the clients
take turns. The clients are workers of their own in every version (separate objects, actors,
threads, tasks), as in mutex, so that the two cases differ only in the number of clients."""

from benchmarks.programs._common import expect

GROUP = "micro"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
CASES = [
    {"label": "1 client", "full": {"clients": 1, "blocks": 100_000},
     "quick": {"clients": 1, "blocks": 5_000}},
    {"label": "32 clients", "full": {"clients": 32, "blocks": 100_000},
     "quick": {"clients": 32, "blocks": 3_200}},
]


def per_client(p) -> int:
    """Blocks each client runs; a size whose blocks do not split evenly is a mistake in CASES."""
    if p.blocks % p.clients:
        raise ValueError(f"reservation: blocks={p.blocks} is not a multiple of "
                         f"clients={p.clients}; change CASES so every client runs as many")
    return p.blocks // p.clients


def check(result, p) -> None:
    expect(result == p.blocks, f"counter is {result!r}, expected {p.blocks} (one per block)")


def metrics(result, p, seconds) -> dict:
    return {"blocks_per_s": p.blocks / seconds}
