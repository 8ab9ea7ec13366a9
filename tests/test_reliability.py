"""Issue 11: each finding has a test that failed before its fix.

Random programs and injected faults are in test_model.py and test_faults.py.
"""

import gc
import logging
import sys
import threading

import pytest

import scoop
from models_coordination import Buffer
from support import STUCK


# -- a real deadlock is reported when plain threads are the clients


class Side(scoop.Separate):
    def __init__(self, started):
        self.started = started  # a threading.Barrier of the two bodies
        self.other = None

    def meet(self, other: "Side") -> None:
        self.other = other

    def work(self) -> int:
        self.started.wait()  # both bodies run: each side is busy
        return self.other.value  # waits for the other side, which waits for this one

    @property
    def value(self) -> int:
        return 1


def test_a_cycle_of_bodies_run_for_two_threads_is_reported():
    # Two plain threads call left.work() and right.work() at once; each body queries the other
    # object, whose body is running and waits for the first: a cycle. It hung for ever when
    # the threads ran the bodies themselves; whoever runs them, one client gets DeadlockError.
    started = scoop.shared(threading.Barrier(2, timeout=STUCK))
    left, right = Side(started), Side(started)
    left.meet(right)
    right.meet(left)
    outcomes = []

    def client(side):
        try:
            outcomes.append(side.work())
        except scoop.DeadlockError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=client, args=(s,)) for s in (left, right)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(STUCK)
    assert not any(t.is_alive() for t in threads), "the two clients hang"
    errors = [o for o in outcomes if isinstance(o, scoop.DeadlockError)]
    assert len(errors) == 1, outcomes
    assert "Side.work" in str(errors[0]) or "Side.value" in str(errors[0])
    assert [o for o in outcomes if not isinstance(o, BaseException)] == [1]


# -- a thread waiting when shutdown() ends the runtime is told so


def test_a_thread_waiting_on_a_condition_gets_processor_stopped_at_shutdown():
    buf = Buffer()
    waiting = threading.Event()
    outcome = []

    def consumer():
        try:
            with scoop.separate(buf, until=lambda b: waiting.set() or not b.is_empty):
                outcome.append("ran")
        except BaseException as exc:  # noqa: BLE001 - the outcome under test
            outcome.append(exc)

    t = threading.Thread(target=consumer)
    t.start()
    assert waiting.wait(STUCK)
    scoop.shutdown(wait=True)
    t.join(STUCK)
    assert not t.is_alive(), "the waiting thread survived shutdown()"
    assert len(outcome) == 1 and isinstance(outcome[0], scoop.ProcessorStopped), outcome
    # A new runtime does not wake the old thread, nor is it disturbed by it.
    assert Buffer().is_empty


# -- @scoop.requires(timeout=...)


class Gate(scoop.Separate):
    def __init__(self):
        self.open = False


class Visitor(scoop.Separate):
    @scoop.requires(lambda self, gate: gate.open, timeout=0.05)
    def enter(self, gate: Gate) -> int:
        return 1


def test_requires_with_a_timeout_raises_wait_timeout_and_runs_nothing():
    with pytest.raises(scoop.WaitTimeout, match="precondition of Visitor.enter"):
        Visitor().enter(Gate())


def test_requires_rejects_a_bad_timeout():
    with pytest.raises(TypeError, match="timeout"):
        scoop.requires(lambda self: True, timeout="soon")


# -- an object whose __init__ failed is not usable half-built


class Host(scoop.Separate):
    def __init__(self, address: str):
        if ":" not in address:
            raise ValueError(f"no port in {address!r}")
        self.host, self.port = address.split(":")

    def describe(self) -> str:
        return f"{self.host} port {self.port}"


def test_an_object_whose_creation_failed_says_so_on_every_later_call():
    h = Host("example.org")
    with pytest.raises(scoop.CommandFailed, match="Host.__init__") as first:
        h.describe()
    assert isinstance(first.value.__cause__, ValueError)
    # The failure was observed; the object is still half built, and says why.
    for _ in range(2):
        with pytest.raises(scoop.CommandFailed, match="creation failed") as later:
            h.describe()
        assert isinstance(later.value.__cause__, ValueError)
    with pytest.raises(scoop.CommandFailed, match="creation failed"):
        h.host
    assert isinstance(h, Host)
    assert Host("example.org:80").describe() == "example.org port 80"


# -- on_async_error="raise" never lands inside whatever the main thread is doing


class Failing(scoop.Separate):
    def fail(self) -> None:
        raise ValueError("unobserved")

    def ok(self) -> int:
        return 1


def test_raise_mode_raises_an_unobserved_failure_at_shutdown_not_asynchronously():
    scoop.configure(on_async_error="raise")
    try:
        observed, unobserved = Failing(), Failing()
        observed.fail()
        with pytest.raises(scoop.CommandFailed):
            observed.ok()  # observed: nothing to raise later
        done = threading.Event()
        other = threading.Thread(target=lambda: (unobserved.fail(), done.set()))
        other.start()
        other.join()
        assert done.is_set()
        # The main thread goes on undisturbed: the failure waits for shutdown.
        assert sum(observed.ok() for _ in range(100)) == 100
        with pytest.raises(scoop.CommandFailed, match="Failing.fail failed and no client observed it") as info:
            scoop.shutdown()
        assert isinstance(info.value.__cause__, ValueError)
    finally:
        scoop.configure(on_async_error="log")


# -- a stopped runtime gives back its threads' semaphores


class Relay(scoop.Separate):
    def __init__(self) -> None:
        self.n = 0

    def bump(self) -> None:
        self.n += 1

    def ask(self, other: "Relay") -> int:
        return other.n  # a query from a body, in a fiber


def _one_runtime() -> None:
    """Start a runtime, make calls from two threads and from bodies, stop it,
    and wait for every thread it had to end."""
    a, b, c = Relay(), Relay(), Relay()
    a.bump()
    t = threading.Thread(target=lambda: c.ask(a))
    t.start()
    assert b.ask(a) == 1
    t.join(STUCK)
    rt = scoop._global.runtime()
    scoop.shutdown()
    for thread in rt.threads:  # the spawner and the executors
        thread.join(STUCK)
        assert not thread.is_alive(), thread


def _held_by_threads() -> tuple[int, int]:
    """(semaphores held by the threads of every runtime, stopped runtimes still holding
    threads), once the garbage of the last runtime is collected."""
    gc.collect()
    stats = scoop._runtime._core_stats()
    return stats["semaphores"], stats["retired"]


def test_a_stopped_runtime_gives_back_every_thread_it_had():
    # Each thread's ThreadState skipped the core's DropThread once its runtime had stopped,
    # and the core's ids belong to one runtime: one set of semaphores leaked per shutdown().
    # (No growth, rather than none held: an earlier test's leftover thread may end meanwhile.)
    _one_runtime()
    semaphores, retired = _held_by_threads()
    for _ in range(10):
        _one_runtime()
        now = _held_by_threads()
        assert now[0] <= semaphores and now[1] <= retired, (now, (semaphores, retired))


# -- an executor that retires takes its fibers with it


class Blocker(scoop.Separate):
    def block(self, blocking, gate) -> None:
        blocking.set()
        gate.wait(STUCK)  # blocks its executor's thread outside pyscoop


class Runner(scoop.Separate):
    def run(self, ran) -> None:
        ran.set()


def test_a_retired_executor_leaves_no_fiber_behind(monkeypatch):
    # Runtime.fibers kept every fiber of a hub that retired, and the core its thread record.
    monkeypatch.setattr(scoop._runtime, "EXECUTOR_IDLE_RETIRE", 0.05)
    blocking, gate, ran = (scoop.shared(threading.Event()) for _ in range(3))
    blocker, runner = Blocker(), Runner()
    blocker.block(blocking, gate)
    assert blocking.wait(STUCK)
    runner.run(ran)  # ready while the only executor is blocked: the core adds one
    assert ran.wait(STUCK)
    gate.set()
    rt = scoop._global.runtime()
    executors = [t for t in rt.threads if t.name == "scoop-executor"]
    assert len(executors) == 2
    assert len({f.home for f in rt.fibers.values()}) == 2, "each hub has made fibers"
    while all(t.is_alive() for t in executors):  # one retires, once idle; the last one stays
        executors[0].join(0.01)
        executors[1].join(0.01)
    gc.collect()
    hubs = {f.home for f in rt.fibers.values()}
    assert len(hubs) == 1, "the retired hub's fibers are gone"
    # The core holds the main thread, the spawner, the hub left and its fibers: no more.
    assert scoop._runtime._core_stats()["threads"] == 3 + len(rt.fibers)


# -- a hang at exit says what hangs


class Slot(scoop.Separate):
    def __init__(self) -> None:
        self.items: list = []

    def put(self, item) -> None:
        self.items.append(item)

    def take(self) -> object:
        return self.items.pop(0)


class Producer(scoop.Separate):
    def __init__(self, slot: Slot) -> None:
        self.slot = slot  # not an argument of run(), which would hold it for its whole body

    @scoop.requires(lambda self, slot, item: len(slot.items) < 1)
    def produce(self, slot: Slot, item) -> None:
        slot.put(item)

    def run(self, n: int) -> None:
        for i in range(n):
            self.produce(self.slot, i)


def test_shutdown_names_the_wait_condition_a_producer_is_stuck_on(monkeypatch, caplog):
    # The report said "processor 5 running wake=false: q2(client 4 implicit)": not the class,
    # the method, that it is a wait condition, nor its predicate.
    monkeypatch.setattr(scoop._runtime, "SHUTDOWN_REPORT_EVERY", 0.01)
    slot = Slot()
    producer = Producer(slot)
    producer.run(2)  # puts 0, then waits for room for 1: for ever, unless someone takes
    reported = threading.Event()

    class Unstick(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "precondition of" in record.getMessage():  # the producer is waiting by now
                reported.set()

    unstick = Unstick()
    logging.getLogger("scoop").addHandler(unstick)
    taker = threading.Thread(target=lambda: reported.wait(STUCK) and slot.take())
    taker.start()
    try:
        with caplog.at_level(logging.WARNING, logger="scoop"):
            scoop.shutdown()  # reports until the taker makes room, then ends
    finally:
        logging.getLogger("scoop").removeHandler(unstick)
    taker.join(STUCK)
    assert reported.is_set()
    report = next(r.getMessage() for r in caplog.records if "precondition of" in r.getMessage())
    assert "suspended Producer.run at test_reliability.py:" in report
    assert "waiting for the wait condition precondition of Producer.produce" in report
    assert "(Slot)>" in report, "the object it waits on"
    assert "`lambda self, slot, item: len(slot.items) < 1` (test_reliability.py:" in report


def test_a_wait_report_cuts_each_lambda_out_of_a_shared_line():
    from scoop._busy import predicate_source

    first, second = (lambda a: a > 1), (lambda b: not b)  # noqa: E731

    def named(a) -> bool:
        return bool(a)

    if sys.version_info >= (3, 11):  # the columns of a lambda's code
        assert predicate_source(first).startswith("`lambda a: a > 1` (test_reliability.py:")
        assert predicate_source(second).startswith("`lambda b: not b` (test_reliability.py:")
    assert predicate_source(named).startswith("test_a_wait_report_cuts_each_lambda_out_of_a_shared_line.<locals>.named (")


@pytest.mark.parametrize(
    "line, text",
    [
        ("@scoop.requires(lambda self, slot, item: len(slot.items) < 1)", "lambda self, slot, item: len(slot.items) < 1"),
        ("ready = lambda b: not b.is_full  # a comment", "lambda b: not b.is_full"),
        ('@scoop.requires(lambda a: a["x"] == ")", lambda b: b)', 'lambda a: a["x"] == ")"'),
        ("with scoop.separate(b, until=lambda b: f(b, 1), timeout=5) as b:", "lambda b: f(b, 1)"),
    ],
)
def test_a_lambda_is_cut_out_of_its_line_without_columns(line, text):
    # Python 3.10's code objects have no columns: the hang report named the whole decorator line.
    from scoop._busy import _first_lambda

    assert _first_lambda(line) == text
