"""Helpers for the tests: watchdogs instead of sleeps, and running Python subprocesses.

Nothing here waits a fixed time for the runtime to act. Timeouts below only turn a hang into
a clear failure; a correct runtime never gets near them, and a slow machine does not break a
test by being slow.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading

import scoop

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT_DIR = os.path.dirname(TESTS_DIR)
SCRIPTS_DIR = os.path.join(TESTS_DIR, "scripts")

# How long to wait before calling something stuck. Generous: only a broken runtime gets here.
STUCK = 20.0
# How long a child Python process may take before it is called hung and killed.
CHILD_TIMEOUT = 90.0  # below the global pytest timeout (120 s), so a hang fails with output


class Watchdog:
    """Opens ``gate`` after ``STUCK`` seconds, and remembers that it had to.

    A test that expects a call not to block makes the call while a handler is held by ``gate``;
    if the call wrongly waits for the handler, it comes back only when the watchdog opens the
    gate, and ``fired`` tells the test so.
    """

    def __init__(self, gate: threading.Event, timeout: float = STUCK):
        self.gate = gate
        self._fired = threading.Event()
        self._timer = threading.Timer(timeout, self._open)
        self._timer.daemon = True

    def _open(self) -> None:
        self._fired.set()
        self.gate.set()

    @property
    def fired(self) -> bool:
        return self._fired.is_set()

    def start(self) -> "Watchdog":
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self.gate.set()


@contextlib.contextmanager
def watchdog(gate: threading.Event, timeout: float = STUCK):
    dog = Watchdog(gate, timeout).start()
    try:
        yield dog
    finally:
        dog.stop()


class Held:
    def __init__(self, gate: threading.Event, dog: Watchdog):
        self.gate = gate
        self.dog = dog

    @property
    def fired(self) -> bool:
        return self.dog.fired

    def release(self) -> None:
        self.gate.set()


@contextlib.contextmanager
def held(*objs, timeout: float = STUCK):
    """Keep the handlers of ``objs`` busy (each in a ``hold`` command) until the block ends.

    On entry every handler has started its ``hold`` call, so calls from any client queue up
    behind it. On exit (or ``release()``) the gate opens.
    """
    gate = threading.Event()
    dog = Watchdog(gate, timeout).start()
    try:
        for obj in objs:
            started = threading.Event()
            obj.hold(scoop.shared(gate), scoop.shared(started))
            assert started.wait(STUCK), f"{obj!r} never started its hold() command"
        yield Held(gate, dog)
    finally:
        dog.stop()


def child_env() -> dict:
    """The environment for a child Python: it can import ``scoop`` and the test models."""
    env = dict(os.environ)
    scoop_parent = os.path.dirname(os.path.dirname(os.path.abspath(scoop.__file__)))
    paths = [TESTS_DIR, scoop_parent]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONWARNINGS", None)
    return env


def run_python(args, timeout: float = CHILD_TIMEOUT, cwd=None) -> subprocess.CompletedProcess:
    """Run ``python *args`` in its own session; on timeout kill it and everything it forked."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=cwd or ROOT_DIR,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(
            f"python {' '.join(map(str, args))} hung (killed after {timeout} s)\n"
            f"--- stdout\n{out}\n--- stderr\n{err}"
        )
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run_script(name: str, *argv, timeout: float = CHILD_TIMEOUT) -> subprocess.CompletedProcess:
    return run_python([os.path.join(SCRIPTS_DIR, name), *map(str, argv)], timeout=timeout)


def describe(result: subprocess.CompletedProcess) -> str:
    return f"exit code {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def run_crossed_reservations(iterations: int):
    """Two threads reserve the same two objects in opposite argument orders, many times.

    Each block logs begin/middle/end on both objects. Returns both objects' logs. SPEC §4:
    the blocks never interleave on either object, and the two threads never deadlock.
    """
    from models import Log

    a, b = Log(), Log()
    barrier = threading.Barrier(2)
    errors = []

    def client(tag, first, second):
        try:
            barrier.wait()
            for i in range(iterations):
                with scoop.separate(first, second) as (x, y):
                    x.log((tag, i), "begin")
                    y.log((tag, i), "begin")
                    x.log((tag, i), "middle")
                    y.log((tag, i), "middle")
                    x.log((tag, i), "end")
                    y.log((tag, i), "end")
            # Sync: this client's commands on both objects have run.
            first.count()
            second.count()
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [
        threading.Thread(target=client, args=("ab", a, b), daemon=True),
        threading.Thread(target=client, args=("ba", b, a), daemon=True),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(CHILD_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "crossed reservations deadlocked"
    assert not errors, errors
    return a.items(), b.items()


def assert_blocks_do_not_interleave(entries, tags, iterations: int) -> None:
    """``entries`` must be whole (begin, middle, end) blocks, each client's in its own order."""
    assert len(entries) == 3 * iterations * len(tags)
    seen = {tag: [] for tag in tags}
    for k in range(0, len(entries), 3):
        block = entries[k : k + 3]
        key = block[0][0]
        assert block == [(key, "begin"), (key, "middle"), (key, "end")], (
            f"blocks interleave at entry {k}: {entries[max(0, k - 3) : k + 6]}"
        )
        tag, i = key
        seen[tag].append(i)
    for tag in tags:
        assert seen[tag] == list(range(iterations))
