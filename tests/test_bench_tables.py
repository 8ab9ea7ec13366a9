"""The README's tables are made from a suite result (benchmarks/tables.py)."""

from benchmarks import tables


def _version(median_s: float, status: str = "ok", **metrics: float) -> dict:
    return {"status": status, "median_s": median_s, "metrics": metrics}


RESULT = {
    "meta": {"date": "d", "rounds": 3, "python": "3.11"},
    "programs": {
        "pingpong": {"versions": {
            "scoop": _version(1.0, round_trips_per_s=400_000.0),
            "pykka": _version(40.0, round_trips_per_s=10_000.0),
            "threading": _version(35.0, round_trips_per_s=11_500.0),
            "asyncio": _version(3.0, round_trips_per_s=133_000.0),
        }},
        "mutex": {"versions": {
            "scoop": _version(0.5),
            "pykka": _version(0.0, status="FAILED"),
            "threading": _version(0.02),
            "asyncio": _version(0.025),
        }},
        "chain": {"versions": {
            "scoop": _version(1.2),
            "multiprocessing": _version(1.8),
            "processpool": _version(1.7),
            "sequential": _version(1.8),
        }},
    },
}


def test_a_row_gives_the_rates_and_the_ratios_of_median_times():
    (row,) = [line for line in tables.peers_table(RESULT).splitlines() if line.startswith("| pingpong")]
    assert row == "| pingpong (round trips/s) | 400,000 | 10,000 | 11,500 | 133,000 | **0.025** | **0.33** |"


def test_a_failed_peer_says_so_and_has_no_ratio():
    (row,) = [line for line in tables.peers_table(RESULT).splitlines() if line.startswith("| mutex")]
    assert row == "| mutex (s) | 0.500 | fails | 0.020 | 0.025 | — | 20.0 |"


def test_the_cowichan_table_gives_the_speed_up_over_sequential():
    (row,) = [line for line in tables.cowichan_table(RESULT).splitlines() if line.startswith("| chain")]
    assert row == "| chain | 1.20 | — | 1.80 | 1.70 | 1.80 | 1.50× |"


def test_before_and_after_compares_pyscoop_to_a_reference_of_its_own_run():
    # A slower machine the second day: asyncio 2x slower too, so pyscoop's 1.5x is a gain.
    before = {"programs": {"mutex": {"versions": {"scoop": _version(0.375), "asyncio": _version(0.0125)}}}}
    lines = tables.before_after_table(before, RESULT).splitlines()
    assert lines[2:] == ["| mutex (/ asyncio) | 30 | 20 | **0.67** |"]
