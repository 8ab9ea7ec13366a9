"""The messages between this process and its worker processes (SPEC §7).

A leaf module: the message kinds of the cross-process protocol, the marker
of stand-in objects, and the pickling of separate references. The parent's
side is :mod:`scoop._process` (stand-ins) and :mod:`scoop._host` (running a
worker's calls in the parent); the worker's side is :mod:`scoop._worker`.
docs/protocol.md ("Worker processes") describes the protocol as a whole.

Every message is a tuple whose first item is its kind, pickled with the
sender's :class:`ReferencePickler`, so that separate references cross as
reference ids: the parent keeps, for each worker, a table of the objects it
has sent references to (:class:`Exports`), and the worker keeps one stub
per id. There is one coordinator, the parent: a worker's calls on a
reference become *callouts* that the parent runs as the worker object's own
processor, so reservations, wait conditions and deadlock detection are the
parent's, unchanged.
"""

from __future__ import annotations

import io
import pickle
import threading
from typing import Any, Callable

# -- the parent's requests to a worker (answered by OK or ERROR) ----------

#: ``(CREATE, cls, args)``: make the worker's object; ``args`` pickled.
CREATE = "create"
#: ``(CALL, name, args)``: call method *name* of the worker's object.
CALL = "call"
#: ``(GET, name)``: read attribute *name* of the worker's object.
GET = "get"
#: ``(STOP,)``: the object is gone; the worker exits (no answer).
STOP = "stop"
#: ``(POST, name, args)``: a command on the worker's object, not answered:
#: the parent goes on at once (see FLUSH). After a posted command fails,
#: the worker skips the later ones until the next FLUSH (SPEC §8).
POST = "post"
#: ``(FLUSH,)``: answered once every command posted before has run, with
#: ``(failed, returned)``: None or ``(index, exception, traceback)`` of the
#: posted command that failed (counted from the previous FLUSH), and the
#: indexes of those that returned a value (a command should not).
FLUSH = "flush"

# -- a worker's callouts, while it answers a request ----------------------

#: ``(COMMANDS, [call, ...])``: commands the worker's object logged, oldest
#: first, each ``(eid, name, args, kwargs)``, pickled when it was logged
#: (SPEC §3) unless its arguments are immutable scalars. Not answered.
COMMANDS = "commands"
#: ``(QUERY, eid, name, args)``: a query (a method, or with *name* prefixed
#: by ``GET_PREFIX`` an attribute read) on the object of reference *eid*.
QUERY = "query"
#: ``(ENTER, [eid, ...])``: reserve these objects (``scoop.separate``);
#: answered with a block id.
ENTER = "enter"
#: ``(EXIT, block)``: end a reservation, after its calls.
EXIT = "exit"
#: ``(WAIT, block, seconds_left)``: a wait condition of the block was false:
#: release it and wait until one of its handlers ran other clients' calls.
WAIT = "wait"
#: ``(NEW, cls, args)``: create a separate object, placed by the parent.
NEW = "new"
#: ``(RELEASE, [(eid, count), ...])``: the worker dropped its references to
#: these objects, received *count* times each. Not answered.
RELEASE = "release"

# -- answers --------------------------------------------------------------

#: ``(OK, value)``.
OK = "ok"
#: ``(ERROR, exception, formatted_traceback)``.
ERROR = "error"

#: The prefix of a QUERY name that reads an attribute instead of calling.
GET_PREFIX = "."

#: How many commands a worker sends in one COMMANDS message at most.
BATCH = 256

#: How many bytes of posted commands the parent sends before it waits for
#: the worker to have run them (a FLUSH). Below what the connection's
#: buffers hold, so that posting never blocks: a worker whose command waits
#: for the parent (a callout) stops reading until the parent's FLUSH.
POST_WINDOW = 32 * 1024


class StandIn:
    """Marks the objects that stand, in this process, for an object that
    lives in another: a separate reference to one is typed as
    ``__scoop_class__``, not as the stand-in's own class."""

    __slots__ = ()
    __scoop_class__: type


class Upstream(StandIn):
    """In a worker process: an object of the parent (or of another worker),
    known by the id the parent gave it. One per id, so that references
    compare as SPEC §1 says (by object identity)."""

    __slots__ = ("eid", "__scoop_class__", "__weakref__")

    def __init__(self, eid: int, cls: type) -> None:
        self.eid = eid
        self.__scoop_class__ = cls

    def __repr__(self) -> str:
        return f"<object {self.eid} of the parent process>"


#: In a worker process, the worker's agent (scoop._worker.Agent); None in
#: the parent. Everything that would use the runtime asks the agent instead.
agent: Any = None


# The pickler and the loader of this thread (a message is pickled and
# unpickled on the thread that sends or receives it).
_local = threading.local()


def _reference(key: Any) -> Any:
    """Unpickles a reference: what the receiving side's *load* makes of *key*."""
    return _local.load(key)


class ReferencePickler(pickle.Pickler):
    """Pickles separate references as keys: ``key_of`` (set for each message,
    one per side) maps an object to its key, or None for everything else,
    which pickles as usual.

    ``reducer_override`` rather than ``persistent_id``: pickle does not call
    it for ints, strs, lists, dicts and the like, so the big payloads of
    CPU-bound work (lists of numbers) pickle at C speed."""

    key_of: Callable[[Any], Any] | None = None

    def reducer_override(self, obj: Any) -> Any:
        key = self.key_of(obj)  # type: ignore[misc]
        if key is None:
            return NotImplemented
        return _reference, (key,)


def dumps(value: Any, key_of: Callable[[Any], Any], kind: type[ReferencePickler] | None = None) -> bytes:
    """*value* pickled, its separate references as ``key_of`` says.

    One pickler per thread, reused: making one costs three times what
    pickling a small message does. *kind*: another subclass of
    ReferencePickler (the Ray kind's, scoop._ray), made for each message:
    cloudpickle keeps state from one dump to the next."""
    if kind is not None:
        out = io.BytesIO()
        made = kind(out, protocol=pickle.HIGHEST_PROTOCOL)
        made.key_of = key_of
        made.dump(value)
        return out.getvalue()
    found = getattr(_local, "pickler", None)
    if found is None:
        buffer = io.BytesIO()
        pickler = ReferencePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        pickler, buffer = found
    _local.pickler = None  # in use: a nested dumps (from a __reduce__) makes its own
    try:
        pickler.key_of = key_of
        pickler.dump(value)
        return buffer.getvalue()
    finally:
        pickler.key_of = None
        pickler.clear_memo()
        if buffer.tell() > 1 << 20:  # keep no big buffer alive
            buffer = io.BytesIO()
            pickler = ReferencePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        buffer.seek(0)
        buffer.truncate()
        _local.pickler = pickler, buffer


def loads(data: bytes, load: Callable[[Any], Any], kind: type[pickle.Unpickler] | None = None) -> Any:
    """Unpickle what :func:`dumps` wrote, each key turned back into a
    reference by *load* (one per side); *kind*: an unpickler of another
    kind than pickle's own (the Ray kind's, scoop._ray)."""
    previous = getattr(_local, "load", None)
    _local.load = load
    try:
        return pickle.loads(data) if kind is None else kind(io.BytesIO(data)).load()
    finally:
        _local.load = previous
