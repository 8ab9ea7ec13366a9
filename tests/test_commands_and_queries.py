"""SPEC §2: commands and queries."""

import asyncio
import concurrent.futures
import os
import threading

import pytest

import scoop
from models import Account, Classified, LeakyA, LeakyB, Log, Recorder, Relay, Shelf, Cell
from models_future import Postponed
from support import STUCK, describe, held, run_script, watchdog


# -- a command is logged and returns None immediately


def test_command_returns_none_immediately():
    a = Account("ann", 100)
    with held(a) as h:
        # The handler is busy: a call that waited for it would not come back before the
        # watchdog opens the gate.
        assert a.deposit(50) is None
        assert not h.fired, "a command waited for its handler"
    assert a.balance == 150


def test_command_accepts_keyword_arguments():
    a = Account("ann", 0)
    assert a.deposit(amount=5) is None
    assert a.balance == 5


# -- a query waits for this client's earlier calls, then returns its result


def test_query_waits_for_previous_commands_of_same_client():
    a = Account("ann", 0)
    for _ in range(1_000):
        a.deposit(1)
    assert a.balance == 1_000
    assert a.statement() == "ann: 1000"


def test_query_waits_for_commands_logged_while_handler_was_busy():
    a = Account("ann", 0)
    with held(a) as h:
        for _ in range(10):
            a.deposit(1)
        h.release()
        assert a.balance == 10  # waits until the hold and the ten deposits have run
    assert not h.fired


# -- classification (decided once per class)


def test_command_decorator_wins_over_annotation():
    c = Classified()
    with held(c) as h:
        assert c.forced_command() is None
        assert not h.fired, "@scoop.command method annotated '-> int' was treated as a query"
    assert c.calls == ["forced_command"]


def test_query_decorator_wins_over_missing_annotation():
    c = Classified()
    assert c.forced_query() == 42


def test_reading_data_attribute_is_a_query():
    c = Classified()
    c.bump(5)
    assert c.n == 5


def test_reading_property_is_a_query():
    c = Classified()
    c.bump(4)
    assert c.doubled == 8


def test_method_annotated_with_a_type_is_a_query():
    c = Classified()
    assert c.annotated() == 7
    assert c.annotated_optional() is None
    assert c.annotated_string() == [1, 2]
    # A query returns after the call ran: all three are recorded.
    assert c.calls == ["annotated", "annotated_optional", "annotated_string"]


@pytest.mark.parametrize(
    "method", ["annotated_none", "annotated_string_none", "annotated_noreturn", "unannotated"]
)
def test_method_annotated_none_or_unannotated_is_a_command(method):
    c = Classified()
    with held(c) as h:
        assert getattr(c, method)() is None
        assert not h.fired, f"{method} waited for its handler: it was treated as a query"
    assert c.calls == [method]


def test_string_annotations_count_the_same():
    p = Postponed()
    with held(p) as h:
        assert p.command_none() is None
        assert p.command_noreturn() is None
        assert p.command_unannotated() is None
        assert not h.fired, "a command of a class with postponed annotations was a query"
    assert p.query_int() == 7
    assert p.query_optional() is None
    assert p.query_list() == [1, 2]
    assert p.history() == [
        "command_none",
        "command_noreturn",
        "command_unannotated",
        "query_int",
        "query_optional",
        "query_list",
    ]


def test_command_returning_a_value_warns_naming_it():
    obj = LeakyA()
    with pytest.warns(scoop.CommandResultWarning, match="leaky_a") as record:
        assert obj.leaky_a() is None
        obj.ping()  # the command has run (and warned) by now
    assert obj.n == 1
    # The warning points at the user's method, not at a frame of pyscoop (issue 11).
    [warning] = [w for w in record if issubclass(w.category, scoop.CommandResultWarning)]
    assert os.path.basename(warning.filename) == "models.py"
    assert warning.lineno == LeakyA.leaky_a.__code__.co_firstlineno


def test_command_result_warning_is_issued_once_per_method():
    obj = LeakyB()
    with pytest.warns(scoop.CommandResultWarning) as record:
        for _ in range(3):
            obj.leaky_b1()
            obj.leaky_b2()
            obj.quiet()
        obj.ping()
    messages = [str(w.message) for w in record if issubclass(w.category, scoop.CommandResultWarning)]
    assert sum("leaky_b1" in m for m in messages) == 1, messages
    assert sum("leaky_b2" in m for m in messages) == 1, messages
    assert not any("quiet" in m for m in messages), messages
    assert obj.n == 9


# -- protocol methods are forwarded by the same rules


def test_container_protocol_queries():
    shelf = Shelf()
    shelf["a"] = [1]
    shelf["b"] = [2, 3]
    assert len(shelf) == 2
    assert shelf["b"] == [2, 3]
    assert "a" in shelf
    assert "z" not in shelf
    assert list(iter(shelf)) == ["a", "b"]
    assert [key for key in shelf] == ["a", "b"]


def test_container_protocol_setitem_and_delitem_are_commands():
    shelf = Shelf()
    with held(shelf) as h:
        shelf["a"] = 1
        shelf["b"] = 2
        del shelf["a"]
        assert not h.fired, "ref[k] = v or del ref[k] waited for the handler"
    assert shelf.keys() == ["b"]


def test_iter_iterates_over_an_imported_list():
    shelf = Shelf()
    shelf["a"] = 1
    shelf["b"] = 2
    keys = iter(shelf)
    # The items were imported when iteration began: later changes do not show up in it.
    shelf["c"] = 3
    del shelf["a"]
    assert list(keys) == ["a", "b"]
    assert list(shelf) == ["b", "c"]


def test_getitem_of_missing_key_raises_key_error():
    shelf = Shelf()
    with pytest.raises(KeyError):
        shelf["missing"]


# -- .future(): any call, a concurrent.futures.Future for its result


def test_future_returns_a_concurrent_future():
    a = Account("ann", 3)
    f = a.statement.future()
    assert isinstance(f, concurrent.futures.Future)
    assert f.result(timeout=STUCK) == "ann: 3"


def test_future_of_a_command_resolves_to_none_after_it_ran():
    a = Account("ann", 0)
    f = a.deposit.future(5)
    assert isinstance(f, concurrent.futures.Future)
    assert f.result(timeout=STUCK) is None
    assert a.balance == 5


def test_future_passes_keyword_arguments():
    a = Account("ann", 0)
    assert a.echo.future(value=(1, 2)).result(timeout=STUCK) == (1, 2)


def test_futures_overlap_queries():
    cells = [Cell(i) for i in range(5)]
    with held(*cells) as h:
        futures = [c.get.future() for c in cells]
        assert not h.fired, ".future() waited for the handler"
        # Every handler is busy: no result can be there yet.
        assert not any(f.done() for f in futures)
    assert [f.result(timeout=STUCK) for f in futures] == list(range(5))


def test_future_is_awaitable_through_asyncio():
    cells = [Cell(i) for i in range(10)]

    async def main():
        return await asyncio.gather(*(asyncio.wrap_future(c.get.future()) for c in cells))

    assert asyncio.run(main()) == list(range(10))


# -- assigning or deleting an attribute through a reference is an error


def test_assigning_attribute_raises_separate_access_error():
    a = Account("ann", 1)
    with pytest.raises(scoop.SeparateAccessError):
        a.balance = 5
    assert issubclass(scoop.SeparateAccessError, TypeError)
    assert a.balance == 1


def test_assigning_new_attribute_raises_separate_access_error():
    a = Account("ann", 1)
    with pytest.raises(TypeError):
        a.nickname = "annie"


def test_deleting_attribute_raises_separate_access_error():
    a = Account("ann", 1)
    with pytest.raises(scoop.SeparateAccessError):
        del a.balance
    assert a.balance == 1


# -- order: one client's calls on one handler run in the order logged


def test_calls_of_one_client_run_in_order_logged():
    log = Log()
    clients, calls = 3, 500

    def client(cid):
        for i in range(calls):
            log.append((cid, i))
        log.count()  # sync

    threads = [threading.Thread(target=client, args=(cid,)) for cid in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = log.items()
    assert len(entries) == clients * calls
    for cid in range(clients):
        assert [i for c, i in entries if c == cid] == list(range(calls))


def test_mixed_commands_and_queries_keep_their_order():
    a = Account("ann", 0)
    seen = []
    for i in range(50):
        a.deposit(i)
        seen.append(a.balance)
    assert seen == [sum(range(i + 1)) for i in range(50)]


# -- an unreserved call is a reservation of its own: it runs atomically


def test_unreserved_call_runs_atomically():
    recorder = Recorder()
    clients, calls = 4, 250
    barrier = threading.Barrier(clients)

    def client():
        barrier.wait()
        for _ in range(calls):
            recorder.slow_increment()
        recorder.ping()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert recorder.done == clients * calls  # no lost update


# -- a client is whatever logs calls: a plain thread (main included) or a processor


def test_plain_thread_is_a_client():
    log = Log()
    result = {}

    def client():
        for i in range(100):
            log.append(("thread", i))
        result["count"] = log.count()  # waits for this thread's 100 commands

    t = threading.Thread(target=client)
    t.start()
    t.join()
    assert result["count"] == 100
    assert log.items() == [("thread", i) for i in range(100)]


def test_processor_executing_a_method_is_a_client():
    log = Log()
    relay = Relay()
    # The relay's query on the log waits for the relay's own 100 commands on it.
    assert relay.spam_then_count(log, "relay", 100) == 100
    assert log.items() == [("relay", i) for i in range(100)]


# -- a logged command runs promptly, without waiting for the client's next call


def test_logged_command_runs_without_further_calls():
    a = Account("ann")
    reached = threading.Event()
    a.signal(scoop.shared(reached))
    assert reached.wait(STUCK), "the command waited for the client's next call"


def test_command_logged_in_a_reservation_runs_before_the_block_ends():
    a = Account("ann")
    reached = threading.Event()
    with scoop.separate(a) as x:
        x.signal(scoop.shared(reached))
        assert reached.wait(STUCK), "the block's command waited for the block to end"


def test_command_logged_by_a_processor_runs_while_it_is_still_busy():
    relay = Relay()
    target = Account("target")
    reached, gate = threading.Event(), threading.Event()
    with watchdog(gate) as dog:
        relay.forward_then_block(target, scoop.shared(reached), scoop.shared(gate))
        assert reached.wait(STUCK), "a processor's command was held back"
        assert not dog.fired


# -- Ctrl-C reaches a main thread blocked in a query, and the runtime stays consistent


@pytest.mark.parametrize("how", ["process", "main-thread"])
def test_ctrl_c_interrupts_a_query_blocked_on_a_busy_handler(how):
    result = run_script("ctrl_c.py", how)
    assert result.returncode == 0, describe(result)
    assert "KeyboardInterrupt after" in result.stdout, describe(result)
    assert "balance after interrupt: 3" in result.stdout, describe(result)


def test_a_call_the_handler_ran_before_it_closed_the_queue_is_not_taken_back():
    # The client appends, then reads the queue's state; the handler may run the call (the END
    # of a reservation, say) and close the queue in between. The call ran: it must not be
    # taken back out of the (now empty) deque, nor logged again.
    from scoop._protocol import CLOSED, END_ITEM
    from scoop._queue import PrivateQueue

    pq = PrivateQueue(0, None, 0, implicit=False)  # type: ignore[arg-type]
    pq.state = CLOSED
    assert pq.log_slow(END_ITEM) is True
    assert not pq.items
    # A call the handler did not see is taken back, for the client to log anew.
    pq.items.append(END_ITEM)
    assert pq.log_slow(END_ITEM) is False
    assert not pq.items
