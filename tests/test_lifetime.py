"""SPEC §9: lifetime."""

import gc
import os
import re
import threading

import pytest

import scoop
from models import Account, Mortal, Relay
from support import STUCK, describe, run_script


# -- a processor ends when its objects are unreachable and its queues are empty


def test_unreachable_object_is_released():
    gone = threading.Event()
    events = []
    m = Mortal(scoop.shared(gone), scoop.shared(events))
    assert m.ping() == "pong"
    del m
    gc.collect()
    assert gone.wait(STUCK), "the runtime kept an unreachable separate object alive"
    assert events == ["deleted"]


def test_unreachable_object_runs_its_pending_calls_first():
    gone, gate = threading.Event(), threading.Event()
    events = []
    m = Mortal(scoop.shared(gone), scoop.shared(events))
    m.hold(scoop.shared(gate))
    for i in range(100):
        m.record(i)
    del m  # unreachable, but its queue is not empty
    gc.collect()
    gate.set()
    assert gone.wait(STUCK)
    assert events == list(range(100)) + ["deleted"]


def test_many_unreachable_objects_are_released():
    n = 200
    gones = [threading.Event() for _ in range(n)]
    events = []
    mortals = [Mortal(scoop.shared(g), scoop.shared(events)) for g in gones]
    for m in mortals:
        m.record("alive")
    assert [m.ping() for m in mortals] == ["pong"] * n
    del m, mortals
    gc.collect()
    assert all(g.wait(STUCK) for g in gones)
    assert events.count("deleted") == n


def test_object_reachable_from_another_object_stays_alive():
    gone = threading.Event()
    events = []
    holder = Account("holder")
    m = Mortal(scoop.shared(gone), scoop.shared(events))
    holder.set_peer(m)
    holder.ping()
    del m
    gc.collect()
    # Still reachable through holder: it answers.
    assert holder.peer.ping() == "pong"
    assert not gone.is_set()
    holder.set_peer(None)
    holder.ping()
    gc.collect()
    assert gone.wait(STUCK)


# -- at interpreter exit and at shutdown(wait=True), every logged call is executed


def test_no_command_is_dropped_at_interpreter_exit(tmp_path):
    path = tmp_path / "lines.txt"
    result = run_script("exit_without_shutdown.py", path, "direct", 10_000)
    assert result.returncode == 0, describe(result)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 10_000, f"{len(lines)} lines written\n{describe(result)}"
    assert lines == [f"line {i}" for i in range(10_000)]


def test_calls_logged_by_processors_run_at_interpreter_exit(tmp_path):
    path = tmp_path / "lines.txt"
    result = run_script("exit_without_shutdown.py", path, "relay", 2_000)
    assert result.returncode == 0, describe(result)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [f"relayed {i}" for i in range(2_000)], describe(result)


def test_shutdown_waits_for_every_logged_call():
    events = []
    a = Account("ann")
    for i in range(1_000):
        a.append_to(scoop.shared(events), i)
    scoop.shutdown(wait=True)
    assert events == list(range(1_000))


def test_shutdown_waits_for_calls_logged_by_other_clients():
    # A plain thread and a processor both log calls; nobody syncs before the shutdown.
    box = []
    a = Account("ann")

    def thread_client():
        for i in range(300):
            a.append_to(scoop.shared(box), ("thread", i))

    t = threading.Thread(target=thread_client)
    t.start()
    t.join()
    Relay().forward_appends(a, scoop.shared(box), 300)
    scoop.shutdown(wait=True)
    assert [i for tag, i in box if tag == "thread"] == list(range(300))
    assert [i for tag, i in box if tag == "relay"] == list(range(300))
    assert len(box) == 600


# -- after shutdown, old references raise ProcessorStopped and new objects start a fresh runtime


def test_old_references_raise_processor_stopped_after_shutdown():
    a = Account("old", 1)
    assert a.balance == 1
    scoop.shutdown()
    with pytest.raises(scoop.ProcessorStopped):
        a.balance
    with pytest.raises(scoop.ProcessorStopped):
        a.deposit(1)


def test_new_object_after_shutdown_starts_a_fresh_runtime():
    old = Account("old", 1)
    old.ping()
    scoop.shutdown()
    fresh = Account("fresh", 2)
    fresh.deposit(3)
    assert fresh.balance == 5
    with pytest.raises(scoop.ProcessorStopped):
        old.ping()


def test_runtime_can_be_restarted_many_times():
    for round_ in range(5):
        accounts = [Account(f"a{i}", i) for i in range(10)]
        for acc in accounts:
            acc.deposit(round_)
        assert sum(acc.balance for acc in accounts) == sum(range(10)) + 10 * round_
        scoop.shutdown()


def test_shutdown_twice_is_harmless():
    Account("x").ping()
    scoop.shutdown()
    scoop.shutdown()
    assert Account("y", 4).balance == 4


# -- a forked child gets a clean runtime or a clear error, never a hang


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_fork_child_gets_a_clean_runtime_or_a_clear_error():
    result = run_script("fork_child.py")  # killed, and failed, if the child hangs
    assert result.returncode == 0, describe(result)
    out = result.stdout
    assert "child exit status: 0" in out, describe(result)
    assert "parent still works: 2" in out, describe(result)
    match = re.search(r"^new object: (value 5|error \w+: .+)$", out, re.MULTILINE)
    assert match, describe(result)
    assert re.search(r"^old reference: (value |error \w+)", out, re.MULTILINE), describe(result)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_a_fork_child_that_runs_python_before_exec_never_calls_into_go():
    # Found as Ray's ray.init hanging one run in a few: its process launcher's child was stuck
    # in the Go runtime, called from a finalizer of another thread's state.
    result = run_script("fork_preexec.py")
    assert result.returncode == 0, describe(result)
    assert "in a fork child" not in result.stdout, describe(result)
    assert "parent done" in result.stdout, describe(result)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_a_fork_child_of_a_process_that_never_used_scoop_gets_a_whole_runtime():
    # A forkserver's workers are such children: their finalizers must reach their own core
    # (dropped objects free their processors), which a flag left over from the fork stopped.
    result = run_script("fork_before_first_use.py")
    assert result.returncode == 0, describe(result)
    match = re.search(r"alive (\d+) after (\d+) forking (\w+)", result.stdout)
    assert match, describe(result)
    alive, after, forking = int(match[1]), int(match[2]), match[3]
    assert forking == "False", describe(result)
    assert after < alive, describe(result)  # the dropped objects' processors were freed


def test_a_client_keeps_a_bounded_number_of_unreserved_queues_open():
    # Each unreserved call keeps its queue open for the next one (an open queue keeps its
    # processor alive); queries as well as commands must stay within the client's bound.
    from scoop import _processor

    accounts = [Account(f"a{i}", i) for i in range(200)]
    assert [a.balance for a in accounts] == list(range(200))  # queries, one per object
    client = scoop._global.runtime().state().client
    assert len(client.implicit) <= _processor.IMPLICIT_CACHE


class Tiny(scoop.Separate):
    def __init__(self, n: int) -> None:
        self.n = n

    def get(self) -> int:
        return self.n


def test_a_live_separate_object_costs_the_cyclic_gc_three_objects():
    # A full collection traverses every live GC-tracked object, holding the GIL: with
    # 100,000 separate objects alive, each object more per separate object costs tens of
    # milliseconds per collection. The floor is three: the object, its reference, its
    # processor.
    k = 2000
    Tiny(-1).get()
    gc.collect()
    before = len(gc.get_objects())
    tinies = [Tiny(i) for i in range(k)]
    assert sum(t.get() for t in tinies) == k * (k - 1) // 2
    gc.collect()
    per_object = (len(gc.get_objects()) - before) / k
    assert per_object < 3.5, f"{per_object:.2f} GC-tracked objects per separate object"
