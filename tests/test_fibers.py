"""Waiting never holds a thread (issue 8): call bodies that wait are suspended.

A method body that waits for another processor — a query on a busy handler, a wait condition
that is false — is suspended as a continuation on its executor's thread, which goes on with
other processors. These tests hold hundreds of such bodies waiting at once and check that a
handful of threads carries them all, then that every one of them finishes.
"""

import threading

import scoop
from support import STUCK

WAITERS = 200
FEW_THREADS = 4


class Gate(scoop.Separate):
    def __init__(self, expected: int, all_checked):
        self.open = False
        self.checked: set[int] = set()
        self.expected = expected
        self.all_checked = all_checked  # a threading.Event, passed by scoop.shared

    def check(self, who: int) -> bool:
        self.checked.add(who)
        if len(self.checked) == self.expected:
            self.all_checked.set()
        return self.open

    def unlock(self) -> None:
        self.open = True


class Slow(scoop.Separate):
    def __init__(self):
        self.value = 42


class Recorder(scoop.Separate):
    def __init__(self, expected: int, all_started):
        self.started: set[int] = set()
        self.expected = expected
        self.all_started = all_started

    def start(self, who: int) -> None:
        self.started.add(who)
        if len(self.started) == self.expected:
            self.all_started.set()


class Worker(scoop.Separate):
    # The objects a worker waits on are attributes, not arguments of the methods: a method
    # reserves its separate arguments for its whole body (SPEC §4), and a body that holds
    # the gate could never see another client open it.
    def __init__(self, me: int, gate: Gate | None = None, slow: Slow | None = None, recorder=None):
        self.me = me
        self.gate, self.slow, self.recorder = gate, slow, recorder
        self.passed = False
        self.answer = 0

    def wait_at_gate(self) -> None:
        me = self.me
        with scoop.separate(self.gate, until=lambda g: g.check(me)):
            self.passed = True

    def ask(self) -> None:
        self.recorder.start(self.me)
        self.answer = self.slow.value  # waits: the main thread holds slow


def test_bodies_waiting_on_a_condition_hold_no_threads():
    all_checked = threading.Event()
    gate = Gate(WAITERS, scoop.shared(all_checked))
    workers = [Worker(i, gate=gate) for i in range(WAITERS)]
    for w in workers:
        w.wait_at_gate()
    try:
        assert all_checked.wait(STUCK), "not every worker evaluated its wait condition"
        # Every body has evaluated its condition once and found it false: with a thread per
        # waiting body there would be one executor each.
        assert scoop.stats()["executors"] <= FEW_THREADS, scoop.stats()
        assert threading.active_count() <= FEW_THREADS + 2
    finally:
        gate.unlock()  # so that a failure does not leave 200 bodies waiting at shutdown
    assert all(w.passed for w in workers)


def test_bodies_waiting_for_a_query_hold_no_threads():
    all_started = threading.Event()
    slow = Slow()
    recorder = Recorder(WAITERS, scoop.shared(all_started))
    workers = [Worker(i, slow=slow, recorder=recorder) for i in range(WAITERS)]
    # Each __init__ reserves its separate arguments, slow among them: let them all run first.
    assert [w.me for w in workers] == list(range(WAITERS))
    with scoop.separate(slow):
        # slow's handler is reserved by this thread: every query on it waits behind the block.
        for w in workers:
            w.ask()
        assert all_started.wait(STUCK), "not every worker started"
        assert scoop.stats()["executors"] <= FEW_THREADS, scoop.stats()
    assert [w.answer for w in workers] == [42] * WAITERS


class Blocker(scoop.Separate):
    def meet(self, barrier) -> bool:
        barrier.wait()  # blocks outside pyscoop, holding the executor's thread
        return True


def test_bodies_blocked_outside_pyscoop_get_executors_of_their_own_at_once():
    # Twenty bodies block in one threading.Barrier of twenty: they all finish only if they run
    # at the same time, each on a thread. Executors blocked outside Python use no CPU, so the
    # monitor gives every ready processor an executor at once, rather than one per stall.
    n = 20
    barrier = scoop.shared(threading.Barrier(n, timeout=STUCK))
    blockers = [Blocker() for _ in range(n)]
    futures = [b.meet.future(barrier) for b in blockers]
    assert all(f.result(timeout=2 * STUCK) for f in futures)
    stats = scoop.stats()
    assert stats["executors"] >= n
    assert stats["stalls"] <= 3, stats


class Tally(scoop.Separate):
    def __init__(self, done):
        self.done = done  # a threading.Event: the looping body has finished
        self.before_done = 0

    def increment(self) -> None:
        if not self.done.is_set():
            self.before_done += 1


class Looper(scoop.Separate):
    def __init__(self, tally: Tally, done):
        self.tally, self.done = tally, done

    def loop(self, n: int) -> None:
        for _ in range(n):
            with scoop.separate(self.tally) as t:
                t.increment()
        self.done.set()


def test_a_body_that_logs_calls_in_a_long_loop_lets_them_run_meanwhile():
    # SPEC §2: a logged call runs promptly. The looping body never waits, and a fiber runs
    # until it waits: it must still give its thread up now and then for the calls it logs.
    done = scoop.shared(threading.Event())
    tally = Tally(done)
    looper = Looper(tally, done)
    looper.loop(20_000)
    assert done.wait(STUCK)
    assert tally.before_done > 0
