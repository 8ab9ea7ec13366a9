"""SPEC §8: failures."""

import logging
import threading
import traceback

import pytest

import scoop
from models import Account, Boom, PassiveAccount
from support import STUCK, describe, run_script


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage()]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(record.exc_info[1])))
    if record.exc_text:
        parts.append(record.exc_text)
    return "\n".join(parts)


def _scoop_reports(caplog, text: str, min_level: int = logging.NOTSET):
    return [
        r
        for r in caplog.records
        if (r.name == "scoop" or r.name.startswith("scoop."))
        and r.levelno >= min_level
        and text in _record_text(r)
    ]


# -- a query's exception is re-raised in the caller, same type, with the handler's traceback


def test_query_exception_is_reraised_with_the_same_type():
    a = Account("ann")
    with pytest.raises(Boom) as info:
        a.explode("query boom")
    assert type(info.value) is Boom
    assert str(info.value) == "query boom"


def test_query_exception_carries_the_handler_side_traceback():
    a = Account("ann")
    with pytest.raises(Boom) as info:
        a.explode("traced boom")
    text = "".join(traceback.format_exception(info.value))
    # The function that raised ran on the handler; its frame must be in the formatted text.
    assert "_explode_deep_inside" in text, text
    assert "models.py" in text, text


def test_query_exception_is_the_handlers_exception_object():
    a = Account("ann")
    box = []
    with pytest.raises(Boom) as info:
        a.explode_into(scoop.shared(box), "same object")
    assert info.value is box[0]


def test_query_exception_through_a_future():
    a = Account("ann")
    f = a.explode.future("future boom")
    with pytest.raises(Boom, match="future boom"):
        f.result(timeout=STUCK)


def test_query_exception_does_not_mark_the_handler_dirty():
    a = Account("ann", 0)
    with pytest.raises(Boom):
        a.explode("only this query")
    a.deposit(1)
    assert a.balance == 1


# -- a command's exception marks the handler dirty for that client, until observed


def test_command_exception_skips_the_clients_later_calls():
    a = Account("ann", 100)
    a.fail("command boom")
    a.deposit(10)  # skipped
    a.deposit(20)  # skipped
    with pytest.raises(scoop.CommandFailed) as info:
        a.balance
    assert isinstance(info.value.__cause__, Boom)
    assert str(info.value.__cause__) == "command boom"
    assert a.balance == 100


def test_handler_is_clean_again_once_the_failure_was_observed():
    a = Account("ann", 0)
    a.fail("observed once")
    with pytest.raises(scoop.CommandFailed):
        a.statement()
    a.deposit(5)
    assert a.balance == 5
    assert a.statement() == "ann: 5"


def test_command_failure_is_raised_by_future_result():
    a = Account("ann", 0)
    a.fail("seen through a future")
    f = a.statement.future()
    with pytest.raises(scoop.CommandFailed) as info:
        f.result(timeout=STUCK)
    assert isinstance(info.value.__cause__, Boom)
    assert a.balance == 0


def test_dirty_mark_is_per_client():
    a = Account("ann", 100)
    failed = threading.Event()
    may_observe = threading.Event()
    seen = {}

    def failing_client():
        a.fail("other client's boom", scoop.shared(failed))
        a.deposit(1)  # skipped: dirty for this client
        assert may_observe.wait(STUCK)
        try:
            a.balance
        except scoop.CommandFailed as exc:
            seen["cause"] = exc.__cause__
        seen["after"] = a.balance

    t = threading.Thread(target=failing_client)
    t.start()
    assert failed.wait(STUCK)  # the other client's command has failed on the handler
    # This client is not affected.
    a.deposit(5)
    assert a.balance == 105
    may_observe.set()
    t.join(STUCK)
    assert not t.is_alive()
    assert isinstance(seen.get("cause"), Boom)
    assert seen["after"] == 105


def test_a_processor_is_a_client_with_its_own_dirty_mark():
    a = Account("ann", 0)
    other = Account("other", 0)
    assert a.fail_then_observe(other) == "CommandFailed(Boom)"
    assert other.balance == 0  # this thread is not dirty on it; the 1000 was skipped


def test_dirty_mark_survives_the_end_of_the_reservation():
    a = Account("ann", 0)
    with scoop.separate(a) as x:
        x.fail("failed in a block")
        x.deposit(10)
    with pytest.raises(scoop.CommandFailed) as info:
        a.balance
    assert isinstance(info.value.__cause__, Boom)
    assert a.balance == 0


def test_failure_inside_a_reservation_skips_the_rest_of_the_block():
    a = Account("ann", 0)
    with scoop.separate(a) as x:
        x.deposit(1)
        x.fail("failed in a block")
        x.deposit(10)
        with pytest.raises(scoop.CommandFailed):
            x.balance
        assert x.balance == 1


# -- passive processors: the command's exception reaches its caller directly


def test_command_exception_on_a_passive_processor_is_raised_in_the_caller():
    scoop.configure(placement={"models.PassiveAccount": {"kind": "passive"}})
    p = PassiveAccount("passive", 0)
    with pytest.raises(Boom, match="passive boom"):
        p.fail("passive boom")
    p.deposit(1)
    assert p.balance == 1


# -- no exception is lost silently


def test_unobserved_failure_is_logged_at_shutdown(caplog):
    caplog.set_level(logging.DEBUG, logger="scoop")
    a = Account("ann")
    a.fail("nobody looked at me")
    scoop.shutdown()
    assert _scoop_reports(caplog, "nobody looked at me"), caplog.text


def test_unobserved_failure_of_an_ended_thread_is_logged(caplog):
    caplog.set_level(logging.DEBUG, logger="scoop")
    a = Account("ann")

    def client():
        a.fail("left behind by a thread")

    t = threading.Thread(target=client)
    t.start()
    t.join()
    a.ping()
    scoop.shutdown()
    assert _scoop_reports(caplog, "left behind by a thread"), caplog.text


def test_observed_failure_is_not_reported(caplog):
    caplog.set_level(logging.DEBUG, logger="scoop")
    a = Account("ann")
    a.fail("seen by the client")
    with pytest.raises(scoop.CommandFailed):
        a.balance
    with pytest.raises(Boom):
        a.explode("raised to the client")
    scoop.shutdown()
    assert not _scoop_reports(caplog, "seen by the client", logging.WARNING), caplog.text
    assert not _scoop_reports(caplog, "raised to the client", logging.WARNING), caplog.text


def test_on_async_error_callable_receives_the_exception_and_processor():
    received = []

    def on_error(exc, processor):
        received.append((exc, processor))

    scoop.configure(on_async_error=on_error)
    try:
        a = Account("ann")
        proc = scoop.processor_of(a)
        a.fail("handled by a callback")
        scoop.shutdown()
        assert len(received) == 1, received
        exc, processor = received[0]
        assert isinstance(exc, Boom)
        assert str(exc) == "handled by a callback"
        assert processor == proc
    finally:
        scoop.configure(on_async_error="log")


def test_on_async_error_raise_ends_the_program():
    result = run_script("raise_on_async_error.py")
    assert result.returncode != 0, describe(result)
    assert "fatal unobserved boom" in result.stderr, describe(result)
    assert "Boom" in result.stderr, describe(result)


# -- a processor that failed keeps serving its other clients


def test_failed_processor_keeps_serving_other_clients():
    a = Account("ann", 0)
    failed = threading.Event()
    a.fail("only for the main thread", scoop.shared(failed))
    assert failed.wait(STUCK)
    results = []

    def other_client():
        for i in range(10):
            a.deposit(1)
            results.append(a.balance)

    t = threading.Thread(target=other_client)
    t.start()
    t.join(STUCK)
    assert not t.is_alive()
    assert results == list(range(1, 11))
    with pytest.raises(scoop.CommandFailed):
        a.balance


# -- calls after shutdown raise ProcessorStopped


def test_calls_after_shutdown_raise_processor_stopped():
    a = Account("ann", 0)
    a.deposit(1)
    assert a.balance == 1
    scoop.shutdown()
    with pytest.raises(scoop.ProcessorStopped):
        a.balance
    with pytest.raises(scoop.ProcessorStopped):
        a.deposit(1)
    with pytest.raises(scoop.ProcessorStopped):
        a.statement()


def test_calls_run_by_a_waiting_client_fail_as_on_an_executor():
    # While the only running executor is held by another object's body, a client that
    # waits for `a` runs a's queued calls itself (the core's Help). Their failures must
    # be recorded exactly as an executor records them: skipped calls, then CommandFailed.
    busy, a = Account("busy"), Account("ann", 100)
    gate, started = threading.Event(), threading.Event()
    busy.hold(scoop.shared(gate), scoop.shared(started))
    try:
        assert started.wait(STUCK)
        a.deposit(1)
        a.fail("helped boom")
        a.deposit(10)  # skipped
        with pytest.raises(scoop.CommandFailed) as info:
            a.balance
        assert str(info.value.__cause__) == "helped boom"
        assert a.balance == 101
    finally:
        gate.set()
    assert busy.ping() == "pong"
