"""A program whose classes are all in its own main module, with some placed on Ray (SPEC §7).

Usage: ray_main.py RAY_ADDRESS

A Ray worker does not import this script: the classes and values cross by value. pyscoop
initialises Ray itself (connecting to the cluster at RAY_ADDRESS), and shuts it down with its
runtime.
"""

import dataclasses
import os
import sys

import ray

import scoop

BUMPS = [0]  # a global of the main module, in the actor's copy


@dataclasses.dataclass
class Entry:
    owner: str
    balance: int


class Account(scoop.Separate):
    def __init__(self, owner: str = "ann", balance: int = 0) -> None:
        self.owner, self.balance = owner, balance

    def deposit(self, amount: int) -> None:
        self.balance += amount

    def pid(self) -> int:
        return os.getpid()


class Teller(scoop.Separate):
    """Placed on Ray."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.kept: list["Teller"] = []

    def pay(self, times: int, amount: int) -> None:
        for _ in range(times):
            self.account.deposit(amount)  # callouts to the parent's Account

    def report(self) -> Entry:
        return Entry(self.account.owner, self.account.balance)

    def open_account(self, balance: int) -> Account:
        return Account("bob", balance)  # made and placed by the parent

    def bump(self) -> int:
        BUMPS[0] += 1
        return BUMPS[0]

    def keep(self, other: "Teller") -> None:
        # The reference brings its class along, by value, again: the class this actor
        # has must keep its methods (and their globals).
        self.kept.append(other)


if __name__ == "__main__":
    scoop.configure(
        placement={f"{__name__}.Teller": {"kind": "ray"}},
        ray={"address": sys.argv[1], "logging_level": "error"},
    )
    account = Account()
    teller = Teller(account)
    teller.pay(3, 5)
    entry = teller.report()  # after the teller's commands on the account, in its order
    print("entry", entry, isinstance(entry, Entry))
    print("balance", account.balance)
    made = teller.open_account(3)  # the actor's copy of Account comes back: it is Account
    print("made", made.balance, "in the parent", made.pid() == os.getpid())
    print("classes intact", Account.deposit.__globals__ is globals())
    first = teller.bump()
    second = teller.bump()
    teller.keep(Teller(account))
    print("bumps", first, second, teller.bump())
    scoop.shutdown()
    print("ray initialised after shutdown:", ray.is_initialized())
