"""Classes for the thread kind's tests (SPEC §7, ``kind = "thread"``). Importable by name, so
that a placement file can name them.

The tests place ``Store``, ``Recorder``, ``Agent`` and ``Asker`` on thread processors; ``Box``,
``Buffer`` and ``Caller`` stay on default ones.
"""

from __future__ import annotations

import sqlite3
import threading

import scoop


def where() -> tuple[int, str]:
    """The thread this runs on: its identifier and its name."""
    return threading.get_ident(), threading.current_thread().name


class Store(scoop.Separate):
    """A sqlite3 connection made in ``__init__``: sqlite3 refuses it on any other thread."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("create table kv (k text primary key, v integer)")
        self.writes = 0

    def put(self, k: str, v: int) -> None:
        self.db.execute("insert or replace into kv values (?, ?)", (k, v))
        self.writes += 1

    def get(self, k: str) -> int | None:
        row = self.db.execute("select v from kv where k = ?", (k,)).fetchone()
        return None if row is None else row[0]

    @property
    def size(self) -> int:
        return self.db.execute("select count(*) from kv").fetchone()[0]

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        return iter(self.db.execute("select k from kv order by k").fetchall())

    def total(self) -> int:
        return self.db.execute("select coalesce(sum(v), 0) from kv").fetchone()[0]

    def bad_query(self) -> int:
        return self.db.execute("select nope from kv").fetchone()[0]

    def bad_command(self) -> None:
        self.db.execute("insert into nope values (1)")

    def where(self) -> tuple[int, str]:
        return where()

    def close(self) -> None:
        self.db.close()


class Recorder(scoop.Separate):
    """Notes the thread of every kind of call made on it, in a shared list."""

    def __init__(self, seen: list) -> None:
        self.seen = seen
        self._ready = False
        self._note("__init__")

    def _note(self, what: str) -> None:
        self.seen.append((what, *where()))

    def command(self) -> None:
        self._note("command")

    def query(self) -> int:
        self._note("query")
        return 1

    @property
    def prop(self) -> int:
        self._note("property")
        return 2

    def __getattr__(self, name: str) -> int:
        if name == "virtual":  # an attribute read that runs code
            self._note("attribute")
            return 3
        raise AttributeError(name)

    def __len__(self) -> int:
        self._note("len")
        return 0

    def __getitem__(self, key: int) -> int:
        self._note("getitem")
        return key

    def __setitem__(self, key: int, value: int) -> None:
        self._note("setitem")

    def __contains__(self, key: int) -> bool:
        self._note("contains")
        return True

    def __iter__(self) -> object:
        self._note("iter")
        return iter([1, 2])

    def set_ready(self) -> None:
        self._note("command")
        self._ready = True

    @property
    def ready(self) -> bool:
        self._note("condition")
        return self._ready

    def poke(self, other: "Recorder") -> int:
        # A call on another object of the same (named) processor: runs at once, here.
        other.command()
        return other.query()


class Box(scoop.Separate):
    """A default object holding a number."""

    def __init__(self, value: int = 0) -> None:
        self.value = value

    def add(self, n: int) -> None:
        self.value += n

    def keep(self, other: "Box") -> None:
        self.kept = other

    def copy_kept(self) -> None:
        # A command whose body queries another object (unreserved).
        self.value = self.kept.value

    def where(self) -> tuple[int, str]:
        return where()


class Buffer(scoop.Separate):
    def __init__(self) -> None:
        self.items: list = []

    def put(self, item) -> None:
        self.items.append(item)

    def take(self) -> object:
        return self.items.pop(0)

    def __len__(self) -> int:
        return len(self.items)


class Waiter(scoop.Separate):
    """A default object that waits for a condition on its argument."""

    @scoop.requires(lambda self, r: r.ready)
    def wait_ready(self, r: Recorder) -> bool:
        return r.ready


class Agent(scoop.Separate):
    """Queries, reserves and waits on default objects from its dedicated thread."""

    def __init__(self) -> None:
        self.kept: Box | None = None
        self.threads: set = set()

    def _here(self) -> None:
        self.threads.add(where())

    def keep(self, box: Box) -> None:
        self.kept = box

    def value_of(self, box: Box) -> int:
        # A separate argument: reserved for the body, then queried.
        self._here()
        return box.value

    def kept_value(self) -> int:
        # An unreserved query on a default object (a reservation of its own).
        self._here()
        return self.kept.value

    def move(self, src: Box, dst: Box, n: int) -> int:
        self._here()
        with scoop.separate(src, dst) as (s, d):
            s.add(-n)
            d.add(n)
            return s.value + d.value

    @scoop.requires(lambda self, buf: len(buf) > 0)
    def take(self, buf: Buffer) -> object:
        self._here()
        return buf.take()

    def take_when(self, buf: Buffer) -> object:
        self._here()
        with scoop.separate(buf, until=lambda b: len(b) > 0) as b:
            return b.take()

    def seen_threads(self) -> set:
        return self.threads

    def ask(self, caller: "Caller") -> tuple:
        # A separate callback (SPEC §6): the caller waits for this call, so these run at once.
        caller.note("from the agent")
        return caller.notes(), where()

    def ask_agent(self, other: "Asker") -> tuple:
        # A synchronous call on another thread object that calls back on this one.
        return other.call_back(self), where()

    def where(self) -> tuple[int, str]:
        return where()

    def ask_box(self, box: "Caller") -> tuple:
        # A default object's body that calls back on this thread object.
        return box.call_back(self)


class Asker(scoop.Separate):
    def call_back(self, agent: Agent) -> tuple:
        return agent.where(), where()

    def where(self) -> tuple[int, str]:
        return where()


class Caller(scoop.Separate):
    """A default object that calls a thread object and is called back."""

    def __init__(self) -> None:
        self._notes: list = []

    def note(self, text: str) -> None:
        self._notes.append(text)

    def notes(self) -> list:
        return list(self._notes)

    def call(self, agent: Agent) -> tuple:
        return agent.ask(self)

    def call_back(self, agent: Agent) -> tuple:
        return agent.where(), where()


class Failing(scoop.Separate):
    def __init__(self, fail: bool) -> None:
        if fail:
            raise ValueError("no connection")
        self.ok = True


class Feeder(scoop.Separate):
    """Placed in a worker process by its test: it uses a thread object of the parent."""

    def feed(self, store: Store, n: int) -> int:
        for i in range(n):
            store.put(str(i), i)
        return store.size
