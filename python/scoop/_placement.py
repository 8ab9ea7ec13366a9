"""Placement: which processor a new object of a class goes to (SPEC §7).

A placement table maps fully qualified class names (``"myapp.models.Fork"``;
a class of the program's main script is ``"__main__.Fork"``) to a placement:

- ``{"kind": "passive"}``: each object gets a passive processor, with no
  executor of its own: its clients run its calls themselves, under its
  turn, and every call (commands too) is synchronous;
- ``{"kind": "process"}``: each object lives in a worker process of its own
  (true parallelism for CPU-bound Python; calls and values cross by
  pickling): see :mod:`scoop._process`;
- ``{"kind": "thread"}``: each object gets a processor with a dedicated OS
  thread, which runs every call of its objects (``__init__`` included) and
  nothing else: for thread-affine libraries (``sqlite3``, GUI toolkits); see
  :mod:`scoop._dedicated`;
- ``{"kind": "ray"}``: each object lives in a Ray actor, anywhere on a Ray
  cluster (the same rules as ``process``), with optional ``num_cpus``,
  ``num_gpus`` and ``resources`` given to the actor: see :mod:`scoop._ray`;
- ``{"processor": "forks"}``: every object of the class goes to the one
  processor named ``"forks"`` (shared with other classes that name it);
  ``"kind": "passive"`` or ``"kind": "thread"`` may be combined with it (a
  named thread processor: its objects share one dedicated thread).


Where a table comes from, in the order that wins:

1. ``scoop.configure(placement={...})``, for objects created after it;
2. the placement file, read when the runtime starts (the first separate
   object): looking from the working directory upward, the first directory
   with a ``scoop.toml`` (tables ``[placement]`` and ``[ray]``) or a
   ``pyproject.toml`` that has a ``[tool.scoop]`` table (tables
   ``[tool.scoop.placement]`` and ``[tool.scoop.ray]``); ``scoop.toml`` wins
   in the same directory. This is what ruff does with ``ruff.toml`` and
   ``[tool.ruff]``: a ``pyproject.toml`` without the tool's table is no
   configuration and the search goes on above it.

When keys are checked (SPEC §7: an unknown class is an error at start-up).
Checking that a class exists may not import the user's modules: an import
has side effects, and the runtime starts while the program is importing
them (a cycle). So the runtime checks, when a table is read:

- the table's form: keys, kinds, and that each key is a fully qualified
  class name;
- that the key's top-level module can be found on ``sys.path`` (found, not
  imported), and so each package of it that is already imported;
- that a module already fully imported has the class, and that it is a
  ``scoop.Separate`` class.

A key whose module is not imported yet (or is being imported: its class may
be defined further down) is checked again at the first creation of a
separate object after its module has finished importing; keys of the main
script (``__main__.Name``) cannot be checked before the script ends, and are
not. ``python -m scoop placement`` checks every other key completely, by
importing the modules the table names. Lookups are by name at each
creation, so a class defined after the table was read is placed.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import os
import sys
from types import ModuleType
from typing import Any, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KINDS = ("default", "passive", "process", "thread", "ray")
KEYS = ("kind", "processor")
#: The keys of a ``ray`` entry that are given to its actor (ray.remote's options).
RAY_KEYS = ("num_cpus", "num_gpus", "resources")
UNAVAILABLE_KINDS: tuple[str, ...] = ()
#: Kinds whose objects live in another process, one each (no "processor").
REMOTE_KINDS = ("process", "ray")
RAY_MISSING = "the 'ray' placement kind needs Ray, which is not installed: pip install 'pyscoop[ray]'"
#: The tables of a scoop configuration ([tool.scoop.X] or scoop.toml's [X]).
TABLES = ("placement", "ray")
CONFIGURE = "scoop.configure(placement=...)"
MAIN_MODULES = ("__main__", "__mp_main__")
EXAMPLE = "'myapp.models.Fork'"


class Placement:
    """One class's placement, validated."""

    __slots__ = ("kind", "processor", "options")

    def __init__(self, kind: str = "default", processor: str | None = None, options: dict[str, Any] | None = None):
        self.kind = kind
        self.processor = processor
        #: For the ``ray`` kind: the actor's ``num_cpus``, ``num_gpus``, ``resources``.
        self.options = options or {}

    def __repr__(self) -> str:
        options = f", options={self.options!r}" if self.options else ""
        return f"Placement(kind={self.kind!r}, processor={self.processor!r}{options})"

    def describe(self) -> str:
        """How ``python -m scoop placement`` shows it: ``kind = "passive"``..."""
        parts = [f'kind = "{self.kind}"'] if self.kind != "default" or self.processor is None else []
        if self.processor is not None:
            parts.append(f'processor = "{self.processor}"')
        for key, value in self.options.items():
            parts.append(f"{key} = {_toml_value(value)}")
        return ", ".join(parts)


def _toml_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def parse(table: Mapping[str, Any], origin: str = CONFIGURE) -> dict[str, Placement]:
    """Check a placement table's form and return it parsed; errors name *origin* and the key.

    >>> parse({"myapp.Fork": {"processor": "forks"}})
    {'myapp.Fork': Placement(kind='default', processor='forks')}
    """
    if not isinstance(table, Mapping):
        raise TypeError(f"{origin}: expected a table of class names to placements, got {table!r}")
    parsed: dict[str, Placement] = {}
    for name, entry in table.items():
        where = f"{origin}, key {name!r}"
        if not isinstance(name, str) or "." not in name.strip("."):
            raise ValueError(
                f"{where}: the key must be a fully qualified class name, module and class, such as "
                f"{EXAMPLE}; a class defined in the program's main script is '__main__.{name}'"
            )
        if not isinstance(entry, Mapping):
            raise TypeError(f"{where}: expected a table such as {{kind = \"passive\"}}, got {entry!r}")
        kind = entry.get("kind", "default")
        if kind in UNAVAILABLE_KINDS:
            raise NotImplementedError(f"{where}: kind {kind!r} is not available in this version of pyscoop")
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
        keys = KEYS + RAY_KEYS if kind == "ray" else KEYS
        unknown = sorted(set(entry) - set(keys))
        if unknown:
            also = f" (and {', '.join(RAY_KEYS)} with kind 'ray')" if unknown[0] in RAY_KEYS else ""
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(keys)}{also}")
        processor = entry.get("processor")
        if processor is not None and not isinstance(processor, str):
            raise TypeError(f"{where}: 'processor' must be a name (a string), got {processor!r}")
        if processor is not None and kind in REMOTE_KINDS:
            raise ValueError(f"{where}: a {kind}-placed object has a {_HOME[kind]} of its own; drop 'processor'")
        options = {k: entry[k] for k in RAY_KEYS if k in entry}
        if kind == "ray":
            _check_ray_options(options, where)
        parsed[name] = Placement(kind, processor, options)
    return parsed


_HOME = {"process": "worker process", "ray": "Ray actor"}


def _check_ray_options(options: Mapping[str, Any], where: str) -> None:
    for key in ("num_cpus", "num_gpus"):
        value = options.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise TypeError(f"{where}: {key!r} must be a number of at least 0, got {value!r}")
    resources = options.get("resources")
    if resources is not None and not (
        isinstance(resources, Mapping)
        and all(isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in resources.items())
    ):
        raise TypeError(f"{where}: 'resources' must be a table of resource names to amounts, such as "
                        f"{{special = 1}}, got {resources!r}")
    # SPEC §7: a missing ray is an error here, at start-up or configure, not
    # at the first object. (Found, not imported: importing Ray takes a second.)
    if importlib.util.find_spec("ray") is None:
        raise ImportError(f"{where}: {RAY_MISSING}")


def parse_ray(table: Any, origin: str) -> dict[str, Any]:
    """Check the arguments for ``ray.init`` (used by the ``ray`` kind: scoop._ray)."""
    if not isinstance(table, Mapping) or not all(isinstance(k, str) for k in table):
        raise TypeError(f"{origin}: expected a table of ray.init arguments such as {{address = \"auto\"}}, got {table!r}")
    return dict(table)


def class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# -- checking that a key names a class ---------------------------------------


class Deferred(Exception):
    """A key that cannot be checked yet without importing *module*."""

    def __init__(self, module: str) -> None:
        super().__init__(module)
        self.module = module


def _initializing(module: ModuleType) -> bool:
    """Whether *module* is still being imported (its classes may come later)."""
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _suggest(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name, [c for c in candidates if isinstance(c, str)], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_class(key: str, import_modules: bool = False) -> type | None:
    """Check that *key* names a ``scoop.Separate`` class; return it if it is loaded.

    Raises :class:`LookupError` with what is wrong. Without *import_modules*,
    raises :class:`Deferred` for what only an import could tell; the main
    script's keys return None (they cannot be checked).
    """
    parts = key.split(".")
    if parts[0] in MAIN_MODULES:
        return None
    obj: Any = None
    for i, part in enumerate(parts):
        name = ".".join(parts[: i + 1])
        if obj is not None and not isinstance(obj, ModuleType):  # a nested class
            attr = getattr(obj, part, None)
            if attr is None:
                raise LookupError(f"class {'.'.join(parts[:i])!r} has no attribute {part!r}")
            obj = attr
            continue
        module = sys.modules.get(name)
        if module is None and obj is not None and hasattr(obj, part):
            obj = getattr(obj, part)  # a class, or a submodule bound on its package
            continue
        if module is None and i < len(parts) - 1:
            # Not imported. A top-level module, or a submodule of an imported
            # package, can be found without running any of its code.
            if i == 0 or isinstance(obj, ModuleType):
                try:
                    spec = importlib.util.find_spec(name)
                except (ImportError, ValueError) as exc:
                    raise LookupError(f"module {name!r} cannot be imported: {exc}") from exc
                if spec is None:
                    where = "on sys.path" if i == 0 else f"in package {'.'.join(parts[:i])!r}"
                    raise LookupError(f"module {name!r} cannot be imported: there is no such module {where}")
            if not import_modules:
                raise Deferred(name)
            try:
                module = importlib.import_module(name)
            except Exception as exc:
                raise LookupError(f"importing module {name!r} failed: {type(exc).__name__}: {exc}") from exc
        if module is None:
            assert isinstance(obj, ModuleType)
            raise LookupError(
                f"module {obj.__name__!r} has no class {part!r}{_suggest(part, vars(obj))}"
            )
        if _initializing(module) and not import_modules:
            raise Deferred(name)
        obj = module
    if isinstance(obj, ModuleType):
        raise LookupError(f"{key!r} is a module; the key must name a class in it, such as {EXAMPLE}")
    if not isinstance(obj, type):
        raise LookupError(f"{key!r} is a {type(obj).__name__}, not a class")
    if not getattr(obj, "__scoop_separate__", False):
        raise LookupError(f"class {key!r} is not a scoop.Separate class: placement applies only to those")
    return obj


# -- where placements come from ----------------------------------------------


class ConfigFile:
    """A scoop configuration file, read: where it is and its tables."""

    def __init__(self, path: str, prefix: str, tables: Mapping[str, Any]) -> None:
        self.path = path
        #: How its tables are named in it: "tool.scoop." or "".
        self.prefix = prefix
        unknown = sorted(set(tables) - set(TABLES))
        if unknown:
            raise ValueError(
                f"{path}: unknown table [{prefix}{unknown[0]}]; the tables are "
                + ", ".join(f"[{prefix}{t}]" for t in TABLES)
            )
        self.placement = parse(tables.get("placement", {}), self.origin("placement"))
        self.ray = parse_ray(tables.get("ray", {}), self.origin("ray"))

    def origin(self, table: str) -> str:
        """How an error names a table of this file: ``/x/pyproject.toml [tool.scoop.placement]``."""
        return f"{self.path} [{self.prefix}{table}]"


def _load_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc


def read_file(path: str) -> ConfigFile | None:
    """Read *path*: a ``pyproject.toml`` (None if it has no ``[tool.scoop]``) or a ``scoop.toml``."""
    data = _load_toml(path)
    if os.path.basename(path) != "pyproject.toml":
        return ConfigFile(path, "", data)
    tool = data.get("tool", {})
    if not isinstance(tool, Mapping) or "scoop" not in tool:
        return None
    if not isinstance(tool["scoop"], Mapping):
        raise TypeError(f"{path}: [tool.scoop] must be a table")
    return ConfigFile(path, "tool.scoop.", tool["scoop"])


def find_file(start: str | None = None) -> ConfigFile | None:
    """The configuration that applies in *start* (the working directory), or None."""
    directory = os.path.abspath(start or os.getcwd())
    while True:
        for name in ("scoop.toml", "pyproject.toml"):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                found = read_file(path)
                if found is not None:
                    return found
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


class Placements:
    """The placement in effect: the file's table under ``configure``'s.

    Not locked: ``configure`` and the file's reading replace whole dicts, and
    a lookup reads one of them.
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Forget every table (tests; the file is read again at the next start)."""
        self.configured: dict[str, Placement] = {}
        self.file: ConfigFile | None = None
        self.from_file: dict[str, Placement] = {}
        #: Keys to check when their module has been imported: key -> origin.
        self.pending: dict[str, str] = {}
        self._modules_seen = -1

    def configure(self, table: Mapping[str, Any]) -> None:
        """Merge ``scoop.configure(placement=table)`` in; checked first, whole."""
        parsed = parse(table, CONFIGURE)
        pending = self._check(parsed, CONFIGURE)
        self.configured = {**self.configured, **parsed}
        self.pending.update(pending)

    def load_file(self) -> None:
        """Read the placement file for a starting runtime; raise if it is wrong."""
        found = find_file()
        pending = self._check(found.placement, found.origin("placement")) if found else {}
        self.file = found
        self.from_file = found.placement if found else {}
        # The previous runtime's file (if any) is replaced, its keys with it.
        self.pending = {k: o for k, o in self.pending.items() if o == CONFIGURE}
        self.pending.update(pending)

    def _check(self, table: Mapping[str, Placement], origin: str) -> dict[str, str]:
        pending = {}
        for key in table:
            try:
                check_class(key)
            except Deferred:
                pending[key] = origin
            except LookupError as exc:
                raise ValueError(f"{origin}, key {key!r}: {exc}") from None
        self._modules_seen = -1
        return pending

    def check_pending(self) -> None:
        """Check the deferred keys whose modules are imported by now."""
        if len(sys.modules) == self._modules_seen:
            return
        waiting = False
        for key, origin in list(self.pending.items()):
            try:
                check_class(key)
            except Deferred as deferred:
                waiting = waiting or deferred.module in sys.modules
                continue
            except LookupError as exc:
                self.pending.pop(key, None)
                raise ValueError(f"{origin}, key {key!r}: {exc}") from None
            self.pending.pop(key, None)
        # A module still being imported is checked again at the next
        # creation; one not imported yet only when the modules change.
        self._modules_seen = -1 if waiting else len(sys.modules)

    def lookup(self, cls: type) -> Placement | None:
        """The placement of a new object of *cls*, if any (at each creation)."""
        if self.pending:
            self.check_pending()
        if not self.configured and not self.from_file:
            return None
        name = class_name(cls)
        found = self.configured.get(name)
        return found if found is not None else self.from_file.get(name)
