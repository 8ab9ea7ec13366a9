"""Reservations: ``scoop.separate`` blocks and ``@scoop.separate`` functions (SPEC §4)."""

from __future__ import annotations

import functools
import itertools
from types import TracebackType
from typing import Any, Callable, TypeVar, overload

from . import _global
from ._errors import SeparateAccessError
from ._processor import Client, Processor
from ._queue import PrivateQueue
from ._proxy import SeparateRef, make_ref
from ._values import as_reference

F = TypeVar("F", bound=Callable[..., Any])


class Reservation:
    """The handlers one ``scoop.separate`` block holds, for its references."""

    __slots__ = ("client", "ended")

    def __init__(self, client: Client):
        self.client = client
        self.ended = False

    def queue(self, proc: Processor, client: Client) -> PrivateQueue:
        if client is not self.client:
            raise SeparateAccessError(
                "a reserved reference can only be used by the client whose "
                "scoop.separate block reserved it"
            )
        return client.held[proc]


class SeparateBlock:
    """``with scoop.separate(a, b) as (a, b):`` — see :func:`separate`."""

    def __init__(self, refs: tuple[Any, ...]):
        if not refs:
            raise TypeError("scoop.separate() needs at least one separate reference")
        resolved = []
        for r in refs:
            ref = as_reference(r)
            if ref is None:
                raise TypeError(
                    f"scoop.separate() reserves separate objects; got a "
                    f"{type(r).__qualname__}, which is not one"
                )
            resolved.append(ref)
        self._refs: list[SeparateRef] = resolved
        self._queues: list[PrivateQueue] = []
        self._res: Reservation | None = None

    def __enter__(self) -> Any:
        if self._res is not None:
            raise RuntimeError("a scoop.separate block cannot be entered twice")
        procs = [r._scoop_proc for r in self._refs]
        rt = procs[0].runtime
        for p in procs:
            p.runtime.check_running()
        ts = rt.state()
        client = ts.current
        self._queues = client.reserve(procs, ts.stack)
        res = self._res = Reservation(client)
        reserved = tuple(make_ref(r._scoop_obj, r._scoop_proc, res) for r in self._refs)
        return reserved[0] if len(reserved) == 1 else reserved

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Logged after the block's calls; leaving does not wait for them.
        assert self._res is not None
        self._res.ended = True
        self._res.client.release(self._queues)


@overload
def separate(func: F, /) -> F: ...
@overload
def separate(*refs: Any) -> SeparateBlock: ...
def separate(*refs: Any) -> Any:
    """Reserve the handlers of several separate objects at once (SPEC §4).

    As a context manager, the block's calls on the reserved objects run as
    one atomic sequence on each handler: no other client's calls come in
    between. Reservations of the same handlers in different orders never
    deadlock::

        with scoop.separate(src, dst) as (s, d):
            s.withdraw(10)
            d.deposit(10)

    As a decorator on a function or method, it reserves the separate
    arguments of each call for the call's whole body, as methods called
    through a separate reference always do::

        @scoop.separate
        def transfer(src: Account, dst: Account, amount: int) -> None:
            src.withdraw(amount)
            dst.deposit(amount)
    """
    if len(refs) == 1 and callable(refs[0]) and as_reference(refs[0]) is None:
        return _reserving(refs[0])
    return SeparateBlock(refs)


def _reserving(func: F) -> F:
    @functools.wraps(func)
    def reserving(*args: Any, **kwargs: Any) -> Any:
        refs = [a for a in itertools.chain(args, kwargs.values()) if isinstance(a, SeparateRef)]
        if not refs:
            return func(*args, **kwargs)
        with SeparateBlock(tuple(refs)):
            return func(*args, **kwargs)

    return reserving  # type: ignore[return-value]
