"""SPEC §1: separate objects and processors."""

import threading

import pytest

import scoop
from models import Account, Cell, Peer, Recorder, SlowInit, BrokenInit, Boom
from support import STUCK, held, watchdog


# -- every object belongs to exactly one processor, which runs its calls one at a time, in order


def test_object_belongs_to_one_processor():
    a = Account("ann")
    assert scoop.processor_of(a) == scoop.processor_of(a)
    assert scoop.processor_of(a.me()) == scoop.processor_of(a)


def test_handler_executes_calls_one_at_a_time():
    recorder = Recorder()
    clients, calls = 4, 200
    barrier = threading.Barrier(clients)

    def client():
        barrier.wait()
        for _ in range(calls):
            recorder.work()
        recorder.ping()  # sync: this client's commands have run

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert recorder.done == clients * calls
    assert recorder.max_active == 1


def test_handler_executes_one_clients_calls_in_order():
    a = Account("ann", 0)
    for i in range(1, 101):
        a.keep(i)
        a.deposit(i)
    assert a.kept == 100
    assert a.balance == sum(range(1, 101))


# -- instantiating returns a separate reference; each new object gets a new processor


def test_instantiation_returns_a_separate_reference():
    a = Account("ann", 100)
    assert scoop.is_separate(a)
    assert isinstance(a, Account)
    assert isinstance(a, scoop.Separate)


def test_each_new_object_gets_a_new_processor():
    a, b, c = Account("a"), Account("b"), Account("c")
    assert scoop.processor_of(a) != scoop.processor_of(b)
    assert scoop.processor_of(b) != scoop.processor_of(c)
    assert scoop.processor_of(a) != scoop.processor_of(c)


# -- creation is a command: __init__ runs on the new processor, before the creator's later calls


def test_creation_returns_before_init_runs():
    gate, started = threading.Event(), threading.Event()
    with watchdog(gate) as dog:
        s = SlowInit(scoop.shared(gate), scoop.shared(started))
        assert not dog.fired, "creating a separate object waited for __init__"
        assert scoop.is_separate(s)
        # __init__ runs on its own processor while this thread goes on.
        assert started.wait(STUCK)
        s.note("after-creation")  # logged behind __init__
        gate.set()
        assert s.history == ["init-begin", "init-end", "after-creation"]
    assert not dog.fired


def test_init_runs_before_later_calls_of_the_creator():
    a = Account("ann", 100)
    a.deposit(1)
    assert a.statement() == "ann: 101"


def test_exception_in_init_is_a_failed_command():
    b = BrokenInit("no good")
    with pytest.raises(scoop.CommandFailed) as info:
        b.ping()
    assert isinstance(info.value.__cause__, Boom)
    assert "no good" in str(info.value.__cause__)


# -- inside its own methods an object sees itself raw; same-processor calls run at once


def test_object_sees_itself_raw_inside_its_methods():
    a = Account("ann", 10)
    assert a.self_is_separate() is False
    assert a.self_type_name() == "Account"


def test_calls_on_self_are_ordinary_python_calls():
    a = Account("ann", 10)
    # The two deposits made through ``self`` inside the query have run when it returns.
    assert a.deposit_twice_via_self(5) == 20


def test_query_on_object_of_own_processor_runs_at_once():
    a = Peer("a")
    b = Peer.on(scoop.processor_of(a))("b")
    b.set_value(42)
    b.ping()  # b's value is set
    # a's handler is also b's handler: a query from a on b must run synchronously on the
    # caller (a processor never waits for itself), not deadlock.
    assert a.ask_value_of(b) == 42


def test_command_on_object_of_own_processor_has_run_when_the_call_returns():
    box = []
    a = Peer("a")
    b = Peer.on(scoop.processor_of(a))("b")
    assert a.command_then_look(b, scoop.shared(box)) == 1
    assert box == ["ran"]


def test_command_on_object_of_other_processor_is_still_a_command():
    # The counterpart of the test above: the same call on another processor is logged.
    box = []
    a = Peer("a")
    b = Peer("b")
    a.set_peer(b)
    with held(b) as h:
        # b is busy with this thread's hold(): a's command on b can only be logged.
        assert a.command_on_peer_then_look(scoop.shared(box)) == 0
        assert not h.fired
    b.ping()


# -- a blocked handler never stalls other processors


def test_blocked_handlers_do_not_stall_other_processors():
    # ``target`` waits for a reservation that this thread holds, so every ``waiter`` that
    # queries ``target`` blocks in turn, each waiting on another processor. There are more of
    # them than any reasonable fixed pool of executor threads.
    target = Account("target", 7)
    waiters = [Peer(f"w{i}") for i in range(100)]
    for w in waiters:
        w.set_peer(target)
    # The waiters reach ``target`` through a stored reference: passing ``target`` as an
    # argument while this thread holds it would lend them the reservation (SPEC §6).
    with scoop.separate(target) as t:
        futures = [w.query_peer_balance.future() for w in waiters]
        # While all of those are blocked, fresh and idle processors still answer.
        bystanders = [Cell(i) for i in range(10)]
        assert [c.get() for c in bystanders] == list(range(10))
        assert t.balance == 7
        assert not any(f.done() for f in futures)
    assert [f.result(timeout=STUCK) for f in futures] == [7] * len(waiters)


def test_handler_busy_in_python_code_does_not_stall_other_processors():
    a = Account("busy")
    with held(a):
        others = [Account(f"o{i}", i) for i in range(20)]
        assert [o.balance for o in others] == list(range(20))


# -- processors are cheap (the 20,000-object load test is in test_stress.py)


def test_processors_are_cheap():
    cells = [Cell(i) for i in range(2_000)]
    assert sum(c.get() for c in cells) == sum(range(2_000))
    assert threading.active_count() <= 64


# -- processor_of, processor(), Klass.on(processor)


def test_processor_returns_a_new_processor_each_time():
    p, q = scoop.processor(), scoop.processor()
    assert p != q
    assert p == p


def test_on_processor_creates_object_there():
    p = scoop.processor()
    a = Account.on(p)("ann", 1)
    b = Account.on(p)("bob", 2)
    assert scoop.processor_of(a) == p
    assert scoop.processor_of(b) == p
    assert scoop.processor_of(a) == scoop.processor_of(b)
    assert a.balance + b.balance == 3


def test_on_processor_of_other_object():
    a = Account("ann", 1)
    b = Account.on(scoop.processor_of(a))("bob", 2)
    assert scoop.processor_of(b) == scoop.processor_of(a)
    assert a != b


# -- equality, hash and repr are by identity and never block; isinstance; is_separate


def test_reference_equality_and_hash_are_by_identity():
    a = Account("same", 1)
    b = Account("same", 1)
    again = a.me()
    assert again == a
    assert hash(again) == hash(a)
    assert a != b
    assert {a, again, b} == {a, b}
    assert len({a, again, b}) == 2
    assert {a: "x"}[again] == "x"


def test_equality_hash_and_repr_do_not_block():
    a = Account("ann", 1)
    b = Account("bob", 1)
    other_ref = a.me()
    with held(a, b) as h:
        assert a == other_ref
        assert a != b
        assert hash(a) == hash(other_ref)
        text = repr(a)
        assert not h.fired, "==, hash or repr waited for a busy handler"
    assert "Account" in text


def test_isinstance_sees_the_class():
    a = Account("ann")
    assert isinstance(a, Account)
    assert not isinstance(a, Peer)


def test_is_separate_tells_references_from_raw_objects():
    a = Account("ann")
    assert scoop.is_separate(a) is True
    assert scoop.is_separate(a.me()) is True
    assert a.self_is_separate() is False
    for value in (42, "ann", [a], Account, None):
        assert scoop.is_separate(value) is False


def test_the_processor_handle_shows_users_only_what_the_model_names():
    # Issue 12: scoop.Processor used to show the runtime's internals (open_queue,
    # close_implicit, watchers, ...) to every user.
    public = {name for name in dir(scoop.Processor) if not name.startswith("_")}
    assert public == {"kind"}
    p = scoop.processor()
    assert p.kind == "default"
    assert scoop.processor_of(Account.on(p)("ann", 1)) == p
    assert hash(p) == hash(scoop.processor_of(Account.on(p)("bob", 2)))
    with pytest.raises(AttributeError, match="read-only"):
        p.kind = "passive"
    with pytest.raises(TypeError, match="takes a processor"):
        Account.on("a processor")
