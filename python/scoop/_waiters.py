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

from typing import TYPE_CHECKING, Any, Callable

from . import _native

if TYPE_CHECKING:
    from ._processor import Processor


class ConditionWait:
    """What a client sleeping on a wait condition waits for, to name it in
    diagnostics (scoop._busy): the condition itself."""

    __slots__ = ("condition",)

    def __init__(self, condition: Callable[..., Any]):
        self.condition = condition

    def name(self) -> str:
        name = getattr(self.condition, "__qualname__", repr(self.condition))
        return f"the wait condition {name}"


class Waiter:
    """One client sleeping until *condition* holds on one processor."""

    __slots__ = ("tid", "client_key", "condition", "refs", "done")

    def __init__(self, tid: int, client_key: int, condition: Callable[..., Any], refs: tuple[Any, ...]):
        self.tid = tid  # the thread to wake
        self.client_key = client_key
        self.condition = condition
        #: Unreserved references to the handler's objects: on the thread
        #: that holds the handler, calls on them run directly.
        self.refs = refs
        #: Woken, or given up (timeout, interrupt): skipped from now on.
        self.done = False


def recheck(proc: Processor, client_key: int) -> None:
    """Wake the clients whose wait condition on *proc* holds now that it ran
    calls of client *client_key*. Called by the thread that holds *proc*."""
    ts = proc.runtime.state()
    stack = ts.stack
    saved = ts.current
    stack.append(proc)
    ts.current = proc.runtime.probe_client
    try:
        keep = []
        for w in proc.waiters:
            if w.done:
                continue
            if w.client_key != client_key:
                try:
                    holds = bool(w.condition(*w.refs))
                except Exception:  # its own client evaluates it, and sees the error
                    holds = True
                if holds:
                    w.done = True
                    _native.Signal(w.tid)
                    continue
            keep.append(w)
        proc.waiters = keep or ()
    finally:
        stack.pop()
        ts.current = saved
