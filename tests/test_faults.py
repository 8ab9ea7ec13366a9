"""Injected faults (issue 11): each gets a defined outcome, and the rest of the program goes on.

The outcomes are decided in docs/reliability.md. Every test also checks that nothing is lost
and nothing hangs: the object, its processor and other clients keep working afterwards.
Timeouts (pytest-timeout markers, ``STUCK``) only turn a hang into a failure.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading

import pytest

import scoop
from models_faults import HalfCopy, Injected, Victim, Waiter
from support import STUCK, describe, run_script

pytestmark = pytest.mark.timeout(90)

BASE_EXCEPTIONS = ["MemoryError", "RecursionError", "KeyboardInterrupt", "SystemExit"]


def _other_clients_go_on(victim: Victim) -> None:
    """Another client (a thread) and another object are unaffected."""
    answers = []
    t = threading.Thread(target=lambda: (victim.bump(), answers.append(victim.total())))
    t.start()
    t.join(STUCK)
    assert answers, "another client's query on the same object did not answer"
    other = Victim()
    other.bump()
    assert other.total() == 1


# -- a command body raises MemoryError, RecursionError, KeyboardInterrupt or SystemExit


@pytest.mark.parametrize("kind", BASE_EXCEPTIONS)
def test_command_raising_a_base_exception_is_a_failed_command(kind):
    victim = Victim()
    victim.explode(kind)
    victim.bump()  # skipped: the handler is dirty for this client
    with pytest.raises(scoop.CommandFailed) as info:
        victim.total()
    assert type(info.value.__cause__).__name__ == kind
    message = str(info.value)
    assert "Victim.explode" in message and "Victim" in message, message
    assert victim.total() == 0, "the command after the failed one ran"
    victim.bump()  # clean again
    assert victim.total() == 1
    _other_clients_go_on(victim)


def test_command_overflowing_the_stack_is_a_failed_command():
    victim = Victim()
    victim.recurse_forever()
    with pytest.raises(scoop.CommandFailed) as info:
        victim.total()
    assert isinstance(info.value.__cause__, RecursionError)
    assert "Victim.recurse_forever" in str(info.value)
    victim.bump()
    assert victim.total() == 1


@pytest.mark.parametrize("kind", BASE_EXCEPTIONS)
def test_query_raising_a_base_exception_reraises_it_in_the_caller(kind):
    victim = Victim()
    with pytest.raises(BaseException) as info:
        victim.explode_query(kind)
    assert type(info.value).__name__ == kind
    victim.bump()  # a query's exception does not make the handler dirty
    assert victim.total() == 1
    _other_clients_go_on(victim)


# -- a wait condition raises


def test_until_predicate_raising_leaves_the_block_with_its_exception():
    victim = Victim()

    def pred(v):
        raise Injected("the wait condition raises")

    with pytest.raises(Injected):
        with scoop.separate(victim, until=pred) as v:
            v.bump()  # never runs
    assert victim.total() == 0
    # The reservation was released: another client reserves the object at once.
    done = []

    def other():
        with scoop.separate(victim) as v:
            v.bump()
            done.append(v.total())

    t = threading.Thread(target=other)
    t.start()
    t.join(STUCK)
    assert done == [1]


def test_requires_predicate_raising_fails_the_command():
    victim, waiter = Victim(), Waiter()
    waiter.wait_then_bump(victim)
    with pytest.raises(scoop.CommandFailed) as info:
        waiter.wait_then_count(victim)  # observes the failure first
    assert isinstance(info.value.__cause__, Injected)
    assert "Waiter.wait_then_bump" in str(info.value)
    assert victim.total() == 0


def test_requires_predicate_raising_in_a_query_reraises_it():
    victim, waiter = Victim(), Waiter()
    with pytest.raises(Injected):
        waiter.wait_then_count(victim)
    victim.bump()
    assert victim.total() == 1


# -- a value whose copy fails halfway


def test_argument_whose_deepcopy_fails_halfway_is_refused_and_nothing_is_logged():
    victim = Victim()
    with pytest.raises(scoop.SeparateValueError) as info:
        victim.keep([HalfCopy(False), HalfCopy(True), HalfCopy(False)])
    assert "list" in str(info.value)
    assert isinstance(info.value.__cause__, Injected)
    assert victim.kept() == 0
    victim.keep([HalfCopy(False)])
    assert victim.kept() == 1


def test_result_whose_deepcopy_fails_halfway_is_an_error_in_the_caller():
    victim = Victim()
    with pytest.raises(scoop.SeparateValueError) as info:
        victim.uncopyable_result()
    assert "list" in str(info.value)
    assert victim.total() == 1, "the query ran once; only its result could not cross"
    _other_clients_go_on(victim)


@pytest.fixture
def in_a_worker():
    scoop.configure(placement={"models_faults.Victim": {"kind": "process"}})
    victim = Victim()
    assert victim.pid() != os.getpid()
    return victim


def test_argument_whose_pickling_fails_halfway_is_refused_and_nothing_is_logged(in_a_worker):
    with pytest.raises(scoop.SeparateValueError) as info:
        in_a_worker.keep([HalfCopy(False), HalfCopy(True)])
    assert isinstance(info.value.__cause__, Injected)
    assert in_a_worker.kept() == 0
    in_a_worker.keep([HalfCopy(False)])
    assert in_a_worker.kept() == 1


def test_result_whose_pickling_fails_halfway_is_an_error_in_the_caller(in_a_worker):
    with pytest.raises(scoop.SeparateValueError) as info:
        in_a_worker.uncopyable_result()
    assert "list" in str(info.value)
    assert in_a_worker.total() == 1, "the worker goes on"


# -- a worker process killed with SIGKILL in the middle of a call


@pytest.fixture
def killed_mid_call(in_a_worker):
    """Kill the victim's worker while it runs ``block_on``; return the victim and futures of a
    query logged before that call and one logged after it (pending when the worker died)."""
    pid = in_a_worker.pid()
    workdir = tempfile.mkdtemp()
    running, hold = os.path.join(workdir, "running"), os.path.join(workdir, "hold")
    os.mkfifo(running)
    os.mkfifo(hold)
    in_a_worker.bump()
    before = in_a_worker.total.future()
    in_a_worker.block_on(running, hold)
    pending = in_a_worker.total.future()
    with open(running) as fifo:  # returns once the body runs: no sleeping
        assert fifo.read() == "running"
    os.kill(pid, signal.SIGKILL)
    return in_a_worker, before, pending


def _names_the_death(exc: BaseException) -> None:
    message = str(exc)
    assert "Victim" in message, message
    assert "SIGKILL" in message or "-9" in message, message


def test_calls_pending_when_the_worker_is_killed_raise_processor_stopped(killed_mid_call):
    victim, before, pending = killed_mid_call
    assert before.result(STUCK) == 1, "the query answered before the kill is not lost"
    with pytest.raises(scoop.ProcessorStopped) as info:
        pending.result(STUCK)
    _names_the_death(info.value)


def test_calls_after_the_worker_is_killed_raise_processor_stopped(killed_mid_call):
    victim, before, pending = killed_mid_call
    before.result(STUCK)
    for f in (pending,):
        try:
            f.result(STUCK)
        except BaseException:
            pass
    with pytest.raises(scoop.ProcessorStopped) as info:
        victim.total()
    _names_the_death(info.value)
    with pytest.raises(scoop.ProcessorStopped):
        victim.bump()  # a command too: refused at once, not dropped silently


def test_the_rest_of_the_program_goes_on_after_a_worker_is_killed(killed_mid_call):
    victim, before, pending = killed_mid_call
    assert before.result(STUCK) == 1
    with pytest.raises(Exception):
        pending.result(STUCK)
    survivor = Victim()  # a new worker
    survivor.bump()
    assert survivor.total() == 1
    scoop.configure(placement={"models_faults.Victim": {}})
    local = Victim()
    local.bump()
    assert local.total() == 1
    scoop.shutdown()  # no hang, though a worker died


# -- Ctrl-C while the main thread runs another processor's body


def test_ctrl_c_while_the_main_thread_runs_another_processors_body():
    result = run_script("ctrl_c_helping.py")
    assert result.returncode == 0, describe(result)
    assert "KeyboardInterrupt; the body ran on ['MainThread']" in result.stdout, describe(result)
    assert "total after the interrupt: 1" in result.stdout, describe(result)
    assert "shutdown done" in result.stdout, describe(result)
