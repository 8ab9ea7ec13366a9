"""The programs of BENCHMARKS.md (and of issue 8: reservation, io_overlap; of issue 9: worker_query, worker_commands; of issue 10: ray_query, ray_commands, chain on Ray), in suite order.

Each program is a package ``benchmarks.programs.<name>`` whose ``__init__`` holds what all its
versions share (sizes, input set-up, the result check, extra metrics) and imports nothing but the
standard library; each version is a module of its own next to it (``sequential``,
``with_threading``, ``with_asyncio``, ``with_pykka``, ``with_scoop``, ``with_multiprocessing``,
``with_processpool``, ``with_ray``, ``with_scoop_ray``), so a version whose dependency is missing
or broken fails alone.
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
    "ray_query",
    "ray_commands",
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
    "ray": "with_ray",
    "scoop_ray": "with_scoop_ray",
}

#: optional third-party dependency of a version, or of every version of a program: missing ->
#: "unavailable", not a failure. (scoop is the project under test, never optional: a broken
#: scoop import is a FAILED; its Ray programs need Ray, the ray extra.)
OPTIONAL_DEPENDENCY = {"pykka": "pykka", "ray": "ray", "scoop_ray": "ray", "ray_query": "ray", "ray_commands": "ray"}

CONCURRENT_VERSIONS = ["scoop", "pykka", "threading", "asyncio", "sequential"]
PARALLEL_VERSIONS = ["scoop", "multiprocessing", "processpool", "sequential"]
