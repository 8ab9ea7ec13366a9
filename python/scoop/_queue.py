"""The Python half of a private queue: the calls one client logged on one handler.

The Go core knows where each private queue stands in its handler's queue of
queues; the calls themselves stay here, in a deque with one producer (the
client) and one consumer (the handler), so that a command costs no crossing
of the boundary at all while its handler is busy. See docs/protocol.md.

Who may run the handler's code at any moment is decided by ``state``:

- ``NEW``: just reserved; the client has not learnt yet whether the core
  granted it parked (see ``Client.open_queue``). Behaves as ``QUEUED``.
- ``QUEUED``: the handler owns the queue (it is serving it, or will when the
  queue reaches the head). The client only appends.
- ``PARKED``: the handler drained the queue and parked (in Go). A client that
  appends must wake it, once (``woken``). A client that wants to run a query
  may take the turn itself: client-side query execution.
- ``CLIENT``: the client is running a query body itself, as the handler. A
  handler that resumes meanwhile leaves the queue alone and asks to be woken
  when the client is done (``want_wake``).
- ``CLOSED``: the reservation is over; nothing more is served.

Every transition of ``state`` is in this file: the client's side
(:meth:`~PrivateQueue.log`, :meth:`~PrivateQueue.take_turn`,
:meth:`~PrivateQueue.give_turn`, :meth:`~PrivateQueue.close`), the
handler's (:meth:`~PrivateQueue.take`, :meth:`~PrivateQueue.defer`,
:meth:`~PrivateQueue.park`, :meth:`~PrivateQueue.end`, called by
``Runtime.serve``, which only runs the calls), and
:meth:`~PrivateQueue.take_over`, done by whichever side hands the turn on.

Every change of ``state`` happens under ``mu``. Appending does not take it:
a command costs a deque append and one read of ``state``, which is what
makes commands cheap. That is safe because of the order of the two sides,
each step atomic under the GIL: the client appends, *then* reads ``state``;
the handler, about to park or close, writes ``state``, *then* looks at the
deque again. Either the handler sees the new call, or the client sees that
it must wake the handler (or, if the queue closed, take the call back and
log it in a new queue). The handler consumes with ``popleft`` and never
replaces the deque, so an append can never land in a deque nobody reads.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from . import _native
from ._protocol import (
    CLIENT,
    CLOSE,
    CLOSED,
    DEADLOCK,
    END_ITEM,
    End,
    NEW,
    NOT_PARKED,
    PARKED,
    QUEUED,
    SUSPENDED,
    WAIT_SLICE_US,
    Item,
    Sync,
    new_item,
)
from ._waiters import recheck

if TYPE_CHECKING:
    from ._processor import Processor
    from ._threadstate import ThreadState

#: The handler's way to give the GIL away once before it parks (see
#: :meth:`PrivateQueue.park`).
_yield_gil = functools.partial(time.sleep, 0)


class PrivateQueue:
    """One client's reservation of one handler, as the Python side sees it."""

    __slots__ = ("id", "proc", "client_key", "implicit", "mu", "items", "state", "woken", "want_wake", "answered")

    def __init__(self, qid: int, proc: Processor, client_key: int, implicit: bool):
        self.id = qid
        self.proc = proc
        self.client_key = client_key
        self.implicit = implicit
        self.mu = threading.Lock()
        self.items: deque[Item] = deque()
        self.state = NEW
        self.woken = False  # a Wake was sent since the handler parked
        # The handler parked after answering the client's SYNC, and the client
        # has not taken its turn yet: the queue must not be closed under it
        # (with many clients waiting, that would send each to the back of the
        # line for ever).
        self.answered = False
        self.want_wake = False  # the handler resumed while the client ran a query

    def __repr__(self) -> str:
        return f"<PrivateQueue {self.id} on {self.proc!r} {self.state} {len(self.items)} items>"

    # -- client side -----------------------------------------------------

    def log(self, item: Item) -> bool:
        """Append *item*; wake the handler if it parked. False if closed."""
        self.items.append(item)
        state = self.state
        if state is QUEUED or (state is PARKED and self.woken):  # see log_slow
            return True
        return self.log_slow(item)

    def log_slow(self, item: Item) -> bool:
        """The rest of :meth:`log` of *item*, when the handler is not
        serving the queue."""
        if self.woken and self.state is PARKED:
            # Woken already, and not parked again since: the handler will
            # look at the deque, after this append, so there is nothing to
            # do, and no lock to take. (It resets ``woken`` before its last
            # look at the deque when it parks: a client that reads True
            # here appended before that look. See park.)
            return True
        with self.mu:
            state = self.state
            if state is CLOSED:
                items = self.items
                if items and items[-1] is item:
                    # The handler closed the queue without seeing the call
                    # (it looks at the deque after writing CLOSED): take it
                    # back. (The client is the only producer: the last item
                    # is its own.)
                    items.pop()
                    return False
                # The handler ran it, and closed the queue after it: it was
                # the END of the reservation.
                return True
            wake = state is PARKED and not self.woken
            if wake:
                self.woken = True
        if wake:
            _native.Wake(self.id)
        return True

    def take_turn(self, ts: ThreadState, fn: Any) -> bool:
        """Wait until this client may run a call body (*fn*) as the handler.

        That is when the handler has executed everything logged before and
        parked: the state is PARKED and the deque is empty. Until then the
        client logs a SYNC and sleeps; the handler wakes it when it parks
        after the SYNC. Returns False if the queue was closed meanwhile (an
        implicit queue that its handler gave up to another client): the
        client then retries on a new one. Raises DeadlockError instead of
        waiting forever.
        """
        first = True
        while True:
            with self.mu:
                state = self.state
                if state is CLOSED:
                    return False
                if not self.items and state is PARKED:
                    self.state = CLIENT
                    self.answered = False
                    return True
                if first or not self.items:
                    # Ask the handler to tell us when it has run what is
                    # logged and parked. Asked again when it has answered
                    # but resumed since (it holds the queue with nothing
                    # left to run) — then it will answer again.
                    self.items.append(new_item(Sync, (ts.tid,)))
                wake = state is PARKED and not self.woken
                if wake:
                    self.woken = True
            if first:
                first = False
                self.proc.runtime.waits += 1
                blocking = ts.blocking_ids()
                self.proc.runtime.waiting_for(ts, fn, self.proc)
            if ts.hub is not None:
                # A fiber runs the calls before ours itself, in line, if no
                # executor runs them yet: no switch at all. (A plain thread
                # does not: a body it ran would wait as a thread, each wait
                # a GIL hand-off, where the executor's fibers switch.)
                helped = _native.Help(ts.tid, self.id)
                if helped > 0:
                    self.proc.runtime.help(ts, helped)
                    continue
            if wake:
                _native.Wake(self.id)
            if ts.hub is not None:
                # A fiber: suspended, its thread goes on with other work,
                # and resumes it here once the handler has answered.
                outcome = _native.SuspendFor(ts.tid, self.id, blocking.encode())
                if outcome == SUSPENDED:
                    ts.hub.switch(False)
                    continue
            else:
                # Returns at the latest after a slice, so that this loop's
                # bytecode runs Python's signal handlers (KeyboardInterrupt)
                # and sees a runtime that stopped.
                outcome = _native.WaitFor(ts.tid, self.id, blocking, WAIT_SLICE_US)
            if outcome == DEADLOCK:
                raise self.proc.runtime.deadlock_error(ts)
            if outcome < 0 and outcome != SUSPENDED:
                self.proc.runtime.raise_core_error()
            if self.proc.runtime.stopped:
                self.proc.runtime.check_running()

    def give_turn(self) -> None:
        """The client is done running a call body as the handler."""
        if self.proc.waiters:
            # Still holding the handler: the body may have made a wait
            # condition true (SPEC §5).
            recheck(self.proc, self.client_key)
        with self.mu:
            self.state = PARKED
            wake = self.want_wake
            self.want_wake = False
        if self.proc.watchers:
            # The body may have made a wait condition true (SPEC §5).
            _native.Notify(self.proc.id, self.client_key)
        if wake:
            _native.Wake(self.id)

    def close(self) -> None:
        """End the reservation: log its END after the calls already logged.

        When the handler is parked on this queue with nothing left to run
        (the client ran its queries itself, or logged nothing), the client
        ends the reservation in the core itself and hands the turn on, as
        the handler would: waking an executor only to read the END would
        cost a thread hand-off, and another one to reach the next client.
        """
        if self.state is PARKED and not self.items:
            nxt = NOT_PARKED
            with self.mu:
                if self.state is PARKED and not self.items and not self.woken:
                    nxt = _native.ReleaseParked(self.id)
                    if nxt != NOT_PARKED:
                        self.state = CLOSED
            if nxt != NOT_PARKED:
                queues = self.proc.runtime.queues
                del queues[self.id]
                if nxt > 0:
                    queues[nxt].take_over()
                return
        # self.log(END_ITEM), inlined: a block ends with it.
        self.items.append(END_ITEM)
        state = self.state
        if state is not QUEUED and not (state is PARKED and self.woken):
            self.log_slow(END_ITEM)

    def reopen(self) -> bool:
        """Take back the END that :meth:`close` logged, if the handler has
        not reached it yet: the reservation goes on (Client.reserve1). False
        if it has, or if the queue was released without an END.

        The END is the last item of the deque: the client logs nothing
        after it. So while the deque is not empty, ``pop`` takes the END
        and nothing else, in one step (atomic under the GIL), and the
        handler, which consumes from the other end, either took it before
        (the pop finds the deque empty) or never sees it. A queue released
        without an END (ReleaseParked, in :meth:`close`) has an empty
        deque. No lock: the handler does not take one to consume, and
        :meth:`take_over` copes with a deque that shrinks under it.
        """
        try:
            end = self.items.pop()
        except IndexError:  # the handler reached the END: it is releasing the queue
            return False
        assert type(end) is End, end
        return True

    # -- handler side --------------------------------------------------------
    # Called by the thread serving the queue (an executor's fiber, or a fiber
    # helping), in Runtime.serve's loop: take, run the calls, then end or park.

    def take(self) -> bool:
        """Take the queue to run its calls (``QUEUED``). False if the client
        runs a query itself (``CLIENT``): the handler then leaves the queue
        alone (:meth:`defer`), and the client wakes it when it gives the turn
        back."""
        with self.mu:
            if self.state is CLIENT:
                self.want_wake = True
                return False
            self.state = QUEUED
            return True

    def defer(self, tid: int) -> int:
        """Park thread *tid* while the client runs a query as the handler.
        Returns what ``ParkNow`` does: this queue again when woken, or the
        next queue to serve."""
        nxt: int = _native.ParkNow(tid, self.id, False, 0)
        return nxt

    def ran(self) -> None:
        """The handler ran calls of this queue's client: tell the clients
        whose wait conditions may have become true (SPEC §5). Called by
        :meth:`end` and :meth:`park`, while the handler still holds the
        queue, when someone waits on its processor."""
        proc = self.proc
        if proc.waiters:
            recheck(proc, self.client_key)
        if proc.watchers:
            # These calls may have made a wait condition true.
            _native.Notify(proc.id, self.client_key)

    def end(self, tid: int) -> int:
        """The handler ran the calls up to the END of the reservation: close
        the queue and release it in the core. Returns the next queue to
        serve."""
        proc = self.proc
        if proc.waiters or proc.watchers:
            self.ran()
        # No lock: after its END the client logs nothing here, and takes no
        # decision on this state (reopen looks at the deque, empty now).
        self.state = CLOSED
        del proc.runtime.queues[self.id]
        nxt: int = _native.ReleaseNow(tid, self.id)
        return nxt

    def park(self, tid: int, notify: int, helping: bool) -> int:
        """The handler ran the calls and drained the queue; *notify* is the
        thread waiting at the SYNC that was the last item (0 if none). Park
        in the core, or close the queue if the core says so (an implicit
        queue that another reservation waits behind).

        Returns this queue's id when the handler must serve it again (the
        client logged more), else the next queue to serve (0: none).
        """
        proc = self.proc
        if proc.waiters or proc.watchers:
            self.ran()
        q = self.id
        items = self.items
        if not notify and not helping:
            # Before parking, give the GIL away once. A client that
            # is logging commands as fast as it can would otherwise
            # wake us for every single command (each Wake crossing
            # hands the GIL over), and both threads would pay two
            # GIL hand-offs per command; after the yield we find a
            # whole switch interval's worth of calls. Nothing waits
            # on it: a client waiting at a SYNC is answered first.
            _yield_gil()
            if items:
                return q
        with self.mu:
            # State first, then the deque: see the module docstring. And
            # ``woken`` before the deque too: a client that still reads it
            # True takes no lock (log_slow), so its call must be in the
            # deque by the time we look.
            self.state = PARKED
            self.woken = False
            if items:
                self.state = QUEUED
                return q  # the client logged more: it isn't waiting
            self.answered = notify != 0
        # May the core tell us to close the queue, if it is implicit
        # and another reservation waits behind it? Even when a client
        # waits at our SYNC: we then wait for it to take its turn and
        # give it back (want_wake), and close the queue after that.
        may_close = self.implicit
        # A helper that answered its own sync point wakes nobody.
        nxt: int = _native.ParkNow(tid, q, may_close, notify if notify != tid else 0)
        if nxt != CLOSE:
            return nxt
        # The queue is implicit, drained, and another reservation waits
        # behind it: close it, unless its client acted meanwhile.
        with self.mu:
            inline = self.state is CLIENT or self.answered
            if inline:
                self.want_wake = True
            elif not items:
                self.state = CLOSED
                closing = True
            else:
                closing = False
        if inline:
            nxt = _native.ParkNow(tid, q, False, 0)
            return nxt
        if closing:
            return self.release(tid)
        return q

    def release(self, tid: int) -> int:
        """Release the closed queue in the core, as its handler *tid*.
        Returns the next queue to serve."""
        del self.proc.runtime.queues[self.id]
        nxt: int = _native.ReleaseNow(tid, self.id)
        return nxt

    # -- either side ---------------------------------------------------------

    def take_over(self) -> None:
        """The handler's turn was handed to this queue, parked, by the client
        of the queue before it (see :meth:`close`). Do what the handler would
        do on parking here: answer a client waiting at its sync point, or
        wake the handler for the calls logged.
        """
        with self.mu:
            items = self.items
            self.state = PARKED
            self.woken = False
            waiter = 0
            try:
                # (A client that continues its reservation may take its END
                # back meanwhile, without our lock: see reopen.)
                head = items[0] if len(items) == 1 else None
            except IndexError:
                head = None
            if type(head) is Sync:
                items.popleft()
                waiter = head.tid
                self.answered = True
            elif items:
                self.woken = True
        if waiter:
            _native.Signal(waiter)
        elif self.woken:
            _native.Wake(self.id)
