"""Which calls are commands and which are queries (SPEC §2).

Decided once per class, when its first object is created:

1. ``@scoop.command`` / ``@scoop.query`` on a method wins.
2. Reading a data attribute or a property is a query.
3. A method whose return annotation is anything but ``None`` (or
   ``NoReturn``) is a query; string annotations count the same.
4. Any other method is a command.
"""

from __future__ import annotations

import inspect
import operator
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_KIND_ATTR = "__scoop_kind__"
_NO_RESULT = frozenset(
    {"None", "NoReturn", "typing.NoReturn", "Never", "typing.Never", "typing_extensions.Never"}
)

#: Protocol methods forwarded through a separate reference, and their kind.
PROTOCOL: dict[str, bool] = {  # name -> is_query
    "__len__": True,
    "__getitem__": True,
    "__contains__": True,
    "__iter__": True,
    "__setitem__": False,
    "__delitem__": False,
}

#: Protocol methods forwarded and classified like any other method (rule 1,
#: 3, 4): ``ref(...)`` is a command or a query as ``__call__`` says.
METHOD_PROTOCOL = frozenset({"__call__"})

_IMPLICIT = "would have to wait for the object's processor, which a reference does only for a call"
_OPERATOR = f"an operator {_IMPLICIT}; call a method of {{cls}} that computes it instead (a query)"
_CONVERSION = (
    f"`if ref:`, `int(ref)` and the like {_IMPLICIT}; call a query method of {{cls}} instead "
    f"(e.g. `def is_empty(self) -> bool`)"
)
#: Protocol methods a separate reference does not forward, and what to do
#: instead (``{cls}``: the user's class). A class that defines one gets a
#: proxy method that raises a TypeError saying so: otherwise Python would
#: name the proxy's internal class, or, for ``__bool__``, silently answer
#: for the object (scoop._proxy). The reference's own ``__eq__``,
#: ``__hash__``, ``__repr__``, ``__str__`` and ``__format__`` (by identity,
#: never blocking) are not in the table: they work on every reference.
UNFORWARDED: dict[str, str] = {
    **{
        f"__{prefix}{op}__": _OPERATOR
        for op in (
            "add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "divmod", "pow",
            "lshift", "rshift", "and", "xor", "or",
        )
        for prefix in ("", "r", "i")
        if not (prefix == "i" and op == "divmod")
    },
    **dict.fromkeys(
        ("__neg__", "__pos__", "__abs__", "__invert__", "__lt__", "__le__", "__gt__", "__ge__"),
        _OPERATOR,
    ),
    **dict.fromkeys(
        ("__bool__", "__int__", "__float__", "__complex__", "__index__", "__round__",
         "__trunc__", "__floor__", "__ceil__", "__bytes__", "__fspath__"),
        _CONVERSION,
    ),
    "__reversed__": "iterate over a list that a query method of {cls} returns instead",
    "__next__": "call a query method of {cls} that returns the next item instead",
    "__await__": "to await a call on it, use `await ref.method.future(...)`, or "
    "`await scoop.future(ref, 'attr')` for an attribute",
    "__aiter__": "iterate over what a query returns instead: `for x in await ref.method.future()`",
    "__anext__": "await a query's future instead: `await ref.method.future()`",
}

#: What ``with ref:`` and ``async with ref:`` say, on every reference.
CONTEXT_ADVICE = "to reserve its processor, use `with scoop.separate(ref) as r:`"


def command(func: F) -> F:
    """Make a method a command, whatever its annotations say.

    A command called through a separate reference is logged and returns
    ``None`` at once; it runs later on the object's processor.

    >>> import scoop
    >>> class Log(scoop.Separate):
    ...     @scoop.command
    ...     def add(self, line: str) -> bool:   # result dropped
    ...         return True
    """
    setattr(func, _KIND_ATTR, "command")
    return func


def query(func: F) -> F:
    """Make a method a query, whatever its annotations say.

    A query called through a separate reference waits for the processor to
    execute it and returns its result.

    >>> import scoop
    >>> class Clock(scoop.Separate):
    ...     @scoop.query
    ...     def tick(self):
    ...         return 1
    """
    setattr(func, _KIND_ATTR, "query")
    return func


def _annotation_is_none(annotation: Any) -> bool:
    if annotation is None or annotation is type(None):
        return True
    if isinstance(annotation, str):
        return annotation.strip() in _NO_RESULT
    name = getattr(annotation, "_name", None) or getattr(annotation, "__name__", None)
    return name in ("NoReturn", "Never") and getattr(annotation, "__module__", "") in (
        "typing",
        "typing_extensions",
    )


def is_query_function(func: Callable[..., Any]) -> bool:
    """Classify a plain function by the rules above (decorators, then annotations)."""
    kind = getattr(func, _KIND_ATTR, None)
    if kind is not None:
        return bool(kind == "query")
    annotations = getattr(func, "__annotations__", {})
    if "return" not in annotations:
        return False
    return not _annotation_is_none(annotations["return"])


class Member:
    """How one class member is reached through a separate reference.

    ``call(obj, *args, **kwargs)`` runs it on the object: the plain function
    itself for an ordinary method (the fast path), or a look-up on the object
    for a staticmethod, a classmethod or another callable descriptor.
    """

    __slots__ = ("name", "is_query", "call", "owner")

    def __init__(self, name: str, is_query: bool, function: Callable[..., Any] | None, owner: type):
        self.name = name
        self.is_query = is_query
        self.owner = owner
        if function is None:
            getter = operator.attrgetter(name)

            def look_up(obj: Any, *args: Any, **kwargs: Any) -> Any:
                return getter(obj)(*args, **kwargs)

            look_up.__qualname__ = f"{owner.__qualname__}.{name}"
            function = look_up
        self.call: Callable[..., Any] = function

    def __repr__(self) -> str:
        kind = "query" if self.is_query else "command"
        return f"<{kind} {self.owner.__qualname__}.{self.name}>"


def members(cls: type, base: type) -> tuple[dict[str, Member], set[str]]:
    """Classify the callable members and the properties of *cls*.

    Returns ``(methods, properties)``: the methods and protocol methods by
    name, and the names of properties (always queries). Members that *base*
    (``scoop.Separate``) or ``object`` define are left out.
    """
    methods: dict[str, Member] = {}
    properties: set[str] = set()
    for name in dir(cls):
        dunder = name.startswith("__") and name.endswith("__")
        if dunder and name not in PROTOCOL and name not in METHOD_PROTOCOL:
            continue
        static = inspect.getattr_static(cls, name)
        if getattr(base, name, None) is static or getattr(object, name, None) is static:
            continue
        if isinstance(static, property):
            properties.add(name)
        elif inspect.isfunction(static):
            is_q = PROTOCOL[name] if name in PROTOCOL else is_query_function(static)
            methods[name] = Member(name, is_q, static, cls)
        elif isinstance(static, (staticmethod, classmethod)):
            methods[name] = Member(name, is_query_function(static.__func__), None, cls)
        elif hasattr(static, "__get__") and not hasattr(static, "__set__") and callable(static):
            # Another method-like descriptor (functools.partialmethod, a
            # decorator returning a callable object): called on the object.
            methods[name] = Member(name, is_query_function(static), None, cls)
        elif hasattr(static, "__get__") and hasattr(static, "__set__"):
            properties.add(name)  # a data descriptor reads like an attribute
    return methods, properties


def unforwarded(cls: type, base: type) -> list[str]:
    """The protocol methods of :data:`UNFORWARDED` that *cls* defines."""
    return [
        name
        for name in UNFORWARDED
        if getattr(cls, name, None) is not None
        and getattr(cls, name, None) is not getattr(base, name, None)
        and getattr(cls, name, None) is not getattr(object, name, None)
    ]


def refuse_async_methods(cls: type) -> None:
    """Raise a TypeError if *cls* has an ``async def`` method.

    A processor runs each call to completion, one at a time, on a thread
    with no event loop: a coroutine method would return a coroutine that
    nobody runs (and that cannot be copied back to the caller). Refusing it
    when the class is made says so before any call, and what to do instead.
    """
    for name in dir(cls):
        static = inspect.getattr_static(cls, name, None)
        func = static.__func__ if isinstance(static, (staticmethod, classmethod)) else static
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            kind = "an async generator" if inspect.isasyncgenfunction(func) else "an async def method"
            raise TypeError(
                f"{cls.__qualname__}.{name} is {kind}, which a scoop.Separate class cannot have: "
                f"its processor runs each call to completion, one at a time, and has no event "
                f"loop to run a coroutine on. Make it a plain def method; a coroutine that "
                f"calls it awaits its future instead: `await ref.{name}.future(...)` "
                f"(see docs/asyncio.md)"
            )
