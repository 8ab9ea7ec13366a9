"""SPEC §7, ``kind = "thread"``: a dedicated OS thread runs every call of its processor's objects
(``__init__``, commands, queries, attribute reads) and nothing else, for the processor's whole
life; client-side query execution and helping never run its calls elsewhere."""

from __future__ import annotations

import gc
import sqlite3
import threading
import traceback

import pytest
from models_thread import Agent, Asker, Box, Buffer, Caller, Failing, Feeder, Recorder, Store, Waiter
from support import STUCK, describe, run_python, run_script

import scoop

THREAD = {"kind": "thread"}


@pytest.fixture(autouse=True)
def thread_placement():
    scoop.configure(placement={f"models_thread.{name}": THREAD for name in ("Store", "Recorder", "Agent", "Asker", "Failing")})
    yield
    scoop.shutdown()
    scoop._global._placements.clear()


def run_in_threads(n: int, target) -> None:
    errors: list = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(STUCK)
    assert not any(t.is_alive() for t in threads), "a client thread is stuck"
    if errors:
        raise errors[0]


def thread_named(ident: int) -> threading.Thread:
    return next(t for t in threading.enumerate() if t.ident == ident)


# -- the one thread ---------------------------------------------------------------------------


def test_a_sqlite_connection_made_in_init_serves_every_later_call_from_several_threads():
    store = Store()

    def client(i: int) -> None:
        for j in range(20):
            store.put(f"{i}-{j}", j)  # commands
            if j % 5 == 4:
                assert store.get(f"{i}-{j}") == j  # a query, waiting for this client's commands
        assert store.writes >= 20  # a data attribute read
        assert store.size >= 20  # a property (a query of its own)

    run_in_threads(4, client)
    assert len(store) == 80
    assert store.total() == 4 * sum(range(20))
    assert len(list(store)) == 80
    assert store.get("missing") is None
    store.close()


def test_every_kind_of_call_runs_on_the_same_dedicated_thread():
    seen: list = []
    rec = Recorder(scoop.shared(seen))
    rec.command()
    assert rec.query() == 1
    assert rec.prop == 2
    assert rec.virtual == 3  # read through the object's __getattr__
    assert scoop.future(rec, "prop").result(STUCK) == 2
    assert rec.query.future().result(STUCK) == 1
    assert len(rec) == 0 and rec[7] == 7 and 1 in rec and list(rec) == [1, 2]
    rec[1] = 2
    # Wait conditions: evaluated by the client (until=), and by whoever runs the object's
    # calls when a waiting client's condition may have changed (the default object's wait).
    waiting = Waiter().wait_ready.future(rec)
    rec.set_ready()
    assert waiting.result(STUCK) is True
    with scoop.separate(rec, until=lambda r: r.ready) as r:
        assert r.query() == 1
    # From other threads, and from a default object's body (an executor's fiber).
    run_in_threads(3, lambda i: rec.command() or rec.query())

    kinds = {what for what, _, _ in seen}
    assert kinds >= {"__init__", "command", "query", "property", "attribute", "len", "getitem",
                     "setitem", "contains", "iter", "condition"}
    threads = {(ident, name) for _, ident, name in seen}
    assert len(threads) == 1, threads
    ((ident, name),) = threads
    assert ident != threading.main_thread().ident
    assert name == "scoop-thread Recorder"
    assert ident not in {t.ident for t in threading.enumerate() if t.name.startswith("scoop-executor")}
    assert scoop.processor_of(rec).kind == "thread"
    assert "thread" in repr(scoop.processor_of(rec))


def test_each_thread_object_gets_a_thread_of_its_own():
    a, b = Store(), Store()
    assert a.where() != b.where()
    assert scoop.processor_of(a) != scoop.processor_of(b)


def test_a_named_thread_processor_runs_all_its_objects_on_one_thread():
    scoop.configure(placement={"models_thread.Recorder": {"kind": "thread", "processor": "ui"}})
    seen: list = []
    a, b = Recorder(scoop.shared(seen)), Recorder(scoop.shared(seen))
    assert scoop.processor_of(a) == scoop.processor_of(b)
    assert scoop.processor_of(a).kind == "thread"
    assert a.poke(b) == 1  # a's body calls b: same processor, so at once, on the same thread
    b.command()
    assert b.query() == 1
    assert len({ident for _, ident, _ in seen}) == 1
    assert [what for what, _, _ in seen][-4:] == ["command", "query", "command", "query"]


def test_objects_created_on_a_thread_processor_run_on_its_thread():
    store = Store()
    other = Store.on(scoop.processor_of(store))()
    assert other.where() == store.where()


# -- a thread object as a client of default objects -------------------------------------------


def test_a_thread_object_queries_reserves_and_waits_on_default_objects():
    agent, src, dst, buf = Agent(), Box(10), Box(0), Buffer()
    assert agent.value_of(src) == 10  # a separate argument, reserved and queried
    agent.keep(dst)
    assert agent.kept_value() == 0  # an unreserved query
    assert agent.move(src, dst, 3) == 10  # a scoop.separate block in the body
    assert (src.value, dst.value) == (7, 3)
    taken = agent.take.future(buf)  # @requires: waits until the buffer has an item
    taken_when = agent.take_when.future(buf)  # until=: the same, in a block
    buf.put("first")
    buf.put("second")
    assert sorted([taken.result(STUCK), taken_when.result(STUCK)]) == ["first", "second"]
    assert len(agent.seen_threads()) == 1
    assert agent.seen_threads() == {agent.where()}


def test_a_separate_callback_from_the_thread_body_reaches_its_waiting_client():
    agent, caller = Agent(), Caller()
    notes, agent_thread = caller.call(agent)  # the caller waits; the agent calls it back
    assert notes == ["from the agent"]
    assert agent_thread == agent.where()


def test_a_callback_on_a_thread_object_runs_on_its_own_thread():
    agent, asker, caller = Agent(), Asker(), Caller()
    (called_on, asker_thread), agent_thread = agent.ask_agent(asker)
    assert called_on == agent_thread == agent.where()
    assert asker_thread == asker.where() != agent_thread
    called_on, caller_thread = agent.ask_box(caller)
    assert called_on == agent.where()


def test_an_object_in_a_worker_process_uses_a_thread_object():
    # The worker's calls on the store come back to this process (scoop._host), where they go
    # through the store's references like any other client's: to its thread.
    scoop.configure(placement={"models_thread.Feeder": {"kind": "process"}})
    store = Store()
    assert Feeder().feed(store, 50) == 50
    assert store.total() == sum(range(50))
    store.close()


# -- deadlocks --------------------------------------------------------------------------------


def test_a_deadlock_through_a_thread_object_is_reported():
    # The main thread holds the box and waits for the agent; the agent's body (on its thread)
    # waits for y; y's body waits for the box. Whichever of the agent's thread and y's fiber
    # waits last closes the cycle, and is told.
    agent, box, y = Agent(), Box(1), Box(0)
    y.keep(box)
    agent.keep(y)
    assert agent.kept_value() == 0
    with scoop.separate(box):
        y.copy_kept()
        try:
            outcome = agent.kept_value()
        except scoop.DeadlockError as exc:
            outcome = exc
    if isinstance(outcome, scoop.DeadlockError):  # the agent's thread waited last
        assert "Agent" in str(outcome) and "Box.value" in str(outcome), outcome
        assert y.value == 1  # y's command went on once the box was free
    else:  # y's body waited last: its command failed
        assert outcome == 0
        with pytest.raises(scoop.CommandFailed) as info:
            y.value  # noqa: B018
        assert isinstance(info.value.__cause__, scoop.DeadlockError), info.value.__cause__
    assert agent.kept_value() == y.value  # nothing is stuck afterwards


def test_a_deadlock_between_a_thread_body_and_another_client_is_reported():
    # A fiber hands agent.kept_value() to the agent's thread, which waits for the box that
    # another thread holds; that thread then waits for the agent. Whichever waits last is told.
    agent, box = Agent(), Box(1)
    agent.keep(box)
    holding, logged = threading.Event(), threading.Event()
    outcome: dict = {}

    def holder(_: int) -> None:
        with scoop.separate(box):
            holding.set()
            assert logged.wait(STUCK)
            try:
                outcome["holder"] = agent.where()
            except scoop.DeadlockError as exc:
                outcome["holder"] = exc

    t = threading.Thread(target=holder, args=(0,))
    t.start()
    assert holding.wait(STUCK)
    future = agent.kept_value.future()
    logged.set()
    try:
        outcome["future"] = future.result(STUCK)
    except scoop.DeadlockError as exc:
        outcome["future"] = exc
    t.join(STUCK)
    assert not t.is_alive()
    errors = [k for k, v in outcome.items() if isinstance(v, scoop.DeadlockError)]
    assert len(errors) == 1, outcome


# -- failures ---------------------------------------------------------------------------------


def test_a_query_exception_is_raised_in_the_caller_with_its_traceback():
    store = Store()
    with pytest.raises(sqlite3.OperationalError, match="no such column: nope") as info:
        store.bad_query()
    text = "".join(traceback.format_exception(info.value))
    assert "in bad_query" in text, text
    assert store.total() == 0  # the processor goes on


def test_a_failed_command_is_seen_by_the_next_query():
    store = Store()
    store.bad_command()
    store.put("a", 1)  # skipped: this client's handler is dirty
    with pytest.raises(scoop.CommandFailed) as info:
        store.total()
    assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    assert "Store.bad_command" in str(info.value)
    assert store.total() == 0  # clean again
    assert store.get("a") is None


def test_a_failed_init_makes_the_object_unusable():
    f = Failing(True)
    with pytest.raises(scoop.CommandFailed) as info:
        f.ok  # noqa: B018
    assert isinstance(info.value.__cause__, ValueError)
    with pytest.raises(scoop.CommandFailed, match="creation failed"):
        f.ok  # noqa: B018
    assert Failing(False).ok is True


def test_ctrl_c_interrupts_a_caller_waiting_for_a_thread_object():
    result = run_script("thread_ctrl_c.py")
    assert result.returncode == 0, describe(result)
    assert "KeyboardInterrupt" in result.stdout, describe(result)
    assert "count after the interrupt: 1" in result.stdout, describe(result)


# -- lifetime ---------------------------------------------------------------------------------


def test_shutdown_runs_the_commands_logged_last_and_ends_the_thread():
    seen: list = []
    rec = Recorder(scoop.shared(seen))
    rec.query()
    thread = thread_named(seen[0][1])
    for _ in range(200):
        rec.command()
    scoop.shutdown(wait=True)
    assert [w for w, _, _ in seen].count("command") == 200
    thread.join(STUCK)
    assert not thread.is_alive()
    with pytest.raises(scoop.ProcessorStopped):
        rec.query()


def test_the_thread_ends_when_its_processor_is_collected():
    threads: list = []

    def client(_: int) -> None:
        # A client thread: its reservations end with it, so nothing keeps the processor.
        store = Store()
        store.put("k", 1)
        threads.append(thread_named(store.where()[0]))
        store.close()

    run_in_threads(1, client)
    (thread,) = threads
    gc.collect()
    thread.join(STUCK)
    assert not thread.is_alive(), "the dedicated thread outlived its processor"


def test_commands_logged_last_run_before_the_program_ends(tmp_path):
    out = tmp_path / "out.txt"
    result = run_script("thread_command_at_exit.py", out)
    assert result.returncode == 0, describe(result)
    assert out.read_text() == "".join(f"{i}\n" for i in range(100)) + "closed\n", describe(result)


# -- placement --------------------------------------------------------------------------------


def test_the_placement_file_gives_the_thread_kind(tmp_path, monkeypatch):
    scoop._global._placements.clear()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.scoop.placement]\n"models_thread.Store" = { kind = "thread" }\n'
    )
    monkeypatch.chdir(tmp_path)
    scoop.shutdown()  # the file is read when a runtime starts
    store = Store()
    assert scoop.processor_of(store).kind == "thread"
    ident, name = store.where()
    assert ident != threading.get_ident() and name == "scoop-thread Store"
    assert scoop.processor_of(Box()).kind == "default"
    store.close()


def test_the_placement_command_shows_the_thread_kind(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scoop.placement]\n"models_thread.Store" = { kind = "thread" }\n'
        '"models_thread.Recorder" = { kind = "thread", processor = "ui" }\n'
    )
    result = run_python(["-m", "scoop", "placement"], cwd=tmp_path)
    assert result.returncode == 0, describe(result)
    assert '  "models_thread.Store"    = { kind = "thread" }' in result.stdout.splitlines(), describe(result)
    assert '  "models_thread.Recorder" = { kind = "thread", processor = "ui" }' in result.stdout.splitlines()
