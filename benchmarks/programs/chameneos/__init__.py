"""9. chameneos (chameneos-redux): creatures meet at a broker (the mall) until M meetings have
happened; two creatures that meet both take the complement of their colours (same colour keeps
it, different colours both take the third). Every creature counts its meetings and the times it
met itself: the meetings must add up to 2*M and nobody may meet itself. Two cases: 3 creatures
and 10 creatures."""

from benchmarks.programs._common import expect

GROUP = "concurrency"
VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
COLOURS = ("blue", "red", "yellow")
TEN = ["blue", "red", "yellow", "red", "yellow", "blue", "red", "yellow", "red", "blue"]
CASES = [
    {"label": "3 creatures", "full": {"colours": list(COLOURS), "meetings": 20_000},
     "quick": {"colours": list(COLOURS), "meetings": 600}},
    {"label": "10 creatures", "full": {"colours": TEN, "meetings": 20_000},
     "quick": {"colours": TEN, "meetings": 600}},
]


def complement(a: str, b: str) -> str:
    if a == b:
        return a
    for c in COLOURS:
        if c != a and c != b:
            return c
    raise ValueError((a, b))


def check(result, p) -> None:
    """result: one (meetings, self_meetings, final colour) per creature."""
    expect(len(result) == len(p.colours), f"{len(result)} creatures reported")
    total = sum(m for m, _, _ in result)
    expect(total == 2 * p.meetings, f"creatures report {total} meetings, expected {2 * p.meetings}")
    selfs = sum(s for _, s, _ in result)
    expect(selfs == 0, f"{selfs} meetings of a creature with itself")
    expect(all(c in COLOURS for _, _, c in result), "a creature has an unknown colour")


def metrics(result, p, seconds) -> dict:
    return {"meetings_per_s": p.meetings / seconds}
