"""Wait conditions on one handler, re-evaluated by the handler (SPEC §5).

A client whose wait condition is false releases its reservation and sleeps
until a handler has run another client's calls. Waking every such client to
look again costs each of them a thread hand-off and a turn of the handler,
and most look in vain: with eight clients waiting for a counter to reach
eight different values, every increment woke all eight for one of them.

So when a condition involves a single handler, the client leaves a
:class:`Waiter` on that processor before it releases, and whichever thread
runs the processor's next calls (an executor, or a client that ran a query
as the handler) evaluates the waiting conditions right after them, while it
still holds the handler, and wakes only the clients whose condition now
holds. A woken client reserves the handler and evaluates its condition once
more, under its own reservation, before its body runs: the check here only
decides whom to wake, never what runs.

No change is missed: a waiter is registered while its client holds the
handler, so every call that could change the object runs after that, and is
followed by a re-evaluation. A condition that touches anything but its own
handler cannot be evaluated away from its client (it would make calls as
that thread); it then wakes its client, which evaluates it itself.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable

from . import _native

if TYPE_CHECKING:
    from ._processor import Processor


class ConditionWait:
    """What a client sleeping on a wait condition waits for, to name it in
    diagnostics (scoop._busy): the condition, and the processors whose
    changes may make it hold (weakly: the record outlives the wait)."""

    __slots__ = ("condition", "procs")

    def __init__(self, condition: Callable[..., Any], procs: Iterable[Processor] = ()):
        self.condition = condition
        self.procs = tuple(weakref.ref(p) for p in procs)

    def name(self) -> str:
        name = getattr(self.condition, "__qualname__", repr(self.condition))
        return f"the wait condition {name}"


class Waiter:
    """One client sleeping until *condition* holds on one processor."""

    __slots__ = ("tid", "client_key", "condition", "refs", "done", "woken")

    def __init__(self, tid: int, client_key: int, condition: Callable[..., Any], refs: tuple[Any, ...]):
        self.tid = tid  # the thread (or fiber) to wake
        self.client_key = client_key
        self.condition = condition
        #: Unreserved references to the handler's objects: on the thread
        #: that holds the handler, calls on them run directly.
        self.refs = refs
        #: Woken, or given up (timeout, interrupt): skipped from now on.
        self.done = False
        #: Woken because its condition held (see pass_on).
        self.woken = False


def add_waiter(proc: Processor, waiter: Waiter) -> None:
    """Leave *waiter* on *proc*, for whoever runs its calls to re-evaluate.

    The list is only ever changed under the runtime's waiters lock, in place:
    a client may register while another thread runs :func:`recheck`, and a
    list replaced under it would lose the registration.
    """
    with proc.runtime.waiters_lock:
        if proc.waiters:
            proc.waiters.append(waiter)
        else:
            proc.waiters = [waiter]


def remove_waiter(proc: Processor, waiter: Waiter) -> None:
    waiter.done = True
    with proc.runtime.waiters_lock:
        if waiter in proc.waiters:
            proc.waiters.remove(waiter)  # type: ignore[union-attr]
        if not proc.waiters:
            proc.waiters = ()


def recheck(proc: Processor, client_key: int) -> None:
    """Wake the first client whose wait condition on *proc* holds, now that
    *proc* ran calls of client *client_key*. Called by the thread that holds
    *proc*.

    One, not all: the woken client takes a turn on *proc* to evaluate its
    condition again and run its body, and that turn is followed by another
    recheck, which wakes the next client whose condition then holds. Waking
    every holder made them all queue for a turn in which most found their
    condition false again (with 16 workers waiting for a counter's parity,
    each increment woke 16 for one). Waiters are evaluated in the order they
    came, so none is passed over for ever.
    """
    ts = proc.runtime.state()
    stack = ts.stack
    saved = ts.current
    stack.append(proc)
    ts.current = proc.runtime.probe_client
    try:
        for w in list(proc.waiters):
            if w.done or w.client_key == client_key:
                continue
            try:
                holds = bool(w.condition(*w.refs))
            except Exception:  # its own client evaluates it, and sees the error
                holds = True
            if holds:
                wake(proc, w)
                return
    finally:
        stack.pop()
        ts.current = saved


def wake(proc: Processor, waiter: Waiter) -> None:
    waiter.woken = True
    remove_waiter(proc, waiter)
    _native.Signal(waiter.tid)


def pass_on(proc: Processor) -> None:
    """A client woken for its condition gives up without taking its turn
    (timeout, interrupt): wake the next waiter instead, to evaluate its own
    condition, so that the change that woke the first is not lost."""
    for w in list(proc.waiters):
        if not w.done:
            wake(proc, w)
            return
