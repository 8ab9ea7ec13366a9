"""The separate classes and the interpreter that the random programs of test_model.py run.

A program is data: frozen dataclasses (immutable, so they cross processors as they are), each
with a ``repr`` that reads like the code it stands for. :func:`run_client` executes one
client's operations, from a plain thread or from an :class:`Agent`'s method body, and returns
what the client observed. Every object records what it executed in its own ``log`` (legal
SCOOP state: the object's own attribute), which the test checks against the model at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import scoop

Entry = tuple[str, int]  # (client, op id), appended by each executed call


class Boom(Exception):
    """Raised by a failing command."""


class Cell(scoop.Separate):
    """A separate object that logs every call it executes."""

    def __init__(self, name: str):
        self.name = name
        self.log: list[Entry] = []
        self.tokens = 0  # produced and not yet taken: what wait conditions wait for

    def cmd(self, client: str, op: int) -> None:
        self.log.append((client, op))

    def fail(self, client: str, op: int) -> None:
        self.log.append((client, op))
        raise Boom(f"{client} op {op}")

    def read(self, client: str, op: int) -> tuple[Entry, ...]:
        self.log.append((client, op))
        return tuple(self.log)

    def produce(self, client: str, op: int) -> None:
        self.log.append((client, op))
        self.tokens += 1

    def take(self, client: str, op: int) -> None:
        if self.tokens <= 0:
            raise AssertionError(f"{self.name}.take by {client} op {op} without a token")
        self.log.append((client, op))
        self.tokens -= 1

    def entries(self) -> tuple[Entry, ...]:
        return tuple(self.log)


class Taker(scoop.Separate):
    """Takes a token from a cell under a precondition: ``@scoop.requires`` as a wait."""

    @scoop.requires(lambda self, cell, client, op: cell.tokens > 0)
    def take(self, cell: Cell, client: str, op: int) -> bool:
        cell.take(client, op)
        return True


class Agent(scoop.Separate):
    """A separate object acting as a client: its method body runs a client program."""

    def __init__(self, cells: tuple, taker: Taker):
        self.cells = cells
        self.taker = taker
        self.outcomes: tuple = ()

    def run(self, name: str, ops: tuple) -> None:
        self.outcomes = run_client(name, ops, self.cells, self.taker)

    def results(self) -> tuple:
        return self.outcomes


# -- the operations


@dataclass(frozen=True)
class Cmd:
    op: int
    cell: int

    def __repr__(self) -> str:
        return f"c{self.cell}.cmd(op={self.op})"


@dataclass(frozen=True)
class Fail:
    op: int
    cell: int

    def __repr__(self) -> str:
        return f"c{self.cell}.fail(op={self.op})  # raises Boom"


@dataclass(frozen=True)
class Read:
    op: int
    cell: int

    def __repr__(self) -> str:
        return f"c{self.cell}.read(op={self.op})  # query"


@dataclass(frozen=True)
class Produce:
    op: int
    cell: int

    def __repr__(self) -> str:
        return f"c{self.cell}.produce(op={self.op})"


@dataclass(frozen=True)
class Consume:
    """Take a token from a cell, waiting until there is one."""

    op: int
    cell: int
    via_requires: bool  # through Taker.take's @scoop.requires, else scoop.separate(until=)

    def __repr__(self) -> str:
        if self.via_requires:
            return f"taker.take(c{self.cell}, op={self.op})  # @requires(cell.tokens > 0)"
        return (
            f"with scoop.separate(c{self.cell}, until=lambda c: c.tokens > 0) as c: "
            f"c.take(op={self.op})"
        )


@dataclass(frozen=True)
class Block:
    """``with scoop.separate(*cells): inner`` — inner ops use only these cells."""

    op: int
    cells: tuple[int, ...]
    inner: tuple

    def __repr__(self) -> str:
        names = ", ".join(f"c{c}" for c in self.cells)
        body = "; ".join(repr(i).split("  #")[0] for i in self.inner)
        return f"with scoop.separate({names}):  # block {self.op}\n        {body}"


@dataclass(frozen=True)
class Program:
    cells: int
    threads: tuple[tuple, ...]  # one op tuple per plain thread client
    agents: tuple[tuple, ...]  # one op tuple per Agent client

    def clients(self) -> list[tuple[str, tuple]]:
        return [(f"T{i}", ops) for i, ops in enumerate(self.threads)] + [
            (f"A{i}", ops) for i, ops in enumerate(self.agents)
        ]

    def __repr__(self) -> str:
        lines = [f"# {self.cells} cells: c0 .. c{self.cells - 1} = Cell(...)"]
        for name, ops in self.clients():
            kind = "thread" if name.startswith("T") else "agent (a separate object's method)"
            lines.append(f"{name}:  # {kind}")
            lines.extend(f"    {op!r}" for op in ops)
            if not ops:
                lines.append("    pass")
        return "\n".join(lines)


# -- the interpreter


def taker_of(client: str) -> str:
    """The name a client's Taker logs its takes under."""
    return f"{client}~taker"


def _call(ref, op, client: str):
    """One plain call; returns the outcome to record, or None for a command."""
    if isinstance(op, Cmd):
        ref.cmd(client, op.op)
    elif isinstance(op, Fail):
        ref.fail(client, op.op)
    elif isinstance(op, Produce):
        ref.produce(client, op.op)
    elif isinstance(op, Read):
        return (op.op, "read", ref.read(client, op.op))
    else:
        raise TypeError(f"not a plain call: {op!r}")
    return None


def _failed(op: int, e: scoop.CommandFailed) -> tuple:
    return (op, "failed", type(e.__cause__).__name__)


def run_client(client: str, ops: tuple, cells: tuple, taker: Taker) -> tuple:
    """Run one client's ops; return what it observed, as (op, kind, detail) tuples."""
    seen: list[tuple] = []
    for op in ops:
        try:
            if isinstance(op, Block):
                refs = [cells[c] for c in op.cells]
                with scoop.separate(*refs) as held:
                    held = held if len(refs) > 1 else (held,)
                    by_cell = dict(zip(op.cells, held))
                    for inner in op.inner:
                        try:
                            out = _call(by_cell[inner.cell], inner, client)
                        except scoop.CommandFailed as e:
                            seen.append(_failed(inner.op, e))
                            raise _LeaveBlock() from None
                        if out is not None:
                            seen.append(out)
            elif isinstance(op, Consume):
                if op.via_requires:
                    # The Taker, not this client, logs the take: its own client in the log.
                    taker.take(cells[op.cell], taker_of(client), op.op)
                else:
                    with scoop.separate(cells[op.cell], until=lambda c: c.tokens > 0) as c:
                        c.take(client, op.op)
                seen.append((op.op, "took", None))
            else:
                out = _call(cells[op.cell], op, client)
                if out is not None:
                    seen.append(out)
        except _LeaveBlock:
            pass
        except scoop.CommandFailed as e:
            seen.append(_failed(op.op, e))
        except Exception as e:  # anything else is a finding: record it for the check
            seen.append((op.op, "error", f"{type(e).__name__}: {e}"))
            break
    return tuple(seen)


class _LeaveBlock(Exception):
    """A query inside a block raised CommandFailed: the block ends there, as user code's would."""
