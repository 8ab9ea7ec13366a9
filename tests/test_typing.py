"""Type checkers see what a user expects (SPEC §10): mypy (through its API, with and without
pyscoop's plugin, scoop.mypy) and pyright (which has no plugins) run on small user programs,
and their reveal_type() notes are compared with the types a user would write."""

import json
import os
import subprocess
import sys
import textwrap

from mypy import api

ACCOUNT = """
    import scoop

    class Account(scoop.Separate):
        def __init__(self, owner: str, balance: int = 0) -> None:
            self.owner = owner
            self.balance = balance

        def statement(self) -> str:
            return self.owner

        def deposit(self, amount: int) -> None:
            self.balance += amount

        def rate(self, years: float) -> int:
            return self.balance // 100

        @scoop.query
        def total(self) -> int:
            return self.balance

        @property
        def rich(self) -> bool:
            return self.balance > 100
"""

OBJECTS = """
    a = Account("ann", 1)
    b = Account.on(scoop.processor_of(a))("bob")
    reveal_type(a)
    reveal_type(Account.on(scoop.processor()))
    with scoop.separate(a, b) as (x, y):
        reveal_type(x)
        reveal_type(y)
    with scoop.separate(a) as z:
        reveal_type(z)
    reveal_type(scoop.processor_of(a))
    reveal_type(a.statement())
    Account.on(scoop.processor())(42)
"""

# The spelling every checker types: scoop.future(ref.method, *args) (a ParamSpec signature).
FUTURES = """
    a = Account("ann")
    reveal_type(scoop.future(a.rate, 2.0))
    reveal_type(scoop.future(a.deposit, 1))
    reveal_type(scoop.future(a.total))
    reveal_type(scoop.future(a, "balance"))

    async def main() -> None:
        reveal_type(await scoop.future(a.rate, 1.0))

    scoop.future(a.rate, "ten")
"""

# ref.method.future(...), which mypy types with the plugin only.
METHOD_FUTURES = """
    from typing import Generic, TypeVar, overload

    T = TypeVar("T")

    class Savings(Account):
        def interest(self) -> float:
            return 0.1

    class Box(scoop.Separate, Generic[T]):
        def __init__(self, item: T) -> None:
            self.item = item

        def get(self) -> T:
            return self.item

        @overload
        def pick(self, key: int) -> int: ...
        @overload
        def pick(self, key: str) -> str: ...
        def pick(self, key: int | str) -> int | str:
            return key

    a = Account("ann")
    reveal_type(a.rate.future(2.0))
    reveal_type(a.deposit.future(1))
    reveal_type(a.total.future())
    reveal_type(Savings("sam").interest.future())
    reveal_type(Box[int](5).get.future())
    reveal_type(Box[int](5).pick.future("k"))
    reveal_type(scoop.future(a, "balance"))
    reveal_type(scoop.future(a, "rich"))

    async def main() -> None:
        reveal_type(await a.statement.future())

    a.rate.future("ten")
    scoop.future(a, "rate")
"""


def _program(tmp_path, *parts: str) -> str:
    path = tmp_path / "user.py"
    path.write_text("".join(textwrap.dedent(p) for p in parts))
    return str(path)


def _mypy(tmp_path, *parts: str, plugin: bool) -> tuple[list[str], list[str]]:
    """(the types mypy --strict reveals, its errors), with or without scoop.mypy."""
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n" + ("plugins = scoop.mypy\n" if plugin else ""))
    path = _program(tmp_path, *parts)
    out, err, _ = api.run(["--config-file", str(config), "--no-incremental", "--cache-dir", os.devnull, path])
    revealed = [
        line.split("Revealed type is ", 1)[1].replace("builtins.", "").replace("scoop._future.", "")
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    errors = [line.split(": error: ", 1)[1] for line in out.splitlines() if ": error: " in line]
    return revealed, errors + ([err] if err else [])


def _pyright(tmp_path, *parts: str) -> tuple[list[str], list[str]]:
    """(the types pyright reveals, its errors), in its default mode."""
    path = _program(tmp_path, *parts)
    (tmp_path / "pyrightconfig.json").write_text("{}")  # not the repository's settings
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable, path],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        diagnostics = json.loads(result.stdout)["generalDiagnostics"]
    except (ValueError, KeyError):
        raise AssertionError(f"pyright did not run: {result.stdout}{result.stderr}") from None
    revealed = [
        '"' + d["message"].rsplit(" is ", 1)[1].strip('"') + '"'
        for d in diagnostics
        if d["severity"] == "information" and d["message"].startswith("Type of ")
    ]
    errors = [d["message"] for d in diagnostics if d["severity"] == "error"]
    return revealed, errors


def test_separate_objects_reservations_and_placement_have_the_types_users_expect(tmp_path):
    revealed, errors = _mypy(tmp_path, ACCOUNT, OBJECTS, plugin=False)
    assert revealed == [
        '"user.Account"',
        '"def (owner: str, balance: int =) -> user.Account"',
        '"user.Account"',
        '"user.Account"',
        '"user.Account"',
        '"scoop._handle.Processor"',
        '"str"',
    ], errors
    # Account.on(p) keeps the constructor's parameters: a wrong argument is an error.
    assert len(errors) == 1 and 'incompatible type "int"' in errors[0], errors


def test_pyright_sees_separate_objects_as_mypy_does(tmp_path):
    # The metaclass's __call__ (returning Any) made every separate object Any to pyright.
    revealed, errors = _pyright(tmp_path, ACCOUNT, OBJECTS)
    assert revealed == [
        '"Account"',
        '"(owner: str, balance: int = 0) -> Account"',
        '"Account"',
        '"Account"',
        '"Account"',
        '"Processor"',
        '"str"',
    ], errors
    assert len(errors) == 1 and '"Literal[42]"' in errors[0] and '"str"' in errors[0], errors


FUTURE_TYPES = ["SeparateFuture[int]", "SeparateFuture[None]", "SeparateFuture[int]", "SeparateFuture[Any]", "int"]


def test_scoop_future_of_a_method_is_typed_by_mypy_without_the_plugin(tmp_path):
    revealed, errors = _mypy(tmp_path, ACCOUNT, FUTURES, plugin=False)
    assert revealed == [f'"{t}"' for t in FUTURE_TYPES], errors
    assert len(errors) == 1 and 'matches argument types "Callable[[float], int]", "str"' in errors[0], errors


def test_scoop_future_of_a_method_is_typed_by_pyright(tmp_path):
    revealed, errors = _pyright(tmp_path, ACCOUNT, FUTURES)
    assert revealed == [f'"{t}"' for t in FUTURE_TYPES], errors
    # (pyright says so twice: no overload matches, and why.)
    assert errors and all("future" in e or "Literal['ten']" in e for e in errors), errors
    assert any('parameter "years" of type "float"' in e for e in errors), errors


def test_the_mypy_plugin_types_ref_method_future(tmp_path):
    revealed, errors = _mypy(tmp_path, ACCOUNT, METHOD_FUTURES, plugin=True)
    assert revealed == [
        '"SeparateFuture[int]"',
        '"SeparateFuture[None]"',
        '"SeparateFuture[int]"',  # a decorated method
        '"SeparateFuture[float]"',  # a subclass's method
        '"SeparateFuture[int]"',  # a generic class's, as its instance says
        '"SeparateFuture[str]"',  # the overload that matches
        '"SeparateFuture[int]"',  # scoop.future(ref, "attr"): the attribute's type
        '"SeparateFuture[bool]"',  # a property's
        '"str"',
    ], errors
    assert len(errors) == 2, errors
    assert 'Argument 1 to "rate" of "Account" has incompatible type "str"; expected "float"' in errors[0]
    assert "Account.rate is a method: scoop.future() reads attributes" in errors[1]


def test_without_the_plugin_ref_method_future_is_an_error_in_mypy(tmp_path):
    # What the plugin is for (and why pyright users write scoop.future(ref.method, ...)).
    _, errors = _mypy(tmp_path, ACCOUNT, "a = Account('ann')\na.rate.future(2.0)\n", plugin=False)
    assert errors == ['"Callable[[float], int]" has no attribute "future"  [attr-defined]'], errors
