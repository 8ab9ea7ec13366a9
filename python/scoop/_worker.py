"""The worker process's side of ``kind = "process"`` (SPEC §7).

A worker runs no runtime of its own: it hosts one object, answers the
parent's requests on it (CREATE, CALL, GET), and turns everything its
object does with separate references into *callouts* to the parent, sent on
the same connection while it answers: commands (batched, never answered),
queries, reservations and their waits, creations. The parent runs each
callout as the worker object's processor, so that there is one coordinator
for every reservation and wait-for graph (scoop._host). While it waits for
a callout's answer the worker serves the parent's requests on its object,
which is how a callback reaches it (SPEC §6). docs/protocol.md has the
whole protocol.
"""

from __future__ import annotations

import functools
import os
import pickle
import runpy
import sys
import threading
import types
import traceback
import weakref
from collections import deque
from typing import Any, Callable, Sequence

from . import _channel, _wire
from ._classify import PROTOCOL, Member
from ._errors import SeparateValueError, reservation_ended
from ._future import SeparateFuture
from . import _process
from ._process import RemoteError
from ._proxy import BoundCall, SeparateRef, proxy_class


#: The types of arguments that are the same pickled now or later.
_SCALARS = frozenset({int, float, str, bytes, bool, type(None), complex})


class Agent:
    """The worker's end of its connection to the parent."""

    def __init__(
        self,
        conn: Any,
        pickler: type[_wire.ReferencePickler] | None = None,
        unpickler: type[pickle.Unpickler] | None = None,
    ) -> None:
        self.conn = conn
        #: How messages are pickled (the Ray kind's pickle the classes of
        #: the program's main module by value: scoop._ray).
        self.pickler = pickler
        self.unpickler = unpickler
        #: The object this worker hosts (raw), once created.
        self.obj: Any = None
        #: One Upstream per id of the parent's, while a stub of it lives.
        self.upstream: dict[int, weakref.ref[_wire.Upstream]] = {}
        self.received: dict[int, int] = {}
        #: (eid, received) of the Upstreams collected, to tell the parent.
        self.releases: deque[tuple[int, int]] = deque()
        #: Commands logged and not yet sent: each pickled already, or a tuple
        #: of immutable values. Both deques are appended to without a lock
        #: (a command, a weakref callback) and drained from the other end
        #: (_drain), never replaced: an append never lands in a batch that
        #: was already sent.
        self.pending: deque[bytes | tuple[Any, ...]] = deque()
        self.send_lock = threading.Lock()
        self.armed = threading.Event()
        #: The parent's POSTs and FLUSHes that arrived while a call of the
        #: object waited for a callout's answer: they run after it, in order.
        self.backlog: deque[tuple[Any, ...]] = deque()
        #: Posted commands since the last FLUSH; the first that failed
        #: (index, exception, traceback); those that returned a value.
        self.posts = 0
        self.failed: tuple[int, BaseException, str] | None = None
        self.returned: list[int] = []
        threading.Thread(target=self._flusher, name="scoop-worker-flush", daemon=True).start()

    # -- pickling: references as keys ----------------------------------------

    def key_of(self, obj: Any) -> Any:
        if isinstance(obj, SeparateRef):
            return ("ref", obj._scoop_obj.eid)
        if obj is self.obj and obj is not None:
            return ("self",)
        return None

    def load(self, key: Any) -> Any:
        if key[0] == "self":
            return self.obj
        _, eid, cls = key
        found = self.upstream.get(eid)
        up = found() if found is not None else None
        if up is None:
            up = _wire.Upstream(eid, cls)
            self.upstream[eid] = weakref.ref(up, functools.partial(self._gone, eid))
        self.received[eid] = self.received.get(eid, 0) + 1
        return upstream_proxy_type(cls)(up, None, None)

    def _gone(self, eid: int, _ref: Any) -> None:
        # A weakref callback: runs wherever the last stub went. Only appends,
        # which is atomic; the parent hears of it with the next message.
        if self.upstream.get(eid) is _ref:
            del self.upstream[eid]
            self.releases.append((eid, self.received.pop(eid, 0)))

    # -- sending -------------------------------------------------------------

    def dumps(self, value: Any) -> bytes:
        return _wire.dumps(value, self.key_of, self.pickler)

    def loads(self, data: bytes) -> Any:
        return _wire.loads(data, self.load, self.unpickler)

    def receive(self) -> tuple[Any, ...]:
        """The parent's next message (EOFError, OSError: the parent is gone)."""
        message: tuple[Any, ...] = self.loads(self.conn.recv_bytes())
        return message

    def send(self, message: tuple[Any, ...]) -> None:
        """Send *message* after every command logged before it."""
        data = self.dumps(message)
        with self.send_lock:
            self._flush()
            self.conn.send_bytes(data)

    def _flush(self) -> None:
        """Send the commands and the releases logged so far (send_lock held).

        Commands first: a command was logged while its target's stub lived,
        and the release of that stub, logged since, must not reach the
        parent before it (the parent drops the id at the release)."""
        if self.pending:
            self.conn.send_bytes(self.dumps((_wire.COMMANDS, _drain(self.pending))))
        if self.releases:
            self.conn.send_bytes(self.dumps((_wire.RELEASE, _drain(self.releases))))

    def _flusher(self) -> None:
        """Send the commands of a body that goes on computing: SPEC §2 lets
        the runtime batch commands, not hold them back. Woken by the first
        command of a batch; by the time it has the GIL, the body has usually
        logged many more (a switch interval's worth)."""
        while True:
            self.armed.wait()
            # Cleared before the drain: a command logged after it arms again.
            self.armed.clear()
            with self.send_lock:
                self._flush()

    def command(self, ref: SeparateRef, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Log a command on the parent's object of *ref* (SPEC §2)."""
        if ref._scoop_res is not None and ref._scoop_res.ended:
            raise reservation_ended(ref)
        call = (ref._scoop_obj.eid, name, args, kwargs)
        pending = self.pending
        if kwargs or not all(type(a) in _SCALARS for a in args):
            # Pickled now: the value crosses as it is at the call (SPEC §3).
            pending.append(self.dumps(call))
        else:
            pending.append(call)  # immutable: pickled with the batch, the same
        if not self.armed.is_set():
            self.armed.set()
        if len(pending) >= _wire.BATCH:
            with self.send_lock:
                self._flush()

    def call(self, message: tuple[Any, ...]) -> Any:
        """Send a callout and wait for its answer, serving meanwhile the
        parent's requests on this worker's object (callbacks)."""
        self.send(message)
        while True:
            reply = self.receive()
            kind = reply[0]
            if kind == _wire.OK:
                return reply[1]
            if kind == _wire.ERROR:
                raise reply[1]
            if kind == _wire.POST or kind == _wire.FLUSH:
                # Commands the parent posted after the one running now: they
                # run after it (a call on the object is not a callback).
                self.backlog.append(reply)
            else:
                self.serve(reply)  # a callback, part of this call

    def query(self, ref: SeparateRef, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if ref._scoop_res is not None and ref._scoop_res.ended:
            raise reservation_ended(ref)
        return self.call((_wire.QUERY, ref._scoop_obj.eid, name, args, kwargs))

    # -- the parent's requests -------------------------------------------

    def run_posted(self, message: tuple[Any, ...]) -> None:
        """Run a command the parent posted (no answer), unless an earlier
        one failed since the last FLUSH: SPEC §8 skips the client's later
        calls until it observes the failure (all the posts between two
        FLUSHes are one client's)."""
        index = self.posts
        self.posts += 1
        if self.failed is not None:
            return
        try:
            result = self._call(message)
        except BaseException as exc:  # reported at the FLUSH
            self.failed = (index, exc, traceback.format_exc())
            return
        if result is not None:
            self.returned.append(index)

    def _call(self, message: tuple[Any, ...]) -> Any:
        """Run the call of a CALL or a POST on the hosted object."""
        name, blob = message[1], message[2]
        args, kwargs = self.loads(blob) if blob is not None else ((), {})
        return getattr(self.obj, name)(*args, **kwargs)

    def answer_flush(self) -> None:
        """Every posted command has run: say which failed, if one did."""
        failed, returned = self.failed, self.returned
        self.posts, self.failed, self.returned = 0, None, []
        try:
            self.send((_wire.OK, (failed, returned)))
        except Exception:  # the exception does not pickle
            assert failed is not None
            index, exc, tb = failed
            self.send((_wire.OK, ((index, RemoteError(f"{type(exc).__name__}: {exc}"), tb), returned)))

    def serve(self, message: tuple[Any, ...]) -> None:
        """Answer one request of the parent's on the hosted object."""
        kind = message[0]
        try:
            if kind == _wire.CREATE:
                cls, blob = message[1], message[2]
                args, kwargs = self.loads(blob)
                obj = cls.__new__(cls) if cls.__new__ is not object.__new__ else object.__new__(cls)
                object.__setattr__(obj, "_scoop_processor", None)
                self.obj = obj  # before __init__: `self` passed out crosses as itself
                cls.__init__(obj, *args, **kwargs)
                result = None
            elif kind == _wire.CALL:
                result = self._call(message)
            else:  # GET
                result = getattr(self.obj, message[1])
            reply: tuple[Any, ...] = (_wire.OK, result)
        except BaseException as exc:  # sent back to the caller
            reply = (_wire.ERROR, exc, traceback.format_exc())
        try:
            self.send(reply)
        except Exception as exc:  # the result or the exception does not pickle
            if reply[0] == _wire.OK:
                error: Exception = SeparateValueError(
                    f"the result of {message[1]!s} (a {type(reply[1]).__qualname__}) cannot cross back "
                    f"from the worker process: pickling it failed: {type(exc).__name__}: {exc}"
                )
            else:
                error = RemoteError(f"{type(reply[1]).__name__}: {reply[1]}")
            self.send((_wire.ERROR, error, traceback.format_exc()))


def _drain(items: deque[Any]) -> list[Any]:
    """Take the items that are in *items* now, oldest first (others may be
    appended meanwhile: they stay, for the next drain)."""
    popleft = items.popleft
    return [popleft() for _ in range(len(items))]


def main(address: str, secret: bytes, script: str | None) -> None:
    """A worker process: connect to the parent, then answer its requests.

    *script* is the program's main script, as it was when the object was
    created. multiprocessing imports it again in the worker (as
    ``__mp_main__``, where the classes of ``__main__`` are found) from the
    parent's ``__main__.__file__`` at the start; but ``python prog.py`` drops
    that when the script's last line has run, while the worker of an object
    that line created may still be starting. Then the worker imports the
    script itself, as multiprocessing would have.
    """
    if script is not None and getattr(sys.modules["__main__"], "__file__", None) is None and os.path.exists(script):
        main_module = types.ModuleType("__mp_main__")
        main_module.__dict__.update(runpy.run_path(script, run_name="__mp_main__"))
        sys.modules["__main__"] = sys.modules["__mp_main__"] = main_module
    serve_parent(Agent(_channel.connect(address, secret, os.getpid())))


def serve_parent(agent: Agent) -> None:
    """Host an object for the parent: answer its messages on *agent*'s
    connection until it stops the worker or goes away (a worker process's
    main loop, and a Ray actor's: scoop._ray)."""
    _wire.agent = agent
    backlog = agent.backlog
    while True:
        if backlog:
            message = backlog.popleft()
        else:
            try:
                message = agent.receive()
            except (EOFError, OSError):  # the parent went away
                return
            except Exception as exc:  # e.g. a class the worker cannot import
                agent.send((_wire.ERROR, RemoteError(f"the worker process could not load the call: {exc}"),
                            traceback.format_exc()))
                continue
        kind = message[0]
        if kind == _wire.POST:
            agent.run_posted(message)
        elif kind == _wire.FLUSH:
            agent.answer_flush()
        elif kind == _wire.STOP:
            return
        else:
            agent.serve(message)


# -- references to the parent's objects ----------------------------------------


class UpstreamRef(SeparateRef):
    """In a worker: a separate reference to an object of the parent's (or of
    another worker's). Its calls are callouts to the parent."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _wire.agent.query(self, _wire.GET_PREFIX + name, (), {})


class UpstreamCall(BoundCall):
    """A method read through an :class:`UpstreamRef`."""

    __slots__ = ()

    def future(self, *args: Any, **kwargs: Any) -> SeparateFuture[Any]:
        """The call's result as a future. In a worker the call is made at
        once, and the future is done when this returns: the parent, not the
        worker, is where calls overlap."""
        done: SeparateFuture[Any] = SeparateFuture()
        try:
            done.set_result(_wire.agent.query(self.args[0], self.member.name, args, kwargs))
        except BaseException as exc:
            done.set_exception(exc)
        return done


def _log_command(name: str, ref: SeparateRef, *args: Any, **kwargs: Any) -> None:
    _wire.agent.command(ref, name, args, kwargs)


def _run_query(name: str, ref: SeparateRef, *args: Any, **kwargs: Any) -> Any:
    return _wire.agent.query(ref, name, args, kwargs)


def _protocol_stub(member: Member) -> Callable[..., Any]:
    name = member.name
    if name == "__iter__":  # iterates over an imported list of the items

        def method(ref: SeparateRef, *args: Any) -> Any:
            return iter(_run_query(name, ref))

    elif member.is_query:

        def method(ref: SeparateRef, *args: Any) -> Any:
            return _run_query(name, ref, *args)

    else:

        def method(ref: SeparateRef, *args: Any) -> Any:
            _log_command(name, ref, *args)

    method.__name__ = name
    return method


def _stub(member: Member) -> Any:
    if member.name in PROTOCOL:
        return _protocol_stub(member)
    call: Any = functools.partial(_run_query if member.is_query else _log_command, member.name)
    call.member = member
    return property(functools.partial(UpstreamCall, call), doc=member.call.__doc__)


_upstream_types: dict[type, type[UpstreamRef]] = {}


def upstream_proxy_type(cls: type) -> type[UpstreamRef]:
    """The class of the references a worker holds to objects of *cls*."""
    try:
        return _upstream_types[cls]
    except KeyError:
        pass
    # scoop.Separate, found without importing scoop._separate (which imports us).
    base = next(c for c in cls.__mro__ if "__scoop_separate__" in vars(c))
    proxy: type[UpstreamRef] = proxy_class(cls, base, UpstreamRef, "Ref", _stub, _property)
    _upstream_types[cls] = proxy
    return proxy


def _property(name: str) -> property:
    return property(functools.partial(_get, name))


def _get(name: str, ref: SeparateRef) -> Any:
    return _wire.agent.query(ref, _wire.GET_PREFIX + name, (), {})


# -- reservations and creations, asked of the parent -------------------------


class WorkerBlock:
    """A ``scoop.separate`` block of the worker's object, held by the parent."""

    __slots__ = ("bid", "ended")

    def __init__(self, bid: int) -> None:
        self.bid = bid
        self.ended = False


def enter(refs: Sequence[SeparateRef]) -> tuple[WorkerBlock, tuple[SeparateRef, ...]]:
    """Reserve the parent's objects of *refs* (scoop.separate in a worker)."""
    block = WorkerBlock(_wire.agent.call((_wire.ENTER, [r._scoop_obj.eid for r in refs])))
    return block, tuple(type(r)(r._scoop_obj, None, block) for r in refs)


def leave(block: WorkerBlock) -> None:
    block.ended = True
    _wire.agent.call((_wire.EXIT, block.bid))


def wait_for_change(block: WorkerBlock, seconds_left: float | None, condition: Callable[..., Any]) -> None:
    """Release *block*, whose wait condition is false, and wait until one of
    its handlers has run another client's calls (SPEC §5), in the parent."""
    block.ended = True
    name = getattr(condition, "__qualname__", repr(condition))
    _wire.agent.call((_wire.WAIT, block.bid, seconds_left, name))


def create(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A new separate object, made (and placed) by the parent."""
    return _wire.agent.call((_wire.NEW, cls, args, kwargs))


_process.worker_main = main
