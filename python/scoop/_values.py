"""What happens to values that cross a processor boundary (SPEC §3).

No mutable object is ever shared by two processors: immutable values pass as
they are, separate references pass as they are, and everything else is
imported — deep-copied — as it crosses, arguments and results alike.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import functools
import weakref
from typing import Any, Callable, TypeVar

from ._errors import SeparateValueError

T = TypeVar("T")

_SCALARS: frozenset[type] = frozenset(
    {type(None), bool, int, float, complex, str, bytes, range, type(Ellipsis)}
)

# id(obj) -> a weak or strong reference, for objects marked with shared().
# Objects that cannot be weakly referenced (a dict, a list) are kept alive
# here: otherwise their id could be reused by another object, which would
# then wrongly pass as shared.
_shared: dict[int, Callable[[], Any]] = {}

# Set by _proxy (which imports this module): is_reference tells an unreserved
# separate reference; as_reference turns a raw Separate object, or a
# reference reserved by some block, into a plain reference (None otherwise).
is_reference: Callable[[Any], bool] = lambda value: False
as_reference: Callable[[Any], Any] = lambda value: None


def _forget(key: int, _ref: Any) -> None:
    _shared.pop(key, None)


def _same(obj: Any) -> Any:
    return obj


def shared(obj: T) -> T:
    """Mark *obj* as safe to share between processors, and return it.

    A shared object crosses processor boundaries as it is, instead of being
    copied: use it for objects that are thread-safe by design, such as a
    ``threading.Event`` or a ``queue.Queue``. You promise the safety.

    >>> import threading, scoop
    >>> done = scoop.shared(threading.Event())
    """
    key = id(obj)
    try:
        _shared[key] = weakref.ref(obj, functools.partial(_forget, key))
    except TypeError:
        _shared[key] = functools.partial(_same, obj)
    return obj


def _is_shared(value: Any) -> bool:
    ref = _shared.get(id(value))
    return ref is not None and ref() is value


def _passes_as_is(value: Any) -> bool:
    t = type(value)
    if t in _SCALARS:
        return True
    if t is tuple or t is frozenset:
        return all(_passes_as_is(v) for v in value)
    if isinstance(value, enum.Enum) or is_reference(value):
        return True
    if dataclasses.is_dataclass(t) and t.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        return True
    return _is_shared(value)


class _ImportMemo(dict[int, Any]):
    """A deepcopy memo that maps shared objects to themselves.

    ``copy.deepcopy`` looks every object up in its memo first, so shared
    objects met anywhere inside a structure are kept as they are.
    """

    def get(self, key: Any, default: Any = None) -> Any:
        found = dict.get(self, key, _missing)
        if found is not _missing:
            return found
        ref = _shared.get(key)
        if ref is not None:
            obj = ref()
            if obj is not None:
                return obj
        return default


_missing = object()


def import_value(value: Any) -> Any:
    """Return *value* as the receiving processor must see it.

    >>> import_value(3), import_value((1, "a"))
    (3, (1, 'a'))
    >>> xs = [1, 2]; ys = import_value(xs); ys == xs and ys is not xs
    True
    """
    if _passes_as_is(value):
        return value
    ref = as_reference(value)
    if ref is not None:
        return ref
    try:
        return copy.deepcopy(value, _ImportMemo())
    except Exception as exc:  # deepcopy raises many kinds for uncopyable state
        raise SeparateValueError(
            f"a {type(value).__qualname__} value cannot cross to another processor: "
            f"it must be copied and copying failed ({exc}). Pass immutable values, "
            f"or wrap a thread-safe object in scoop.shared(...)"
        ) from exc


def import_call(
    args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any], list[Any] | None]:
    """Import a call's arguments; also return its separate references.

    The references are what the callee reserves for its body (SPEC §4), or
    ``None`` when there are none. Raises :class:`SeparateValueError` before
    anything is logged when an argument cannot cross.
    """
    for a in args:
        if type(a) not in _SCALARS:
            break
    else:
        if not kwargs:
            return args, kwargs, None
    args = tuple(import_value(a) for a in args)
    if kwargs:
        kwargs = {k: import_value(v) for k, v in kwargs.items()}
    refs = [a for a in args if is_reference(a)]
    refs.extend(v for v in kwargs.values() if is_reference(v))
    return args, kwargs, refs or None
