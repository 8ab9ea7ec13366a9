"""What the runtime knows about each Python thread, and each fiber.

Below :mod:`scoop._runtime` and :mod:`scoop._dedicated` (whose dedicated
threads have a state of their own, a subclass), so that both import it at
the top: see tests/test_layers.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenlet import greenlet

from . import _native
from ._processor import Client

if TYPE_CHECKING:
    from ._processor import Processor
    from ._runtime import Runtime


class ThreadState:
    """What the runtime knows about one Python thread."""

    __slots__ = (
        "tid", "client", "current", "stack", "outer", "runtime", "hub", "fiber", "home", "slice_end", "__weakref__"
    )

    def __init__(self, runtime: Runtime, tid: int = 0, hub: greenlet | None = None, home: ThreadState | None = None):
        self.runtime = runtime
        self.tid: int = tid or _native.NewThread()
        #: For a fiber (a greenlet of an executor thread, running call
        #: bodies): the executor's own greenlet, to switch to when a body
        #: must wait; the fiber is resumed where it switched. None for a
        #: plain thread, which waits in the core.
        self.hub = hub
        #: The greenlet of a fiber, once started.
        self.fiber: greenlet | None = None
        #: For a fiber: its executor's state, whose slice_end says until when
        #: the fiber may run before it yields (Runtime.yield_fiber).
        self.home = home
        self.slice_end = 0.0
        #: The thread as a client (executors never use theirs).
        self.client = Client(self.tid, runtime)
        #: Who logs the calls this thread makes now: the thread's own client,
        #: or the processor whose body it is running.
        self.current = self.client
        #: The processors whose bodies this thread is running, innermost
        #: last. A call on one of them runs at once, as a plain call: a
        #: processor never waits for itself (SPEC §1), nor for a client that
        #: is waiting for it (SPEC §6).
        self.stack: list[Processor] = []
        #: While the thread serves handlers it waits for (Runtime.help): the
        #: processors whose bodies it has suspended to do so.
        self.outer: list[Processor] = []

    def blocking_ids(self) -> str:
        """The clients a wait of this thread blocks: its own, and the
        processors whose bodies it runs (for deadlock detection)."""
        if not self.stack and not self.outer:
            return str(self.client.key)
        return ",".join([str(self.client.key), *(str(p.id) for p in (*self.stack, *self.outer))])

    def __del__(self) -> None:
        # The thread ended: end its reservations, report the failures it
        # never observed, and give its semaphore back. Once the runtime has
        # stopped, shutdown() has done the first two; the core's record must
        # go all the same (the core routes the drop to the runtime that made
        # the thread, even when another one runs now).
        if _native.forking:  # a fork child's copy of another thread
            return
        try:
            rt = self.runtime
            rt.waiting.pop(self.tid, None)
            if not rt.stopped:
                self.client.close_implicit()
                rt.report_unobserved(self.client.key)
            _native.DropThread(self.tid)
        except Exception:  # pragma: no cover - interpreter teardown
            pass
