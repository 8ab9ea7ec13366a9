"""The exceptions and warnings that pyscoop raises."""

from __future__ import annotations

__all__ = [
    "CommandFailed",
    "DeadlockError",
    "WaitTimeout",
    "CommandResultWarning",
    "ProcessorStopped",
    "SeparateAccessError",
    "SeparateValueError",
]


class SeparateAccessError(TypeError):
    """A separate reference was used in a way SCOOP forbids.

    Raised when code assigns or deletes an attribute through a separate
    reference (state changes go through commands), or uses a reserved
    reference after its ``scoop.separate`` block ended.
    """


class ReadOnlyReferenceError(SeparateAccessError, AttributeError):
    """Assigning or deleting an attribute through a separate reference.

    Also an ``AttributeError``, as when setting an attribute of any other
    read-only object: code that tries to annotate an object and tolerates
    objects that refuse (``typing``'s ``Box[int](5)`` setting
    ``__orig_class__``, ``functools.wraps``) goes on with a reference.
    Not public: users catch :class:`SeparateAccessError`.
    """


class SeparateValueError(TypeError):
    """A value cannot cross a processor boundary.

    Values that are not immutable are deep-copied as they cross; this is
    raised, in the caller and before anything is logged, when that copy is
    impossible (a lock, a generator, an open file...). Wrap a thread-safe
    object in :func:`scoop.shared` to pass it as it is.
    """


class CommandFailed(RuntimeError):
    """An earlier command of this client on this handler raised.

    Commands run asynchronously, so their exceptions cannot reach the caller
    when they happen. Instead the handler is marked dirty for that client:
    the client's later calls on it are skipped, and its next synchronous call
    (a query, ``future().result()``) raises ``CommandFailed`` with the
    original exception as ``__cause__``. The handler is then clean again.
    """


class ProcessorStopped(RuntimeError):
    """The processor of this reference was stopped by ``scoop.shutdown()``."""


class CommandResultWarning(UserWarning):
    """A method classified as a command returned a value, which is dropped.

    Annotate the method's return type (``-> int``) or decorate it with
    ``@scoop.query`` to make it a query, or return ``None``.
    """


class WaitTimeout(TimeoutError):
    """A wait condition did not hold within its ``timeout``; nothing of the body ran."""


class DeadlockError(RuntimeError):
    """Clients wait on each other in a cycle: this one gives up its call.

    Raised in one member of the cycle instead of waiting forever. The message
    names each processor in the cycle, its object's class and the call it
    waits on. The other members then proceed, as this client's reservations
    are released while the exception unwinds its ``with`` blocks and bodies.
    """


def reservation_ended(ref: object) -> SeparateAccessError:
    """The error for a reserved reference used after its block ended."""
    return SeparateAccessError(
        f"this reference to a {type(ref._scoop_obj).__qualname__} was reserved by a "  # type: ignore[attr-defined]
        f"scoop.separate block that has ended; use it inside the block, or use the "
        f"unreserved reference"
    )
