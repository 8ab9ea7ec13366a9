"""The constants of the protocol between the Go core and Python, in one
place, and the items of a private queue.

A leaf module: it imports nothing of pyscoop, and every other module takes
its codes and records from here. docs/protocol.md describes the protocol; the Go side
of each code is named beside it, and :func:`scoop._runtime.check_extension`
checks them against the extension when it loads.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable, NamedTuple, Union

#: pybind.Version: bumped whenever a call's meaning or a code changes.
PROTOCOL_VERSION = 5

# What the core's calls return besides ids (pybind/pybind.go).
CLOSE = -1  # CloseCode: Park tells the executor to close its implicit queue
ERROR = -2  # ErrorCode: the call broke the protocol; LastError says how
DEADLOCK = -3  # DeadlockCode: WaitFor would close a cycle
NOT_PARKED = -4  # NotParkedCode: ReleaseParked found the handler not parked
SUSPENDED = -5  # SuspendedCode: a fiber must switch to its hub (SuspendFor)
IDLE = -6  # IdleCode: TryNextFor found nothing to do; the hub waits in NextFor
RESUME = -16  # ResumeCode: NextFor returned RESUME - t: resume fiber t

# The items of a private queue (scoop._queue): named records, told apart by
# their type. They never cross into Go: the deque that holds them is shared
# by the client and the handler, two Python threads of this process.


class Call(NamedTuple):
    """A call logged on a private queue: ``fn(obj, *args, **kwargs)``, run
    by the handler on behalf of client ``client_key`` (SPEC §2).

    A NamedTuple so that the handler unpacks it in one step; build it with
    ``new_item(Call, (...))``, which skips the Python ``__new__`` that
    ``Call(...)`` runs (a frame per command: see docs/performance.md).
    """

    client_key: int
    fn: Callable[..., Any]
    obj: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    #: Set when someone awaits the result (``ref.method.future()``).
    future: Future[Any] | None
    #: The call's separate arguments, reserved for its body (SPEC §4).
    refs: list[Any] | None


class Sync(NamedTuple):
    """Thread ``tid`` waits for the handler to reach this point (a query)."""

    tid: int


class End(NamedTuple):
    """The reservation ends here: the client logs nothing after it."""


#: Builds a record without running its Python ``__new__``:
#: ``new_item(Call, (client_key, fn, obj, args, kwargs, future, refs))``.
new_item = tuple.__new__

END_ITEM = End()

#: What a private queue holds.
Item = Union[Call, Sync, End]

# The states of a private queue's turn (scoop._queue).
NEW, QUEUED, PARKED, CLIENT, CLOSED = "new", "queued", "parked", "client", "closed"

#: How long a blocked thread sleeps in Go before it comes back to Python to
#: run signal handlers (Ctrl-C) and to see whether its runtime stopped, in
#: microseconds. Fibers do not slice their waits: they never block.
WAIT_SLICE_US = 50_000
