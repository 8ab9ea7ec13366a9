"""``scoop.Processor``: the handle users hold for a processor.

The runtime's own processor object (:class:`scoop._processor.Processor`) is
also a client, with queues, dirty marks and waiters; none of that is for
users. What SPEC §1 names is small: handles compare with ``==``, hash, and
print, and ``Klass.on(handle)`` creates an object on the processor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._processor import Processor as Core


class Processor:
    """A SCOOP processor: a thread of control that runs its objects' calls.

    Get one with :func:`scoop.processor` (a new one) or
    :func:`scoop.processor_of` (an object's), and create objects on it with
    ``Klass.on(p)(...)``. Handles compare equal when they name the same
    processor.

    >>> import scoop
    >>> class Fork(scoop.Separate):
    ...     pass
    >>> p = scoop.processor()
    >>> left, right = Fork.on(p)(), Fork.on(p)()
    >>> scoop.processor_of(left) == scoop.processor_of(right) == p
    True
    >>> p.kind
    'default'
    """

    __slots__ = ("_scoop_core",)

    _scoop_core: Core

    def __init__(self, core: Core) -> None:
        object.__setattr__(self, "_scoop_core", core)

    @property
    def kind(self) -> str:
        """Where it runs (SPEC §7): ``"default"``, ``"passive"``, ``"process"``, ``"thread"`` or ``"ray"``."""
        core = self._scoop_core
        from ._dedicated import DedicatedProcessor  # it imports the runtime, which imports this

        if isinstance(core, DedicatedProcessor):
            return "thread"
        return "passive" if core.passive else core.remote.kind if core.remote else "default"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Processor) and other._scoop_core is self._scoop_core

    def __hash__(self) -> int:
        return id(self._scoop_core)

    def __repr__(self) -> str:
        return repr(self._scoop_core)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a scoop.Processor handle is read-only (cannot set {name!r})")
