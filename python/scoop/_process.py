"""Process processors (SPEC §7, ``kind = "process"``): objects in worker processes.

An object placed on a process processor lives in a worker process of its own,
for true parallelism of CPU-bound Python. Locally it is represented by a
:class:`RemoteObject` on an ordinary processor, which orders and serialises
the calls exactly like any other: the turn protocol, dirty marks, futures
and reservations are unchanged. Only the call functions differ: they send the
call to the worker through a pipe and wait for its answer, so values cross by
pickling (which is also the copy SPEC §3 asks for; a separate reference
cannot be pickled and is refused).

An executor waiting on a worker's pipe releases the GIL and stays out of the
core, so the core's monitor adds executors: several workers compute at once.

Workers start with the ``forkserver`` method where available (``spawn``
elsewhere): a child forked from this process would inherit a Go runtime
that does not survive fork.

A worker is started by its creation command, so it may start at interpreter
exit, when SPEC §9 runs the commands logged last: see
:func:`_script_path_restored` for what that takes.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from typing import Any

from ._errors import ProcessorStopped, SeparateValueError


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
    preload = ["scoop._process"]
    if cls.__module__ not in ("__main__", "__mp_main__"):
        preload.append(cls.__module__)
    ctx.set_forkserver_preload(preload)
    return ctx


class RemoteError(Exception):
    """An exception raised in a worker that could not be sent back as it was."""


class RemoteObject:
    """The local stand-in of an object that lives in a worker process."""

    __slots__ = ("_scoop_processor", "__scoop_class__", "_conn", "_process", "_script", "_dead", "__weakref__")

    def __init__(self, cls: type, proc: Any) -> None:
        # Made by the creating client, while the program runs: the main
        # module still has its __file__ (see _script_path_restored).
        object.__setattr__(self, "_scoop_processor", proc)
        object.__setattr__(self, "__scoop_class__", cls)
        object.__setattr__(self, "_conn", None)
        object.__setattr__(self, "_process", None)
        object.__setattr__(self, "_script", getattr(sys.modules.get("__main__"), "__file__", None))
        #: Why the worker is gone, once it died: every later call says so.
        object.__setattr__(self, "_dead", None)

    def start(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Start the worker and create the object there (the creation command)."""
        ctx = _context(self.__scoop_class__)
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker_main, args=(child,), daemon=True, name="scoop-worker")
        _script_path_restored(self._script)
        process.start()
        child.close()
        object.__setattr__(self, "_conn", parent)
        object.__setattr__(self, "_process", process)
        try:
            # The worker's first word: it got as far as running scoop's code,
            # so it imported the program's main module (as __mp_main__).
            parent.recv()
        except (EOFError, OSError) as exc:
            raise self._died("start") from exc
        self.request(("create", self.__scoop_class__, args, kwargs))

    def request(self, message: tuple[Any, ...]) -> Any:
        if self._dead is not None:
            raise ProcessorStopped(self._dead)
        try:
            self._conn.send(message)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise SeparateValueError(
                f"a call to a {self.__scoop_class__.__qualname__} in a worker process must pickle "
                f"its arguments, and that failed: {exc}"
            ) from exc
        except OSError as exc:  # the pipe to a worker that died
            raise self._died(message[0]) from exc
        try:
            status, value, remote_tb = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise self._died(message[0]) from exc
        if status == "ok":
            return value
        if remote_tb and hasattr(value, "add_note"):  # Python 3.11+
            value.add_note(f"raised in a scoop worker process:\n{remote_tb}")
        raise value

    def _died(self, doing: str) -> Exception:
        """The error for a worker process that ended while it answered *doing*
        (``"start"``: before it could run any of scoop's code). From then on
        every call on the object raises :class:`scoop.ProcessorStopped`
        with the same words (SPEC §7)."""
        process = self._process
        process.join(1.0)
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
        return self.request(("get", name, (), {}))

    def close(self) -> None:
        conn, process = self._conn, self._process
        if conn is None:
            return
        try:
            conn.send(("stop", None, (), {}))
            conn.close()
        except OSError:
            pass
        process.join(timeout=5)
        if process.is_alive():  # pragma: no cover - a worker stuck in a call
            process.terminate()
        object.__setattr__(self, "_conn", None)


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is None:
        return "stopped answering"
    if exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"ended (exit code {exitcode})"


def _script_path_restored(script: str | None) -> None:
    """Give the main module back its ``__file__`` if the interpreter dropped it.

    ``python prog.py`` deletes ``__main__.__file__`` when the script's last
    line has run, before the at-exit handlers, and multiprocessing reads it
    to make a new worker import the program's main module (where the
    classes of ``__main__`` are). A command logged by the script's last
    lines may start its object's worker at exit (SPEC §9 runs it then):
    without the path, the worker could not find the class, and the command
    would be lost. The script is over by then, so nothing else reads it.
    """
    main = sys.modules.get("__main__")
    if script is None or main is None or getattr(main, "__file__", None) is not None:
        return
    if getattr(getattr(main, "__spec__", None), "name", None) is None and os.path.exists(script):
        main.__file__ = script


class Pickled:
    """A call's arguments, pickled by the client when it made the call.

    SPEC §3 imports values as they cross, at the call: pickling them then
    (rather than when the handler forwards the call) keeps later changes by
    the client out, and an argument that cannot cross raises in the caller,
    with nothing logged.
    """

    __slots__ = ("data",)

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            self.data = pickle.dumps((args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise SeparateValueError(
                f"the arguments of a call to an object in a worker process cross by pickling, "
                f"and that failed: {exc}"
            ) from exc

    def __reduce__(self) -> Any:
        return (_unpickled, (self.data,))


def _unpickled(data: bytes) -> tuple[Any, ...]:
    return pickle.loads(data)  # type: ignore[no-any-return]


def pickle_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of a call on a process processor, as they are logged:
    one Pickled, or none when the call has none (an attribute read)."""
    if not args and not kwargs:
        return args, kwargs
    return (Pickled(args, kwargs),), {}


def forwarder(name: str) -> Any:
    """The call function of a member of a process-placed class."""

    def call_in_worker(remote: RemoteObject, *args: Any, **kwargs: Any) -> Any:
        return remote.request(("call", name, args, kwargs))

    call_in_worker.__qualname__ = name
    return call_in_worker


def _worker_main(conn: Any) -> None:
    conn.send(("ready", None, ""))  # see RemoteObject.start
    obj = None
    while True:
        try:
            op, name, args, kwargs = conn.recv()
        except EOFError:  # the parent went away
            return
        except Exception as exc:  # e.g. a class the worker cannot import
            conn.send(("error", RemoteError(f"the worker process could not load the call: {exc}"), traceback.format_exc()))
            continue
        if op == "stop":
            return
        try:
            if args:
                ((args, kwargs),) = args  # the client's Pickled, unpickled on arrival
            if op == "create":
                cls = name
                obj = cls.__new__(cls) if cls.__new__ is not object.__new__ else object.__new__(cls)
                object.__setattr__(obj, "_scoop_processor", None)
                cls.__init__(obj, *args, **kwargs)
                result = None
            elif op == "get":
                result = getattr(obj, name)
            else:
                result = getattr(obj, name)(*args, **kwargs)
            reply = ("ok", result, "")
        except BaseException as exc:  # sent back to the caller
            reply = ("error", exc, traceback.format_exc())
        try:
            conn.send(reply)
        except Exception as exc:  # the result or the exception does not pickle
            # (Connection.send pickles the whole reply before it writes: nothing went out.)
            if reply[0] == "ok":
                error: Exception = SeparateValueError(
                    f"the result of {name} (a {type(reply[1]).__qualname__}) cannot cross back "
                    f"from the worker process: pickling it failed: {type(exc).__name__}: {exc}"
                )
            else:
                error = RemoteError(f"{type(exc).__name__}: {exc}")
            conn.send(("error", error, traceback.format_exc()))
