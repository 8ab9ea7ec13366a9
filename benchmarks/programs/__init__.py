"""The programs of BENCHMARKS.md (and of issue 8: reservation, io_overlap; of issue 9: worker_query, worker_commands), in suite order.

Each program is a package ``benchmarks.programs.<name>`` whose ``__init__`` holds what all its
versions share (sizes, input set-up, the result check, extra metrics) and imports nothing but the
standard library; each version is a module of its own next to it (``sequential``,
``with_threading``, ``with_asyncio``, ``with_pykka``, ``with_scoop``, ``with_multiprocessing``,
``with_processpool``), so a version whose dependency is missing or broken fails alone.
"""

PROGRAMS = [
    # micro
    "command_throughput",
    "query_latency",
    "pingpong",
    "spawn",
    "reservation",
    "io_overlap",
    "worker_query",
    "worker_commands",
    # SCOOP/Qs concurrency suite
    "mutex",
    "condition",
    "prodcons",
    "threadring",
    "chameneos",
    # Savina
    "bndbuffer",
    "philosopher",
    # Cowichan (parallel)
    "randmat",
    "thresh",
    "winnow",
    "outer",
    "product",
    "chain",
]

#: version name -> module name inside the program package
VERSION_MODULES = {
    "sequential": "sequential",
    "threading": "with_threading",
    "asyncio": "with_asyncio",
    "pykka": "with_pykka",
    "scoop": "with_scoop",
    "multiprocessing": "with_multiprocessing",
    "processpool": "with_processpool",
}

#: optional third-party dependency of a version: missing -> "unavailable", not a failure.
#: (scoop is the project under test, never optional: a broken scoop import is a FAILED.)
OPTIONAL_DEPENDENCY = {"pykka": "pykka"}

CONCURRENT_VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
PARALLEL_VERSIONS = ["scoop", "multiprocessing", "processpool", "sequential"]
