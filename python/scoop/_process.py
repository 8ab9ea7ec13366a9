"""Process processors (SPEC §7, ``kind = "process"``): objects in worker processes.

An object placed on a process processor lives in a worker process of its own,
for true parallelism of CPU-bound Python. Locally it is represented by a
:class:`RemoteObject` on an ordinary processor, which orders and serialises
the calls exactly like any other: the turn protocol, dirty marks, futures
and reservations are unchanged. Only the call functions differ: they send the
call to the worker and wait for its answer, so values cross by pickling
(which is also the copy SPEC §3 asks for).

Separate references cross too, both ways, as ids (scoop._wire). While the
worker answers, its object's own calls on references come back as
*callouts*, which the thread waiting for the answer runs here, as the
worker object's processor (scoop._host): the parent is the one coordinator
of every reservation, wait condition and deadlock, and a callback to a
client waiting for the worker runs at once, as SPEC §6 says.

An executor waiting on a worker's pipe releases the GIL and stays out of the
core, so the core's monitor adds executors: several workers compute at once.

Workers start with the ``forkserver`` method where available (``spawn``
elsewhere): a child forked from this process would inherit a Go runtime
that does not survive fork.

A worker process starts when its object is created, in the background; the
creation command waits for it to connect.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections import deque
from types import FunctionType
from typing import Any, Callable

from . import _channel, _values, _wire
from ._errors import ProcessorStopped, SeparateValueError
from ._protocol import Call, Item, Sync


def _context(cls: type) -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # Imported once by the fork server, so that each worker forks with them
    # loaded (milliseconds) instead of importing them (a fifth of a second).
    # It only takes effect before the server starts, i.e. for the first
    # worker. ``import scoop`` does not load the Go runtime, so the server
    # stays safe to fork.
    preload = ["scoop._worker"]
    if cls.__module__ not in ("__main__", "__mp_main__"):
        preload.append(cls.__module__)
    ctx.set_forkserver_preload(preload)
    return ctx


class RemoteError(Exception):
    """An exception raised in a worker that could not be sent back as it was."""


#: Set by scoop._host: runs a worker's callout here, returns its answer (or
#: None for one that is not answered).
serve_callout: Callable[[RemoteObject, tuple[Any, ...]], tuple[Any, ...] | None]
#: Set by scoop._proxy: the separate reference to a stand-in.
reference_to: Callable[[Any, Any], Any]
#: Set by scoop._worker: what a worker process runs (its main).
worker_main: Callable[[str, bytes, str | None], None]


class Exports:
    """The objects of this process that one worker holds references to.

    A worker names them by id. Each stays alive while the worker may use it:
    the worker tells how many times it received an id when its last stub of
    it goes (RELEASE), and the entry goes when every sending is accounted
    for. (A cycle of references between workers' objects is never freed.)
    """

    __slots__ = ("refs", "ids", "sent", "lock")

    _eids = itertools.count(1)

    def __init__(self) -> None:
        self.refs: dict[int, Any] = {}
        self.ids: dict[int, int] = {}  # id(object) -> eid
        self.sent: dict[int, int] = {}
        self.lock = threading.Lock()

    def export(self, ref: Any) -> int:
        target = ref._scoop_obj
        with self.lock:
            eid = self.ids.get(id(target))
            if eid is None:
                eid = next(self._eids)
                self.ids[id(target)] = eid
                self.refs[eid] = ref
                self.sent[eid] = 0
            self.sent[eid] += 1
        return eid

    def release(self, eid: int, received: int) -> None:
        with self.lock:
            left = self.sent.get(eid, 0) - received
            if left > 0:
                self.sent[eid] = left
                return
            ref = self.refs.pop(eid, None)
            self.sent.pop(eid, None)
            if ref is not None:
                self.ids.pop(id(ref._scoop_obj), None)

    def clear(self) -> None:
        with self.lock:
            self.refs.clear()
            self.ids.clear()
            self.sent.clear()


class RemoteObject(_wire.StandIn):
    """The local stand-in of an object that lives in a worker process."""

    __slots__ = (
        "_scoop_processor", "__scoop_class__", "_conn", "_process", "_script", "_dead",
        "exports", "blocks", "failed_log", "_launcher", "_launch_error", "__weakref__",
    )
    # (Declared for type checkers: set with object.__setattr__, a slot is otherwise untyped.)
    _launch_error: BaseException | None

    def __init__(self, cls: type, proc: Any) -> None:
        # Made by the creating client, while the program runs: the main
        # module still has its __file__ (see scoop._worker.main).
        object.__setattr__(self, "_scoop_processor", proc)
        object.__setattr__(self, "__scoop_class__", cls)
        object.__setattr__(self, "_conn", None)
        object.__setattr__(self, "_process", None)
        object.__setattr__(self, "_script", getattr(sys.modules.get("__main__"), "__file__", None))
        #: Why the worker is gone, once it died: every later call says so.
        object.__setattr__(self, "_dead", None)
        object.__setattr__(self, "exports", Exports())
        #: The worker object's open ``scoop.separate`` blocks, by id.
        object.__setattr__(self, "blocks", {})
        #: A command of the worker's that could not be logged here: the
        #: worker's current call fails with it (scoop._host).
        object.__setattr__(self, "failed_log", None)
        object.__setattr__(self, "_launcher", None)
        object.__setattr__(self, "_launch_error", None)

    #: How messages to and from the worker are pickled (scoop._ray has others).
    pickler: type[_wire.ReferencePickler] | None = None
    unpickler: type[pickle.Unpickler] | None = None

    def launch(self) -> None:
        """Start the worker process, which runs scoop._worker.main, now and
        in the background: workers created together boot together, while
        their creators go on, and the creation command (:meth:`start`) only
        waits for the connection."""
        thread = threading.Thread(target=self._launch, name="scoop-worker-start", daemon=True)
        object.__setattr__(self, "_launcher", thread)
        thread.start()

    def _launch(self) -> None:
        try:
            ctx = _context(self.__scoop_class__)
            listener = _channel.listener()
            process = ctx.Process(
                target=worker_main,
                args=(listener.address, listener.secret, self._script),
                daemon=True,
                name="scoop-worker",
            )
            process.start()
            object.__setattr__(self, "_process", process)
        except BaseException as exc:  # raised by the creation command
            object.__setattr__(self, "_launch_error", exc)

    def start(self, args: tuple[Any, ...]) -> None:
        """Create the object in the worker (the creation command), once the
        worker has connected."""
        self._launcher.join()
        if self._launch_error is not None:
            raise self._launch_error
        try:
            object.__setattr__(self, "_conn", self._accept())
        except (EOFError, OSError) as exc:
            raise self._died("start") from exc
        blob = args[0].data if args else self.dumps(((), {}))
        self.request((_wire.CREATE, self.__scoop_class__, blob))

    def _accept(self) -> Any:
        """The worker's connection, once it connects."""
        # Connecting proves the worker got as far as running scoop's code,
        # so it imported the program's main module (as __mp_main__).
        process = self._process
        try:
            return _channel.listener().accept(process.pid, process.sentinel)
        except TimeoutError:
            process.kill()  # then reported as a worker that ended while it started
            raise

    # -- pickling: references as ids ---------------------------------------

    def key_of(self, obj: Any) -> Any:
        """The key a separate reference crosses to the worker as (None: not one)."""
        ref = _values.as_reference(obj)
        if ref is None:
            return None
        if ref._scoop_obj is self:
            return ("self",)  # the worker's own object: raw, there
        return ("ref", self.exports.export(ref), ref.__class__)

    def load(self, key: Any) -> Any:
        """The reference a worker's key stands for."""
        if key[0] == "self":
            return reference_to(self, self._scoop_processor)
        return self.exports.refs[key[1]]

    def dumps(self, value: Any) -> bytes:
        """*value* pickled for the worker, separate references as keys."""
        return _wire.dumps(value, self.key_of, self.pickler)

    def loads(self, data: bytes) -> Any:
        """A message of the worker's, its keys turned into references."""
        return _wire.loads(data, self.load, self.unpickler)

    # -- requests ------------------------------------------------------------

    def request(self, message: tuple[Any, ...]) -> Any:
        """Send *message* to the worker and return its answer, running the
        worker's callouts meanwhile, on this thread, as its processor."""
        if self._dead is not None:
            raise ProcessorStopped(self._dead)
        self._send(message, message[0])
        conn = self._conn
        while True:
            try:
                reply = self.loads(conn.recv_bytes())
            except (EOFError, OSError) as exc:
                raise self._died(message[0]) from exc
            kind = reply[0]
            if kind == _wire.OK:
                failed = self.failed_log
                if failed is not None:
                    object.__setattr__(self, "failed_log", None)
                    raise failed
                return reply[1]
            if kind == _wire.ERROR:
                raise _with_worker_traceback(reply[1], reply[2])
            answer = serve_callout(self, reply)
            if answer is not None:
                self._send(answer, message[0])

    def post(self, name: str, blob: bytes | None) -> int:
        """Send the command *name* (its arguments pickled in *blob*) without
        waiting for it to run; :meth:`flush` collects it. Returns the bytes
        sent, for the window (scoop._wire.POST_WINDOW)."""
        if self._dead is not None:
            raise ProcessorStopped(self._dead)
        data = self.dumps((_wire.POST, name, blob))  # a str and bytes: always pickles
        try:
            self._conn.send_bytes(data)
        except OSError as exc:
            raise self._died(name) from exc
        return len(data)

    def flush(self) -> tuple[tuple[int, BaseException] | None, list[int]]:
        """Wait until the worker has run every command posted since the
        last flush, running its callouts meanwhile; the index of the one
        that failed, if one did, with its exception, and the indexes of
        those that returned a value."""
        failed, returned = self.request((_wire.FLUSH,))
        if failed is None:
            return None, returned
        index, exc, remote_tb = failed
        return (index, _with_worker_traceback(exc, remote_tb)), returned

    def _send(self, message: tuple[Any, ...], doing: str) -> None:
        try:
            data = self.dumps(message)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            if message[0] == _wire.OK:
                # A callout's result that cannot cross: the worker gets the error.
                self._send((_wire.ERROR, SeparateValueError(
                    f"a value of type {type(message[1]).__qualname__} cannot cross to the worker "
                    f"process of a {self.__scoop_class__.__qualname__}: pickling it failed: {exc}"
                ), ""), doing)
                return
            raise SeparateValueError(
                f"a call to a {self.__scoop_class__.__qualname__} in a worker process must pickle "
                f"its arguments, and that failed: {exc}"
            ) from exc
        try:
            self._conn.send_bytes(data)
        except OSError as exc:  # the connection to a worker that died
            raise self._died(doing) from exc

    def _died(self, doing: str) -> Exception:
        """The error for a worker process that ended while it answered *doing*
        (``"start"``: before it could run any of scoop's code). From then on
        every call on the object raises :class:`scoop.ProcessorStopped`
        with the same words (SPEC §7)."""
        process = self._process
        process.join(1.0)
        self.exports.clear()
        name = self.__scoop_class__.__qualname__
        ended = _how_it_ended(process.exitcode)
        if doing != "start":
            why = (
                f"the worker process of this {name} {ended} (while it answered {doing!r}); "
                f"the object is gone: create a new one"
            )
            object.__setattr__(self, "_dead", why)
            return ProcessorStopped(why)
        # Before scoop's code ran, the worker only imported the program's
        # main module again (as __mp_main__): that is what failed.
        script = self._script or "the program's main module"
        return RemoteError(
            f"the worker process of a {name} {ended} while it started: importing {script} "
            f"again in the worker failed (its traceback is above). A worker process imports the "
            f"program's main module again, so a program that creates process-placed objects "
            f"at import time must do it under `if __name__ == \"__main__\":`"
        )

    def __getattr__(self, name: str) -> Any:
        # A data attribute read through a reference: read it in the worker.
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self.request((_wire.GET, name))

    def close(self) -> None:
        if self._launcher is not None:
            self._launcher.join()
        conn, process = self._conn, self._process
        if conn is None:
            if process is not None and self._dead is None:
                process.terminate()  # launched, never connected: its object was never made
            return
        try:
            conn.send_bytes(self.dumps((_wire.STOP,)))
            conn.close()
        except OSError:
            pass
        process.join(timeout=5)
        if process.is_alive():  # pragma: no cover - a worker stuck in a call
            process.terminate()
        object.__setattr__(self, "_conn", None)
        self.exports.clear()


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "stopped answering"
    if exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"ended (exit code {exitcode})"


class Pickled:
    """A call's arguments, pickled by the client when it made the call.

    SPEC §3 imports values as they cross, at the call: pickling them then
    (rather than when the handler forwards the call) keeps later changes by
    the client out, and an argument that cannot cross raises in the caller,
    with nothing logged. Separate references among them cross as ids of
    the worker's :class:`Exports`.
    """

    __slots__ = ("data",)

    def __init__(self, remote: RemoteObject, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            self.data = remote.dumps((args, kwargs))
        except Exception as exc:
            raise SeparateValueError(
                f"the arguments of a call to an object in a worker process cross by pickling, "
                f"and that failed: {exc}"
            ) from exc


def _with_worker_traceback(exc: BaseException, remote_tb: str | None) -> BaseException:
    """*exc*, raised in the worker, with the worker's traceback attached as a
    note (Python 3.11+): its frames never crossed."""
    if remote_tb and hasattr(exc, "add_note"):
        exc.add_note(f"raised in a scoop worker process:\n{remote_tb}")
    return exc


def run_items(rt: Any, ts: Any, proc: Any, items: deque[Item]) -> int:
    """Runtime._run_items for a processor whose objects live in workers:
    run *items* as *proc* until the deque is empty; -1 when it reached the
    END of the reservation, else the thread waiting at the SYNC that was
    the last item (0 if none).

    A plain command is *posted*: sent to the worker without waiting for it
    to run, so that a client logging many commands costs a round trip per
    window of them, not per command. Posted commands are collected (a FLUSH:
    one round trip, which runs the worker's callouts) before anything else
    runs, and before this returns: so SPEC §2's order holds, a query finds
    them done, and a posted command's failure marks the handler dirty for
    its client (SPEC §8) before that client's next call is looked at (the
    worker skips the posts after a failed one, as this loop skips the calls
    that follow).

    Items are taken with ``popleft`` only, never looked at first: a client
    that continues its reservation takes its END back from the other end
    of the deque at any moment (PrivateQueue.reopen).
    """
    stack = ts.stack
    stack.append(proc)
    ts.current = client = proc
    dirty = proc.dirty
    notify = 0
    ran = 0
    posted = _Posted()
    try:
        while True:
            try:
                item = items.popleft()
            except IndexError:
                if posted.to is None:
                    return notify
                posted.collect(rt, proc)
                continue  # (more may have been logged meanwhile)
            if type(item) is not Call:
                posted.collect(rt, proc)
                if type(item) is Sync:
                    notify = item.tid
                    continue
                return -1  # End: the client logs nothing after it
            key, fn, obj, args, kwargs, future, refs = item
            # A forwarder itself: tracing logs a wrapper that records the
            # call when it runs, so a traced call is run, not posted.
            name = getattr(fn, "__scoop_post__", None) if type(fn) is FunctionType else None
            postable = name is not None and future is None and refs is None
            size = len(args[0].data) if args else 0
            if posted.to is not None and (
                not postable or obj is not posted.to or key != posted.key or posted.window + size > _wire.POST_WINDOW
            ):
                posted.collect(rt, proc)  # (which may make the client dirty: looked at below)
            notify = 0
            ran += 1
            if postable and key not in dirty:
                try:
                    posted.window += obj.post(name, args[0].data if args else None)
                except BaseException as exc:  # the worker died
                    rt._command_failed(proc, key, fn, exc)
                    continue
                posted.to, posted.key = obj, key
                posted.fns.append(fn)
            else:
                rt._execute(ts, proc, client, item)
    finally:
        rt.calls += ran
        stack.pop()
        ts.current = ts.client


class _Posted:
    """The commands posted and not yet collected: to which stand-in, for
    which client, which ones, and how many bytes they took."""

    __slots__ = ("to", "key", "fns", "window")

    def __init__(self) -> None:
        self.to: RemoteObject | None = None
        self.key = 0
        self.fns: list[Callable[..., Any]] = []
        self.window = 0

    def collect(self, rt: Any, proc: Any) -> None:
        """Wait for the posted commands (none: nothing to do), and record
        what they did as the serve loop does for the commands it runs."""
        remote, key, fns = self.to, self.key, self.fns
        if remote is None:
            return
        self.to, self.fns, self.window = None, [], 0
        try:
            failed, returned = remote.flush()
        except BaseException as exc:  # the worker died; or a command of its could not be logged here
            rt._command_failed(proc, key, fns[-1], exc)
            failed, returned = None, []
        finally:
            if proc.implicit:  # opened by the callouts of the posted commands' bodies
                proc.close_implicit()
        for index in returned:
            rt.warn_result(fns[index])
        if failed is not None:
            rt._command_failed(proc, key, fns[failed[0]], failed[1])


def pickle_call(
    remote: RemoteObject, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any], list[Any] | None]:
    """The arguments of a call on a process processor, as they are logged
    (one Pickled, or none when the call has none), and its separate
    references (which the call reserves, SPEC §4)."""
    if not args and not kwargs:
        return args, kwargs, None
    refs = [r for r in map(_values.as_reference, (*args, *kwargs.values())) if r is not None]
    return (Pickled(remote, args, kwargs),), {}, refs or None


def forwarder(name: str, reserves: bool) -> Any:
    """The call function of a member of a process-placed class.

    *reserves*: the method reserves its separate arguments itself
    (``@scoop.requires``, ``@scoop.separate``), in the worker, so the stand-in
    must not hold them for it."""

    def call_in_worker(remote: RemoteObject, *args: Any, **kwargs: Any) -> Any:
        return remote.request((_wire.CALL, name, args[0].data if args else None))

    call_in_worker.__qualname__ = name
    # Logged as a plain command, it is posted instead (run_items).
    call_in_worker.__scoop_post__ = name  # type: ignore[attr-defined]
    if reserves:
        call_in_worker.__scoop_reserves__ = True  # type: ignore[attr-defined]
    return call_in_worker
