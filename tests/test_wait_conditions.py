"""SPEC §5: wait conditions."""

from __future__ import annotations

import concurrent.futures
import threading
import time

import pytest
from models_coordination import Buffer, Consumer, Counter, Guarded, take_when_ready
from support import STUCK

import scoop


def waiting_consumer(buf, results, checked, timeout=None, finished=None):
    """A thread that takes one item as soon as the buffer has one.

    ``checked`` is set each time the condition is found false: the consumer is then
    about to release and sleep, and any later change of ``buf`` will wake it.
    ``finished`` (a semaphore), if given, is released when the thread is done.
    """

    def condition(b):
        ok = not b.is_empty
        if not ok:
            checked.set()
        return ok

    def run():
        try:
            with scoop.separate(buf, until=condition, timeout=timeout) as b:
                results.append(("empty at start of body", b.is_empty))
                results.append(("item", b.take()))
        except BaseException as exc:
            results.append(("error", exc))
        finally:
            if finished is not None:
                finished.release()

    t = threading.Thread(target=run)
    t.start()
    return t


def test_false_condition_waits_and_true_condition_runs_the_body():
    buf = Buffer()
    results, checked = [], threading.Event()
    t = waiting_consumer(buf, results, checked)
    assert checked.wait(STUCK)
    assert results == []  # still waiting: nothing of the body ran
    buf.put("x")
    t.join(STUCK)
    assert results == [("empty at start of body", False), ("item", "x")]


def test_condition_and_body_run_under_one_reservation_with_no_gap():
    # Two consumers, one item: exactly one gets it, and the other keeps waiting (had
    # there been a gap between the condition and the body, both could have seen the
    # item and one would have taken from an empty buffer).
    buf = Buffer()
    finished = threading.Semaphore(0)
    results_a, checked_a = [], threading.Event()
    results_b, checked_b = [], threading.Event()
    ta = waiting_consumer(buf, results_a, checked_a, finished=finished)
    tb = waiting_consumer(buf, results_b, checked_b, finished=finished)
    assert checked_a.wait(STUCK) and checked_b.wait(STUCK)
    buf.put(1)
    assert finished.acquire(timeout=STUCK)
    # One consumer got the item; the other went back to waiting.
    assert len(results_a) + len(results_b) == 2
    buf.put(2)
    assert finished.acquire(timeout=STUCK)
    ta.join(STUCK)
    tb.join(STUCK)
    got = sorted(r[1] for r in results_a + results_b if r[0] == "item")
    assert got == [1, 2]
    starts = [r for r in results_a + results_b if r[0] != "item"]
    assert starts == [("empty at start of body", False)] * 2


def test_timeout_raises_wait_timeout_and_nothing_of_the_body_runs():
    buf = Buffer()
    ran = []
    with pytest.raises(scoop.WaitTimeout) as info:
        with scoop.separate(buf, until=lambda b: not b.is_empty, timeout=0.2) as b:
            ran.append(b.take())
    assert ran == []
    assert isinstance(info.value, TimeoutError)
    assert buf.taken == 0


def test_wait_timeout_leaves_the_handler_free():
    buf = Buffer()
    with pytest.raises(scoop.WaitTimeout):
        with scoop.separate(buf, until=lambda b: not b.is_empty, timeout=0.05):
            pass
    buf.put(3)
    with scoop.separate(buf, until=lambda b: not b.is_empty, timeout=STUCK) as b:
        assert b.take() == 3


def test_requires_on_a_method_waits_for_its_separate_argument():
    buf = Buffer()
    consumer = Consumer()
    consumer.consume(buf)  # a command: logged; its handler waits for the buffer
    consumer.consume(buf)
    buf.put("a")
    buf.put("b")
    assert consumer.got == ["a", "b"]


def test_requires_on_a_plain_call_inside_the_object_waits_too():
    buf = Buffer()
    consumer = Consumer()
    consumer.consume_many(buf, 3)
    for i in range(3):
        buf.put(i)
    assert consumer.count() == 3


def test_requires_on_a_separate_function():
    buf = Buffer()
    result = []
    t = threading.Thread(target=lambda: result.append(take_when_ready(buf)))
    t.start()
    buf.put(42)
    t.join(STUCK)
    assert result == [42]


def test_a_precondition_with_no_separate_argument_is_a_correctness_condition():
    g = Guarded()
    with pytest.raises(AssertionError, match="precondition of Guarded.act"):
        g.act()


def test_a_failing_condition_releases_the_reservation():
    buf = Buffer()

    def broken(b):
        raise ValueError("bad condition")

    with pytest.raises(ValueError, match="bad condition"):
        with scoop.separate(buf, until=broken):
            pass
    buf.put(1)
    assert buf.take() == 1  # the handler is free


def test_waiting_costs_no_cpu():
    buf = Buffer()
    results, checked = [], threading.Event()
    t = waiting_consumer(buf, results, checked)
    assert checked.wait(STUCK)
    cpu_before = time.process_time()
    threading.Event().wait(1.0)  # the window in which CPU use is measured
    cpu = time.process_time() - cpu_before
    buf.put("x")
    t.join(STUCK)
    assert results[-1] == ("item", "x")
    # A polling loop would burn most of the second; a sleeping waiter uses next to none.
    assert cpu < 0.2, f"the process used {cpu:.3f} s of CPU while one client waited for 1 s"


def test_sixteen_competing_consumers_all_get_their_items():
    buf = Buffer()
    consumers, per_consumer = 16, 40
    got = [[] for _ in range(consumers)]

    def consume(i):
        for _ in range(per_consumer):
            with scoop.separate(buf, until=lambda b: not b.is_empty, timeout=STUCK) as b:
                got[i].append(b.take())

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(consumers)]
    for t in threads:
        t.start()
    for n in range(consumers * per_consumer):
        buf.put(n)
    for t in threads:
        t.join(STUCK)
    assert [len(g) for g in got] == [per_consumer] * consumers
    assert sorted(x for g in got for x in g) == list(range(consumers * per_consumer))


def test_the_handler_wakes_only_the_waiter_whose_condition_holds():
    # Eight clients wait for eight different values. Each change of the counter makes one
    # condition true: the handler evaluates the others itself, so every client evaluates
    # its condition on its own thread exactly twice (false, then true), not once per change.
    counter = Counter()
    waiters = 8
    own_evaluations = [0] * waiters
    checked = [threading.Event() for _ in range(waiters)]
    seen = [None] * waiters

    def wait_for(i):
        me = threading.current_thread()

        def condition(c):
            if threading.current_thread() is me:
                own_evaluations[i] += 1
                checked[i].set()
            return c.value == i + 1

        with scoop.separate(counter, until=condition, timeout=STUCK) as c:
            seen[i] = c.value

    threads = [threading.Thread(target=wait_for, args=(i,)) for i in range(waiters)]
    for t in threads:
        t.start()
    for e in checked:
        assert e.wait(STUCK)
    for i in range(waiters):
        # One step at a time: the client waiting for this value takes it before the next.
        counter.increment()
        threads[i].join(STUCK)
        assert not threads[i].is_alive()
    assert seen == [i + 1 for i in range(waiters)]
    assert own_evaluations == [2] * waiters


def test_a_condition_that_reads_another_object_is_evaluated_by_its_own_client():
    # The handler cannot evaluate it (it would call `limit` as the handler): it wakes the
    # client, which evaluates it itself, after every change.
    counter, limit = Counter(), Counter()
    limit.increment()
    limit.increment()
    done = threading.Event()

    def run():
        with scoop.separate(counter, until=lambda c: c.value >= limit.value, timeout=STUCK):
            done.set()

    t = threading.Thread(target=run)
    t.start()
    counter.increment()
    counter.increment()
    t.join(STUCK)
    assert done.is_set()


def test_an_error_in_a_condition_reaches_its_client_after_a_change():
    counter = Counter()
    errors = []
    checked = threading.Event()

    def condition(c):
        if c.value == 1:
            raise ValueError("condition broke")
        checked.set()
        return False

    def run():
        try:
            with scoop.separate(counter, until=condition, timeout=STUCK):
                pass
        except ValueError as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    assert checked.wait(STUCK)
    counter.increment()
    t.join(STUCK)
    assert [str(e) for e in errors] == ["condition broke"]


def test_a_waiter_registered_while_the_handler_rechecks_is_not_lost():
    # Issue 11: recheck used to replace the processor's list of waiters with the ones it kept,
    # so a client that registered meanwhile (another thread, between the handler's reads) was
    # dropped and slept for ever. Here the registration happens during the re-evaluation.
    from scoop._waiters import Waiter, add_waiter, recheck, remove_waiter

    box = Buffer()
    box.put(1)
    proc = scoop.processor_of(box)._scoop_core
    late = Waiter(0, -2, lambda b: False, (box,))

    def condition(b):
        add_waiter(proc, late)  # registers while recheck iterates
        return False

    first = Waiter(0, -1, condition, (box,))
    add_waiter(proc, first)
    recheck(proc, client_key=-3)
    assert late in proc.waiters and first in proc.waiters
    remove_waiter(proc, first)
    remove_waiter(proc, late)
    assert proc.waiters == ()


# -- a condition on several handlers: the core watches them for their clients' calls


def _take_both_when_ready(a: Buffer, b: Buffer) -> tuple:
    with scoop.separate(a, b, until=lambda x, y: not x.is_empty and not y.is_empty, timeout=STUCK) as (x, y):
        return x.take(), y.take()


class PairTaker(scoop.Separate):
    def __init__(self, a: Buffer, b: Buffer) -> None:
        # Kept, not passed to take_both: a method holds its separate arguments for its whole
        # body, and the condition could then never see another client's call on them.
        self.a, self.b = a, b

    def take_both(self) -> tuple:  # a body: it waits in a fiber
        return _take_both_when_ready(self.a, self.b)


def _check_waits_for_both(start_waiting) -> None:
    a, b = Buffer(), Buffer()
    taken = start_waiting(a, b)
    a.put("a")
    time.sleep(0.05)
    assert not taken.done()  # b is still empty: the condition is false
    b.put("b")
    assert taken.result(timeout=STUCK) == ("a", "b")


def test_a_condition_on_two_handlers_waits_for_both_in_a_thread():
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        _check_waits_for_both(lambda a, b: pool.submit(_take_both_when_ready, a, b))


def test_a_condition_on_two_handlers_waits_for_both_in_a_body():
    _check_waits_for_both(lambda a, b: PairTaker(a, b).take_both.future())
