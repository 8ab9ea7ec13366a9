"""SPEC §10: the pytest plugin. Each test runs pytest on a test file it writes (pytester).

Runs that leave a call stuck forever go to a subprocess (``runpytest_subprocess``): its stuck
executor thread ends with it, instead of staying in this process.
"""

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from support import CHILD_TIMEOUT, child_env

MODELS = '''
import threading

import pytest

import scoop


class Account(scoop.Separate):
    def __init__(self, balance: int = 0) -> None:
        self.balance = balance

    def deposit(self, amount: int) -> None:
        self.balance += amount

    def fail(self, message: str) -> None:
        raise ValueError(message)

    def make_fail(self, other: "Account") -> None:
        other.fail("failed by a processor")  # this processor, as a client, never observes it


class Spinner(scoop.Separate):
    def spin(self, gate) -> None:
        gate.wait()  # nobody opens it

    def count(self) -> int:
        return 0


class Cell(scoop.Separate):
    def __init__(self) -> None:
        self.value = 0
        self.peer = None

    def set_peer(self, peer: "Cell") -> None:
        self.peer = peer

    def meet_at(self, gate: "Cell") -> None:
        self.gate = gate

    def arrive(self) -> None:
        self.value += 1

    def hold_then_read_peer(self, mine: "Cell") -> None:
        mine.value  # the reservation of ``mine`` (a separate argument) has started
        self.gate.arrive()
        with scoop.separate(self.gate, until=lambda g: g.value >= 2):  # both hold theirs
            pass
        self.peer.value
'''


def _run(pytester, source: str, *args: str):
    pytester.makepyfile(scoop_models=MODELS, test_it=source)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def _run_subprocess(pytester, source: str, *args: str):
    pytester.makepyfile(scoop_models=MODELS, test_it=source)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=CHILD_TIMEOUT)


# -- registration


def test_the_plugin_is_registered_by_a_pytest11_entry_point():
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "scoop"]
    assert plugin.value == "scoop._pytest_plugin"


def test_importing_scoop_does_not_import_pytest():
    code = "import sys, scoop; print(sorted(m for m in ('pytest', '_pytest') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), timeout=CHILD_TIMEOUT
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- a fresh runtime, shut down with wait=True after the test


def test_the_fixture_gives_a_fresh_runtime_and_shuts_it_down_after(pytester):
    result = _run(
        pytester,
        """
import pytest, scoop, threading
from scoop_models import Account

before = Account(1)   # made at import, on whatever runtime there was
ran = scoop.shared([])
kept = []

class Recorder(scoop.Separate):
    def note(self, i: int, out) -> None:
        out.append(i)

def test_uses_a_fresh_runtime(scoop_runtime):
    with pytest.raises(scoop.ProcessorStopped):
        before.balance
    r = Recorder()
    for i in range(1000):
        r.note(i, ran)       # no sync point: the fixture's shutdown(wait=True) runs them
    kept.append(r)

def test_afterwards():
    assert ran == list(range(1000))
    with pytest.raises(scoop.ProcessorStopped):
        kept[0].note(0, ran)
""",
    )
    result.assert_outcomes(passed=2)


# -- a command failure nobody observed fails the test, naming the call


def test_an_unobserved_command_failure_fails_the_test_naming_the_call(pytester):
    result = _run(
        pytester,
        """
from scoop_models import Account

def test_forgets_a_failure(scoop_runtime):
    a = Account()
    a.fail("nobody looked")
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*scoop: command Account.fail failed and no client observed it:*", "*ValueError: nobody looked*"]
    )


def test_an_observed_command_failure_does_not_fail_the_test(pytester):
    result = _run(
        pytester,
        """
import pytest, scoop
from scoop_models import Account

def test_observes_it(scoop_runtime):
    a = Account()
    a.fail("seen")
    with pytest.raises(scoop.CommandFailed):
        a.balance
""",
    )
    result.assert_outcomes(passed=1)


def test_a_failure_unobserved_by_a_processor_fails_the_test(pytester):
    result = _run(
        pytester,
        """
from scoop_models import Account

def test_nested(scoop_runtime):
    a, b = Account(), Account()
    a.make_fail(b)
    assert a.balance == 0   # a ran make_fail; b's failure is a's to observe, and it never does
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*command Account.fail failed and no client observed it*", "*failed by a processor*"])


def test_without_the_fixture_a_failure_is_only_logged(pytester):
    result = _run(
        pytester,
        """
import scoop
from scoop_models import Account

def test_forgets_a_failure():
    Account().fail("only logged")
    scoop.shutdown()
""",
    )
    result.assert_outcomes(passed=1)


# -- deadlocks


def test_a_deadlock_error_in_the_test_fails_it_with_the_cycle(pytester):
    result = _run(
        pytester,
        """
import threading, scoop
from scoop_models import Cell

def test_crossed(scoop_runtime):
    x, y = Cell(), Cell()
    barrier = threading.Barrier(2)
    errors = []

    def other():
        with scoop.separate(y) as held:
            held.value
            barrier.wait()
            try:
                x.value
            except scoop.DeadlockError as exc:
                errors.append(exc)

    t = threading.Thread(target=other, name="other")
    t.start()
    try:
        with scoop.separate(x) as held:
            held.value
            barrier.wait()
            y.value
    finally:
        t.join()
        for exc in errors:
            raise exc
""",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*DeadlockError: deadlock: *waits for*Cell*"])


def test_a_deadlock_in_commands_fails_the_test_with_the_cycle(pytester):
    result = _run(
        pytester,
        """
import threading, scoop
from scoop_models import Cell

def test_crossed_commands(scoop_runtime):
    x, y, p, q, gate = Cell(), Cell(), Cell(), Cell(), Cell()
    p.set_peer(y)
    q.set_peer(x)
    p.meet_at(gate)
    q.meet_at(gate)
    p.hold_then_read_peer(x)   # commands: nobody observes which one gives up
    q.hold_then_read_peer(y)
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*command Cell.hold_then_read_peer failed and no client observed it*", "*DeadlockError: deadlock: *"]
    )


# -- processors still busy after the test: named, not a hang


def test_a_processor_still_busy_after_the_test_is_named_with_its_calls(pytester):
    pytester.makeini("[pytest]\nscoop_busy_timeout = 0.2\n")
    result = _run_subprocess(
        pytester,
        """
import threading, scoop
from scoop_models import Account, Spinner

gate = scoop.shared(threading.Event())   # never set

def test_leaves_a_processor_spinning(scoop_runtime):
    s = Spinner()
    s.spin(gate)
    s.count.future()   # queued behind spin

def test_the_next_test_gets_a_working_runtime(scoop_runtime):
    a = Account(1)
    a.deposit(1)
    assert a.balance == 2
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*scoop: after the test, the runtime is still busy 0.2 s later (scoop_busy_timeout):*",
            "*running Spinner.spin at scoop_models.py:*",
            "*scoop.Processor * (Spinner)>: 1 call(s) queued, the next Spinner.count*",
        ]
    )


def test_the_busy_timeout_of_one_test_is_set_by_a_marker(pytester):
    result = _run_subprocess(
        pytester,
        """
import threading, pytest, scoop
from scoop_models import Spinner

gate = scoop.shared(threading.Event())   # never set

@pytest.mark.scoop(busy_timeout=0.1)
def test_leaves_a_processor_spinning(scoop_runtime):
    Spinner().spin(gate)
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*still busy 0.1 s later*", "*running Spinner.spin at scoop_models.py:*"])


def test_a_bad_busy_timeout_in_the_ini_file_is_a_usage_error(pytester):
    pytester.makeini("[pytest]\nscoop_busy_timeout = soon\n")
    result = _run(pytester, "def test_nothing():\n    pass\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*scoop_busy_timeout in the pytest configuration is 'soon': expected a number of seconds*"])


def test_a_bad_scoop_marker_names_the_problem(pytester):
    result = _run(
        pytester,
        """
import pytest

@pytest.mark.scoop(timeout=1)
def test_misspelt(scoop_runtime):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.scoop takes only busy_timeout=<seconds>, not timeout*"])
