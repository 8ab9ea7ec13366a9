"""The ``Separate`` base class, object creation, and processors."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any, Callable, ParamSpec, TypeVar

from . import _global, _wire, _worker
from ._classify import refuse_async_methods
from ._handle import Processor as ProcessorHandle
from ._processor import Processor
from ._dedicated import DedicatedProcessor, on_thread
from ._process import RemoteObject
from ._ray import RayObject
from ._errors import CommandFailed
from ._proxy import SeparateRef, make_ref, proxy_type, register_broken
from ._calls import command

T = TypeVar("T")
P = ParamSpec("P")

if TYPE_CHECKING:
    import builtins

    from ._future import SeparateFuture

    class SeparateMethod(builtins.function):  # type: ignore[misc]  # final; only type checkers see this
        """How pyscoop's mypy plugin (:mod:`scoop.mypy`) types the methods of
        a ``Separate`` class: functions with ``future``, which the plugin
        gives each method's own parameters and a future of its result."""

        future: Callable[..., SeparateFuture[Any]]


class SeparateMeta(abc.ABCMeta):
    """Metaclass of :class:`Separate`: instantiation makes a separate object.

    It derives from :class:`abc.ABCMeta`, so that a ``Separate`` class can
    also derive from :class:`abc.ABC` (two unrelated metaclasses would
    conflict), and abstract methods are enforced as usual.
    """

    def __init__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(name, bases, namespace, **kwargs)
        refuse_async_methods(cls)

    if not TYPE_CHECKING:
        # Hidden from type checkers, which then see Account(...) build an
        # Account from Account.__init__'s parameters: a metaclass __call__
        # hides those (pyright types the object as its return type, Any).

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            return _create(cls, None, args, kwargs)

    def on(cls: Callable[P, T], processor: ProcessorHandle) -> Callable[P, T]:
        """Create objects of this class on *processor*, not on a new one.

        >>> import scoop
        >>> class Fork(scoop.Separate):
        ...     pass
        >>> left = Fork()
        >>> right = Fork.on(scoop.processor_of(left))()
        >>> scoop.processor_of(right) == scoop.processor_of(left)
        True
        """
        if not isinstance(processor, ProcessorHandle):
            raise TypeError(
                f"{cls.__qualname__}.on() takes a processor (from scoop.processor() or "
                f"scoop.processor_of(obj)), not {type(processor).__qualname__}"
            )
        core = processor._scoop_core

        def create_on(*args: P.args, **kwargs: P.kwargs) -> T:
            return _create(cls, core, args, kwargs)  # type: ignore[arg-type,no-any-return]

        create_on.__qualname__ = f"{cls.__qualname__}.on({processor!r})"
        return create_on


class Separate(metaclass=SeparateMeta):
    """Base class of objects that live on their own processor.

    Instantiating a subclass returns a separate reference at once; the new
    object's ``__init__`` runs on its processor. Method calls through the
    reference are commands (logged, return ``None`` at once) or queries
    (wait for the result): see :func:`scoop.command` and :func:`scoop.query`.

    >>> import scoop
    >>> class Account(scoop.Separate):
    ...     def __init__(self, balance: int = 0):
    ...         self.balance = balance
    ...     def deposit(self, amount: int) -> None:
    ...         self.balance += amount
    >>> a = Account(100)
    >>> a.deposit(50)
    >>> a.balance
    150
    """

    __slots__ = ("_scoop_processor", "__weakref__")
    _scoop_processor: Processor
    __scoop_separate__ = True

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # A separate object is never copied: a copy of a structure that
        # holds one holds a reference to it.
        return make_ref(self, self._scoop_processor)

    def __copy__(self) -> Any:
        return make_ref(self, self._scoop_processor)


def _create(cls: type, proc: Processor | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if _wire.agent is not None:
        # In a worker process: the parent makes (and places) the object.
        if proc is not None:
            raise TypeError(f"{cls.__qualname__}.on(processor) cannot be used in a worker process")
        return _worker.create(cls, args, kwargs)
    if getattr(cls, "__abstractmethods__", None):
        # Python's own TypeError, in the caller, before any processor is made
        # (creation is otherwise asynchronous, and a worker's object is made
        # in another process).
        object.__new__(cls)
    if proc is None:
        proc = _global.runtime().place(_global.placement_of(cls))
    else:
        proc.runtime.check_running()
    if proc.remote:
        return _create_in_worker(cls, proc, args, kwargs)
    thread = type(proc) is DedicatedProcessor  # every call on its own thread
    proxy = proxy_type(cls, Separate, thread=thread)
    obj: Any
    if cls.__new__ is object.__new__:  # type: ignore[comparison-overlap]
        obj = object.__new__(cls)
    else:
        obj = cls.__new__(cls, *args, **kwargs)
    object.__setattr__(obj, "_scoop_processor", proc)
    if not proc.label:
        proc.label = cls.__qualname__
    ref = proxy(obj, proc)
    init = cls.__init__  # type: ignore[misc]  # the class's own, called on obj
    if init is not object.__init__ or args or kwargs:
        # Creation is a command: __init__ runs on the new processor, before
        # any later call of this client on the object.
        initialise = _initialiser(cls, init)
        command(on_thread(initialise) if thread else initialise, ref, *args, **kwargs)
    return ref


_initialisers: dict[type, Callable[..., None]] = {}


def _initialiser(cls: type, init: Callable[..., None]) -> Callable[..., None]:
    """The creation command of *cls*: its ``__init__``, after which an
    object whose ``__init__`` raised is unusable. Named as the ``__init__``
    it runs, for failure messages."""
    try:
        return _initialisers[cls]
    except KeyError:
        pass

    def initialise(obj: Any, *args: Any, **kwargs: Any) -> None:
        try:
            init(obj, *args, **kwargs)
        except BaseException as exc:
            # A failed creation is a failed command, which its creator
            # observes (CommandFailed). The half-built object must not look
            # usable after that: every later read of its state says that its
            # creation failed.
            object.__setattr__(obj, "_scoop_failed_init", exc)
            obj.__class__ = _broken_class(type(obj))
            raise

    initialise.__qualname__ = getattr(init, "__qualname__", f"{cls.__qualname__}.__init__")
    initialise.__name__ = "__init__"
    _initialisers[cls] = initialise
    return initialise


_broken: dict[type, type] = {}


def _broken_class(cls: type) -> type:
    """A subclass of *cls* whose instances refuse every attribute: the class
    of an object whose ``__init__`` raised."""
    try:
        return _broken[cls]
    except KeyError:
        pass

    def __getattribute__(self: Any, name: str) -> Any:
        if name.startswith("_scoop_") or (name.startswith("__") and name.endswith("__")):
            return object.__getattribute__(self, name)
        exc = object.__getattribute__(self, "_scoop_failed_init")
        failed = CommandFailed(
            f"this {cls.__qualname__} is unusable: its creation failed ({cls.__qualname__}.__init__ "
            f"raised {type(exc).__name__}: {exc}); create a new one"
        )
        failed.__cause__ = exc
        raise failed

    broken = type(cls.__name__, (cls,), {"__getattribute__": __getattribute__, "__slots__": (),
                                         "__qualname__": cls.__qualname__, "__module__": cls.__module__})
    register_broken(broken, cls)
    _broken[cls] = broken
    return broken


def _create_in_worker(cls: type, proc: Processor, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if not proc.label:
        proc.label = cls.__qualname__
    assert proc.remote is not None
    remote = (RayObject if proc.remote.kind == "ray" else RemoteObject)(cls, proc)
    remote.launch()
    proc.runtime.remotes.add(remote)
    # Creation is a command: the worker starts, and __init__ runs there.
    ref = proxy_type(cls, Separate, remote=True)(remote, proc)
    command(_start_worker, ref, *args, **kwargs)
    return ref


def _start_worker(remote: RemoteObject, *args: Any) -> None:
    remote.start(args)


def processor_of(obj: Any) -> ProcessorHandle:
    """The processor that handles *obj* (a separate reference or a raw object).

    >>> import scoop
    >>> class Counter(scoop.Separate):
    ...     pass
    >>> a = Counter(); b = Counter.on(scoop.processor_of(a))()
    >>> scoop.processor_of(a) == scoop.processor_of(b)
    True
    """
    if isinstance(obj, SeparateRef):
        return ProcessorHandle(obj._scoop_proc)
    proc = getattr(obj, "_scoop_processor", None) if isinstance(obj, Separate) else None
    if proc is None:
        raise TypeError(f"scoop.processor_of() takes a separate object, not {type(obj).__qualname__}")
    return ProcessorHandle(proc)


def processor() -> ProcessorHandle:
    """Make a new, empty processor, to create objects on with ``Klass.on(p)``."""
    return ProcessorHandle(_global.runtime().new_processor())


def is_separate(obj: Any) -> bool:
    """Whether *obj* is a separate reference (as opposed to a raw object).

    >>> import scoop
    >>> class Box(scoop.Separate):
    ...     pass
    >>> scoop.is_separate(Box()), scoop.is_separate(42)
    (True, False)
    """
    return isinstance(obj, SeparateRef)
