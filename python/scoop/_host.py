"""Running a worker's callouts in the parent (SPEC §7, ``kind = "process"``).

While a worker answers a request, what its object does with separate
references comes back on the connection (scoop._wire). The thread that
waits for the answer runs each callout at once, as the worker object's
processor: it is that processor's body that is running, so the calls are
logged by it as client, it holds what the body reserved and what its
client lent it (SPEC §6), and a call on a processor this thread is running
(a client waiting for the worker) runs at once: a callback. Reservations,
wait conditions and deadlock detection are this process's, unchanged.
"""

from __future__ import annotations

import itertools
import time
import traceback
from typing import Any

from . import _process, _wire
from ._reservation import SeparateBlock
from ._separate import Separate

_block_ids = itertools.count(1)


class RemoteCondition:
    """A worker's wait condition, as named in this process (it is evaluated
    in the worker; here it only names waits and timeouts)."""

    def __init__(self, name: str) -> None:
        self.__qualname__ = name

    def __repr__(self) -> str:
        return self.__qualname__


def serve(remote: _process.RemoteObject, message: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Run one callout of *remote*'s worker; its answer (None: not answered)."""
    kind = message[0]
    if kind == _wire.COMMANDS:
        _log_commands(remote, message[1])
        return None
    if kind == _wire.RELEASE:
        for eid, received in message[1]:
            remote.exports.release(eid, received)
        return None
    try:
        return (_wire.OK, _answer(remote, kind, message))
    except Exception as exc:
        return (_wire.ERROR, exc, traceback.format_exc())


def _log_commands(remote: _process.RemoteObject, calls: list[bytes | tuple[Any, ...]]) -> None:
    refs = remote.exports.refs
    for call in calls:
        eid, name, args, kwargs = remote.loads(call) if isinstance(call, bytes) else call
        try:
            getattr(refs[eid], name)(*args, **kwargs)
        except Exception as exc:
            # Not logged (its processor stopped, an argument cannot be
            # copied...): the worker's current call fails with it, at its
            # end, rather than the command being lost without a word.
            if remote.failed_log is None:
                object.__setattr__(remote, "failed_log", exc)


def _answer(remote: _process.RemoteObject, kind: str, message: tuple[Any, ...]) -> Any:
    if kind == _wire.QUERY:
        _, eid, name, args, kwargs = message
        target = remote.exports.refs[eid]
        if name.startswith(_wire.GET_PREFIX):
            return getattr(target, name[len(_wire.GET_PREFIX):])
        if name == "__iter__":
            return list(target)
        return getattr(target, name)(*args, **kwargs)
    if kind == _wire.ENTER:
        block: SeparateBlock[Any] = SeparateBlock(tuple(remote.exports.refs[eid] for eid in message[1]))
        block.__enter__()
        bid = next(_block_ids)
        remote.blocks[bid] = block
        return bid
    if kind == _wire.EXIT:
        remote.blocks.pop(message[1]).__exit__(None, None, None)
        return None
    if kind == _wire.WAIT:
        _, bid, seconds_left, name = message
        deadline = None if seconds_left is None else time.monotonic() + seconds_left
        remote.blocks.pop(bid).release_and_wait(deadline, RemoteCondition(name))
        return None
    if kind == _wire.NEW:
        _, cls, args, kwargs = message
        if not (isinstance(cls, type) and issubclass(cls, Separate)):
            raise TypeError(f"a worker can create separate objects only, not a {cls!r}")
        return cls(*args, **kwargs)
    raise ValueError(f"unknown message from a worker process: {kind!r}")


_process.serve_callout = serve
