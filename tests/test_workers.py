"""SPEC §7: objects in worker processes are full SCOOP citizens. Separate references cross
the process boundary both ways; a worker's object logs commands and queries on them,
reserves them, waits on them and calls back its client, with the parent as the one
coordinator (so deadlocks through workers are reported)."""

from __future__ import annotations

import json
import os
import socket
import threading
from multiprocessing import connection

import pytest

import scoop
from scoop import _channel, _process
from models_coordination import Buffer
from models_workers import Account, Caller, Gate, Worker


@pytest.fixture(autouse=True)
def workers_in_processes():
    scoop.configure(placement={"models_workers.Worker": {"kind": "process"}})
    yield
    scoop.shutdown()
    scoop.configure(placement={})


def test_a_worker_logs_commands_and_queries_on_a_parent_object():
    sink = Account()
    w = Worker()
    assert w.pid() != os.getpid()
    assert w.fill(sink, 500) == 500  # the worker's own query saw its commands, in order
    assert sink.balance == 500


def test_no_command_of_a_worker_is_lost_while_its_batches_are_sent():
    # The worker's flusher thread sends batches while the body logs more: every command
    # must land in exactly one batch.
    sink = Account()
    w = Worker()
    assert w.fill(sink, 50_000) == 50_000


def test_a_worker_keeps_references_and_they_compare_by_identity():
    a = Account(3)
    w = Worker()
    w.keep(a)
    w.keep(a)
    assert w.same_kept()  # the same parent object arrives as the same reference
    assert w.first_kept() == a  # and comes back as the reference it was
    assert w.me() == w  # the worker's own object crosses back as its reference
    assert w.kept_balance() == 3


def test_a_worker_reaches_objects_of_other_workers():
    first = Worker()
    second = Worker(first)
    assert second.peer_pid() == first.pid() != second.pid()


def test_a_worker_reserves_parent_objects_atomically():
    src, dst = Account(1000), Account(0)
    w = Worker()
    w.transfer_block(src, dst, 1, 200)
    # An observer reserving both never sees money in flight.
    for _ in range(50):
        with scoop.separate(src, dst) as (s, d):
            assert s.balance + d.balance == 1000
    # The worker's blocks are its commands: wait for the last one, then look.
    with scoop.separate(src, dst, until=lambda s, d: d.balance == 200, timeout=60) as (s, d):
        assert s.balance == 800


def test_a_worker_method_reserves_its_separate_arguments():
    src, dst = Account(100), Account(0)
    w = Worker()
    # src.withdraw then the sum, in the worker: nobody comes in between (SPEC §4).
    assert w.transfer_args(src, dst, 10) == 90
    assert (src.balance, dst.balance) == (90, 10)


def test_a_worker_waits_on_a_wait_condition_of_a_parent_object():
    buf = Buffer()
    w = Worker()
    item = w.consume.future(buf)  # waits: the buffer is empty
    buf.put(7)
    assert item.result(timeout=30) == 7


def test_a_worker_wait_condition_times_out():
    w = Worker()
    with pytest.raises(scoop.WaitTimeout, match="did not hold in time"):
        w.take_within(Buffer(), 0.05)


def test_a_worker_calls_back_the_client_waiting_for_it():
    caller = Caller()
    w = Worker()
    # caller.go waits for w.ask, which calls caller.answer: it runs at once (SPEC §6).
    assert caller.go(w) == 42
    assert caller.calls == 1


def test_objects_a_worker_creates_live_where_the_parent_places_them():
    w = Worker()
    account = w.make_account(5)
    assert account.pid() == os.getpid()
    assert account.balance == 6


def test_a_cycle_through_two_workers_is_a_deadlock_error():
    x, y = Worker(), Worker()
    gate = Gate()
    x.meet_at(gate, y)
    y.meet_at(gate, x)
    x.pid(), y.pid()  # both set up
    fx, fy = x.meet_then_call.future(), y.meet_then_call.future()
    # Each body waits for the other to arrive, then calls the other, busy: one of
    # them is told, and the other's call then goes through.
    assert sorted([fx.result(timeout=60), fy.result(timeout=60)]) == ["called", "deadlock"]


def test_commands_a_worker_logs_run_without_anyone_asking():
    sink = Account()
    w = Worker()
    w.fill_and_note(sink, 1000)  # a command: nobody waits for the worker
    # (At exit too: tests/test_placement.py, the "relayed" program.)
    with scoop.separate(sink, until=lambda s: s.log == ["done"], timeout=60) as s:
        assert s.balance == 1000


def test_commands_to_a_worker_are_posted_not_answered_one_by_one(monkeypatch):
    w = Worker()
    w.pid()
    asked: list[str] = []
    request = _process.RemoteObject.request

    def counted(remote, message):
        asked.append(message[0])
        return request(remote, message)

    monkeypatch.setattr(_process.RemoteObject, "request", counted)
    for i in range(2000):
        w.keep(i)
    assert len(w.kept) == 2000
    # Sent without waiting for each (SPEC §2 lets the runtime batch), collected by a few
    # round trips; none is a call of its own.
    assert "call" not in asked and asked.count("flush") < 500, asked


def test_commands_posted_to_a_worker_run_one_after_the_other():
    w = Worker(Account(7))
    for i in range(50):
        w.record(i)  # each waits for a query on the parent's Account while more arrive
    assert w.recorded == [(i, 7) for i in range(50)]


def test_a_posted_command_that_fails_skips_its_clients_later_commands():
    w = Worker()
    w.keep(1)
    w.fail()
    w.keep(2)  # skipped (SPEC §8), though already sent to the worker
    w.keep(3)
    with pytest.raises(scoop.CommandFailed, match="fail") as info:
        w.first_kept()
    assert isinstance(info.value.__cause__, ValueError)
    assert w.kept == [1]  # and the handler is clean again for this client


def test_references_a_worker_drops_are_released():
    a = Account()
    w = Worker()
    w.keep(a)
    w.keep(Account())
    remote = w._scoop_obj
    assert len(remote.exports.refs) == 2
    w.drop()  # a command
    w.pid()  # a query after it: the worker told the parent, with its answer to drop()
    assert len(remote.exports.refs) == 0


def test_a_killed_worker_stops_its_object_and_the_program_goes_on():
    sink = Account()
    w = Worker()
    pid = w.pid()
    os.kill(pid, 9)
    with pytest.raises(scoop.ProcessorStopped, match="Worker .*was killed by SIGKILL"):
        w.fill(sink, 1)
    with pytest.raises(scoop.ProcessorStopped):
        w.keep(sink)
    sink.deposit(1)
    assert sink.balance == 1


def test_a_connection_without_the_secret_is_refused():
    listener = _channel.listener()
    assert os.stat(os.path.dirname(listener.address)).st_mode & 0o077 == 0  # only this user
    # Two intruders wait to be accepted (the parent accepts while it starts a worker): one
    # with a wrong secret, one that sends bytes without the handshake.
    wrong = socket.socket(socket.AF_UNIX)
    wrong.connect(listener.address)
    raw = socket.socket(socket.AF_UNIX)
    raw.connect(listener.address)
    raw.sendall(b"\x00\x00\x00\x04evil")
    outcome: list[BaseException] = []

    def answer_with_a_wrong_secret() -> None:
        conn = connection.Connection(wrong.detach())
        try:
            connection.answer_challenge(conn, b"not the secret")
        except BaseException as exc:
            outcome.append(exc)

    t = threading.Thread(target=answer_with_a_wrong_secret)
    t.start()
    w = Worker()
    assert w.pid() != os.getpid()  # the real worker got through, after both were refused
    t.join(timeout=60)
    assert len(outcome) == 1 and isinstance(outcome[0], connection.AuthenticationError)
    raw.settimeout(60)
    while raw.recv(1024):  # the parent closed it
        pass
    raw.close()


def test_workers_started_at_once_each_get_their_own_connection():
    # Several executors start workers concurrently; each stand-in must talk to the process
    # it started (its pid), whatever order they connect in.
    workers = [Worker() for _ in range(6)]
    pids = [w.pid() for w in workers]
    assert [w._scoop_obj._process.pid for w in workers] == pids
    assert len(set(pids)) == 6


def test_a_worker_slow_to_connect_does_not_hold_up_the_others():
    listener = _channel.Listener()
    try:
        slow: list[BaseException] = []

        def wait_for_a_worker_that_never_connects() -> None:
            try:
                listener.accept("slow")
            except BaseException as exc:
                slow.append(exc)

        waiting = threading.Thread(target=wait_for_a_worker_that_never_connects)
        waiting.start()
        conn = _channel.connect(listener.address, listener.secret, "quick")
        assert listener.accept("quick", timeout=30) is not None  # not behind "slow"'s wait
        conn.close()
        listener.abandon("slow")  # e.g. its Ray actor died before it connected
        waiting.join(timeout=30)
        assert len(slow) == 1 and isinstance(slow[0], EOFError)
    finally:
        listener.close()


def test_a_tcp_listener_takes_workers_with_the_secret_only():
    listener = _channel.Listener("127.0.0.1")
    try:
        with pytest.raises(connection.AuthenticationError):
            _channel.connect(listener.address, b"not the secret", "intruder")
        conn = _channel.connect(listener.address, listener.secret, "actor")
        assert listener.accept("actor", timeout=30) is not None
        conn.close()
    finally:
        listener.close()


def test_traced_commands_to_a_worker_are_in_the_trace(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        w = Worker()
        for i in range(5):
            w.keep(i)  # under tracing, run one by one so that each is recorded
        assert w.kept == list(range(5))
    with open(path, encoding="utf-8") as f:
        names = [e["name"] for e in json.load(f)["traceEvents"] if e["ph"] == "X"]
    assert names.count("Worker.keep") == 5, names


def test_a_command_on_a_reference_the_worker_drops_at_once_still_runs():
    # The worker sent the release of a stub before the command logged on it: the parent had
    # dropped the id when the command arrived (KeyError in the parent, the command lost).
    account, w = Account(100), Worker()
    assert w.deposit_through_box([account], 10) == 10
    assert account.balance == 110
