"""pyscoop: SCOOP concurrency for Python, with a Go core.

Objects of :class:`Separate` subclasses live on their own processors.
Method calls on them are commands (logged, asynchronous) or queries (wait by
necessity); :func:`separate` reserves several objects atomically.

>>> import scoop
>>> class Account(scoop.Separate):
...     def __init__(self, owner: str, balance: int = 0):
...         self.owner = owner
...         self.balance = balance
...     def deposit(self, amount: int) -> None:      # a command
...         self.balance += amount
...     def statement(self) -> str:                  # a query
...         return f"{self.owner}: {self.balance}"
>>> a = Account("ann", 100)
>>> a.deposit(50)
>>> a.statement()
'ann: 150'
"""

from ._classify import command, query
from ._errors import (
    CommandFailed,
    CommandResultWarning,
    DeadlockError,
    ProcessorStopped,
    SeparateAccessError,
    SeparateValueError,
    WaitTimeout,
)
from ._global import configure, shutdown, stats
from . import _host  # noqa: F401 - runs worker processes' callouts
from ._handle import Processor
from ._proxy import future
from ._reservation import requires, separate
from ._separate import Separate, is_separate, processor, processor_of
from ._trace import trace
from ._values import shared

__all__ = [
    "CommandFailed",
    "CommandResultWarning",
    "DeadlockError",
    "Processor",
    "ProcessorStopped",
    "Separate",
    "SeparateAccessError",
    "SeparateValueError",
    "command",
    "configure",
    "future",
    "is_separate",
    "processor",
    "processor_of",
    "query",
    "requires",
    "separate",
    "shared",
    "shutdown",
    "stats",
    "trace",
    "WaitTimeout",
]

__version__ = "0.1.0"
