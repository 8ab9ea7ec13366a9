"""Separate references: the proxies that stand for objects of other processors.

Each ``Separate`` subclass gets one proxy class, built when its first object
is created, with a descriptor per method (a command or a query, decided once
by :mod:`scoop._classify`), a property per property, and the protocol methods
the class defines. Everything else read through a reference is a data
attribute, hence a query (``__getattr__``).
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING, Any, Callable, ParamSpec, TypeVar, overload

from . import _process, _values, _wire
from ._classify import CONTEXT_ADVICE, PROTOCOL, UNFORWARDED, Member, members, unforwarded
from ._errors import ReadOnlyReferenceError, reservation_ended
from ._dedicated import DedicatedProcessor, on_thread, reader
from ._process import RemoteObject, forwarder
from ._calls import command, query
from ._calls import future as log_future
from ._future import SeparateFuture

if TYPE_CHECKING:
    from ._separate import Separate

P = ParamSpec("P")
R = TypeVar("R")


class SeparateRef:
    """A separate reference: stands for an object that lives on a processor.

    You never make one yourself: instantiating a ``Separate`` subclass
    returns one. ``==`` and ``hash`` are by object identity and never block,
    nor does ``repr``; ``isinstance(ref, Account)`` is true.
    """

    __slots__ = ("_scoop_obj", "_scoop_proc", "_scoop_res")
    #: The names of the class's methods (set on each proxy class).
    __scoop_methods__: frozenset[str] = frozenset()
    #: The call function that reads attribute *name* (a thread processor's
    #: proxies read on the object's thread: scoop._dedicated).
    _scoop_reader: Callable[[str], Callable[..., Any]] = staticmethod(operator.attrgetter)

    def __init__(self, obj: Any, proc: Any, res: Any = None) -> None:
        object.__setattr__(self, "_scoop_obj", obj)
        object.__setattr__(self, "_scoop_proc", proc)
        object.__setattr__(self, "_scoop_res", res)

    # isinstance(ref, Account) is true. (Read-only: a reference's class never changes.)
    @property  # type: ignore[misc]
    def __class__(self) -> type:  # pyright: ignore[reportIncompatibleMethodOverride]
        obj = self._scoop_obj
        return obj.__scoop_class__ if isinstance(obj, _wire.StandIn) else type(obj)

    def __repr__(self) -> str:
        obj = self._scoop_obj
        state = "reserved " if self._scoop_res is not None else ""
        return f"<{state}separate {self.__class__.__qualname__} object {id(obj):#x} on {self._scoop_proc!r}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SeparateRef) and other._scoop_obj is self._scoop_obj

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return id(self._scoop_obj)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            # Protocol look-ups (copy, pickle, numpy...) must not turn into
            # queries on the object.
            raise AttributeError(name)
        return _query(self, type(self)._scoop_reader(name), (), {})

    def __setattr__(self, name: str, value: Any) -> None:
        raise ReadOnlyReferenceError(
            f"cannot set attribute {name!r} through a separate reference to a "
            f"{self.__class__.__qualname__}: change its state with a command "
            f"(a method) instead"
        )

    def __delattr__(self, name: str) -> None:
        raise ReadOnlyReferenceError(
            f"cannot delete attribute {name!r} through a separate reference to a "
            f"{self.__class__.__qualname__}: change its state with a command instead"
        )

    # Not a context manager: without these, ``with ref:`` would fail naming
    # the proxy class, and say nothing of what the user meant.
    def __enter__(self) -> Any:
        raise _not_a_context_manager(self, "with")

    def __exit__(self, *exc_info: Any) -> Any:
        raise _not_a_context_manager(self, "with")

    def __aenter__(self) -> Any:
        raise _not_a_context_manager(self, "async with")

    def __aexit__(self, *exc_info: Any) -> Any:
        raise _not_a_context_manager(self, "async with")

    def __copy__(self) -> SeparateRef:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SeparateRef:
        # A separate object is never copied: copying a reference yields a
        # plain (unreserved) reference to the same object.
        return plain_ref(self)

    def __reduce__(self) -> Any:
        raise TypeError(
            f"a separate reference to a {self.__class__.__qualname__} cannot be pickled: it crosses "
            f"to a worker process (kind = \"process\") only as part of a call"
        )


def _not_a_context_manager(ref: SeparateRef, statement: str) -> TypeError:
    cls = ref.__class__
    enter = "__enter__" if statement == "with" else "__aenter__"
    defines = (
        f" ({cls.__qualname__} defines {enter}, but a reference does not run it: call a "
        f"method for its effects)"
        if hasattr(cls, enter)
        else ""
    )
    return TypeError(
        f"a separate reference to a {cls.__qualname__} cannot be used in "
        f"{'an' if statement.startswith('a') else 'a'} `{statement}` statement: "
        f"{CONTEXT_ADVICE}{defines}"
    )


def _unforwarded_method(cls: type, name: str) -> Callable[..., Any]:
    """A proxy method for protocol method *name* of *cls*, which a reference
    does not forward (scoop._classify.UNFORWARDED): it says so."""

    def unforwarded(ref: SeparateRef, *args: Any) -> Any:
        raise TypeError(
            f"{cls.__qualname__}.{name} is not forwarded through a separate reference to a "
            f"{cls.__qualname__}: {UNFORWARDED[name].format(cls=cls.__qualname__)}"
        )

    unforwarded.__name__ = name
    return unforwarded


def _target(ref: SeparateRef) -> tuple[Any, Any]:
    """(processor, reservation) to send a call on *ref* to."""
    res = ref._scoop_res
    if res is not None and res.ended:
        raise reservation_ended(ref)
    return ref._scoop_proc, res


def _query(ref: SeparateRef, fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    proc, res = _target(ref)
    return query(proc, res, fn, ref._scoop_obj, args, kwargs)


@overload
def future(ref: Separate, name: str, /) -> SeparateFuture[Any]: ...
@overload
def future(call: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> SeparateFuture[R]: ...
def future(ref: Any, /, *args: Any, **kwargs: Any) -> SeparateFuture[Any]:
    """Read attribute or property *name* of a separate object, as a future;
    or log a call, as ``ref.method.future(*args, **kwargs)`` does.

    ``ref.name`` is a query: it waits for the processor. ``future(ref,
    "name")`` logs the same read and returns at once a
    :class:`concurrent.futures.Future` for the value, which a coroutine can
    await (SPEC §11).

    >>> import asyncio, scoop
    >>> class Account(scoop.Separate):
    ...     def __init__(self, balance: int):
    ...         self.balance = balance
    ...     def interest(self, years: int) -> int:
    ...         return self.balance * years // 10
    >>> async def main(a: Account) -> int:
    ...     return await scoop.future(a, "balance")
    >>> asyncio.run(main(Account(10)))
    10

    ``future(ref.method, *args, **kwargs)`` is ``ref.method.future(*args,
    **kwargs)`` spelled so that a type checker without pyscoop's mypy plugin
    (pyright, or mypy without ``plugins = ["scoop.mypy"]``) types it: the
    arguments checked against the method's parameters, the result a future
    of its return type.

    >>> scoop.future(Account(20).interest, 2).result()
    4
    """
    if isinstance(ref, BoundCall):
        return ref.future(*args, **kwargs)
    if not isinstance(ref, SeparateRef):
        raise TypeError(
            f"scoop.future() takes a separate reference, not {type(ref).__qualname__}: "
            f"scoop.future(ref, 'name') reads an attribute, scoop.future(ref.method, *args) calls "
            f"a method through the reference"
        )
    if len(args) != 1 or kwargs:
        raise TypeError("scoop.future(ref, name) takes a separate reference and one attribute name")
    name = args[0]
    if not isinstance(name, str):
        raise TypeError(f"scoop.future() takes an attribute name (a str), not {type(name).__qualname__}")
    if name in type(ref).__scoop_methods__:
        cls = ref.__class__.__qualname__
        raise TypeError(
            f"{cls}.{name} is a method: scoop.future() reads attributes and properties; "
            f"for a call, use ref.{name}.future(...) or scoop.future(ref.{name}, ...)"
        )
    proc, res = _target(ref)
    return log_future(proc, res, type(ref)._scoop_reader(name), ref._scoop_obj, (), {})


class BoundCall(functools.partial):  # type: ignore[type-arg]
    """A method read through a separate reference, ready to be called.

    Calling it logs a command or runs a query; ``.future(...)`` logs the call
    and returns a :class:`concurrent.futures.Future` for its result.

    It is a ``functools.partial`` of the member's call function and the
    reference, built by a C-level property getter, so that reading
    ``ref.method`` and calling it runs no Python frame but the call itself:
    this is the hot path of every command.
    """

    __slots__ = ()

    def future(self, *args: Any, **kwargs: Any) -> SeparateFuture[Any]:
        """Log this call and return a future for its result, at once.

        The future is a :class:`concurrent.futures.Future` that a coroutine
        can also await (SPEC §11): ``f.result()`` in a thread,
        ``await f`` in a coroutine.

        >>> # f = account.statement.future(); ...; f.result()
        """
        ref = self.args[0]
        proc, res = _target(ref)
        return log_future(proc, res, self.member.call, ref._scoop_obj, args, kwargs)

    @property
    def member(self) -> Member:
        """The class member this call runs (set on its call function)."""
        return self.func.member  # type: ignore[attr-defined,no-any-return]

    def __repr__(self) -> str:
        return f"<bound {self.member!r} of {self.args[0]!r}>"


def _call_function(member: Member) -> Callable[..., Any]:
    """The function that runs *member* through a reference: ``f(ref, *args)``."""
    call = member.call
    if member.is_query:

        def run_query(ref: SeparateRef, *args: Any, **kwargs: Any) -> Any:
            res = ref._scoop_res
            if res is not None and res.ended:
                _target(ref)  # raises
            proc = ref._scoop_proc
            return query(proc, res, call, ref._scoop_obj, args, kwargs)

        run_query.member = member  # type: ignore[attr-defined]
        return run_query

    log_command = functools.partial(command, call)
    log_command.member = member  # type: ignore[attr-defined]
    return log_command


def _method_stub(member: Member) -> property:
    # property(partial(BoundCall, f)): ref.method -> BoundCall(f, ref), all in C.
    return property(functools.partial(BoundCall, _call_function(member)), doc=member.call.__doc__)


def _property_stub(name: str) -> property:
    getter = operator.attrgetter(name)
    return property(lambda ref: _query(ref, getter, (), {}))


def _protocol_method(member: Member, listed: Callable[..., Any] | None = None) -> Callable[..., Any]:
    call = member.call
    if member.name == "__iter__":
        # iter(ref) iterates over an imported list of the items.
        read_all = _listed if listed is None else listed

        def __iter__(ref: SeparateRef) -> Any:
            return iter(_query(ref, read_all, (), {}))

        return __iter__
    if member.is_query:

        def query(ref: SeparateRef, *args: Any) -> Any:
            return _query(ref, call, args, {})

        query.__name__ = member.name
        return query

    def log(ref: SeparateRef, *args: Any) -> None:
        command(call, ref, *args)

    log.__name__ = member.name
    return log


def _listed(obj: Any) -> list[Any]:
    return list(iter(obj))


#: By (class, kind): kind False for the default, True for a process's, THREAD.
_proxy_types: dict[tuple[type, bool | str], type[SeparateRef]] = {}
THREAD = "thread"
#: Class -> the class its objects get when their __init__ fails (scoop._separate).
_broken: dict[type, type] = {}


def proxy_type(cls: type, base: type, remote: bool = False, thread: bool = False) -> type[SeparateRef]:
    """The proxy class for Separate subclass *cls* (built once).

    With *remote*, for objects of *cls* placed in worker processes: its
    members send their calls to the worker instead of running them. With
    *thread*, for objects on thread processors: see :func:`_thread_proxy`.
    """
    key: tuple[type, bool | str] = (cls, THREAD if thread else remote)
    try:
        return _proxy_types[key]
    except KeyError:
        pass

    def method(member: Member) -> Any:
        if remote:
            reserves = getattr(member.call, "__scoop_reserves__", False)
            member = Member(member.name, member.is_query, forwarder(member.name, reserves), cls)
        return _protocol_method(member) if member.name in PROTOCOL else _method_stub(member)

    proxy: type[SeparateRef]
    if thread:
        proxy = _thread_proxy(cls, base)
    else:
        proxy = proxy_class(cls, base, SeparateRef, "ProcessRef" if remote else "Ref", method, _property_stub)
    _proxy_types[key] = proxy
    if cls in _broken:
        _proxy_types[_broken[cls], key[1]] = proxy
    return proxy


def _thread_proxy(cls: type, base: type) -> type[SeparateRef]:
    """The proxy class for objects of *cls* on thread processors: every call
    through it (a method, an attribute or property read, an iteration) runs
    on the processor's own thread, whoever runs it (scoop._dedicated)."""
    listed = on_thread(_listed)

    def method(member: Member) -> Any:
        member = Member(member.name, member.is_query, on_thread(member.call), cls)
        return _protocol_method(member, listed) if member.name in PROTOCOL else _method_stub(member)

    def prop(name: str) -> property:
        getter = reader(cls, name)
        return property(lambda ref: _query(ref, getter, (), {}))

    proxy: type[SeparateRef] = proxy_class(cls, base, SeparateRef, "ThreadRef", method, prop)
    proxy._scoop_reader = staticmethod(functools.partial(reader, cls))
    return proxy


def proxy_class(
    cls: type,
    base: type,
    ref_class: type[SeparateRef],
    suffix: str,
    method: Callable[[Member], Any],
    prop: Callable[[str], Any],
) -> Any:
    """A subclass of *ref_class* for references to objects of *cls*: each
    method of *cls* (not of *base*) becomes ``method(member)``, each property
    ``prop(name)``, and each protocol method that is not forwarded says so."""
    methods, properties = members(cls, base)
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": cls.__module__,
        "__scoop_methods__": frozenset(methods),  # for scoop.future()'s error
    }
    for name, member in methods.items():
        namespace[name] = method(member)
    for name in properties:
        namespace[name] = prop(name)
    for name in unforwarded(cls, base):
        namespace[name] = _unforwarded_method(cls, name)
    return type(f"{cls.__qualname__}{suffix}", (ref_class,), namespace)


def register_broken(broken: type, cls: type) -> None:
    """References to an object whose class became *broken* (its __init__
    failed: scoop._separate) keep the proxy classes of *cls*, those it has
    and those it gets later."""
    _broken[cls] = broken
    for kind in (False, THREAD):
        if (cls, kind) in _proxy_types:
            _proxy_types[broken, kind] = _proxy_types[cls, kind]


def make_ref(obj: Any, proc: Any, res: Any = None) -> SeparateRef:
    if isinstance(obj, RemoteObject):  # a worker process's, or a Ray actor's
        return _proxy_types[obj.__scoop_class__, True](obj, proc, res)
    if type(proc) is DedicatedProcessor:
        return _proxy_types[type(obj), THREAD](obj, proc, res)
    return _proxy_types[type(obj), False](obj, proc, res)


# The slots of a reference, set directly: a reference refuses __setattr__.
_set_obj = SeparateRef._scoop_obj.__set__  # type: ignore[attr-defined]
_set_proc = SeparateRef._scoop_proc.__set__  # type: ignore[attr-defined]
_set_res = SeparateRef._scoop_res.__set__  # type: ignore[attr-defined]
_new = object.__new__


def reserved_ref(ref: SeparateRef, res: Any) -> SeparateRef:
    """A reference to plain reference *ref*'s object, reserved by *res*.

    Built without ``__init__`` (its ``object.__setattr__`` calls made a
    reference cost twice as much): a block makes one each time.
    """
    cls = type(ref)
    reserved: SeparateRef = _new(cls)
    _set_obj(reserved, ref._scoop_obj)
    _set_proc(reserved, ref._scoop_proc)
    _set_res(reserved, res)
    return reserved


def plain_ref(ref: SeparateRef) -> SeparateRef:
    if ref._scoop_res is None:
        return ref
    return make_ref(ref._scoop_obj, ref._scoop_proc)


def _is_plain_reference(value: Any) -> bool:
    return isinstance(value, SeparateRef) and value._scoop_res is None


def _as_reference(value: Any) -> Any:
    if isinstance(value, SeparateRef):
        return plain_ref(value)
    proc = getattr(type(value), "__scoop_separate__", False) and getattr(value, "_scoop_processor", None)
    if proc:
        return make_ref(value, proc)
    return None


_values.is_reference = _is_plain_reference
_values.as_reference = _as_reference
_process.reference_to = make_ref
