"""The constants of the protocol between the Go core and Python, in one place.

A leaf module: it imports nothing of pyscoop, and every other module takes
its codes from here. docs/protocol.md describes the protocol; the Go side
of each code is named beside it, and :func:`scoop._runtime.check_extension`
checks them against the extension when it loads.
"""

from __future__ import annotations

#: pybind.Version: bumped whenever a call's meaning or a code changes.
PROTOCOL_VERSION = 4

# What the core's calls return besides ids (pybind/pybind.go).
CLOSE = -1  # CloseCode: Park tells the executor to close its implicit queue
ERROR = -2  # ErrorCode: the call broke the protocol; LastError says how
DEADLOCK = -3  # DeadlockCode: WaitFor would close a cycle
NOT_PARKED = -4  # NotParkedCode: ReleaseParked found the handler not parked
SUSPENDED = -5  # SuspendedCode: a fiber must switch to its hub (SuspendFor)
IDLE = -6  # IdleCode: TryNextFor found nothing to do; the hub waits in NextFor
RESUME = -16  # ResumeCode: NextFor returned RESUME - t: resume fiber t

# Item kinds of a private queue. An item is a tuple whose first element is
# its kind:
#   (CALL, client_key, function, obj, args, kwargs, future, refs)
#   (SYNC, thread_id)   the client waits for the handler to reach this point
#   (END,)              the reservation ends here
CALL, SYNC, END = 0, 1, 2
END_ITEM = (END,)

# The states of a private queue's turn (scoop._queue).
NEW, QUEUED, PARKED, CLIENT, CLOSED = "new", "queued", "parked", "client", "closed"

#: How long a blocked thread sleeps in Go before it comes back to Python to
#: run signal handlers (Ctrl-C) and to see whether its runtime stopped, in
#: microseconds. Fibers do not slice their waits: they never block.
WAIT_SLICE_US = 50_000
