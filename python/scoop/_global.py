"""The one runtime of the process: made on first use, ended by shutdown()."""

from __future__ import annotations

import atexit
import os
import sys
import threading
import traceback
from typing import Any, Mapping

from . import _native, _placement, _trace

from ._runtime import Runtime, UnobservedCommandError, uninstall_gc_hook

_lock = threading.Lock()
_current: Runtime | None = None
_settings: dict[str, Any] = {"on_async_error": "log"}

_ASYNC_ERROR_MODES = ("log", "raise")
_placements = _placement.Placements()
#: Arguments for ray.init: the file's [tool.scoop.ray] under configure(ray=...).
_ray_configured: dict[str, Any] = {}


# What a child made by os.fork() from a process running the Go core gets
# (scoop._native.forking stays set there) instead of a runtime: that core
# did not survive the fork, and a call into it could hang forever.
FORK_ERROR = (
    "pyscoop cannot run in a process made by os.fork() from one that had imported it: "
    "the Go runtime does not survive fork. Start worker processes with the 'spawn' or "
    "'forkserver' method (multiprocessing.get_context('spawn'))"
)


def _after_fork_in_child() -> None:
    global _current
    if not _native.loaded:
        return  # the Go runtime was never started here: the child is clean
    uninstall_gc_hook()  # it calls into Go
    if _current is not None:
        _current.stopped = True
        _current.stop_reason = FORK_ERROR
        _current = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def runtime() -> Runtime:
    """The running runtime, started if there is none."""
    global _current
    if _native.forking:
        raise RuntimeError(FORK_ERROR)
    rt = _current
    if rt is not None:
        return rt
    with _lock:
        if _current is None:
            # SPEC §7: the placement file is read, and checked, at start-up.
            # Nothing here imports user code, so this cannot come back here.
            _placements.load_file()
            _current = Runtime(**_settings)
            _trace.start_from_environment()  # SCOOP_TRACE (SPEC §10)
        return _current


def shutdown(wait: bool = True) -> None:
    """Stop pyscoop; with *wait* (the default), run every logged call first.

    References to existing objects then raise :class:`scoop.ProcessorStopped`;
    creating a new separate object starts a fresh runtime (test suites call
    this between tests). At interpreter exit it runs by itself, so no logged
    command is ever dropped. Under ``configure(on_async_error="raise")`` it
    raises :class:`scoop.CommandFailed` for a failed command that no client
    observed, once the runtime has stopped.
    """
    global _current
    with _lock:
        rt = _current
    if rt is not None:
        rt.shutdown(wait)  # may be interrupted (Ctrl-C): then it stays current
        with _lock:
            if _current is rt:
                _current = None
        if rt.on_async_error == "raise" and UnobservedCommandError.pending:
            raise UnobservedCommandError()


def configure(
    *,
    on_async_error: Any = None,
    placement: Mapping[str, Any] | None = None,
    ray: Mapping[str, Any] | None = None,
) -> None:
    """Set runtime options; they apply to objects created afterwards.

    ``on_async_error``: what happens when a command raises, since its
    caller has moved on. ``"log"`` (the default): the failure is reported
    through the ``scoop`` logger if no client observes it (a client
    observes it as :class:`scoop.CommandFailed` at its next query).
    ``"raise"``: a failure that no client observed is raised, as
    ``scoop.CommandFailed`` with the original exception as its cause, by
    ``scoop.shutdown()``, and so at interpreter exit, where it ends the
    program as an unhandled exception would (traceback, exit status 1). It
    is never injected into whatever the main thread is doing. A callable
    ``(exception, processor)``: called on the handler for every command that
    fails, as it fails.

    ``placement``: a table from class names (``module.QualifiedName``; a
    script's classes are ``__main__.Name``) to placements, the same as the
    placement file's ``[tool.scoop.placement]``, merged into the earlier
    ones; its entries win over the file's: ``{"kind": "passive"}`` (no
    thread: callers run every call themselves, synchronously),
    ``{"kind": "process"}`` (each object in a worker process; calls and
    values cross by pickling), ``{"kind": "thread"}`` (each object on a
    dedicated OS thread that runs all its calls and nothing else: for
    thread-affine libraries such as ``sqlite3``), ``{"kind": "ray"}`` (each
    object in a Ray actor, anywhere on a Ray cluster, with optional
    ``num_cpus``, ``num_gpus`` and ``resources`` for the actor) or
    ``{"processor": "name"}`` (every object of the class on one named
    processor; with a kind, one such processor of that kind). An unknown kind or key is an error
    here, naming the class and the key. See :mod:`scoop._placement`.

    ``ray``: arguments for ``ray.init``, as ``[tool.scoop.ray]``, merged over
    the file's (e.g. ``{"address": "auto"}``), used when the first Ray-placed
    object is made and Ray is not initialised yet: pyscoop then initialises
    it, and shuts it down with its runtime (see docs/ray.md).

    >>> import scoop
    >>> scoop.configure(placement={"__main__.Counter": {"kind": "passive"}})
    """
    if on_async_error is not None:
        if not callable(on_async_error) and on_async_error not in _ASYNC_ERROR_MODES:
            raise ValueError(
                f"scoop.configure(on_async_error={on_async_error!r}): expected "
                f"'log', 'raise' or a callable (exception, processor)"
            )
    ray_args = _placement.parse_ray(ray, "scoop.configure(ray=...)") if ray is not None else None
    if placement is not None:
        _placements.configure(placement)  # checked whole before it changes anything
    if on_async_error is not None:
        _settings["on_async_error"] = on_async_error
        if _current is not None:
            _current.on_async_error = on_async_error
    if ray_args is not None:
        _ray_configured.update(ray_args)


def placement_of(cls: type) -> _placement.Placement | None:
    """The placement of a new object of *cls*, if any."""
    return _placements.lookup(cls)


def ray_settings() -> dict[str, Any]:
    """The arguments for ``ray.init``: the file's, under ``configure(ray=...)``'s."""
    from_file = _placements.file.ray if _placements.file is not None else {}
    return {**from_file, **_ray_configured}


def stats() -> dict[str, int]:
    """A snapshot of the runtime, as a dict of counts:

    - ``processors``: processors alive; ``busy``: of which with work under
      way or pending; ``ready``: waiting for an executor; ``queues``: private
      queues open (reservations);
    - ``executors``: executor threads; ``executors_running``: of which
      running call bodies; ``stalls``: executors added because every running
      one was stuck in a body (blocking I/O, a long computation);
    - ``waiting``: clients (threads, or call bodies suspended in fibers)
      waiting for a handler right now;
    - ``calls``: calls executed; ``waits``: times a client had to wait for a
      handler; ``failures``: commands that raised.

    >>> import scoop
    >>> sorted(scoop.stats())[:3]
    ['busy', 'calls', 'executors']
    """
    return runtime().stats()


def _at_exit() -> None:
    """Run every logged call before the process ends (SPEC §9).

    Under ``on_async_error="raise"``, a command that failed with no client
    to observe it ends the program as an unhandled exception would: its
    traceback on stderr and exit status 1, once the other calls have run.
    """
    fatal: list[BaseException] = []
    while True:
        try:
            shutdown(wait=True)
            break
        except UnobservedCommandError as exc:  # a command that failed unobserved
            fatal.append(exc)
    fatal.extend(UnobservedCommandError.undelivered())
    _trace.stop_at_exit()  # after the drain above: its calls are in the trace
    if fatal:
        for error in fatal:
            traceback.print_exception(error)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


# multiprocessing's own at-exit handler terminates daemonic child processes,
# and scoop's workers are daemonic (a worker must never outlive its parent).
# Handlers run last-registered first, and multiprocessing.util registers its
# handler when it is first imported: importing it before registering ours
# makes ours run first, so the commands logged last reach live workers.
import multiprocessing.util  # noqa: E402,F401

atexit.register(_at_exit)
