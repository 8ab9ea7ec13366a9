"""The futures of calls logged with ``.future()``: awaitable (SPEC §11).

A :class:`SeparateFuture` is a :class:`concurrent.futures.Future` (so
``result()``, ``add_done_callback()``, ``concurrent.futures.wait()`` work as
ever) that a coroutine can also ``await``. Awaiting chains it to an asyncio
future of the running loop with :func:`asyncio.wrap_future`: the processor
that completes the call resolves the asyncio future through
``loop.call_soon_threadsafe``. So awaiting never blocks the loop's thread,
and a pending future holds no thread of its own: there is nothing to hold
one, since the processor's executor completes it as part of running the
call.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Generator, TypeVar

T = TypeVar("T")


class SeparateFuture(Future[T]):
    """The result of a call on a separate object, to come.

    Use it as a :class:`concurrent.futures.Future` from a thread
    (``f.result()``) or await it in a coroutine (``await f``). Cancelling
    the awaiting task cancels the call too if its processor has not started
    it yet (like :meth:`concurrent.futures.Future.cancel`).

    >>> import asyncio, scoop
    >>> class Account(scoop.Separate):
    ...     def __init__(self, balance: int):
    ...         self.balance = balance
    ...     def statement(self) -> str:
    ...         return f"balance: {self.balance}"
    >>> async def main(a: Account) -> str:
    ...     return await a.statement.future()
    >>> asyncio.run(main(Account(10)))
    'balance: 10'
    """

    def __await__(self) -> Generator[Any, None, T]:
        import asyncio  # only reached in a coroutine: asyncio is loaded already

        return asyncio.wrap_future(self, loop=asyncio.get_running_loop()).__await__()
