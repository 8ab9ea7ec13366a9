"""Classes for the cross-process tests (SPEC §7, kind "process"): objects in worker
processes that hold, call, reserve and wait on separate references. Importable by
name: workers unpickle them."""

from __future__ import annotations

import os

import scoop
from models_coordination import Buffer  # noqa: F401 - the buffer the workers wait on


class Account(scoop.Separate):
    def __init__(self, balance: int = 0) -> None:
        self.balance = balance
        self.log: list[str] = []

    def deposit(self, amount: int) -> None:
        self.balance += amount

    def withdraw(self, amount: int) -> None:
        self.balance -= amount

    def note(self, text: str) -> None:
        self.log.append(text)

    def pid(self) -> int:
        return os.getpid()


class Gate(scoop.Separate):
    """Counts arrivals; a wait condition on it lets several bodies meet."""

    def __init__(self) -> None:
        self.arrived = 0

    def arrive(self) -> None:
        self.arrived += 1


class Caller(scoop.Separate):
    """A default-kind object that calls a worker, which calls it back."""

    def __init__(self) -> None:
        self.calls = 0

    def answer(self) -> int:
        self.calls += 1
        return 41

    def go(self, worker: "Worker") -> int:
        return worker.ask(self)


class Worker(scoop.Separate):
    """Placed in a worker process by the tests."""

    def __init__(self, peer: object = None) -> None:
        self.peer = peer
        self.kept: list[object] = []
        self.recorded: list[tuple[int, int]] = []

    def pid(self) -> int:
        return os.getpid()

    def keep(self, ref: object) -> None:
        self.kept.append(ref)

    def drop(self) -> None:
        self.kept.clear()

    def same_kept(self) -> bool:
        return all(r == self.kept[0] for r in self.kept)

    def first_kept(self) -> object:
        return self.kept[0]

    def me(self) -> "Worker":
        return self

    def fill(self, sink: Account, n: int) -> int:
        for _ in range(n):
            sink.deposit(1)
        return sink.balance

    def fill_and_note(self, sink: Account, n: int) -> None:
        for i in range(n):
            sink.deposit(1)
        sink.note("done")

    def peer_pid(self) -> int:
        return self.peer.pid()  # type: ignore[union-attr]

    def transfer_block(self, src: Account, dst: Account, amount: int, times: int) -> None:
        # Not a separate-argument reservation of the call (the block is the test).
        for _ in range(times):
            with scoop.separate(src, dst) as (s, d):
                s.withdraw(amount)
                d.deposit(amount)

    def transfer_args(self, src: Account, dst: Account, amount: int) -> int:
        # A method reserves its separate arguments for its whole body (SPEC §4).
        src.withdraw(amount)
        mid = src.balance + dst.balance  # both reserved: nobody comes in between
        dst.deposit(amount)
        return mid

    @scoop.requires(lambda self, buf: not buf.is_empty)
    def consume(self, buf: Buffer) -> int:
        return buf.take()

    def take_within(self, buf: Buffer, seconds: float) -> int:
        with scoop.separate(buf, until=lambda b: not b.is_empty, timeout=seconds) as b:
            return b.take()

    def ask(self, caller: Caller) -> int:
        # The caller waits for this query: calling it back runs at once (SPEC §6).
        return caller.answer() + 1

    def make_account(self, balance: int) -> Account:
        account = Account(balance)  # made, and placed, by the parent
        account.deposit(1)
        return account

    def meet_at(self, gate: Gate, other: "Worker") -> None:
        self.gate, self.other = gate, other

    def meet_then_call(self) -> str:
        # Both bodies run at once (each waits for the other to arrive), then each
        # calls the other, busy: a cycle through two worker processes (SPEC §6).
        self.gate.arrive()
        with scoop.separate(self.gate, until=lambda g: g.arrived >= 2):
            pass
        try:
            self.other.pid()
        except scoop.DeadlockError:
            return "deadlock"
        return "called"

    def record(self, i: int) -> None:
        # A command whose body queries the parent (a callout), while the parent may be
        # posting the next commands.
        self.recorded.append((i, self.peer.balance))  # type: ignore[attr-defined]

    def fail(self) -> None:
        raise ValueError("a worker's command failed")

    def deposit_through_box(self, box: list[object], amount: int) -> int:
        # The stub of the box's account dies right after the command is logged, while this
        # body goes on: the command must reach the parent before the stub's release.
        box.pop().deposit(amount)  # type: ignore[attr-defined]
        return amount

    def kept_balance(self) -> int:
        return self.kept[0].balance  # type: ignore[attr-defined, no-any-return]
