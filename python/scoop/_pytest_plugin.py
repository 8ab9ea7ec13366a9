"""pyscoop's pytest plugin: the ``scoop_runtime`` fixture (SPEC §10).

Registered by the ``pytest11`` entry point when pyscoop is installed, so a
test only asks for the fixture::

    def test_deposit(scoop_runtime):
        a = Account("ann", 100)
        a.deposit(50)
        assert a.balance == 150     # a query: a sync point, no sleep

The test runs on a fresh runtime, shut down with ``wait=True`` after it
(after the teardown of the fixtures that use it). The teardown then fails
the test:

- for each command that failed and that no client observed during the test
  (SPEC §8), naming the call and showing its traceback: a failure that
  would otherwise only be logged;
- if the runtime's processors are still busy ``scoop_busy_timeout``
  seconds after the test (10 by default; the ini option, or
  ``@pytest.mark.scoop(busy_timeout=2)`` for one test), naming the calls
  they are running and the calls still queued, instead of hanging; the
  runtime is then stopped without waiting, and the next test gets a fresh
  one.

A ``scoop.DeadlockError`` needs nothing here: raised in the test, it fails
it with the cycle in its message; raised in a command, it is a failure
nobody observed.

pytest imports this module; ``import scoop`` never does, and this module
imports scoop only when a test uses the fixture.
"""

from __future__ import annotations

import traceback
from typing import Any, Iterator

import pytest

BUSY_TIMEOUT_INI = "scoop_busy_timeout"
#: Long enough for any call a unit test logs to finish, short enough that a
#: stuck test says so well before a CI job's own timeout.
DEFAULT_BUSY_TIMEOUT = 10.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        BUSY_TIMEOUT_INI,
        "seconds the scoop_runtime fixture waits after a test for its processors to finish "
        f"their calls, before it fails the test naming the busy ones (default {DEFAULT_BUSY_TIMEOUT:g})",
        default=str(DEFAULT_BUSY_TIMEOUT),
    )


def pytest_configure(config: pytest.Config) -> None:
    try:
        _seconds(config.getini(BUSY_TIMEOUT_INI), f"{BUSY_TIMEOUT_INI} in the pytest configuration")
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.addinivalue_line(
        "markers",
        "scoop(busy_timeout=seconds): options of the scoop_runtime fixture for this test",
    )


@pytest.fixture
def scoop_runtime(request: pytest.FixtureRequest) -> Iterator[None]:
    """A fresh pyscoop runtime for the test, shut down (``wait=True``) after it.

    Fails the test for a command failure nobody observed, and for processors
    still busy after ``scoop_busy_timeout`` seconds (see the module docs).

    >>> def test_balance(scoop_runtime):  # doctest: +SKIP
    ...     a = Account("ann", 100)
    ...     assert a.balance == 100
    """
    from . import _hooks

    timeout = _busy_timeout(request)
    left = _end_runtime(timeout)
    if left:
        pytest.fail(f"scoop: the runtime left by earlier code is {left}", pytrace=False)
    failures: list[tuple[BaseException, str]] = []

    def record(exc: BaseException, what: str) -> None:
        failures.append((exc, what))

    _hooks.unobserved.append(record)
    try:
        yield
        busy = _end_runtime(timeout)
    finally:
        _hooks.unobserved.remove(record)
    problems = [_describe_failure(exc, what) for exc, what in failures]
    if busy:
        problems.append(f"scoop: after the test, the runtime is {busy}")
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def _busy_timeout(request: pytest.FixtureRequest) -> float:
    marker = request.node.get_closest_marker("scoop")
    if marker is not None:
        unknown = set(marker.kwargs) - {"busy_timeout"}
        if marker.args or unknown:
            given = ", ".join([*map(repr, marker.args), *sorted(unknown)])
            pytest.fail(f"@pytest.mark.scoop takes only busy_timeout=<seconds>, not {given}", pytrace=False)
        if "busy_timeout" in marker.kwargs:
            try:
                return _seconds(marker.kwargs["busy_timeout"], "@pytest.mark.scoop(busy_timeout=...)")
            except ValueError as exc:
                pytest.fail(str(exc), pytrace=False)
    return _seconds(request.config.getini(BUSY_TIMEOUT_INI), BUSY_TIMEOUT_INI)


def _seconds(value: Any, where: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0:  # also refuses NaN
        raise ValueError(f"{where} is {value!r}: expected a number of seconds (e.g. 10)")
    return seconds


def _end_runtime(timeout: float) -> str | None:
    """Shut the current runtime down; if it stays busy *timeout* seconds,
    stop it without waiting and return what it was busy with."""
    import scoop

    from . import _global
    from ._busy import describe_busy

    rt = _global._current
    if rt is None or rt.stopped:
        scoop.shutdown()
        return None
    if rt.wait_quiet(timeout):
        scoop.shutdown(wait=True)
        return None
    report = f"still busy {timeout:g} s later ({BUSY_TIMEOUT_INI}):\n" + describe_busy(rt)
    scoop.shutdown(wait=False)
    return report


def _describe_failure(exc: BaseException, what: str) -> str:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
    return f"scoop: command {what} failed and no client observed it:\n{trace}"
