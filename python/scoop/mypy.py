"""pyscoop's mypy plugin: ``ref.method.future(...)`` typed as the method's own call.

Enable it in the project's mypy configuration::

    [tool.mypy]
    plugins = ["scoop.mypy"]

Read through a separate reference, ``ref.method`` is a call ready to be made,
and ``ref.method.future(*args)`` logs it and returns at once a future for its
result. To mypy, ``ref.method`` is a bound method, which has no ``future``:
without the plugin, every ``ref.method.future(...)`` is an error (``"Callable[[float],
int]" has no attribute "future"``). With it:

- ``ref.method.future`` takes the method's own parameters and returns a
  ``SeparateFuture[R]`` (a :class:`concurrent.futures.Future` that a
  coroutine can await) of its return type ``R``, for the methods a
  ``Separate`` class defines, decorated or not;
- ``scoop.future(ref, "name")`` is a future of the attribute's or property's
  type, and an error for a method's name, as it is at run time.

Type checkers have no common plugin interface, and pyright has none at all.
The spelling that every checker types, plugin or not, is
``scoop.future(ref.method, *args)`` (a ``ParamSpec`` signature): use it in
code that pyright checks.

What the plugin does not see: a method inherited from a class that is not a
``Separate`` subclass (a mixin), and a method with no annotation at all
(mypy does not type those, and the plugin does not make it): through a
reference their ``future`` is still an error; ``scoop.future(ref.method, ...)``
works for both.

This module is imported by mypy only; ``import scoop`` never imports it.
"""

from __future__ import annotations

from typing import Callable

from mypy.checker import TypeChecker
from mypy.nodes import Decorator, FuncDef, OverloadedFuncDef, StrExpr, TypeInfo
from mypy.plugin import AttributeContext, ClassDefContext, FunctionContext, Plugin
from mypy.types import CallableType, FunctionLike, Instance, Overloaded, Type, get_proper_type

SEPARATE = "scoop._separate.Separate"
#: The fallback type the plugin gives the methods of Separate classes: a
#: function with a ``future`` attribute (defined for type checkers only).
METHOD = "scoop._separate.SeparateMethod"
FUTURE = "scoop._future.SeparateFuture"
FUTURE_FUNCTION = "scoop._proxy.future"


class ScoopPlugin(Plugin):
    """See the module's docstring."""

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        # Called for each base a class names; a subclass of a subclass of
        # Separate names the latter, so look at its ancestry.
        return _mark_methods if self._separate_class(fullname) is not None else None

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        if fullname == f"{METHOD}.future":
            return self._future_of_method
        # A decorated method (@scoop.query, @scoop.requires, ...) is typed by
        # the checker, after the class hook ran: mark it when it is read.
        owner, _, name = fullname.rpartition(".")
        info = self._separate_class(owner)
        if info is not None and _is_method_name(name):
            node = info.names[name].node if name in info.names else None
            if isinstance(node, Decorator) and not node.var.is_property:
                return self._as_separate_method
        return None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        return self._future_of_attribute if fullname == FUTURE_FUNCTION else None

    def _separate_class(self, fullname: str) -> TypeInfo | None:
        node = self._node(fullname) if "." in fullname else None
        return node if isinstance(node, TypeInfo) and node.has_base(SEPARATE) else None

    def _node(self, fullname: str) -> object:
        sym = self.lookup_fully_qualified(fullname)
        return sym.node if sym is not None else None

    def _instance(self, fullname: str, args: list[Type]) -> Instance:
        # By the build's module table: the checker's own lookup walks package
        # attributes, and scoop does not name its private modules.
        info = self._node(fullname)
        assert isinstance(info, TypeInfo), fullname
        return Instance(info, args)

    def _as_separate_method(self, ctx: AttributeContext) -> Type:
        typ = get_proper_type(ctx.default_attr_type)
        if isinstance(typ, FunctionLike) and not typ.is_type_obj():
            return _with_fallback(typ, self._instance(METHOD, []))
        return ctx.default_attr_type

    def _future_of_method(self, ctx: AttributeContext) -> Type:
        """``ref.method.future``: the method's parameters, a future of its result."""
        method = get_proper_type(ctx.type)
        function = ctx.api.named_generic_type("builtins.function", [])

        def future(call: CallableType) -> CallableType:
            return call.copy_modified(ret_type=self._instance(FUTURE, [call.ret_type]), fallback=function)

        if isinstance(method, CallableType):
            return future(method)
        if isinstance(method, Overloaded):
            return Overloaded([future(item) for item in method.items])
        return ctx.default_attr_type

    def _future_of_attribute(self, ctx: FunctionContext) -> Type:
        """``scoop.future(ref, "name")``: a future of the attribute's type."""
        if len(ctx.args) != 2 or len(ctx.args[1]) != 1 or not isinstance(ctx.args[1][0], StrExpr):
            return ctx.default_return_type  # scoop.future(ref.method, ...), or a name not known here
        ref = get_proper_type(ctx.arg_types[0][0])
        name = ctx.args[1][0].value
        if not isinstance(ref, Instance) or not isinstance(ctx.api, TypeChecker):
            return ctx.default_return_type
        if _is_method(ref.type.get_method(name)) and _is_method_name(name):
            ctx.api.fail(
                f"{ref.type.name}.{name} is a method: scoop.future() reads attributes and properties; "
                f"for a call, use ref.{name}.future(...) or scoop.future(ref.{name}, ...)",
                ctx.context,
            )
            return ctx.default_return_type
        value = ctx.api.expr_checker.analyze_external_member_access(name, ref, ctx.context)
        return self._instance(FUTURE, [value])


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point."""
    return ScoopPlugin


def _is_method_name(name: str) -> bool:
    # Dunder methods are protocol methods through a reference (len(ref),
    # ref[k]): they are not read as calls to make, and have no future.
    return not (name.startswith("__") and name.endswith("__"))


def _is_method(node: object) -> bool:
    """Whether a class member *node* is a method, and not a property."""
    if isinstance(node, Decorator):
        return not node.var.is_property
    return isinstance(node, (FuncDef, OverloadedFuncDef)) and not node.is_property


def _mark_methods(ctx: ClassDefContext) -> None:
    """Give the methods the class defines the fallback type that has ``future``."""
    fallback = ctx.api.named_type_or_none(METHOD)
    if fallback is None:  # scoop._separate is not analysed yet
        if not ctx.api.final_iteration:
            ctx.api.defer()
        return
    for name, sym in ctx.cls.info.names.items():
        node = sym.node
        if not _is_method_name(name) or not isinstance(node, (FuncDef, OverloadedFuncDef)):
            continue
        if node.is_static or node.is_class or node.is_property:
            continue
        if isinstance(node.type, FunctionLike):  # None: not annotated, not typed by mypy
            node.type = _with_fallback(node.type, fallback)
        elif isinstance(node, OverloadedFuncDef):
            # Its type is made by the checker, later, from its items' own.
            for item in node.items:
                func = item.func if isinstance(item, Decorator) else item
                if isinstance(func.type, FunctionLike):
                    func.type = _with_fallback(func.type, fallback)


def _with_fallback(typ: FunctionLike, fallback: Instance) -> FunctionLike:
    if isinstance(typ, CallableType):
        return typ.copy_modified(fallback=fallback)
    assert isinstance(typ, Overloaded)
    return Overloaded([item.copy_modified(fallback=fallback) for item in typ.items])
