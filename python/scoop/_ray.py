"""Ray processors (SPEC §7, ``kind = "ray"``): objects in Ray actors, anywhere on a cluster.

The ``process`` kind with another start and another transport. Locally a
:class:`RayObject` (a :class:`scoop._process.RemoteObject`) stands for the
object, on an ordinary processor; the object lives in a Ray actor
(:class:`Host`), which Ray places on any node of the cluster that has the
resources the placement asks for (``num_cpus``, ``num_gpus``,
``resources``). The actor connects back to this process over TCP
(scoop._channel) and runs the worker's loop (scoop._worker): the messages,
the callouts, the posting of commands are those of the process kind, so
every rule of SPEC §2–§6 holds the same way, with this process the one
coordinator. Ray only starts, places and watches the actor: a call through
Ray costs a millisecond, a round trip on the actor's own connection a
tenth of that (docs/ray.md).

Values cross by pickling, with cloudpickle (Ray's): a Ray worker does not
import the program's main script, so the classes and functions of
``__main__`` cross by value (see :class:`CloudPickler`).

``import scoop`` never imports Ray: this module imports it when the first
Ray-placed object is made. If Ray is not initialised then, pyscoop
initialises it with the configured arguments (``[tool.scoop.ray]``,
``scoop.configure(ray=...)``), and shuts it down with its runtime.
"""

from __future__ import annotations

import atexit
import functools
import os
import pickle
import secrets
import socket
import threading
import weakref
from types import ModuleType
from typing import Any

from . import _channel, _placement, _process, _wire
from ._errors import ProcessorStopped

#: How long a new actor may take to connect, in seconds: Ray may have to
#: start a worker process, or wait for a node with the resources it asks
#: for (an autoscaling cluster adds one in minutes).
START_TIMEOUT = 300.0
#: How long, after an actor's connection closed, to wait for Ray to say why.
WHY_TIMEOUT = 10.0


def ray_module() -> ModuleType:
    """Ray, imported; a clear error if it is not installed (SPEC §7)."""
    try:
        import ray  # pyright: ignore[reportMissingImports]  (optional: the ray extra)
    except ImportError as exc:
        raise ImportError(_placement.RAY_MISSING) from exc
    module: ModuleType = ray
    return module


# -- starting and stopping Ray -------------------------------------------------


class _Owner:
    """The thread that initialised Ray, alive until Ray is shut down.

    Ray's local processes end with the *thread* that started them (Linux's
    PR_SET_PDEATHSIG), and the first Ray-placed object may be made on an
    executor thread, which may retire: so a thread of its own starts Ray,
    and stops it when the runtime shuts down."""

    def __init__(self, ray: ModuleType, arguments: dict[str, Any]) -> None:
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, args=(ray, arguments), name="scoop-ray", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def _main(self, ray: ModuleType, arguments: dict[str, Any]) -> None:
        try:
            ray.init(**arguments)
        except BaseException as exc:  # raised by the creation that wanted Ray
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._stop.wait()
        ray.shutdown()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


_lock = threading.Lock()
_owner: _Owner | None = None


def ensure_ray() -> ModuleType:
    """Ray, initialised: by pyscoop, with the configured arguments, if it
    was not already (then pyscoop shuts it down with its runtime)."""
    global _owner
    ray = ray_module()
    with _lock:
        if not ray.is_initialized():
            from . import _global

            _owner = _Owner(ray, _global.ray_settings())
    return ray


@functools.cache
def _run_at_exit_before_ray() -> None:
    """Ray's at-exit handler, registered when ray is imported, shuts Ray
    down; handlers run last-registered first, so registering scoop's again
    makes it run before: the commands logged last reach live actors (SPEC
    §9). Called where Ray is imported, when the first Ray-placed object is
    made (which may be at exit: too late to change the handlers then)."""
    from . import _global

    atexit.unregister(_global._at_exit)
    atexit.register(_global._at_exit)


def stop() -> None:
    """Shut Ray down if pyscoop started it (the runtime's shutdown, after
    its objects' actors are stopped)."""
    global _owner
    with _lock:
        owner, _owner = _owner, None
    if owner is not None:
        owner.stop()


# -- pickling ---------------------------------------------------------------------

#: Classes that are complete in this process: pickled from here, or already
#: filled in from a pickle. cloudpickle tracks a class sent by value by an id,
#: so that a copy that comes back (or comes again) is the class this process
#: already has; but it then sets the copy's attributes on that class again,
#: which would replace its methods by copies whose globals are a snapshot of
#: the sender's. Here a class is filled in once.
_complete: weakref.WeakSet[type] = weakref.WeakSet()


def _fill_once(setstate: Any) -> Any:
    def fill_in(cls: type, state: Any) -> Any:
        if cls in _complete:
            return cls
        _complete.add(cls)
        return setstate(cls, state)

    return fill_in


@functools.cache
def cloud_pickler() -> type[_wire.ReferencePickler]:
    """The Ray kind's pickler: separate references as keys (ReferencePickler),
    and the rest with cloudpickle, which pickles the classes and functions
    of the program's main module by value."""
    ray_module()  # a clear error if Ray is missing
    from ray.cloudpickle import cloudpickle as cloud  # pyright: ignore[reportMissingImports]

    def reducer_override(self: Any, obj: Any) -> Any:
        reduced = _wire.ReferencePickler.reducer_override(self, obj)
        if reduced is not NotImplemented:
            return reduced
        if isinstance(obj, type):
            _complete.add(obj)  # the original: a copy that comes back changes nothing
        return cloud.Pickler.reducer_override(self, obj)

    # Made with type(): Ray has no type information (mypy sees Any).
    pickler: type[_wire.ReferencePickler] = type(
        "CloudPickler", (_wire.ReferencePickler, cloud.Pickler), {"reducer_override": reducer_override}
    )
    return pickler


@functools.cache
def cloud_unpickler() -> type[pickle.Unpickler]:
    """Unpickles what :func:`cloud_pickler` wrote, filling each class in once."""
    from ray.cloudpickle import cloudpickle as cloud  # pyright: ignore[reportMissingImports]

    setters = {"_class_setstate": _fill_once(cloud._class_setstate)}  # (enums too)

    class CloudUnpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if module == cloud.__name__ and name in setters:
                return setters[name]
            return super().find_class(module, name)

    return CloudUnpickler


# -- the actor --------------------------------------------------------------------


class Host:
    """The Ray actor that hosts one separate object: the worker of
    scoop._worker, started by Ray instead of multiprocessing."""

    def run(self, address: Any, secret: bytes, token: str) -> None:
        """Connect to the parent and answer it until it stops the object
        (a task that lasts the actor's life: the parent learns from Ray
        when the actor dies)."""
        from . import _worker

        conn = _channel.connect(address, secret, token)
        _worker.serve_parent(_worker.Agent(conn, cloud_pickler(), cloud_unpickler()))


@functools.cache
def _host_class(ray: ModuleType) -> Any:
    return ray.remote(Host)


class RayObject(_process.RemoteObject):
    """The local stand-in of an object that lives in a Ray actor."""

    __slots__ = ("_options", "_actor", "_token", "_listener", "_why", "_ended", "_closing")

    def __init__(self, cls: type, proc: Any) -> None:
        super().__init__(cls, proc)
        if RayObject.pickler is None:
            # Now, not when the actor starts: the creator pickles the
            # creation's arguments at once (SPEC §3). This imports Ray.
            RayObject.pickler = cloud_pickler()
            RayObject.unpickler = cloud_unpickler()
            _run_at_exit_before_ray()
        object.__setattr__(self, "_options", dict(proc.remote.options))
        object.__setattr__(self, "_listener", None)
        object.__setattr__(self, "_actor", None)
        object.__setattr__(self, "_token", secrets.token_hex(16))
        #: Why the actor ended, as Ray tells (None: it has not, or it
        #: ended because it was stopped); _ended is set once Ray has told.
        object.__setattr__(self, "_why", None)
        object.__setattr__(self, "_ended", threading.Event())
        object.__setattr__(self, "_closing", False)

    def _launch(self) -> None:
        try:
            ray = ensure_ray()
            # The node's address, which the cluster reaches (not 127.0.0.1).
            listener = _channel.listener(ray.util.get_node_ip_address())
            object.__setattr__(self, "_listener", listener)
            actor = _host_class(ray).options(max_restarts=0, **self._options).remote()
            object.__setattr__(self, "_actor", actor)
            run = actor.run.remote(listener.address, listener.secret, self._token)
            threading.Thread(target=self._watch, args=(ray, run, listener), name="scoop-ray-watch",
                             daemon=True).start()
        except BaseException as exc:  # raised by the creation command
            object.__setattr__(self, "_launch_error", exc)

    def _watch(self, ray: ModuleType, run: Any, listener: _channel.Listener) -> None:
        """Wait for the actor's task to end: when the parent stopped it, or
        when the actor died (killed, its node lost: Ray tells, where a
        connection to a lost node could stay open for minutes)."""
        try:
            ray.get(run)
        except ray.exceptions.ActorUnavailableError as exc:
            # Ray lost touch with the actor, which may still be there (a
            # network blip): the connection says whether it is (keepalive:
            # scoop._channel), and this says why if it is not.
            if self._why is None:
                object.__setattr__(self, "_why", _reason(exc))
            self._ended.set()
            return
        except BaseException as exc:
            if self._why is None:  # (a start that timed out said why already)
                object.__setattr__(self, "_why", _reason(exc))
        listener.abandon(self._token)  # if it never connected
        conn = self._conn
        if conn is not None and not self._closing:
            # A request waiting for the actor's answer sees the end (EOF);
            # and nothing sent from now on reaches the actor, whose process
            # may outlive Ray's word by a moment: a call after it would run
            # there in part.
            try:
                with socket.socket(fileno=os.dup(conn.fileno())) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._ended.set()

    def _accept(self) -> Any:
        try:
            return self._listener.accept(self._token, timeout=START_TIMEOUT)
        except TimeoutError:
            object.__setattr__(self, "_why", (
                f"it did not start within {START_TIMEOUT:.0f} s: does the cluster have what "
                f"it asks for ({self._asks()})?"
            ))
            self._kill()
            raise

    def _asks(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self._options.items()) or "the default, 1 CPU to be placed"

    def _died(self, doing: str) -> Exception:
        """The error for an actor that ended while it answered *doing*
        (``"start"``: before it could run any of scoop's code); from then on
        every call on the object raises :class:`scoop.ProcessorStopped` with
        the same words (SPEC §7)."""
        self.exports.clear()
        self._ended.wait(WHY_TIMEOUT)
        why = self._why or "it stopped answering"
        name = self.__scoop_class__.__qualname__
        if doing == "start":
            text = f"the Ray actor of a {name} did not start: {why}"
        else:
            text = (
                f"the Ray actor of this {name} died (while it answered {doing!r}): {why}; "
                f"the object is gone: create a new one"
            )
        object.__setattr__(self, "_dead", text)
        return ProcessorStopped(text)

    def _kill(self) -> None:
        actor = self._actor
        if actor is not None:
            try:
                ray_module().kill(actor, no_restart=True)
            except Exception:  # Ray is shut down already
                pass

    def close(self) -> None:
        if self._launcher is not None:
            self._launcher.join()
        object.__setattr__(self, "_closing", True)
        conn = self._conn
        if conn is not None:
            try:
                conn.send_bytes(self.dumps((_wire.STOP,)))
                conn.close()
            except OSError:
                pass
            object.__setattr__(self, "_conn", None)
            self._ended.wait(5)  # its task returns: the actor has nothing left to do
        self._kill()
        self.exports.clear()


def _reason(exc: BaseException) -> str:
    """Why an actor ended, in Ray's words: the last line of its error
    (``The actor is dead because it was killed by `ray.kill`.``)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
