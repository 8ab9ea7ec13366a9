"""The floor: the same queries as plain calls in one process."""

from benchmarks.programs.query_latency.sequential import run  # noqa: F401
