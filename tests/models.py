"""Classes under test.

They live in an importable module (``from models import Account``) rather than in the test
files, so that the runtime can find every class by its qualified name.

Conventions used throughout:

* Every class derives from :class:`Holdable`, whose ``hold`` command keeps the handler busy
  until a ``threading.Event`` (passed with ``scoop.shared``) is set. Tests use it to show that a
  call does not wait for the handler, or that a handler is busy while something else happens.
* ``hold`` never waits forever: a test that fails must not leave a processor stuck, or the
  autouse ``scoop.shutdown()`` would hang too.
* Return annotations decide command/query (SPEC §2): ``-> None`` or no annotation is a
  command, anything else is a query.
"""

import dataclasses
import enum
import threading
import time
from typing import Iterator, List, NoReturn, Optional

import scoop

# A test opens every gate long before this; it only guarantees that no handler stays blocked.
HOLD_GUARD_SECONDS = 120.0


class Boom(Exception):
    """The exception raised on purpose by the failing methods below."""


def _explode_deep_inside(message: str) -> int:
    # A named frame on the handler's side: tests look for this function's name in the
    # traceback that the caller sees (SPEC §8).
    raise Boom(message)


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclasses.dataclass
class MutablePoint:
    x: int
    y: int


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class ThreadSafeBox:
    """A plain (non-separate) object that is safe to share: it guards itself with a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list = []

    def append(self, item) -> None:
        with self._lock:
            self._items.append(item)

    def items(self) -> list:
        with self._lock:
            return list(self._items)


class Holdable(scoop.Separate):
    def hold(self, gate, started=None) -> None:
        """Command: keep this handler busy until ``gate`` is set."""
        if started is not None:
            started.set()
        if not gate.wait(HOLD_GUARD_SECONDS):
            raise RuntimeError("hold(): the gate was never opened")

    def signal(self, event) -> None:
        """Command: set ``event`` when the handler reaches this call."""
        event.set()

    def ping(self) -> str:
        """Query: a round trip that touches no state."""
        return "pong"

    def note_is_set(self, event, box) -> None:
        """Command: record, when the handler runs it, whether ``event`` is set by then."""
        box.append(event.is_set())


class Account(Holdable):
    def __init__(self, owner: str = "anon", balance: int = 0):
        self.owner = owner
        self.balance = balance  # plain attribute: reading it through a reference is a query
        self.peer = None
        self.peers: list = []
        self.kept = None

    # -- commands
    def deposit(self, amount: int) -> None:
        self.balance += amount

    def withdraw(self, amount: int) -> None:
        self.balance -= amount

    def fail(self, message: str, reached=None) -> None:
        """Command that raises; sets ``reached`` (a shared Event) first, if given."""
        if reached is not None:
            reached.set()
        raise Boom(message)

    def keep(self, value) -> None:
        self.kept = value

    def mutate_kept(self) -> None:
        self.kept.append("changed by the handler")

    def set_peer(self, other: "Account") -> None:
        self.peer = other

    def set_peers(self, others: list) -> None:
        self.peers = others

    def append_to(self, target, item) -> None:
        target.append(item)

    # -- queries
    def statement(self) -> str:
        return f"{self.owner}: {self.balance}"

    @property
    def is_overdrawn(self) -> bool:
        return self.balance < 0

    def echo(self, value: object) -> object:
        return value

    def shares_inner(self, pair: list) -> bool:
        return pair[0] is pair[1]

    def me(self) -> "Account":
        return self

    def me_in_a_list(self) -> list:
        return [self, self]

    def self_is_separate(self) -> bool:
        return scoop.is_separate(self)

    def self_type_name(self) -> str:
        return type(self).__name__

    def deposit_twice_via_self(self, amount: int) -> int:
        # Calls on ``self`` are ordinary Python calls: both deposits have run on return.
        self.deposit(amount)
        self.deposit(amount)
        return self.balance

    def peer_balance(self) -> int:
        return self.peer.balance

    def peers_total(self) -> int:
        return sum(p.balance for p in self.peers)

    def introduce_to(self, other: "Account") -> bool:
        # Pass the raw ``self`` out of this processor: ``other`` must receive a reference.
        other.set_peer(self)
        return scoop.is_separate(other.peer)

    def explode(self, message: str) -> int:
        return _explode_deep_inside(message)

    def explode_into(self, box, message: str) -> int:
        exc = Boom(message)
        box.append(exc)
        raise exc

    def make_generator(self) -> Iterator[int]:
        return (i for i in range(3))

    def make_lock(self) -> object:
        return threading.Lock()

    def fail_then_observe(self, other: "Account") -> str:
        """Query: this processor, as a client, fails a command on ``other`` then observes it."""
        other.fail("failed by a processor")
        other.deposit(1000)  # skipped: the handler is dirty for this client
        try:
            other.balance
        except scoop.CommandFailed as exc:
            return f"CommandFailed({type(exc.__cause__).__name__})"
        return "not observed"


class Log(Holdable):
    """An append-only record of the calls it received, in the order it executed them."""

    def __init__(self) -> None:
        self.entries: list = []

    def append(self, item) -> None:
        self.entries.append(item)

    def log(self, tag, what) -> None:
        self.entries.append((tag, what))

    def count(self) -> int:
        return len(self.entries)

    def items(self) -> list:
        return list(self.entries)


class Recorder(Holdable):
    """Detects overlapping execution: a handler runs one call at a time."""

    def __init__(self) -> None:
        self.active = 0
        self.max_active = 0
        self.done = 0

    def work(self) -> None:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        # Release the GIL inside the call: if another thread ran a call of this object now,
        # ``active`` would reach 2.
        time.sleep(0)  # a GIL release, not a wait for the runtime
        self.done += 1
        self.active -= 1

    def slow_increment(self) -> None:
        # A read-modify-write with a GIL release in the middle: atomic only if the runtime
        # runs one call of this object at a time.
        value = self.done
        time.sleep(0)
        self.done = value + 1


class SlowInit(Holdable):
    """``__init__`` blocks until a gate opens: shows that creation is a command."""

    def __init__(self, gate, started) -> None:
        self.history = ["init-begin"]
        started.set()
        if not gate.wait(HOLD_GUARD_SECONDS):
            raise RuntimeError("SlowInit: the gate was never opened")
        self.history.append("init-end")

    def note(self, what: str) -> None:
        self.history.append(what)


class BrokenInit(Holdable):
    def __init__(self, message: str) -> None:
        raise Boom(message)


class Peer(Holdable):
    """Objects that call each other: used to show same-processor calls are synchronous."""

    def __init__(self, name: str = "peer") -> None:
        self.name = name
        self.value = 0
        self.peer = None

    def set_peer(self, other: "Peer") -> None:
        self.peer = other

    def set_value(self, value: int) -> None:
        self.value = value

    def record_into(self, box, item) -> None:
        box.append(item)

    def ask_value_of(self, other: "Peer") -> int:
        # A query on another object; if ``other`` is on this processor it runs at once.
        return other.value

    def command_then_look(self, other: "Peer", box) -> int:
        """Log a command on ``other`` and report, right after the call returns, whether it ran.

        ``box`` is a shared list: the command appends to it when it runs.
        """
        before = len(box)
        other.record_into(scoop.shared(box), "ran")
        return len(box) - before

    def command_on_peer_then_look(self, box) -> int:
        # Same as above with the reference held in an attribute: the call is unreserved.
        before = len(box)
        self.peer.record_into(scoop.shared(box), "ran")
        return len(box) - before

    def reserve_and_read(self, other: "Peer") -> int:
        with scoop.separate(other) as o:
            return o.value

    def query_through(self, other: "Account") -> int:
        """Query: this processor blocks in a query on ``other`` (e.g. while ``other`` is busy)."""
        return other.balance

    def query_peer_balance(self) -> int:
        """Query on the stored peer (an unreserved call): blocks while the peer is held."""
        return self.peer.balance


class Relay(Holdable):
    """A separate object acting as a client of other separate objects."""

    def spam(self, target: "Log", tag, n: int) -> None:
        for i in range(n):
            target.append((tag, i))

    def spam_then_count(self, target: "Log", tag, n: int) -> int:
        for i in range(n):
            target.append((tag, i))
        return target.count()

    def forward_appends(self, account: "Account", box, n: int) -> None:
        for i in range(n):
            account.append_to(scoop.shared(box), ("relay", i))

    def forward_then_block(self, target: "Holdable", reached, gate) -> None:
        """Log one command on ``target`` then block without logging anything else."""
        target.signal(scoop.shared(reached))
        if not gate.wait(HOLD_GUARD_SECONDS):
            raise RuntimeError("forward_then_block: the gate was never opened")

    def write_lines(self, writer: "LineWriter", prefix: str, n: int) -> None:
        for i in range(n):
            writer.write(f"{prefix}{i}")


class Classified(Holdable):
    """One method per classification rule of SPEC §2."""

    def __init__(self) -> None:
        self.n = 0
        self.calls: list = []

    @scoop.command
    def forced_command(self) -> int:  # the annotation says query; the decorator wins
        self.calls.append("forced_command")
        return None  # type: ignore[return-value]  # (a value here would also warn)

    @scoop.query
    def forced_query(self):  # no annotation (a command by rule 4); the decorator wins
        self.calls.append("forced_query")
        return 41 + 1

    @property
    def doubled(self) -> int:
        return self.n * 2

    def annotated(self) -> int:
        self.calls.append("annotated")
        return 7

    def annotated_optional(self) -> Optional[int]:
        self.calls.append("annotated_optional")
        return None

    def annotated_string(self) -> "List[int]":
        self.calls.append("annotated_string")
        return [1, 2]

    def annotated_none(self) -> None:
        self.calls.append("annotated_none")

    def annotated_string_none(self) -> "None":
        self.calls.append("annotated_string_none")

    def annotated_noreturn(self) -> NoReturn:  # type: ignore[misc]
        self.calls.append("annotated_noreturn")

    def unannotated(self):
        self.calls.append("unannotated")

    def bump(self, by=1):
        self.n += by


class LeakyA(Holdable):
    """Commands that return a value (SPEC §2 rule 4: a CommandResultWarning)."""

    def __init__(self) -> None:
        self.n = 0

    def leaky_a(self):
        self.n += 1
        return self.n


class LeakyB(Holdable):
    def __init__(self) -> None:
        self.n = 0

    def leaky_b1(self):
        self.n += 1
        return "b1"

    def leaky_b2(self):
        self.n += 1
        return ["b2"]

    def quiet(self):
        self.n += 1
        return None


class Shelf(Holdable):
    """Defines the container protocol: forwarded through references by SPEC §2's rules."""

    def __init__(self) -> None:
        self._items: dict = {}

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, key: str) -> object:
        return self._items[key]

    def __setitem__(self, key: str, value) -> None:
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def keys(self) -> list:
        return list(self._items)


class Bank(Holdable):
    def transfer(self, src: Account, dst: Account, amount: int) -> None:
        # SPEC §4: a method reserves its separate arguments for its whole body, so nobody can
        # observe ``src`` debited and ``dst`` not yet credited.
        src.withdraw(amount)
        dst.deposit(amount)

    def finish(self, src: Account, dst: Account, done) -> None:
        # Queries sync this processor (a client) with its earlier commands on both accounts.
        src.balance
        dst.balance
        done.set()


@scoop.separate
def move(src: Account, dst: Account, amount: int) -> None:
    """A plain function that reserves its separate arguments (SPEC §4 ``@scoop.separate``)."""
    src.withdraw(amount)
    dst.deposit(amount)


class Cell(Holdable):
    """A tiny object for load tests."""

    def __init__(self, value: int) -> None:
        self.value = value

    def get(self) -> int:
        return self.value


class Mortal(Holdable):
    """Reports when the runtime lets go of it (SPEC §9: a processor ends)."""

    def __init__(self, gone, events) -> None:
        self.gone = gone
        self.events = events

    def record(self, item) -> None:
        self.events.append(item)

    def __del__(self) -> None:
        self.events.append("deleted")
        self.gone.set()


class LineWriter(Holdable):
    """Appends lines to a file; each line is flushed as it is written."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "a", buffering=1, encoding="utf-8")

    def write(self, line: str) -> None:
        self.file.write(line + "\n")


class Node(Holdable):
    """A ring or chain element for the stress tests."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.next = None

    def link(self, other: "Node") -> None:
        self.next = other

    def pass_token(self, hops_left: int, done, result) -> None:
        if hops_left == 0:
            result.append(self.index)
            done.set()
        else:
            self.next.pass_token(hops_left - 1, scoop.shared(done), scoop.shared(result))

    def depth(self) -> int:
        # Nested queries down a chain: each handler blocks in a query on the next one.
        if self.next is None:
            return 1
        return 1 + self.next.depth()


class PassiveAccount(Account):
    """Placed on a ``passive`` processor by test_failures (SPEC §7/§8): every call is synchronous."""
