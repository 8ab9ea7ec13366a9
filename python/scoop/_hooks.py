"""Internal hooks through which tools watch the runtime (the pytest plugin).

Not public API, and kept to what a tool cannot learn otherwise. A hook is a
list of callables that the runtime calls; a tool appends its own for as long
as it watches, and removes it after.
"""

from __future__ import annotations

from typing import Callable

#: Called with ``(exception, "Class.method")`` for each failed command that
#: no client observed, as the runtime reports it through the ``scoop``
#: logger (SPEC §8, under ``on_async_error="log"``): when its client ends,
#: when its processor is collected, or at shutdown. Called from whichever
#: thread reports it; a hook must be quick and must not raise.
unobserved: list[Callable[[BaseException, str], None]] = []


def report_unobserved(exc: BaseException, what: str) -> None:
    """Tell every :data:`unobserved` hook about a failure nobody observed."""
    for hook in list(unobserved):
        hook(exc, what)
