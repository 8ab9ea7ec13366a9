"""Classes for the Ray tests (SPEC §7, kind "ray"), beside tests/models_workers.py's, which
the tests place on Ray too. Importable by name: Ray actors unpickle them (the test cluster's
job puts tests/ on their path)."""

from __future__ import annotations

import scoop
from models_workers import Account


class Placed(scoop.Separate):
    """Tells where it runs."""

    def node(self) -> str:
        import ray  # in the actor: Ray is imported there anyway

        return ray.get_runtime_context().get_node_id()  # type: ignore[no-any-return]


class Special(Placed):
    """Placed on the node that has the custom resource "special"."""


class ProcessAccount(Account):
    """An Account placed in a worker process, to mix kinds in one reservation."""
