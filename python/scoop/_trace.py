"""Tracing (SPEC §10): every processor's activity, as a timeline in the
Chrome/Perfetto trace event format.

``with scoop.trace("run.json"):`` (or ``SCOOP_TRACE=run.json`` for a whole
program) starts a :class:`Recorder`. The file it writes is what
``chrome://tracing`` and the Perfetto UI open, and what
``python -m scoop trace`` draws (scoop._timeline):

- one track per processor, named after its objects' class (``Account #2``),
  and one per client thread (``thread MainThread``): ``"M"`` events;
- each executed call, a complete event (``"ph": "X"``, category ``call``)
  named ``Class.method``, on its processor's track, whichever thread ran it
  (a query that its client runs itself is still its processor's activity);
- each call's logging, a short slice (category ``log``) on its client's track
  (a thread's, or the processor whose body logged it), and a flow
  (``"s"``/``"f"`` with the call's id) from there to the call's execution;
- each wait (a query or a reservation waiting for its turn, a wait
  condition), a slice (category ``wait``) on the waiting client's track,
  naming the call or condition and the processors waited for.

Why it costs nothing when off: nothing of this module runs then, and no
hook is installed. Tracing swaps in traced variants of the functions that
log calls and of those that wait, and puts the originals back when it ends:

- A call is recorded through the function it logs. While tracing, the
  client logs a :class:`TracedCall` in place of the call's function (it
  carries the call's flow id and names). Whoever executes the call, by
  whatever path (the serve loop, a client running its query itself, a call
  on the caller's own processor), calls it, and it records the call. So the
  runtime's serve loop has no hook at all, and the client's side none
  either: the traced variants stand in for ``scoop._calls``' ``command``,
  ``query`` and ``future`` where they are called (scoop._proxy,
  scoop._separate), and in the method stubs of the proxy classes, which
  bind ``command`` when their class is made (:func:`_rebind_method_stubs`).
- Waits: ``PrivateQueue.take_turn`` and
  ``scoop._reservation.wait_for_change`` are swapped likewise.

Events are buffered as tuples (formatting is left to the writer) and written
by chunks of :data:`CHUNK`, so a long run never holds its trace in memory.
After each chunk the file is complete JSON: the writer writes the closing
``]}`` after the events and the next chunk overwrites it. A run that dies
loses at most its last chunk. The block's end, or the end of the program for
``SCOOP_TRACE`` (after the exit-time drain of SPEC §9, so that the calls it
runs are in the trace), writes the rest.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import multiprocessing
import operator
import os
import sys
import threading
from time import perf_counter_ns
from types import TracebackType
from typing import Any, BinaryIO, Callable

from . import _calls
from ._busy import call_name as _busy_call_name
from ._process import RemoteObject
from ._processor import Processor

logger = logging.getLogger("scoop")

#: Events buffered before the writer writes them.
CHUNK = 4096

#: How long the slice that marks a call's logging lasts on its client's
#: track, in nanoseconds. A flow starts from a slice (viewers drop one that
#: starts outside any); this one is far shorter than a command takes with
#: tracing on, so two of them never overlap.
LOG_NS = 100

#: How many texts of calls the writer keeps, at most.
_TEMPLATES = 4096

# The kinds of buffered events (the first item of each tuple).
_CALL, _WAIT, _TRACK = 0, 1, 2

#: The recorder while a trace records, else None.
_recorder: Recorder | None = None
#: Serialises starting and stopping.
_lock = threading.Lock()
#: The functions the traced variants stand in for, by "module.name".
_originals: dict[str, Any] = {}

#: Call functions of pyscoop's own that stand for a user's method.
_OWN_NAMES = {"_listed": "__iter__", "_start_worker": "__init__"}


class Recorder:
    """One trace being recorded, into one file.

    Thread safety: events come from every thread that logs or runs calls.
    Each is one ``list.append`` (atomic under the GIL); the writer takes the
    first *n* events with one slice and one ``del`` (each atomic too), so an
    event appended meanwhile is never lost. Writing takes ``write_lock``,
    without waiting when another thread is already writing (see
    :meth:`flush`). New tracks are named under ``track_lock``.
    """

    def __init__(self, path: str, origin: str):
        self.path = path
        #: How the trace was asked for, for error messages.
        self.origin = origin
        self.file: BinaryIO = open(path, "wb")
        self.closed = False
        self.events: list[tuple[Any, ...]] = []
        self.pid = os.getpid()
        self.base = perf_counter_ns()
        self.flows = itertools.count(1)
        #: Client key or processor id -> the track's id (small: the order
        #: in which tracks appear).
        self.tracks: dict[int, int] = {}
        self.track_lock = threading.Lock()
        #: How many processors of each class have a track, to number them.
        self.per_class: dict[str, int] = {}
        #: (class, function) -> "Class.method".
        self.names: dict[tuple[type, Any], str] = {}
        #: The tracks' names, by id (for wait slices that name processors).
        self.track_names: dict[int, str] = {}
        self.write_lock = threading.Lock()
        #: (name, track, client track) -> the text of a call's events.
        self._templates: dict[tuple[str, int, int], str] = {}
        program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"
        header = {"otherData": {"recorder": "pyscoop", "origin": origin}}
        head = json.dumps(header)[:-1] + ', "traceEvents": [\n'
        head += json.dumps(
            {"ph": "M", "name": "process_name", "pid": self.pid, "args": {"name": f"pyscoop: {program}"}}
        )
        self.file.write(head.encode())
        #: Where the closing brackets go: the next chunk overwrites them.
        self.end = self.file.tell()
        self.file.write(_TAIL)
        self.file.flush()

    def __repr__(self) -> str:
        return f"<scoop trace recorder {self.path!r}{' closed' if self.closed else ''}>"

    # -- recording (any thread) -------------------------------------------

    def add(self, event: tuple[Any, ...]) -> None:
        if self.closed:
            return
        events = self.events
        events.append(event)
        if len(events) >= CHUNK:
            self.flush()

    def logged(self, fn: Callable[..., Any], proc: Processor, obj: Any) -> TracedCall:
        """The call ``fn(obj, ...)`` on *proc* is being logged by this thread:
        return the record that stands for *fn* in the call. It records the
        call, its logging included, once it has run (a call that never runs,
        skipped after a failure or still queued when the trace ends, is not
        in the trace)."""
        t = perf_counter_ns()
        rt = proc.runtime
        try:
            ts = rt.local.state
        except AttributeError:
            ts = rt.state()
        tracks = self.tracks
        client = tracks.get(ts.current.key)  # a thread's key, or a processor's id
        if client is None:
            client = self.client_track(ts)
        tid = tracks.get(proc.id)
        if tid is None:
            tid = self.processor_track(proc)
        try:
            name = self.names[type(obj), fn]
        except (KeyError, TypeError):  # new; or an attribute read, or unhashable
            name = self.call_name(fn, obj)
        return TracedCall(fn, name, tid, next(self.flows), self, client, t)

    def waited(self, track: int, name: str, t0: int, args: dict[str, Any]) -> None:
        """A client (on *track*) waited from *t0* until now."""
        self.add((_WAIT, name, track, t0, perf_counter_ns(), args))

    # -- names and tracks ---------------------------------------------------

    def call_name(self, fn: Any, obj: Any) -> str:
        """``Class.method`` for the call ``fn(obj, ...)``: the class of the
        object itself (not the one that defines the method)."""
        cls = obj.__scoop_class__ if type(obj) is RemoteObject else type(obj)
        if type(fn) is operator.attrgetter:  # an attribute read: one per read
            return f"{cls.__qualname__}.{fn.__reduce__()[1][0]}"
        key = (cls, fn)
        try:
            return self.names[key]
        except (KeyError, TypeError):  # TypeError: an unhashable call function
            pass
        method = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
        method = method.rpartition(".")[2]
        if getattr(fn, "__module__", "").startswith("scoop."):
            method = _OWN_NAMES.get(method, method)
        name = f"{cls.__qualname__}.{method}"
        try:
            self.names[key] = name
        except TypeError:
            pass
        return name

    def processor_track(self, proc: Processor) -> int:
        tid = self.tracks.get(proc.id)
        if tid is None:
            tid = self._new_track(proc.id, proc)
        return tid

    def client_track(self, ts: Any) -> int:
        """The track of whoever logs calls on thread state *ts* now: the
        processor whose body it runs, or the thread itself."""
        client = ts.current
        if isinstance(client, Processor):
            return self.processor_track(client)
        if client is not ts.client and ts.stack:
            # The probe client, as which a handler evaluates wait conditions.
            return self.processor_track(ts.stack[-1])
        tid = self.tracks.get(ts.client.key)
        return tid if tid is not None else self._new_track(ts.client.key, None)

    def processor_name(self, proc: Processor) -> str:
        return self.track_names[self.processor_track(proc)]

    def _new_track(self, key: int, proc: Processor | None) -> int:
        with self.track_lock:
            tid = self.tracks.get(key)
            if tid is not None:
                return tid
            tid = len(self.tracks) + 1
            if proc is None:
                name = f"thread {threading.current_thread().name}"
            else:
                label = proc.label or "processor"
                n = self.per_class[label] = self.per_class.get(label, 0) + 1
                kind = " (passive)" if proc.passive else " (process)" if proc.remote else ""
                name = f"{label} #{n}{kind}"
            self.track_names[tid] = name
            self.tracks[key] = tid
        self.add((_TRACK, tid, name, "processor" if proc is not None else "thread"))
        return tid

    # -- writing -------------------------------------------------------------

    def flush(self, final: bool = False) -> None:
        """Write the events buffered so far, and the closing brackets after them.

        A thread that finds another one writing goes on without waiting (the
        events stay buffered for the next chunk): it may be running a call
        body. Only :meth:`close` waits.
        """
        if not self.write_lock.acquire(blocking=final):
            return
        try:
            if self.file.closed:
                return
            events = self.events
            n = len(events)
            chunk = events[:n]
            del events[:n]
            if not chunk:
                return
            data = (",\n" + ",\n".join([self._format(e) for e in chunk])).encode()
            # One write of the events and the brackets after them: two let
            # another thread run between them (the first releases the GIL)
            # and end the process with the brackets missing.
            out, at = memoryview(data + _TAIL), self.end
            while out:  # a write cut short by a signal writes the rest
                n = os.pwrite(self.file.fileno(), out, at)
                out, at = out[n:], at + n
            self.end += len(data)
        except (OSError, ValueError) as exc:
            # A full disk must not fail the program's calls: tracing stops.
            self.closed = True
            logger.error("scoop: tracing to %s stopped: %s", self.path, exc)
        finally:
            self.write_lock.release()

    def close(self) -> None:
        """Write every event left and close the file: it is complete."""
        self.closed = True
        self.flush(final=True)
        with self.write_lock:
            if not self.file.closed:
                self.file.close()

    def _format(self, e: tuple[Any, ...]) -> str:
        """The JSON text of one buffered event: one or several trace events,
        one per line."""
        kind = e[0]
        if kind == _CALL:
            _, name, tid, t0, t1, flow, client, t = e
            template = self._templates.get((name, tid, client))
            if template is None:
                if len(self._templates) >= _TEMPLATES:  # 100,000 objects: as many tracks
                    self._templates.clear()
                template = self._call_template(name, tid, client)
            base = self.base
            lq, lr = divmod(t - base, 1000)
            mq, mr = divmod(t - base + LOG_NS // 2, 1000)
            q, r = divmod(t0 - base, 1000)
            fq, fr = divmod(t0 - base + 1, 1000)
            dq, dr = divmod(t1 - t0, 1000)
            return template % (lq, lr, flow, mq, mr, q, r, dq, dr, flow, fq, fr)
        pid = self.pid
        if kind == _WAIT:
            _, name, tid, t0, t1, args = e
            return (
                f'{{"ph":"X","cat":"wait","name":{json.dumps(name)},"pid":{pid},"tid":{tid},'
                f'"ts":{(t0 - self.base) / 1000:.3f},"dur":{(t1 - t0) / 1000:.3f},"args":{json.dumps(args)}}}'
            )
        _, tid, name, what = e  # a new track
        return ",\n".join(
            [
                json.dumps({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}}),
                json.dumps(
                    {"ph": "M", "name": "thread_sort_index", "pid": pid, "tid": tid, "args": {"sort_index": tid}}
                ),
            ]
        )

    def _call_template(self, name: str, tid: int, client: int) -> str:
        """The text of a call's four events, but for their numbers (``%``
        formatting of integers: floats would cost twice as much): the slice
        of its logging on the client's track with the flow's start inside
        it, then its execution on its processor's, with the flow's end
        (bound to the enclosing slice: the execution, begun 1 ns before)."""
        n = json.dumps(name).replace("%", "%%")
        log = json.dumps("log " + name).replace("%", "%%")
        where = f'"pid":{self.pid},"tid":'
        template = (
            f'{{"ph":"X","cat":"log","name":{log},{where}{client},"ts":%d.%03d,"dur":{LOG_NS / 1000:.3f}}},\n'
            f'{{"ph":"s","cat":"flow","name":{n},"id":%d,{where}{client},"ts":%d.%03d}},\n'
            f'{{"ph":"X","cat":"call","name":{n},{where}{tid},"ts":%d.%03d,"dur":%d.%03d}},\n'
            f'{{"ph":"f","bp":"e","cat":"flow","name":{n},"id":%d,{where}{tid},"ts":%d.%03d}}'
        )
        self._templates[name, tid, client] = template
        return template


_TAIL = b"\n]}\n"


class TracedCall:
    """What a client logs in place of a call's function while tracing: it
    runs the function and records the call once it has run: its logging
    (on the client's track, *client*, at *logged*), its execution (on its
    processor's track, *tid*) and the flow that joins them.

    The runtime reads attributes of call functions (``__qualname__`` to name
    a failed command, ``__scoop_reserves__``, ``__wrapped__``): they are the
    function's own. It compares call functions too (a warning once per
    method): a record equals its function.
    """

    __slots__ = ("fn", "name", "tid", "flow", "recorder", "client", "logged")

    def __init__(
        self, fn: Callable[..., Any], name: str, tid: int, flow: int, recorder: Recorder, client: int, logged: int
    ):
        self.fn = fn
        self.name = name
        self.tid = tid
        self.flow = flow
        self.recorder = recorder
        self.client = client
        self.logged = logged

    def __call__(self, obj: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = perf_counter_ns()
        try:
            return self.fn(obj, *args, **kwargs)
        finally:
            rec = self.recorder
            if not rec.closed:
                events = rec.events
                events.append((_CALL, self.name, self.tid, t0, perf_counter_ns(), self.flow, self.client, self.logged))
                if len(events) >= CHUNK:
                    rec.flush()

    def __getattr__(self, name: str) -> Any:
        if name == "fn":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        try:
            return getattr(self.fn, name)
        except AttributeError:
            if name == "__qualname__":  # an attribute read's attrgetter has none
                return self.name
            raise

    def __eq__(self, other: object) -> bool:
        return self.fn == (other.fn if type(other) is TracedCall else other)

    def __hash__(self) -> int:
        return hash(self.fn)

    def __repr__(self) -> str:
        return f"<traced call {self.name} #{self.flow}>"


def logged(fn: Callable[..., Any], proc: Processor, obj: Any) -> Callable[..., Any]:
    """The function to log for the call ``fn(obj, ...)`` on *proc*: a
    :class:`TracedCall` while a trace records."""
    rec = _recorder
    if rec is None or type(fn) is TracedCall:  # tracing stopped; or a call logged already
        return fn
    return rec.logged(fn, proc, obj)


# -- the traced variants of the functions that log calls ----------------------
#
# Each logs a TracedCall in place of the call's function, through the
# function it stands in for (scoop._calls'), which is never replaced itself.


def _traced_command(fn: Callable[..., Any], ref: Any, *args: Any, **kwargs: Any) -> None:
    """``scoop._calls.command``, traced (``logged`` inlined: a command is
    the call of which there are the most)."""
    rec = _recorder
    if rec is not None and type(fn) is not TracedCall:
        fn = rec.logged(fn, ref._scoop_proc, ref._scoop_obj)
    _calls.command(fn, ref, *args, **kwargs)


def _traced_query(proc: Processor, res: Any, fn: Callable[..., Any], obj: Any, args: Any, kwargs: Any) -> Any:
    """``scoop._calls.query``, traced."""
    return _calls.query(proc, res, logged(fn, proc, obj), obj, args, kwargs)


def _traced_future(proc: Processor, res: Any, fn: Callable[..., Any], obj: Any, args: Any, kwargs: Any) -> Any:
    """``scoop._calls.future``, traced."""
    return _calls.future(proc, res, logged(fn, proc, obj), obj, args, kwargs)


def _rebind_method_stubs(old: Callable[..., Any], new: Callable[..., Any]) -> None:
    """Make every command stub of every proxy class that logs through *old*
    log through *new*.

    A command stub is ``property(partial(BoundCall, partial(command, fn)))``
    (scoop._proxy): its logging function is bound once, when the class is
    made, so that a command runs one frame. The inner partial is changed in
    place (``__setstate__``, the way ``copy`` and ``pickle`` rebuild a
    partial), so that the ``BoundCall`` objects already made (``m =
    ref.method``) are traced too. Its arguments stay the same objects, so a
    thread calling it meanwhile finds one function or the other.
    """
    from . import _proxy

    for proxy in list(_proxy._proxy_types.values()):
        for stub in list(vars(proxy).values()):
            bound = getattr(stub, "fget", None)
            if type(bound) is not functools.partial or bound.func is not _proxy.BoundCall:
                continue
            log = bound.args[0]
            if type(log) is functools.partial and log.func is old:
                log.__setstate__((new, log.args, log.keywords, log.__dict__))  # type: ignore[attr-defined]


# -- the traced variants of the functions that wait ---------------------------


def _traced_take_turn(pq: Any, ts: Any, fn: Any) -> bool:
    """``PrivateQueue.take_turn``, recording a wait for the turn as a slice.

    Whether it waited is read from ``Runtime.waiting``, where a client that
    waits records what for (to name deadlocks): a new entry means it did.
    """
    take_turn: Callable[[Any, Any, Any], bool] = _originals["PrivateQueue.take_turn"]
    rec = _recorder
    if rec is None:
        return take_turn(pq, ts, fn)
    waiting = pq.proc.runtime.waiting
    before = waiting.get(ts.tid)
    track = rec.client_track(ts)
    t0 = perf_counter_ns()
    error = None
    try:
        return take_turn(pq, ts, fn)
    except BaseException as exc:
        error = type(exc).__name__
        raise
    finally:
        if waiting.get(ts.tid) is not before:
            on = rec.processor_name(pq.proc)
            call = fn.name if type(fn) is TracedCall else _busy_call_name(fn, pq.proc)
            if pq.implicit:
                name, args = f"wait {call}", {"for": "query", "call": call, "on": [on]}
            else:
                name, args = f"wait turn on {on}", {"for": "reservation turn", "call": call, "on": [on]}
            if error is not None:
                args["error"] = error
            rec.waited(track, name, t0, args)


def _traced_wait_for_change(
    ts: Any, client: Any, refs: Any, queues: Any, res: Any, deadline: Any, condition: Any, *more: Any, **options: Any
) -> None:
    """``scoop._reservation.wait_for_change``, recording the wait as a slice."""
    wait_for_change: Callable[..., None] = _originals["scoop._reservation.wait_for_change"]
    rec = _recorder
    if rec is None:
        return wait_for_change(ts, client, refs, queues, res, deadline, condition, *more, **options)
    track = rec.client_track(ts)
    on = sorted({rec.processor_name(r._scoop_proc) for r in refs})
    what = getattr(condition, "__qualname__", None) or repr(condition)
    t0 = perf_counter_ns()
    args: dict[str, Any] = {"for": "wait condition", "condition": what, "on": on}
    try:
        return wait_for_change(ts, client, refs, queues, res, deadline, condition, *more, **options)
    except BaseException as exc:
        args["error"] = type(exc).__name__
        raise
    finally:
        rec.waited(track, f"wait until {what}", t0, args)


def _swaps() -> list[tuple[Any, str, Any]]:
    """What tracing swaps: (module or class, attribute, traced variant)."""
    from . import _proxy, _queue, _reservation, _separate

    return [
        # Where calls are logged: every call site of scoop._calls' three.
        (_proxy, "command", _traced_command),  # protocol methods; the stubs of classes made now
        (_proxy, "query", _traced_query),  # query stubs, attributes, properties
        (_proxy, "log_future", _traced_future),  # .future(), scoop.future()
        (_separate, "command", _traced_command),  # creations
        # Where clients wait.
        (_queue.PrivateQueue, "take_turn", _traced_take_turn),
        (_reservation, "wait_for_change", _traced_wait_for_change),
    ]


def _install() -> None:
    """Swap in the traced variants (tracing starts)."""
    for owner, name, traced in _swaps():
        _originals[f"{owner.__name__}.{name}"] = getattr(owner, name)
        setattr(owner, name, traced)
    _rebind_method_stubs(_calls.command, _traced_command)


def _uninstall() -> None:
    """Put the functions back (tracing stops). Stubs of classes made while
    tracing were bound to the traced variant: they are put back too.
    (``_originals`` keeps them: a thread may be inside a traced variant.)"""
    for owner, name, _ in _swaps():
        setattr(owner, name, _originals[f"{owner.__name__}.{name}"])
    _rebind_method_stubs(_traced_command, _calls.command)


# -- starting and stopping -------------------------------------------------------


def start(path: str, origin: str) -> Recorder:
    """Start recording into *path* (the only trace: one at a time)."""
    global _recorder
    with _lock:
        if _recorder is not None:
            raise RuntimeError(
                f"{origin}: a trace is already being recorded ({_recorder.origin}); "
                f"one trace records at a time: end the other first"
            )
        rec = Recorder(path, origin)
        _recorder = rec  # before the flag: a client that sees the flag finds it
        _install()
    return rec


def stop(rec: Recorder) -> None:
    """Stop recording *rec* and complete its file (nothing if it has stopped)."""
    global _recorder
    with _lock:
        if _recorder is rec:
            _uninstall()
            _recorder = None
    # Calls that are still queued keep their records, which now record
    # nothing (the recorder is closed).
    rec.close()


#: The path SCOOP_TRACE started a trace into, once it did.
_from_environment: list[str] = []


def start_from_environment() -> None:
    """Start the trace that ``SCOOP_TRACE=path`` asks for, once per process
    (called when a runtime starts). Worker processes (``kind = "process"``)
    are not traced: their calls are their stand-in processors' calls in the
    parent, and a second writer would overwrite the parent's file."""
    path = os.environ.get("SCOOP_TRACE")
    if not path or _recorder is not None or _from_environment:
        return
    if multiprocessing.parent_process() is not None:
        return
    _from_environment.append(path)
    try:
        start(path, f"SCOOP_TRACE={path}")
    except OSError as exc:
        raise OSError(f"SCOOP_TRACE={path}: cannot write the trace there: {exc}") from exc


def stop_at_exit() -> None:
    """Complete the trace being recorded, if any (at interpreter exit, after
    the logged calls have run)."""
    rec = _recorder
    if rec is not None:
        stop(rec)


class Trace:
    """A trace being recorded while its ``with`` block runs: see :func:`trace`."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)
        self._recorder: Recorder | None = None

    def __repr__(self) -> str:
        state = "recording" if self._recorder is not None and not self._recorder.closed else "idle"
        return f"<scoop.trace {self.path!r} {state}>"

    def __enter__(self) -> Trace:
        if self._recorder is not None:
            raise RuntimeError("a scoop.trace block cannot be entered twice")
        self._recorder = start(self.path, f"scoop.trace({self.path!r})")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._recorder is not None
        stop(self._recorder)


def trace(path: str | os.PathLike[str]) -> Trace:
    """Record every processor's activity while the ``with`` block runs, into
    *path*, in the Chrome/Perfetto trace event format (SPEC §10).

    The file has a track per processor, named after its objects' class
    (``Account #1``), and one per client thread; a slice ``Class.method``
    for each call executed, with an arrow (a flow) from where it was
    logged; and a slice for each wait (a query or a reservation waiting for
    its turn, a wait condition), on the waiting client's track, naming what
    it waited for. Open it in the Perfetto UI or ``chrome://tracing``, or
    draw it with ``python -m scoop trace run.json -o run.png`` (or
    ``-o run.html``). The environment variable ``SCOOP_TRACE=run.json``
    traces a whole program instead, from its first separate object to its
    exit.

    The trace is written as the program runs, and it is complete when the
    block ends, even by an exception. Calls logged in the block that have
    not run by then are not in it: end the block with a query (or
    ``scoop.shutdown()``) to wait for them. One trace records at a time.

    >>> import json, os, tempfile, scoop
    >>> class Account(scoop.Separate):
    ...     def __init__(self, balance: int = 0):
    ...         self.balance = balance
    ...     def deposit(self, amount: int) -> None:
    ...         self.balance += amount
    >>> path = os.path.join(tempfile.mkdtemp(), "run.json")
    >>> with scoop.trace(path):
    ...     a = Account()
    ...     a.deposit(10)
    ...     a.balance                     # a query: the deposit has run
    10
    >>> events = json.load(open(path))["traceEvents"]
    >>> sorted({e["name"] for e in events if e.get("cat") == "call"})
    ['Account.__init__', 'Account.balance', 'Account.deposit']

    With tracing off (outside any such block), the runtime pays nothing
    measurable for it.
    """
    return Trace(path)
