"""The runtime: executor threads, their fibers, and the serve loop that
runs a private queue's calls (the turn it follows is in :mod:`scoop._queue`).

One :class:`Runtime` exists at a time; ``scoop.shutdown()`` ends it and the
next separate object starts a fresh one. Executors are a few Python threads,
each the *hub* of its fibers: it asks the Go core for the next private queue
to serve or fiber to resume, and switches to a fiber (a greenlet) that runs
the calls. A call body that must wait (a query on a busy handler, a wait
condition) suspends its fiber and switches back to the hub, which goes on
with other processors: waiting holds no thread. The core blocks a hub (GIL
released) while there is nothing to do, and decides when the pool must grow:
only when call bodies block outside pyscoop (I/O, ``time.sleep``). The
client's side of a call is in :mod:`scoop._calls`. See docs/protocol.md.
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import sys
import threading
import time
import warnings
from time import perf_counter
import weakref
from collections import deque
from typing import Any, Callable

from greenlet import greenlet

from . import _channel, _hooks, _native, _process, _ray
from ._busy import call_name, describe_busy
from ._handle import Processor as ProcessorHandle
from ._errors import CommandFailed, CommandResultWarning, DeadlockError, ProcessorStopped
from ._dedicated import new_processor as new_dedicated_processor
from ._dedicated import run_items as run_items_on_thread
from ._processor import Client, ProbeClient, Processor
from ._protocol import (
    CLOSE,
    DEADLOCK,
    ERROR,
    IDLE,
    NOT_PARKED,
    PROTOCOL_VERSION,
    RESUME,
    SUSPENDED,
    WAIT_SLICE_US,
    Call,
    Item,
    Sync,
)
from ._queue import PrivateQueue
from ._threadstate import ThreadState
from ._values import import_value

logger = logging.getLogger("scoop")


def _check_interpreter() -> None:
    """Refuse an interpreter whose GIL is disabled (free-threaded CPython).

    The runtime's private queues are shared between threads without locks
    on the strength of the GIL (each deque operation atomic, the order of a
    client's append and its handler's state change: scoop._queue), and gopy
    does not build for free-threaded CPython yet. Without the GIL that is
    silent races, so the first runtime fails instead.
    """
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        raise RuntimeError(
            "pyscoop needs the GIL, and this interpreter runs without it (free-threaded "
            "CPython). Run it with the GIL enabled (PYTHON_GIL=1, or -X gil=1), or use a "
            "default build of CPython"
        )


def _check_extension() -> None:
    """Load the Go core (on the first runtime) and check it speaks our protocol."""
    codes = (
        _native.Version(),
        _native.CloseCode,
        _native.ErrorCode,
        _native.DeadlockCode,
        _native.NotParkedCode,
        _native.SuspendedCode,
        _native.IdleCode,
        _native.ResumeCode,
    )
    expected = (PROTOCOL_VERSION, CLOSE, ERROR, DEADLOCK, NOT_PARKED, SUSPENDED, IDLE, RESUME)
    if codes != expected:  # pragma: no cover - a stale build
        raise ImportError(
            f"scoop._native speaks protocol {codes}, this package needs "
            f"{expected}: reinstall pyscoop "
            f"(pip install --force-reinstall .)"
        )


def collecting(phase: str, info: dict[str, int]) -> None:
    """``gc.callbacks`` hook: tell the core while a full collection holds the
    GIL, so that executors waiting for it do not look stuck (core
    Collecting). Installed while a runtime runs."""
    if info["generation"] == 2 and not _native.forking:
        _native.Collecting(phase == "start")

#: How long a fiber runs before it lets waiting processors have a turn, if
#: it opens a private queue (Runtime.yield_fiber), in seconds.
FIBER_SLICE = 0.002

#: Log a warning this often while shutdown waits for busy processors.
SHUTDOWN_REPORT_EVERY = 10.0

#: How long an executor stays idle before it retires, down to one, in
#: seconds; None for the core's default (10 s). Read when a runtime starts.
EXECUTOR_IDLE_RETIRE: float | None = None


class Runtime:
    """The live state of pyscoop in this process (see the module docstring)."""

    def __init__(self, on_async_error: Any = "log") -> None:
        _check_interpreter()
        _check_extension()
        idle_ms = 0 if EXECUTOR_IDLE_RETIRE is None else max(1, round(EXECUTOR_IDLE_RETIRE * 1000))
        _native.Start(0, 0, idle_ms)
        if collecting not in gc.callbacks:
            gc.callbacks.append(collecting)
        self.stopped = False
        self.stop_reason = "this object's processor was stopped by scoop.shutdown()"
        self.on_async_error = on_async_error
        #: Open private queues by id: Go hands out ids, these are the queues.
        self.queues: dict[int, PrivateQueue] = {}
        #: thread id -> (client, thread name, function, processor) of the
        #: call that thread last waited for, to name deadlocks. Weakly: an
        #: entry outlives its wait, and must not keep processors alive.
        self.waiting: dict[int, tuple[weakref.ref[Client], str, Any, Callable[[], Processor | None]]] = {}
        #: The stand-ins of objects living in worker processes, to stop them.
        self.remotes: weakref.WeakSet[Any] = weakref.WeakSet()
        #: The threads of thread processors (scoop._dedicated), to stop them.
        self.dedicated: weakref.WeakSet[Any] = weakref.WeakSet()
        #: Processors named by placements ({"processor": "forks"}).
        self.named: dict[str, Processor] = {}
        #: The failed-command marks of every live processor, by id, to report
        #: the unobserved ones at shutdown (not the processors themselves:
        #: a weak reference each would be one more object for the GC).
        self.dirty_marks: dict[int, dict[int, tuple[BaseException, str]]] = {}
        #: Every executor's fibers, by thread id (to describe what is busy).
        self.fibers: dict[int, ThreadState] = {}
        #: Guards every processor's list of waiters (scoop._waiters).
        self.waiters_lock = threading.Lock()
        #: The client wait conditions run as when the handler evaluates them.
        self.probe_client = ProbeClient(0, self)
        self.local = threading.local()
        self.calls = 0
        self.waits = 0
        self.failures = 0
        self.threads: list[threading.Thread] = []
        self._warned: set[Any] = set()
        # Both are registered before their threads start, so the core counts
        # them at once: otherwise the first ready processor would find no
        # executor and ask for a second one.
        spawner = _native.NewThread()
        _native.BecomeSpawner(spawner)
        self._start_thread(functools.partial(self._spawner_main, spawner), "scoop-spawner")
        self._start_executor()

    def __repr__(self) -> str:
        return f"<scoop.Runtime {'stopped' if self.stopped else 'running'}>"

    # -- threads -----------------------------------------------------------

    def state(self) -> ThreadState:
        """This thread's state, made on first use."""
        try:
            return self.local.state  # type: ignore[no-any-return]
        except AttributeError:
            self.check_running()
            ts = self.local.state = ThreadState(self)
            return ts

    def check_running(self) -> None:
        if self.stopped:
            raise ProcessorStopped(self.stop_reason)

    def _start_thread(self, target: Callable[[], None], name: str) -> threading.Thread:
        t = threading.Thread(target=target, name=name, daemon=True)
        self.threads = [x for x in self.threads if x.is_alive()]
        self.threads.append(t)
        t.start()
        return t

    def _start_executor(self) -> None:
        ts = ThreadState(self)
        if _native.BecomeExecutor(ts.tid) != 0:
            self.raise_core_error()
        t = threading.Thread(target=self._executor_main, args=(ts,), name="scoop-executor", daemon=True)
        self.threads = [x for x in self.threads if x.is_alive()]
        self.threads.append(t)
        t.start()

    def _spawner_main(self, tid: int) -> None:
        try:
            self._spawn()
        finally:
            _native.DropThread(tid)  # the spawner has no ThreadState to do it

    def _spawn(self) -> None:
        while True:
            n = _native.WaitSpawn()
            if n < 0:
                return
            for _ in range(n):
                try:
                    self._start_executor()
                except RuntimeError:  # the interpreter is shutting down
                    logger.error("scoop: cannot start an executor thread", exc_info=True)
                    return

    def _executor_main(self, ts: ThreadState) -> None:
        try:
            self._hub(ts)
        finally:
            self._end_fibers(ts)

    def _end_fibers(self, hub: ThreadState) -> None:
        """Executor *hub* ends (it retired, or the runtime stopped): forget
        its fibers, which no other thread can resume, and end the idle ones
        here, the only thread that can switch to them.

        Python's GC does not see into a suspended greenlet's frames, so an
        idle fiber left suspended kept its ThreadState, and through it the
        runtime and every thread state of that runtime, alive for good: the
        core never heard that those threads ended (ThreadState.__del__). A
        fiber that holds a body suspended, which only shutdown(wait=False)
        leaves, is not ended: that would run the rest of the body, as a
        failure, after shutdown."""
        # (list() copies the dict in one step: other hubs add fibers meanwhile.)
        mine = [tid for tid, f in list(self.fibers.items()) if f.home is hub]
        for tid in mine:
            f = self.fibers.pop(tid)
            if f.fiber is not None and not f.fiber.dead and not f.stack and not f.outer:
                f.fiber.throw()  # GreenletExit, where it waits for the hub

    def _hub(self, ts: ThreadState) -> None:
        """An executor thread: the hub of its fibers (see the module docstring).

        The hub offers the core an idle fiber with each request (NextFor): a
        queue to serve is served in that fiber; a value at most RESUME names
        a suspended fiber to resume. A fiber switches back with True when it
        has nothing more to serve, or False when a body it runs waits.
        """
        self.local.state = ts
        hub = greenlet.getcurrent()
        fibers = self.fibers
        idle: list[ThreadState] = []
        offer = self._new_fiber(ts, hub, fibers)
        v = _native.NextFor(ts.tid, offer.tid)
        while v != 0:
            fiber = offer if v > 0 else fibers.get(RESUME - v)
            if fiber is None:  # pragma: no cover - a bug in pyscoop itself
                logger.critical("scoop: %s", _native.LastError())
                return
            assert fiber.fiber is not None
            self.local.state = fiber
            ts.slice_end = perf_counter() + FIBER_SLICE
            try:
                # A new queue to serve, or a suspended body to go on with.
                done = fiber.fiber.switch(v) if v > 0 else fiber.fiber.switch()
            except BaseException:  # pragma: no cover - a bug in pyscoop itself
                logger.critical("scoop: executor failed; its processor is stuck", exc_info=True)
                return
            finally:
                self.local.state = ts
            if done:
                idle.append(fiber)
            if fiber is offer:
                offer = idle.pop() if idle else self._new_fiber(ts, hub, fibers)
            v = _native.TryNextFor(ts.tid, offer.tid)  # keeps the GIL
            if v == IDLE:
                v = _native.NextFor(ts.tid, offer.tid)  # waits, without the GIL

    def _new_fiber(self, home: ThreadState, hub: greenlet, fibers: dict[int, ThreadState]) -> ThreadState:
        tid = _native.NewFiber(home.tid)
        if tid < 0:
            self.raise_core_error()
        fts = fibers[tid] = ThreadState(self, tid, hub, home)
        fts.fiber = greenlet(functools.partial(self._fiber_main, fts), parent=hub)
        return fts

    def yield_fiber(self, ts: ThreadState) -> None:
        """Let the processors waiting to run have a turn: fiber *ts* has run
        for its slice (its home's ``slice_end`` has passed). A fiber runs
        until it waits, and one that logs calls in a long loop would otherwise
        keep them from running until it ends (SPEC §2: a logged call runs
        promptly). Called where a fiber opens a private queue
        (Client.open_queue), a point where it holds nothing half done."""
        _native.Yield(ts.tid)
        assert ts.hub is not None
        ts.hub.switch(False)

    def _fiber_main(self, ts: ThreadState, q: int) -> None:
        """A fiber: serve the queues its hub hands it, until the runtime ends."""
        assert ts.hub is not None
        while True:
            while q > 0:
                q = self.serve(ts, q)
            if q == ERROR:  # pragma: no cover - a bug in pyscoop itself
                logger.critical("scoop: %s", _native.LastError())
            q = ts.hub.switch(True)

    def raise_core_error(self) -> None:
        self.check_running()
        raise RuntimeError(_native.LastError())

    def place(self, placement: Any) -> Processor:
        """The processor for a new object with this placement (None: default)."""
        if placement is None:
            return self.new_processor()
        if placement.kind in ("process", "ray"):  # an object in another process
            return self.new_processor(remote=placement)
        if placement.processor is None:
            return self._new_placed(placement.kind)
        proc = self.named.get(placement.processor)
        if proc is None:
            proc = self.named[placement.processor] = self._new_placed(placement.kind)
        return proc

    def _new_placed(self, kind: str) -> Processor:
        if kind == "thread":
            return new_dedicated_processor(self)
        return self.new_processor(kind == "passive")

    def new_processor(
        self, passive: bool = False, remote: Any = None, factory: type[Processor] = Processor
    ) -> Processor:
        self.check_running()
        pid = _native.NewProcessor()
        if pid < 0:
            self.raise_core_error()
        proc = factory(self, pid, passive, remote)
        self.dirty_marks[pid] = proc.dirty
        return proc

    def processor_gone(self, pid: int, dirty: dict[int, tuple[BaseException, str]]) -> None:
        """Processor *pid* was collected (Processor.__del__)."""
        # Its objects are unreachable and its queues are empty (each open
        # private queue keeps its processor alive).
        if self.stopped or _native.forking:
            return
        self.dirty_marks.pop(pid, None)
        self._report(dirty)
        _native.DropProcessor(pid)

    # -- the handler side ----------------------------------------------------

    def help(self, ts: ThreadState, q: int) -> None:
        """Serve the handler of queue *q* in this fiber, which waits for it
        (core Help), until the core sends the fiber back to its wait.

        The bodies this fiber was running are suspended meanwhile: calls on
        their processors from the calls served here go through queues, as
        from any other thread, instead of running at once. A call served
        here may wait, and help, in turn (the core bounds the depth).
        """
        stack, outer, current = ts.stack, ts.outer, ts.current
        ts.stack, ts.outer = [], [*stack, *outer]
        try:
            while q > 0:
                q = self.serve(ts, q, helping=True)
        finally:
            ts.stack, ts.outer, ts.current = stack, outer, current

    def serve(self, ts: ThreadState, q: int, helping: bool = False) -> int:
        """Serve private queue *q* until it parks, closes or ends.

        Returns the next queue this executor must serve (0: exit; for a
        thread *helping*, 0: back to its wait). Every change of the queue's
        state is the queue's own (scoop._queue): this loop runs its calls.
        """
        pq = self.queues[q]
        proc = pq.proc
        tid = ts.tid
        while True:
            if pq.take():
                if type(proc) is not Processor:  # a thread processor's: on its own thread
                    notify = self._run_items_on_thread(ts, proc, pq.items)
                elif proc.remote:  # commands to workers are posted, not run here
                    notify = _process.run_items(self, ts, proc, pq.items)
                else:
                    notify = self._run_items(ts, proc, pq.items)
                nxt = pq.end(tid) if notify < 0 else pq.park(tid, notify, helping)
            else:
                nxt = pq.defer(tid)
            if nxt != q:
                return nxt

    def _run_items_on_thread(self, ts: ThreadState, proc: Processor, items: deque[Item]) -> int:
        """:meth:`_run_items` for a thread processor, whose calls all run on
        its own thread (scoop._dedicated): handed over as one batch, not one
        hand-off per call."""
        return run_items_on_thread(ts, proc, items)

    def _run_items(self, ts: ThreadState, proc: Processor, items: deque[Item]) -> int:
        """Run *items* as *proc* until the deque is empty.

        Returns -1 when it reached the END of the reservation, else the
        thread waiting at the SYNC that was the last item (0 if none).
        """
        stack = ts.stack
        stack.append(proc)
        ts.current = client = proc
        dirty = proc.dirty
        notify = 0
        ran = 0
        popleft = items.popleft
        try:
            while True:
                try:
                    item = popleft()
                except IndexError:
                    # Drained. (Not ``while items``: a client that continues
                    # its reservation takes its END back from the other end
                    # of the deque, maybe just after such a test: see
                    # PrivateQueue.reopen. And try costs nothing until it
                    # catches, where ``while items`` tests every item.)
                    return notify
                if type(item) is Call:
                    notify = 0
                    ran += 1
                    key, fn, obj, args, kwargs, future, refs = item
                    if future is None and refs is None and not dirty:
                        # The common case, kept free of calls: a command.
                        try:
                            # (Without kwargs, no dict is built for the call;
                            # without args, no tuple.)
                            result = fn(obj, *args, **kwargs) if kwargs else fn(obj, *args) if args else fn(obj)
                        except BaseException as exc:
                            self._command_failed(proc, key, fn, exc)
                            continue
                        finally:
                            if client.implicit:
                                client.close_implicit()
                        if result is not None:
                            self.warn_result(fn)
                    else:
                        self._execute(ts, proc, client, item)
                elif type(item) is Sync:
                    notify = item.tid
                else:  # End: the client logs nothing after it
                    return -1
        finally:
            self.calls += ran
            stack.pop()
            ts.current = ts.client

    def _execute(self, ts: ThreadState, proc: Processor, client: Client, item: Call) -> None:
        """Run a call that is not a plain command: a future, a call with
        separate arguments, or a call from a client whose command failed."""
        key, fn, obj, args, kwargs, future, refs = item
        dirty = proc.dirty
        if key in dirty:
            # SPEC §8: a failed command makes the handler skip this client's
            # later calls until it observes the failure.
            if future is not None:
                exc, what = dirty.pop(key)
                future.set_exception(failed_error(exc, what, proc))
            return
        if future is not None and not future.set_running_or_notify_cancel():
            return
        try:
            result = self.run_body(ts, client, fn, obj, args, kwargs, refs)
            if future is not None:
                future.set_result(result if proc.remote else import_value(result))
            elif result is not None:
                self.warn_result(fn)
        except BaseException as exc:
            if future is not None:
                future.set_exception(exc)
            else:
                self._command_failed(proc, key, fn, exc)

    def run_body(
        self,
        ts: ThreadState,
        client: Client,
        fn: Callable[..., Any],
        obj: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        refs: list[Any] | None,
    ) -> Any:
        """Run one call body as *client*'s processor, on this thread.

        The body's separate arguments are reserved for its whole length
        (SPEC §4), and the reservations it made outside any block end with it.
        """
        if refs and not getattr(fn, "__scoop_reserves__", False):
            held = client.reserve([r._scoop_proc for r in refs], ts)
        else:
            held = None  # no separate argument, or @requires reserves them itself
        try:
            # (No dict or tuple built for a call without arguments: see _run_items.)
            return fn(obj, *args, **kwargs) if kwargs else fn(obj, *args) if args else fn(obj)
        finally:
            if held:
                client.release(held)
            if client.implicit:
                client.close_implicit()

    def warn_result(self, fn: Callable[..., Any]) -> None:
        if fn in self._warned:
            return
        self._warned.add(fn)
        name = getattr(fn, "__qualname__", repr(fn))
        # Attributed to the method's own definition: the call that returned
        # ran on a handler, far from any line of the user's that a stack
        # level could name.
        code = getattr(inspect.unwrap(fn), "__code__", None)
        warnings.warn_explicit(
            f"{name} is a command (no return annotation), so the value it returned was "
            f"dropped; annotate its return type or decorate it with @scoop.query to make "
            f"it a query",
            CommandResultWarning,
            code.co_filename if code is not None else "<unknown>",
            code.co_firstlineno if code is not None else 0,
            module=getattr(fn, "__module__", None) or "scoop",
        )

    # -- failures ------------------------------------------------------------

    def _command_failed(self, proc: Processor, key: int, fn: Callable[..., Any], exc: BaseException) -> None:
        self.failures += 1
        if proc.remote and isinstance(exc, ProcessorStopped):
            # Its worker died: every later call raises ProcessorStopped too
            # (SPEC §7), which is how the client learns of it.
            return
        what = getattr(fn, "__qualname__", repr(fn))
        proc.dirty[key] = (exc, what)
        handler = self.on_async_error
        if callable(handler):
            try:
                handler(exc, ProcessorHandle(proc))
            except Exception:
                logger.exception("scoop: the on_async_error handler failed")

    def report_unobserved(self, key: int | None = None) -> None:
        """Log the failed commands that no client observed (SPEC §8)."""
        for dirty in list(self.dirty_marks.values()):
            if key is None:
                self._report(dirty)
            elif key in dirty:
                self._report({key: dirty.pop(key)})

    def _report(self, dirty: dict[int, tuple[BaseException, str]]) -> None:
        mode = self.on_async_error
        if mode not in ("log", "raise"):
            return  # a callable saw each failure as it happened
        while dirty:
            _, (exc, what) = dirty.popitem()
            if mode == "raise":
                # Raised in the main thread by shutdown(), or at exit: never
                # injected into whatever it is doing (it could land inside
                # pyscoop's own code, between two steps of a change).
                UnobservedCommandError.pending.append((exc, what))
            else:
                _hooks.report_unobserved(exc, what)  # the pytest plugin fails the test
                logger.error(
                    "scoop: command %s failed and no client observed it",
                    what,
                    exc_info=(type(exc), exc, exc.__traceback__),
                )

    # -- deadlocks ------------------------------------------------------------

    def waiting_for(self, ts: ThreadState, fn: Any, proc: Processor | None) -> None:
        """Record what this thread is about to wait for, to name deadlocks."""
        proc_ref = _dead if proc is None else weakref.ref(proc)
        self.waiting[ts.tid] = (weakref.ref(ts.current), threading.current_thread().name, fn, proc_ref)

    def deadlock_error(self, ts: ThreadState) -> DeadlockError:
        links = []
        for tid in _native.DeadlockCycle(ts.tid).split(","):
            client_ref, thread_name, fn, proc_ref = self.waiting.get(int(tid), (_dead, "?", None, _dead))
            client, proc = client_ref(), proc_ref()
            name = repr(client) if isinstance(client, Processor) else f"thread {thread_name!r}"
            links.append((name, call_name(fn, proc), proc))
        steps = [
            f"{name} waits for {call} on {proc!r}, held by {links[(i + 1) % len(links)][0]}"
            for i, (name, call, proc) in enumerate(links)
        ]
        return DeadlockError(
            "deadlock: " + "; ".join(steps) + ". A cycle of synchronous calls never ends: "
            "this client gives up its call."
        )

    # -- shutdown ------------------------------------------------------------

    def shutdown(self, wait: bool) -> None:
        """Stop the runtime; with *wait*, run every logged call first."""
        if self.stopped:
            return
        ts = self.state()
        if ts.stack:
            raise RuntimeError("scoop.shutdown() cannot be called from a separate object's method")
        if wait:
            ts.client.close_implicit()
            started = time.monotonic()
            while not self.wait_quiet(SHUTDOWN_REPORT_EVERY, ts):
                logger.warning(
                    "scoop.shutdown: still waiting after %.0f s for %d busy processors "
                    "(a call body that never returns, or a wait that nothing will end):\n%s\n"
                    "the scheduler's state:\n%s",
                    time.monotonic() - started,
                    _core_stats()["busy"],
                    describe_busy(self),
                    _native.Describe(),
                )
        self.report_unobserved()
        self.stopped = True
        uninstall_gc_hook()
        for remote in list(self.remotes):
            remote.close()
        for thread in list(self.dedicated):
            thread.close()
        _channel.close_listener()
        _ray.stop()  # if pyscoop started Ray
        _native.Stop()
        me = threading.current_thread()
        for t in self.threads:
            if t is not me:
                t.join(timeout=1.0)

    def wait_quiet(self, timeout: float, ts: ThreadState | None = None) -> bool:
        """Wait until every logged call has run, at most *timeout* seconds,
        in slices (Ctrl-C); whether they all have."""
        ts = ts or self.state()
        deadline = time.monotonic() + timeout
        while not _native.WaitQuiet(ts.tid, min(WAIT_SLICE_US, max(1, int(timeout * 1e6)))):
            if time.monotonic() >= deadline:
                return False
        return True

    def describe_wait(self, tid: int) -> str:
        """What thread or fiber *tid* waits for, in words."""
        entry = self.waiting.get(tid)
        if entry is None:
            return "waiting"
        _, _, fn, proc_ref = entry
        proc = proc_ref()
        return f"waiting for {call_name(fn, proc)}" + ("" if proc is None else f" on {proc!r}")

    def stats(self) -> dict[str, int]:
        core = _core_stats()
        return {
            "processors": core["processors"],
            "busy": core["busy"],
            "ready": core["ready"],
            "queues": core["queues"],
            "executors": core["executors"],
            "executors_running": core["running"],
            "stalls": core["stalls"],
            "waiting": core["waiting"],
            "calls": self.calls,
            "waits": self.waits,
            "failures": self.failures,
        }

def uninstall_gc_hook() -> None:
    if collecting in gc.callbacks:
        gc.callbacks.remove(collecting)


def _dead() -> None:
    """Stands for a weak reference whose object is gone."""
    return None


def _core_stats() -> dict[str, int]:
    """One snapshot of the core's figures (pybind.Stats)."""
    return {name: int(value) for name, _, value in (p.partition("=") for p in _native.Stats().split(","))}


def failed_error(exc: BaseException, what: str, proc: Processor) -> CommandFailed:
    failed = CommandFailed(
        f"an earlier command of this client, {what}, failed on {proc!r} with "
        f"{type(exc).__name__}: {exc}; its later calls there were skipped"
    )
    failed.__cause__ = exc
    return failed


class UnobservedCommandError(CommandFailed):
    """Raised under ``configure(on_async_error="raise")`` by ``scoop.shutdown()``
    (and so at interpreter exit) for a failed command that no client observed.

    It takes its message and cause from the first failure still pending.
    """

    pending: list[tuple[BaseException, str]] = []

    @classmethod
    def undelivered(cls) -> list[UnobservedCommandError]:
        """Every failure still pending, as errors."""
        errors = []
        while cls.pending:
            errors.append(cls())
        return errors

    def __init__(self) -> None:
        if self.pending:
            exc, what = self.pending.pop(0)
            super().__init__(f"command {what} failed and no client observed it: {type(exc).__name__}: {exc}")
            self.__cause__ = exc
        else:  # pragma: no cover
            super().__init__("a command failed and no client observed it")
