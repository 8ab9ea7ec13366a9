"""Reservations: ``scoop.separate`` blocks and ``@scoop.separate`` functions (SPEC §4)."""

from __future__ import annotations

import functools
import itertools
import threading
import time
from threading import get_ident
from types import TracebackType
from typing import Any, Callable, Generic, TypeVar, overload

from . import _native, _wire, _worker
from ._errors import SeparateAccessError, WaitTimeout
from ._processor import Client, Processor, by_id
from ._protocol import WAIT_SLICE_US
from ._queue import PrivateQueue
from ._proxy import SeparateRef, plain_ref, reserved_ref
from ._values import as_reference
from ._waiters import ConditionWait, Waiter, add_waiter, pass_on, remove_waiter

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
T1 = TypeVar("T1")
T2 = TypeVar("T2")
T3 = TypeVar("T3")


class Reservation:
    """The handlers one ``scoop.separate`` block holds, for its references."""

    __slots__ = ("client", "ended", "thread")

    def __init__(self, client: Client):
        self.client = client
        self.ended = False
        #: The thread that made it: the only one that may use it.
        self.thread = threading.get_ident()

    def queue(self, proc: Processor, client: Client) -> PrivateQueue:
        if client is not self.client:
            raise SeparateAccessError(
                "a reserved reference can only be used by the client whose "
                "scoop.separate block reserved it"
            )
        return client.held[proc]


class SeparateBlock(Reservation, Generic[R]):
    """``with scoop.separate(a, b) as (a, b):`` — see :func:`separate`.

    Generic in what the ``with`` gives: the reserved reference, or a tuple
    of them, typed as the references passed (type checkers see
    ``scoop.separate(a, b)`` as giving ``tuple[Account, Account]``).

    A block without a wait condition is its own :class:`Reservation` (the
    one its reserved references name): one object less per block. A block
    with ``until=`` makes one per attempt, since the references of an
    attempt whose condition was false must stay ended.
    """

    __slots__ = ("_refs", "_until", "_timeout", "_queue", "_queues", "_res")

    def __init__(
        self,
        refs: tuple[Any, ...],
        until: Callable[..., Any] | None = None,
        timeout: float | None = None,
    ):
        self._res: Reservation | None = None
        self._until = until
        self._timeout = timeout
        if until is None and timeout is None and len(refs) == 1:
            # The common case, kept short: one plain reference, no condition.
            ref = refs[0]
            if isinstance(ref, SeparateRef) and ref._scoop_res is None:
                self._refs: tuple[SeparateRef, ...] = refs
                return
        self._refs = _resolve(refs, until, timeout)

    def __enter__(self) -> R:
        if self._res is not None:
            raise RuntimeError("a scoop.separate block cannot be entered twice")
        if _wire.agent is not None:
            return self._enter_in_worker()  # type: ignore[no-any-return]
        refs = self._refs
        if len(refs) == 1 and self._until is None:
            # The common case, kept short (issue #8): one handler, and the
            # block is the reservation.
            r = refs[0]
            proc = r._scoop_proc
            rt = proc.runtime
            if rt.stopped:
                rt.check_running()
            try:
                ts = rt.local.state
            except AttributeError:
                ts = rt.state()
            client = ts.current
            #: What was reserved: one queue on this path (None if the
            #: handler was held already), else a list (_queues).
            self._queue: PrivateQueue | None = client.reserve1(proc, ts)
            self._queues: list[PrivateQueue] | None = None
            self.client = client
            self.thread = get_ident()
            self.ended = False
            self._res = self
            return reserved_ref(r, self)  # type: ignore[return-value]
        return self._enter(refs)

    def _enter(self, refs: tuple[SeparateRef, ...]) -> R:
        """__enter__ for several references, or with a wait condition."""
        procs = [r._scoop_proc for r in refs]
        rt = procs[0].runtime
        for p in procs:
            if p.runtime.stopped:
                p.runtime.check_running()
        ts = rt.state()
        client = ts.current
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        while True:
            queues = client.reserve(procs, ts)
            if self._until is None:
                res: Reservation = self
                self.client, self.thread, self.ended = client, get_ident(), False
            else:
                res = Reservation(client)
            reserved = tuple([reserved_ref(r, res) for r in refs])
            if self._until is None or self._holds(reserved, client, queues, res):
                break
            # SPEC §5: release, sleep until one of these handlers has run
            # another client's calls, try again.
            wait_for_change(ts, client, self._refs, queues, res, deadline, self._until)
        self._queue = None
        self._queues = queues
        self._res = res
        return reserved[0] if len(reserved) == 1 else reserved  # type: ignore[return-value]

    def _holds(self, reserved: tuple[Any, ...], client: Client, queues: list[PrivateQueue], res: Reservation) -> bool:
        try:
            return bool(self._until(*reserved))  # type: ignore[misc]
        except BaseException:
            res.ended = True
            client.release(queues)
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Logged after the block's calls; leaving does not wait for them.
        res = self._res
        assert res is not None
        queues = self._queues
        if queues is None and self._queue is not None:  # the short path
            res.ended = True
            res.client.release1(self._queue)
        elif isinstance(res, _worker.WorkerBlock):
            _worker.leave(res)
        else:
            res.ended = True
            if queues:
                res.client.release(queues)

    def _reserved(self) -> list[PrivateQueue]:
        """The queues __enter__ opened, whichever path it took."""
        if self._queues is not None:
            return self._queues
        return [] if self._queue is None else [self._queue]

    def _enter_in_worker(self) -> Any:
        """``__enter__`` in a worker process: the parent reserves, and the
        wait condition is evaluated here, under its reservation."""
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        while True:
            block, reserved = _worker.enter(self._refs)
            if self._until is None:
                break
            try:
                holds = bool(self._until(*reserved))
            except BaseException:
                _worker.leave(block)
                raise
            if holds:
                break
            _worker.wait_for_change(block, None if deadline is None else deadline - time.monotonic(), self._until)
        self._queue = self._queues = None
        self._res = block  # type: ignore[assignment]
        return reserved[0] if len(reserved) == 1 else reserved

    def release_and_wait(self, deadline: float | None, condition: Any) -> None:
        """End this entered block, whose wait condition a worker found false,
        and wait until one of its handlers has run another client's calls
        (the callout WAIT: scoop._host)."""
        res = self._res
        assert res is not None
        ts = res.client.runtime.state()
        wait_for_change(ts, res.client, self._refs, self._reserved(), res, deadline, condition, evaluable=False)


def _resolve(refs: tuple[Any, ...], until: Callable[..., Any] | None, timeout: float | None) -> tuple[SeparateRef, ...]:
    """The plain references to reserve for ``scoop.separate(*refs, until=,
    timeout=)``, its arguments checked."""
    if not refs:
        raise TypeError("scoop.separate() needs at least one separate reference")
    if until is not None and not callable(until):
        raise TypeError(f"scoop.separate(until=...) takes a callable, not {type(until).__qualname__}")
    if timeout is not None and until is None:
        raise TypeError("scoop.separate(timeout=...) is the time to wait for until=...; give both")
    resolved = []
    for r in refs:
        ref = as_reference(r)
        if ref is None:
            raise TypeError(
                f"scoop.separate() reserves separate objects; got a "
                f"{type(r).__qualname__}, which is not one"
            )
        resolved.append(ref)
    return tuple(resolved)


def wait_for_change(
    ts: Any,
    client: Client,
    refs: tuple[SeparateRef, ...],
    queues: list[PrivateQueue],
    res: Reservation,
    deadline: float | None,
    condition: Any,
    evaluable: bool = True,
) -> None:
    """Release a reservation whose wait condition is false, and sleep until
    one of its handlers has run calls of another client (SPEC §5).

    On a single handler, the handler itself re-evaluates the condition after
    each such run and wakes this client only when it holds
    (scoop._waiters). On several, the core wakes this client after any such
    run, and it looks again (also on one, when the condition is not
    *evaluable* here: a worker process's). Either way the client registers before the
    release, while it holds the handlers: every other client's call on them
    runs after the release, hence after the registration, so no change can
    be missed. Sleeping costs no CPU: the thread waits on its semaphore in
    the core (waking every slice, to run signal handlers).
    """
    procs = sorted({r._scoop_proc for r in refs}, key=by_id)
    if evaluable and len(procs) == 1 and len(queues) == 1 and not procs[0].remote:
        proc = procs[0]
        waiter = Waiter(ts.tid, client.key, condition, tuple(plain_ref(r) for r in refs))
        add_waiter(proc, waiter)
        try:
            res.ended = True
            client.release(queues)
            _sleep(ts, lambda: waiter.done, deadline, condition, procs)
        except BaseException:
            if waiter.woken:  # the wake-up was for us: hand it on
                pass_on(proc)
            raise
        finally:
            remove_waiter(proc, waiter)
        return
    if _native.Watch(ts.tid, client.key, ",".join([str(p.id) for p in procs]).encode()) != 0:
        procs[0].runtime.raise_core_error()
    for p in procs:
        p.watchers += 1
    try:
        res.ended = True
        client.release(queues)
        _sleep(ts, lambda: _native.Notified(ts.tid), deadline, condition, procs)
    finally:
        _native.Unwatch(ts.tid)
        for p in procs:
            p.watchers -= 1


def _sleep(
    ts: Any, woken: Callable[[], bool], deadline: float | None, condition: Any, procs: list[Processor]
) -> None:
    """Sleep until *woken()*, a change on one of *procs*; WaitTimeout after *deadline*.

    A thread sleeps in the core in slices, to run signal handlers and to see
    whether its runtime stopped; a fiber is suspended until it is posted or
    its deadline passes.
    """
    runtime = ts.runtime
    runtime.waiting_for(ts, ConditionWait(condition, procs), None)
    while not woken():
        timeout_us = WAIT_SLICE_US if ts.hub is None else -1
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                name = getattr(condition, "__qualname__", repr(condition))
                raise WaitTimeout(f"the wait condition {name} did not hold in time; nothing of the body ran")
            left_us = max(1, int(left * 1e6))
            timeout_us = left_us if timeout_us < 0 else min(timeout_us, left_us)
        if ts.hub is not None:
            if _native.Suspend(ts.tid, timeout_us) == 0:
                ts.hub.switch(False)
        else:
            _native.Wait(ts.tid, timeout_us)
        if runtime.stopped:
            runtime.check_running()


# A reference to an object with __call__ matches both of the first two: at run
# time separate() tells a reference from a function it decorates.
@overload
def separate(func: F, /) -> F: ...  # type: ignore[overload-overlap]
@overload
def separate(
    a: T1, /, *, until: Callable[..., Any] | None = None, timeout: float | None = None
) -> SeparateBlock[T1]: ...
@overload
def separate(
    a: T1, b: T2, /, *, until: Callable[..., Any] | None = None, timeout: float | None = None
) -> SeparateBlock[tuple[T1, T2]]: ...
@overload
def separate(
    a: T1, b: T2, c: T3, /, *, until: Callable[..., Any] | None = None, timeout: float | None = None
) -> SeparateBlock[tuple[T1, T2, T3]]: ...
@overload
def separate(
    *refs: Any, until: Callable[..., Any] | None = None, timeout: float | None = None
) -> SeparateBlock[tuple[Any, ...]]: ...
def separate(*refs: Any, until: Callable[..., Any] | None = None, timeout: float | None = None) -> Any:
    """Reserve the handlers of several separate objects at once.

    As a context manager, the block's calls on the reserved objects run as
    one atomic sequence on each handler: no other client's calls come in
    between. Reservations of the same handlers in different orders never
    deadlock. Leaving the block does not wait for its commands to run.

    >>> import scoop
    >>> class Account(scoop.Separate):
    ...     def __init__(self, balance: int = 0):
    ...         self.balance = balance
    ...     def deposit(self, amount: int) -> None:
    ...         self.balance += amount
    >>> src, dst = Account(100), Account()
    >>> with scoop.separate(src, dst) as (s, d):
    ...     s.deposit(-10)
    ...     d.deposit(10)
    >>> src.balance, dst.balance
    (90, 10)

    ``until=`` makes the reservation wait for a condition: it is evaluated
    under the reservation, with the reserved references; while it is false
    the reservation is released and the client sleeps until one of the
    handlers has run another client's calls. ``timeout=`` (seconds) raises
    :class:`scoop.WaitTimeout` when it has not held in time; nothing of the
    block ran then.

    >>> with scoop.separate(dst, until=lambda d: d.balance >= 10, timeout=5) as d:
    ...     d.deposit(1)

    As a decorator on a function or method, it reserves the separate
    arguments of each call for the call's whole body, as methods called
    through a separate reference always do:

    >>> @scoop.separate
    ... def transfer(src: Account, dst: Account, amount: int) -> None:
    ...     src.deposit(-amount)
    ...     dst.deposit(amount)
    >>> transfer(src, dst, 5)
    >>> src.balance, dst.balance
    (85, 16)
    """
    if len(refs) == 1 and until is None and timeout is None and callable(refs[0]) and as_reference(refs[0]) is None:
        return _reserving(refs[0])
    return SeparateBlock(refs, until, timeout)


def _reserving(func: F) -> F:
    @functools.wraps(func)
    def reserving(*args: Any, **kwargs: Any) -> Any:
        refs = separate_arguments(args, kwargs)
        if not refs:
            return func(*args, **kwargs)
        with SeparateBlock(tuple(refs)):
            return func(*args, **kwargs)

    reserving.__scoop_reserves__ = True  # type: ignore[attr-defined]
    return reserving  # type: ignore[return-value]


def separate_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[SeparateRef]:
    return [a for a in itertools.chain(args, kwargs.values()) if isinstance(a, SeparateRef)]


def requires(*predicates: Callable[..., Any], timeout: float | None = None) -> Callable[[F], F]:
    """Make preconditions on separate arguments wait conditions.

    Each predicate is called with the method's arguments (``self`` first).
    On every call the separate arguments are reserved and the predicates
    evaluated under the reservation; while one is false the reservation is
    released and the caller sleeps, using no CPU, until one of those
    handlers has run another client's calls, then tries again. When all
    hold, the body runs under the same reservation, with no gap. Keep
    predicates free of side effects: they may run on another thread, and
    more or fewer times than the caller tries.

    >>> import scoop
    >>> class Buffer(scoop.Separate):
    ...     def __init__(self):
    ...         self.items = []
    ...     def put(self, item: int) -> None:
    ...         self.items.append(item)
    ...     def take(self) -> int:
    ...         return self.items.pop(0)
    ...     def __len__(self) -> int:
    ...         return len(self.items)
    >>> class Consumer(scoop.Separate):
    ...     @scoop.requires(lambda self, buf: len(buf) > 0)
    ...     def consume(self, buf: Buffer) -> int:
    ...         return buf.take()
    >>> buf, consumer = Buffer(), Consumer()
    >>> item = consumer.consume.future(buf)   # waits: the buffer is empty
    >>> buf.put(7)
    >>> item.result(timeout=5)
    7

    ``timeout=`` (seconds) bounds each call's wait: when the preconditions
    have not held in time, the call raises :class:`scoop.WaitTimeout` and
    nothing of its body runs (a command's timeout is its failure, seen by
    its client's next query as :class:`scoop.CommandFailed`).

    A precondition with no separate argument to wait for is a plain
    correctness condition: when false, the call raises ``AssertionError``.
    """
    if not predicates:
        raise TypeError("scoop.requires() needs at least one predicate")
    for p in predicates:
        if not callable(p):
            raise TypeError(f"scoop.requires() takes predicates (callables), not {type(p).__qualname__}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0):
        raise TypeError(f"scoop.requires(timeout=...) takes a number of seconds >= 0, not {timeout!r}")

    def decorate(func: F) -> F:
        name = getattr(func, "__qualname__", repr(func))

        def holds(*args: Any, **kwargs: Any) -> bool:
            return all(p(*args, **kwargs) for p in predicates)

        @functools.wraps(func)
        def waiting(*args: Any, **kwargs: Any) -> Any:
            refs = separate_arguments(args, kwargs)
            if not refs:
                if not holds(*args, **kwargs):
                    raise AssertionError(
                        f"the precondition of {name} does not hold, and it has no separate "
                        f"argument whose change could make it hold"
                    )
                return func(*args, **kwargs)
            condition = functools.partial(_ignore_reserved, holds, args, kwargs)
            condition.__qualname__ = f"precondition of {name}"  # type: ignore[attr-defined]
            # What a report of a stuck wait shows (scoop._busy).
            condition.__scoop_predicates__ = predicates  # type: ignore[attr-defined]
            with SeparateBlock(tuple(refs), until=condition, timeout=timeout):
                return func(*args, **kwargs)

        waiting.__scoop_reserves__ = True  # type: ignore[attr-defined]
        return waiting  # type: ignore[return-value]

    return decorate


def _ignore_reserved(holds: Callable[..., bool], args: Any, kwargs: Any, *reserved: Any) -> bool:
    # The predicate sees the call's own arguments; while they are reserved,
    # calls on them go through the reservation.
    return holds(*args, **kwargs)
