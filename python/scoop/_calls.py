"""The paths of a call on the client's side (SPEC §2, §6).

A command is logged and returns at once; a query waits by necessity, then
runs on the client's own thread as its handler (client-side query
execution); a call that passes a reservation the client holds runs
synchronously (lock passing). The handler's side, the serve loop, is in
:mod:`scoop._runtime`; the protocol both follow is in docs/protocol.md.
"""

from __future__ import annotations

from threading import get_ident
from typing import Any, Callable

from . import _native
from ._errors import ProcessorStopped, reservation_ended
from ._future import SeparateFuture
from ._process import pickle_call
from ._processor import Processor
from ._protocol import CLOSED, PARKED, QUEUED, Call, new_item
from ._runtime import failed_error
from ._threadstate import ThreadState
from ._values import import_call, import_value


def command(fn: Callable[..., Any], ref: Any, *args: Any, **kwargs: Any) -> None:
    """Log the command ``fn(obj, *args, **kwargs)`` on the object of
    separate reference *ref* (SPEC §2): it returns at once.

    This is the hot path of pyscoop: a command on a busy handler costs an
    append to a deque and no crossing into Go. Method stubs call it
    directly, as ``partial(command, fn)`` (scoop._proxy), so that a command
    runs one Python frame: this one.
    """
    res = ref._scoop_res
    proc = ref._scoop_proc
    pq = None
    item: Call
    if res is not None and not args and not kwargs and res.thread == get_ident() and not res.ended:
        # The fastest case, checked first: a command without arguments
        # through a reserved reference, on a handler serving the queue or
        # woken to serve it (so neither passive nor a process, which have
        # no executor here).
        client = res.client
        pq = client.held.get(proc)
        if pq is not None and ((pq.state is not QUEUED and not pq.woken) or proc.runtime.stopped):
            pq = None
    if pq is not None:
        item = new_item(Call, (client.key, fn, ref._scoop_obj, args, kwargs, None, None))
        pq.items.append(item)  # see scoop._queue for why no lock is needed
        state = pq.state
        if state is not QUEUED and not (state is PARKED and pq.woken):  # see PrivateQueue.log_slow
            pq.log_slow(item)  # a reserved queue is never closed under its client
        return
    rt = proc.runtime
    if rt.stopped:
        rt.check_running()
    if res is not None and res.ended:
        raise reservation_ended(ref)
    try:
        ts = rt.local.state
    except AttributeError:
        ts = rt.state()
    obj = ref._scoop_obj
    stack = ts.stack
    if stack and proc in stack:
        fn(obj, *args, **kwargs)
        return
    if proc.passive:
        # No executor: the client runs the command itself, now, and its
        # exception reaches the caller directly (SPEC §8).
        if query(proc, res, fn, obj, args, kwargs) is not None:
            rt.warn_result(fn)
        return
    if proc.remote:
        if obj._dead is not None:  # its worker died: refused at once, not dropped
            raise ProcessorStopped(obj._dead)
        args, kwargs, refs = pickle_call(obj, args, kwargs)  # crosses to a worker process
        if refs and _lends(ts, refs):
            if run_sync(ts, proc, res, fn, obj, args, kwargs, refs) is not None:
                rt.warn_result(fn)
            return
    elif args or kwargs:
        args, kwargs, refs = import_call(args, kwargs)
        if refs and _lends(ts, refs):
            # Lock passing (SPEC §6): the call is synchronous.
            if run_sync(ts, proc, res, fn, obj, args, kwargs, refs) is not None:
                rt.warn_result(fn)
            return
    else:
        refs = None
    client = ts.current
    item = new_item(Call, (client.key, fn, obj, args, kwargs, None, refs))
    if res is not None:
        # res.queue, inlined for its common case.
        pq = client.held[proc] if client is res.client else res.queue(proc, client)
    else:
        pq = client.held.get(proc) or client.implicit.get(proc)
        if pq is None:
            client.open_implicit(proc, item)
            return
    pq.items.append(item)  # see scoop._queue for why no lock is needed
    if pq.state is not QUEUED and not pq.log_slow(item):
        client.log(proc, item)  # the queue closed: a new one


def future(proc: Processor, res: Any, fn: Callable[..., Any], obj: Any, args: Any, kwargs: Any) -> SeparateFuture[Any]:
    """Log any call and return a Future for its result."""
    rt = proc.runtime
    rt.check_running()
    future: SeparateFuture[Any] = SeparateFuture()  # awaitable too (SPEC §11)
    ts = rt.state()
    if proc.passive or proc in ts.stack:
        try:
            future.set_result(query(proc, res, fn, obj, args, kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future
    args, kwargs, refs = _import_for(proc, obj, args, kwargs)
    if refs and _lends(ts, refs):
        try:
            future.set_result(run_sync(ts, proc, res, fn, obj, args, kwargs, refs))
        except BaseException as exc:
            future.set_exception(exc)
        return future
    client = ts.current
    item = new_item(Call, (client.key, fn, obj, args, kwargs, future, refs))
    if res is not None:
        res.queue(proc, client).log(item)
    else:
        client.log(proc, item)
    return future


def query(proc: Processor, res: Any, fn: Callable[..., Any], obj: Any, args: Any, kwargs: Any) -> Any:
    """Run a query (SPEC §2): wait by necessity, then return its result."""
    rt = proc.runtime
    if rt.stopped:
        rt.check_running()
    try:
        ts = rt.local.state
    except AttributeError:
        ts = rt.state()
    if proc in ts.stack:
        return fn(obj, *args, **kwargs)
    if args or kwargs:
        args, kwargs, refs = _import_for(proc, obj, args, kwargs)
    else:
        refs = None  # nothing to import: a query without arguments, the common case
    return run_sync(ts, proc, res, fn, obj, args, kwargs, refs)


def run_sync(
    ts: ThreadState,
    proc: Processor,
    res: Any,
    fn: Callable[..., Any],
    obj: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    refs: list[Any] | None,
) -> Any:
    """Run a call synchronously, on this thread, as *proc*.

    Once the handler has run everything this client logged before and
    parked, the client runs the body itself, as the handler (SCOOP/Qs'
    client-side query execution): no thread hand-off. The client's
    reservations are lent to the handler for the call (SPEC §6: lock
    passing), so the body can use what the client holds at once; and
    since the body runs on this thread, a call back on a processor this
    thread is running runs at once too (separate callbacks).
    """
    client = ts.current
    if res is None:
        cached = client.implicit.get(proc)
        if cached is not None and cached.state is not CLOSED and _native.Contended(cached.id):
            # This client's implicit queue, left open by an earlier call,
            # is at the head while another reservation waits behind it.
            # This call is a reservation of its own (SPEC §2): it goes
            # behind the other, instead of overtaking calls queued first.
            client.close_implicit_on(proc)
    while True:
        pq = res.queue(proc, client) if res is not None else client.queue_for(proc)
        if pq.take_turn(ts, fn):
            break
        client.drop_implicit(proc)
    proc.runtime.calls += 1
    stack = ts.stack
    stack.append(proc)
    callee = proc
    ts.current = callee
    lent = client.held
    if lent:
        saved = callee.held
        callee.held = {**saved, **lent}
    try:
        dirty = proc.dirty
        if dirty and client.key in dirty:
            exc, what = dirty.pop(client.key)
            raise failed_error(exc, what, proc) from exc
        result = proc.runtime.run_body(ts, callee, fn, obj, args, kwargs, refs)
        return result if proc.remote else import_value(result)
    finally:
        if lent:
            callee.held = saved
        stack.pop()
        ts.current = client
        pq.give_turn()


def _import_for(proc: Processor, obj: Any, args: Any, kwargs: Any) -> tuple[Any, Any, list[Any] | None]:
    """A call's arguments as they cross to *proc* (SPEC §3), and its references."""
    if proc.remote:
        return pickle_call(obj, args, kwargs)
    return import_call(args, kwargs)


def _lends(ts: ThreadState, refs: list[Any]) -> bool:
    """Whether a call passes something its client holds (SPEC §6)."""
    held = ts.current.held
    stack = ts.stack
    for r in refs:
        p = r._scoop_proc
        if p in held or p in stack:
            return True
    return False
