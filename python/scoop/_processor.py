"""Processors (SCOOP handlers) and clients, as the Python side sees them."""

from __future__ import annotations

import itertools
from time import perf_counter
from typing import TYPE_CHECKING, Any

from . import _native
from ._protocol import CLOSED, NEW, PARKED, QUEUED, Call
from ._queue import PrivateQueue

if TYPE_CHECKING:
    from ._runtime import Runtime
    from ._placement import Placement
    from ._threadstate import ThreadState

# Private-queue ids are chosen here, not in Go, so that a queue is in the
# runtime's table (with its first call logged) before Go can hand it to an
# executor. next() on a count is atomic under the GIL.
_queue_ids = itertools.count(1)

#: How many implicit private queues a thread client keeps open at most; the
#: least recently opened is closed beyond that.
IMPLICIT_CACHE = 64


def by_id(proc: Processor) -> int:
    return proc.id


class Client:
    """Whatever logs calls: a plain Python thread, or a processor running a body.

    It keeps the private queues it has open: ``held`` for handlers it has
    reserved (``scoop.separate`` blocks, separate arguments of the running
    method), ``implicit`` for handlers it called outside any reservation.
    Only the thread acting as this client touches it.
    """

    __slots__ = ("key", "runtime", "held", "implicit", "released", "__weakref__")

    def __init__(self, key: int, runtime: Runtime):
        self.key = key
        self.runtime = runtime
        self.held: dict[Processor, PrivateQueue] = {}
        self.implicit: dict[Processor, PrivateQueue] = {}
        #: The id of the single-handler reservation this client ended last,
        #: which its next reservation of that handler may continue (see
        #: :meth:`reserve1`). An id, not the queue: a closed queue must not
        #: keep its processor alive.
        self.released = 0

    def __repr__(self) -> str:
        return f"<scoop client {self.key}>"

    def open_queue(self, proc: Processor, implicit: bool, first: Call | None) -> PrivateQueue:
        """Reserve *proc* alone, with *first* already logged if given.

        Without a first call (a query is coming), an idle handler is granted
        parked on the new queue: the client can run its query at once.
        """
        rt = self.runtime
        ts = rt.local.state
        if ts.home is not None and perf_counter() > ts.home.slice_end:
            rt.yield_fiber(ts)
        pq = PrivateQueue(next(_queue_ids), proc, self.key, implicit)
        proc.tail = pq.id
        if first is not None:
            pq.items.append(first)
            # Never granted parked: the handler owns it from the start. (NEW
            # would behave the same, but costs the lock on every later log.)
            pq.state = QUEUED
        rt.queues[pq.id] = pq
        granted = _native.Reserve1(self.key, proc.id, pq.id, implicit, first is None)
        if granted < 0:
            del rt.queues[pq.id]
            rt.raise_core_error()
        if first is None:
            with pq.mu:
                # Only if no executor has taken the queue meanwhile
                # (contention can hand it one as soon as the core granted it).
                if pq.state is NEW:
                    pq.state = PARKED if granted else QUEUED
        return pq

    def open_group(self, procs: list[Processor]) -> list[PrivateQueue]:
        """Reserve *procs* (sorted by id, distinct) atomically, explicitly."""
        if len(procs) == 1:
            return [self.open_queue(procs[0], False, None)]
        queues = [PrivateQueue(next(_queue_ids), p, self.key, False) for p in procs]
        rt = self.runtime
        for pq in queues:
            rt.queues[pq.id] = pq
            pq.proc.tail = pq.id
        handlers = ",".join([str(p.id) for p in procs]).encode()
        ids = ",".join([str(pq.id) for pq in queues]).encode()
        if _native.ReserveGroup(self.key, handlers, ids, False) != 0:
            for pq in queues:
                del rt.queues[pq.id]
            rt.raise_core_error()
        for pq in queues:
            with pq.mu:
                if pq.state is NEW:
                    pq.state = QUEUED
        return queues

    def log(self, proc: Processor, item: Call) -> None:
        """Log *item* on *proc*, in the reservation this client has of it."""
        pq = self.held.get(proc)
        if pq is not None:
            pq.log(item)
            return
        pq = self.implicit.get(proc)
        if pq is not None and pq.log(item):
            return
        # No open queue, or the handler closed it for another client.
        self.open_implicit(proc, item)

    def queue_for(self, proc: Processor) -> PrivateQueue:
        """The queue a synchronous call on *proc* goes through."""
        pq = self.held.get(proc)
        if pq is None:
            pq = self.implicit.get(proc)
            if pq is None or pq.state is CLOSED:
                pq = self.open_implicit(proc, None)
        return pq

    def open_implicit(self, proc: Processor, first: Call | None) -> PrivateQueue:
        """Open a new implicit queue on *proc*, keeping at most IMPLICIT_CACHE
        of them: the least recently opened is closed (an open queue keeps its
        processor alive)."""
        implicit = self.implicit
        implicit.pop(proc, None)
        if len(implicit) >= IMPLICIT_CACHE:
            implicit.pop(next(iter(implicit))).close()
        pq = implicit[proc] = self.open_queue(proc, True, first)
        return pq

    def reserve(self, procs: list[Processor], ts: ThreadState) -> list[PrivateQueue]:
        """Reserve *procs* atomically for this client (SPEC §4), from thread
        *ts*.

        Handlers this client already holds, and those whose bodies the
        thread is running (a processor always holds its own), are left
        out. Returns the new queues, to give to :meth:`release`.
        """
        if len(procs) == 1:
            pq = self.reserve1(procs[0], ts)
            return [] if pq is None else [pq]
        held = self.held
        running = ts.stack
        todo = sorted({p for p in procs if p not in held and p not in running}, key=by_id)
        if not todo:
            return []
        for p in todo:
            # Calls logged outside a block must not wait behind the block.
            self.close_implicit_on(p)
        queues = self.open_group(todo)
        for pq in queues:
            held[pq.proc] = pq
        return queues

    def reserve1(self, proc: Processor, ts: ThreadState) -> PrivateQueue | None:
        """:meth:`reserve` of one handler, the common case, kept short: the
        queue, for :meth:`release1`, or None if *proc* is held already.

        It continues this client's last reservation of *proc* when nobody
        has reserved *proc* since (its ``tail`` is that reservation) and the
        handler has not reached its END: the END is taken back
        (:meth:`PrivateQueue.reopen`) and the new block's calls go in the
        same queue. A reservation that nobody else asked for meanwhile
        would start right after the last one anyway, with no other client's
        call in between: continuing it gives the same order, without a
        reservation in the core, a new queue, or a release by the handler
        (issue #8). SPEC §4 promises that no other client's call comes
        between a block's calls; none could come here. A client that
        reserves the handler meanwhile becomes its tail, and the next block
        queues behind it, as before.
        """
        held = self.held
        if proc in held or proc in ts.stack:
            return None
        if self.implicit:
            self.close_implicit_on(proc)  # calls logged outside a block must not wait behind it
        home = ts.home
        if home is not None and perf_counter() > home.slice_end:
            # A fiber that loops over blocks lets the processors waiting to
            # run have a turn (SPEC §2), as open_queue would: the handler
            # it logs into may be one of them.
            self.runtime.yield_fiber(ts)
        qid = self.released
        pq = self.runtime.queues.get(qid) if qid and proc.tail == qid else None
        if pq is None or not pq.reopen():
            pq = self.open_queue(proc, False, None)
        held[proc] = pq
        return pq

    def release(self, queues: list[PrivateQueue]) -> None:
        """End reservations made by :meth:`reserve`, after their calls."""
        held = self.held
        for pq in queues:
            del held[pq.proc]
            pq.close()
        if len(queues) == 1:
            self.released = queues[0].id

    def release1(self, pq: PrivateQueue) -> None:
        """:meth:`release` of the queue :meth:`reserve1` returned."""
        del self.held[pq.proc]
        pq.close()
        self.released = pq.id

    def drop_implicit(self, proc: Processor) -> None:
        """Forget a closed implicit queue so the next call opens a new one."""
        pq = self.implicit.get(proc)
        if pq is not None and pq.state is CLOSED:
            del self.implicit[proc]

    def close_implicit(self) -> None:
        """End every reservation this client made outside a block."""
        implicit = self.implicit
        while implicit:
            implicit.popitem()[1].close()

    def close_implicit_on(self, proc: Processor) -> None:
        pq = self.implicit.pop(proc, None)
        if pq is not None:
            pq.close()


class Processor(Client):
    """A SCOOP processor, as the runtime keeps it: a thread of control that
    runs its objects' calls, and the client of other processors for the calls
    its objects make. Users hold a :class:`scoop.Processor` handle instead
    (scoop._handle)."""

    __slots__ = ("id", "dirty", "passive", "remote", "label", "watchers", "waiters", "tail")

    def __init__(self, runtime: Runtime, pid: int, passive: bool = False, remote: Placement | None = None):
        # A processor is also the client of other processors, for the calls
        # its objects make while it runs them (one object, not two: see
        # __del__ on why objects per processor count).
        super().__init__(pid, runtime)
        self.id = pid
        #: A passive processor has no executor: its clients run every call
        #: themselves, synchronously (SPEC §7).
        self.passive = passive
        #: The placement of its objects if they live in another process
        #: (SPEC §7 kinds "process" and "ray"): values cross by pickling, so
        #: they are not deep-copied here.
        self.remote = remote
        #: client key -> (exception, "Class.method") of a failed command,
        #: until that client observes it (SPEC §8).
        self.dirty: dict[int, tuple[BaseException, str]] = {}
        #: The class of the first object made on it, to name it in messages.
        self.label = ""
        #: How many clients wait (SPEC §5) for it to run another client's
        #: calls; while non-zero, whoever runs calls here notifies the core.
        self.watchers = 0
        #: Clients waiting for a condition on this processor alone, which
        #: whoever runs calls here re-evaluates (scoop._waiters).
        #: A tuple while nobody waits: an empty list per processor would be
        #: one more object for the cyclic GC to traverse, times 100,000.
        self.waiters: list[Any] | tuple[()] = ()
        #: The id of the last private queue reserved on it, by any client:
        #: the last one in its queue of queues (see Client.reserve1).
        self.tail = 0

    def __repr__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        kind = " passive" if self.passive else f" {self.remote.kind}" if self.remote else ""
        return f"<scoop.Processor {self.id}{label}{kind}>"

    def __del__(self) -> None:
        # Not weakref.finalize: that is five more objects per processor for
        # the cyclic GC to traverse, which made creating 100,000 objects
        # spend half its time in full collections. For the same reason a
        # processor must never refer to itself (it would wait for the GC).
        try:
            self.runtime.processor_gone(self.id, self.dirty)
        except Exception:  # pragma: no cover - interpreter teardown
            pass

    # Equality and hashing are by identity: there is one Processor object per
    # processor, and identity hashing keeps the hot dict look-ups in C.


class ProbeClient(Client):
    """The client as which the handler evaluates other clients' wait
    conditions (scoop._waiters): such a condition may only look at its own
    handler, so it refuses to log or reserve anything elsewhere. The error
    never reaches the user: the condition's own client evaluates it again."""

    __slots__ = ()

    # Every path to a new private queue goes through one of these.
    def open_implicit(self, proc: Processor, first: Call | None) -> PrivateQueue:
        raise _refused()

    def reserve(self, procs: list[Processor], ts: ThreadState) -> list[PrivateQueue]:
        raise _refused()

    def reserve1(self, proc: Processor, ts: ThreadState) -> PrivateQueue | None:
        raise _refused()


def _refused() -> RuntimeError:
    return RuntimeError("a wait condition evaluated by its handler called another processor")
