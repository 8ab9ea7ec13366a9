"""Type checkers see what a user expects (SPEC §10): checked with mypy's API."""

import os
import textwrap

from mypy import api

SNIPPET = textwrap.dedent(
    """
    import scoop

    class Account(scoop.Separate):
        def __init__(self, owner: str, balance: int = 0) -> None:
            self.owner = owner
            self.balance = balance

        def statement(self) -> str:
            return self.owner

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
    Account.on(scoop.processor())(42)
    """
)


def test_separate_objects_reservations_and_placement_have_the_types_users_expect(tmp_path):
    path = tmp_path / "user.py"
    path.write_text(SNIPPET)
    out, err, status = api.run(["--strict", "--no-incremental", "--cache-dir", os.devnull, str(path)])
    revealed = [
        line.split("Revealed type is ", 1)[1].replace("builtins.", "")  # as mypy versions print it
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    assert revealed == [
        '"user.Account"',
        '"def (owner: str, balance: int =) -> user.Account"',
        '"user.Account"',
        '"user.Account"',
        '"user.Account"',
        '"scoop._handle.Processor"',
    ], out + err
    # Account.on(p) keeps the constructor's parameters: a wrong argument is an error.
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 1 and 'incompatible type "int"' in errors[0], out
