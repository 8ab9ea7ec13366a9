"""The Ray cluster of the Ray versions (ray_query, ray_commands, chain's scoop_ray).

``RAY_ADDRESS`` if set (a cluster started with ``ray start --head``), else a local one of 2 CPUs
without a dashboard. Started when a version module is imported, before the clock: a program on
Ray finds its cluster up. Each version still pays for its own actors.
"""

from __future__ import annotations

import os

import ray


def connect() -> None:
    if ray.is_initialized():
        return
    address = os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, logging_level="error")
    else:
        ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="error")
