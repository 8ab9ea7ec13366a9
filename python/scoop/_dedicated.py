"""Thread processors (SPEC §7, ``kind = "thread"``): one dedicated OS thread per processor.

Some libraries refuse to be used from more than one thread: a ``sqlite3``
connection raises ``ProgrammingError`` on any thread but the one that made
it, and GUI toolkits want every call on their own thread. A default
processor runs its calls wherever is cheapest (an executor's fiber; the
client's own thread, for a query; a waiting fiber that helps), so such an
object needs a processor whose every call runs on one thread, and whose
thread runs nothing else.

A thread processor is an ordinary processor (a :class:`DedicatedProcessor`)
with a :class:`DedicatedThread` beside it. The core orders its calls like any
other's: private queues, reservations, dirty marks, futures, client-side
query execution and helping are all unchanged. What differs is the call
functions of its objects' separate references (built in scoop._proxy with
:func:`on_thread` and :func:`reader`): wherever the runtime would run a body,
the function hands the call to the dedicated thread and waits for the answer.
This is the stand-in pattern of the ``process`` kind (scoop._process), with a
thread instead of a pipe. One shortcut: the serve loop hands the whole batch
of calls it finds in a queue over at once (:func:`run_items`), so that a
client logging commands in a loop pays one hand-off per batch, not per call.

Waiting for the answer holds no executor. The hand-off keeps the protocol of
the waiter's kind of thread:

- a fiber suspends (``Suspend``, then a switch to its hub) and the dedicated
  thread posts it (``Signal``): its hub goes on with other processors;
- a plain thread waits on its semaphore in the core, in slices, so that
  Ctrl-C and a stopped runtime are seen;
- a dedicated thread waits on its own inbox, and runs the calls it receives
  meanwhile: a separate callback (SPEC §6) from the call it waits for reaches
  it there, and runs at once.

The dedicated thread runs each call as the thread that handed it over would
have: with the same ``current`` client (the processor, so that the calls the
body makes are logged by it, with the reservations it holds or was lent) and
the same ``stack`` (so that a call back on a processor that is waiting for
this one runs at once). Its waits in the core also block on behalf of
everything the handing thread blocks (:meth:`DedicatedState.blocking_ids`),
so a deadlock through a thread processor is a cycle the core can see and
report, as if the body ran on the client's thread.

The thread starts with the processor's first call (its object's
``__init__``, usually) and ends when the processor is collected (its objects
unreachable, its queues empty: everything logged has run) or at shutdown.
"""

from __future__ import annotations

import functools
import operator
import queue
import threading
from collections import deque
from threading import get_ident
from typing import TYPE_CHECKING, Any, Callable

from . import _native
from ._errors import ProcessorStopped
from ._processor import Client, Processor
from ._protocol import WAIT_SLICE_US, Item
from ._threadstate import ThreadState

if TYPE_CHECKING:
    from ._runtime import Runtime

#: What a dedicated thread's inbox carries besides calls.
STOP = "stop"  # end the thread (its processor was collected, or shutdown)
WAKE = "wake"  # the call this thread waits for was answered


class Job:
    """One call handed to a dedicated thread, and its answer.

    Made by the handing thread, which waits until ``done``; the dedicated
    thread fills ``result`` or ``error`` and then sets ``done``, so the
    waiter never reads a half-made answer.
    """

    __slots__ = ("fn", "obj", "args", "kwargs", "current", "stack", "blocking", "tid", "inbox",
                 "result", "error", "done")

    def __init__(self, fn: Callable[..., Any], obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 ts: ThreadState) -> None:
        self.fn = fn
        self.obj = obj
        self.args = args
        self.kwargs = kwargs
        #: The body runs as the handing thread would: its client, a copy of
        #: its stack (the handing thread pops its own when it is done), and
        #: the clients its wait stands for.
        self.current: Client | None = ts.current
        self.stack = list(ts.stack)
        self.blocking = ts.blocking_ids()
        #: Whom to wake: the thread (or fiber) by its semaphore, or a
        #: dedicated thread through its inbox.
        self.tid = ts.tid
        self.inbox = ts.inbox if isinstance(ts, DedicatedState) else None
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False

    def run(self, ts: DedicatedState) -> None:
        """Run the call on the dedicated thread *ts*, then wake its waiter."""
        saved = ts.current, ts.stack, ts.forwarded
        assert self.current is not None  # answer() clears it, after the run
        ts.current, ts.stack, ts.forwarded = self.current, self.stack, self.blocking
        try:
            self.result = self.fn(self.obj, *self.args, **self.kwargs)
        except BaseException as exc:  # the waiter raises it, with this traceback
            self.error = exc
        finally:
            ts.current, ts.stack, ts.forwarded = saved
        self.done = True
        if self.inbox is not None:
            self.inbox.put(WAKE)
        else:
            _native.Signal(self.tid)

    def answer(self) -> Any:
        """The call's result, or its exception raised; drops the call's references."""
        error, result = self.error, self.result
        # The exception's traceback holds Job.run's frame, which holds this
        # job: keeping the object here too would wait for the cyclic GC.
        self.obj = self.current = self.error = self.result = None
        self.args, self.kwargs, self.stack = (), {}, []
        if error is not None:
            try:
                raise error
            finally:
                del error
        return result


class DedicatedState(ThreadState):
    """The ThreadState of a dedicated thread.

    While it runs a job, ``current`` and ``stack`` are the handing thread's
    and ``forwarded`` the clients that thread blocks; between jobs they are
    the thread's own (nothing), so that an idle thread keeps no processor
    alive.
    """

    __slots__ = ("inbox", "forwarded", "stopping")

    def __init__(self, runtime: Runtime, inbox: queue.SimpleQueue[Any]) -> None:
        super().__init__(runtime)
        self.inbox = inbox
        self.forwarded = ""
        self.stopping = False

    def blocking_ids(self) -> str:
        """Its own, and those of the thread whose call it runs: that thread
        waits for this one, so whatever this one waits for, it waits for
        too (deadlock detection, core/deadlock.go)."""
        own = super().blocking_ids()
        return f"{own},{self.forwarded}" if self.forwarded else own

    def wait_for(self, job: Job) -> None:
        """Wait for *job*'s answer, running the calls handed to this thread
        meanwhile (callbacks of the call it waits for, SPEC §6)."""
        inbox = self.inbox
        while not job.done:
            item = inbox.get()
            if item is WAKE:
                continue
            if item is STOP:
                self.stopping = True  # ends the thread once the outer job is done
                self.runtime.check_running()
                continue
            item.run(self)
            del item


class DedicatedThread:
    """The thread of one :class:`DedicatedProcessor`, and its inbox.

    Holds no reference to its processor: the processor's collection is
    what ends the thread (:meth:`close`).
    """

    __slots__ = ("runtime", "inbox", "ident", "started", "closed", "lock", "__weakref__")

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        #: The thread's identifier, once started (0 before).
        self.ident = 0
        self.started = False
        self.closed = False
        self.lock = threading.Lock()

    def start(self, label: str) -> None:
        """Start the thread, named after its first object's class.

        Under ``lock``, as :meth:`close`: a thread started after its close
        (a call racing with shutdown) would never be told to stop.
        """
        with self.lock:
            if self.started:
                return
            self.runtime.check_running()
            if self.closed:
                raise ProcessorStopped(self.runtime.stop_reason)
            thread = self.runtime._start_thread(functools.partial(_thread_main, self.runtime, self.inbox),
                                               f"scoop-thread {label}")
            assert thread.ident is not None  # set once start() has returned
            self.ident = thread.ident
            self.started = True

    def call(self, proc: Processor, fn: Callable[..., Any], obj: Any, args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Any:
        """Run ``fn(obj, *args, **kwargs)`` on the thread of *proc* (this
        one's) and return its result (or raise its exception), waiting
        without holding an executor (see the module docstring)."""
        rt = self.runtime
        if self.closed:
            rt.check_running()
            raise ProcessorStopped(rt.stop_reason)
        if not self.started:
            self.start(proc.label or type(obj).__qualname__)
        ts = rt.state()
        job = Job(fn, obj, args, kwargs, ts)
        rt.waiting_for(ts, fn, proc)  # names the wait in busy reports
        self.inbox.put(job)
        if isinstance(ts, DedicatedState):
            ts.wait_for(job)
        elif ts.hub is not None:
            # A fiber: the hub goes on with other processors until posted.
            while not job.done:
                suspended = _native.Suspend(ts.tid, -1)
                if suspended == 0:
                    ts.hub.switch(False)
                elif suspended < 0:
                    rt.raise_core_error()
        else:
            while not job.done:
                # In slices: Python's signal handlers run between them.
                _native.Wait(ts.tid, WAIT_SLICE_US)
                if rt.stopped and not job.done:
                    rt.check_running()
        return job.answer()

    def close(self) -> None:
        """End the thread after the calls handed to it (thread-safe; from
        its processor's collection, or at shutdown)."""
        with self.lock:
            self.closed = True
            started = self.started
        if started:
            self.inbox.put(STOP)


def _thread_main(runtime: Runtime, inbox: queue.SimpleQueue[Any]) -> None:
    """A dedicated thread: run the calls handed to it until told to stop.

    Waits on its inbox without a timeout: an idle thread costs no CPU.
    """
    ts = DedicatedState(runtime, inbox)
    runtime.local.state = ts
    while not ts.stopping:
        item = inbox.get()
        if item is STOP:
            break
        if item is not WAKE:  # a wake-up left over from a call given up
            item.run(ts)
        del item  # an idle thread keeps no object alive


class DedicatedProcessor(Processor):
    """A processor whose objects' calls all run on its :class:`DedicatedThread`."""

    __slots__ = ("thread",)

    def __init__(self, runtime: Runtime, pid: int, passive: bool = False, remote: Any = None) -> None:
        super().__init__(runtime, pid, passive, remote)
        self.thread = DedicatedThread(runtime)
        runtime.dedicated.add(self.thread)

    def __repr__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        return f"<scoop.Processor {self.id}{label} thread>"

    def __del__(self) -> None:
        # Its objects are unreachable and its queues empty: every call
        # logged on it has run, so its thread can end.
        if _native.forking:  # a fork child's copy: that thread is not here
            return
        try:
            self.thread.close()
        except Exception:  # pragma: no cover - interpreter teardown
            pass
        super().__del__()


# -- the call functions of a thread processor's references (scoop._proxy) -------

_on_thread: dict[Any, Callable[..., Any]] = {}
_readers: dict[tuple[type, str], Callable[..., Any]] = {}


def on_thread(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The call function that runs ``fn(obj, ...)`` on *obj*'s dedicated
    thread, made once per *fn* (a method, an initialiser)."""
    try:
        return _on_thread[fn]
    except KeyError:
        forwarding = _on_thread[fn] = _forwarding(fn)
        return forwarding


def reader(cls: type, name: str) -> Callable[..., Any]:
    """The call function that reads attribute *name* of an object of *cls*
    on its thread, made once per class and name."""
    key = (cls, name)
    try:
        return _readers[key]
    except KeyError:
        pass
    read = _forwarding(operator.attrgetter(name))
    read.__qualname__ = f"{cls.__qualname__}.{name}"  # how waits and errors name it
    _readers[key] = read
    return read


def _forwarding(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, run on its object's dedicated thread. On that thread itself
    (a call from a body it runs, on another object of the same processor)
    it calls *fn* directly."""

    @functools.wraps(fn)  # its name, and __scoop_reserves__ (run_body reads it)
    def on_its_thread(obj: Any, *args: Any, **kwargs: Any) -> Any:
        proc: DedicatedProcessor = obj._scoop_processor
        thread = proc.thread
        if get_ident() == thread.ident:
            return fn(obj, *args, **kwargs)
        return thread.call(proc, fn, obj, args, kwargs)

    return on_its_thread


def run_items(ts: ThreadState, proc: Processor, items: deque[Item]) -> int:
    """Run the calls an executor (or a fiber that helps) found in a private
    queue of thread processor *proc*, on *proc*'s thread: the serve loop's
    Runtime._run_items, handed over as one job. A client that logs commands
    in a loop thus costs one hand-off per batch that the handler finds, not
    one per command; each call's own forwarder, run there, calls it at once.
    """
    assert isinstance(proc, DedicatedProcessor)
    return proc.thread.call(proc, _run_items_here, proc, (items,), {})  # type: ignore[no-any-return]


def _run_items_here(proc: DedicatedProcessor, items: deque[Item]) -> int:
    rt = proc.runtime
    return rt._run_items(rt.state(), proc, items)


_run_items_here.__qualname__ = "the calls logged"  # how busy reports name the wait


def new_processor(runtime: Runtime) -> DedicatedProcessor:
    """A new thread processor (its thread starts with its first call)."""
    proc = runtime.new_processor(factory=DedicatedProcessor)
    assert isinstance(proc, DedicatedProcessor)
    return proc
