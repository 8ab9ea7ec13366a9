"""Placement: which processor a new object of a class goes to (SPEC §7).

``scoop.configure(placement={...})`` maps fully qualified class names
(``"myapp.models.Fork"``) to a placement:

- ``{"kind": "passive"}``: each object gets a passive processor, with no
  executor of its own: its clients run its calls themselves, under its
  turn, and every call (commands too) is synchronous;
- ``{"kind": "process"}``: each object lives in a worker process of its own
  (true parallelism for CPU-bound Python; calls and values cross by
  pickling): see :mod:`scoop._process`;
- ``{"processor": "forks"}``: every object of the class goes to the one
  processor named ``"forks"`` (shared with other classes that name it);
  ``"kind": "passive"`` may be combined with it.

The ``thread`` and ``distributed`` kinds, and placement files, are not
available yet and are rejected by ``configure``.
"""

from __future__ import annotations

from typing import Any, Mapping

KINDS = ("default", "passive", "process")
KEYS = ("kind", "processor")
UNAVAILABLE_KINDS = ("thread", "distributed")


class Placement:
    """One class's placement, validated."""

    __slots__ = ("kind", "processor")

    def __init__(self, kind: str = "default", processor: str | None = None):
        self.kind = kind
        self.processor = processor

    def __repr__(self) -> str:
        return f"Placement(kind={self.kind!r}, processor={self.processor!r})"


def parse(table: Mapping[str, Any], origin: str = "scoop.configure(placement=...)") -> dict[str, Placement]:
    """Check a placement table and return it parsed; errors name the key."""
    if not isinstance(table, Mapping):
        raise TypeError(f"{origin}: expected a mapping of class names to placements")
    parsed: dict[str, Placement] = {}
    for name, entry in table.items():
        where = f"{origin}[{name!r}]"
        if not isinstance(name, str) or "." not in name:
            raise ValueError(f"{where}: the key must be a fully qualified class name such as 'myapp.models.Fork'")
        if not isinstance(entry, Mapping):
            raise TypeError(f"{where}: expected a table such as {{'kind': 'passive'}}, got {entry!r}")
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(KEYS)}")
        kind = entry.get("kind", "default")
        if kind in UNAVAILABLE_KINDS:
            raise NotImplementedError(f"{where}: kind {kind!r} is not available in this version of pyscoop")
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
        processor = entry.get("processor")
        if processor is not None and not isinstance(processor, str):
            raise TypeError(f"{where}: 'processor' must be a name (a string), got {processor!r}")
        if processor is not None and kind == "process":
            raise ValueError(f"{where}: a process-placed object has a worker process of its own; drop 'processor'")
        parsed[name] = Placement(kind, processor)
    return parsed


def class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
