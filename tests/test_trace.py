"""SPEC §10: tracing (``scoop.trace``, ``SCOOP_TRACE``) and ``python -m scoop trace``."""

from __future__ import annotations

import gc
import json
import os
import struct
import sys
import textwrap
import threading
from collections import Counter

import pytest
from models import Holdable
from support import STUCK, describe, held, run_python

import scoop
from scoop import _calls, _queue, _reservation, _trace
from scoop._timeline import read_events
from scoop.__main__ import main as scoop_main


class Tally(Holdable):
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:
        self.value += 1

    def add_from(self, other: "Tally") -> int:  # a body that makes calls itself
        other.increment()
        other.increment()
        return other.value


class Box(scoop.Separate):
    def __init__(self) -> None:
        self.items: list = []

    def put(self, item) -> None:
        self.items.append(item)

    @property
    def is_empty(self) -> bool:
        return not self.items

    def take(self) -> object:
        return self.items.pop(0)


def has_items(box: Box, seen: threading.Event) -> bool:
    """A wait condition that sets *seen* when it finds *box* empty: its client then waits."""
    empty = box.is_empty
    if empty:
        seen.set()
    return not empty


class Taker(scoop.Separate):
    @scoop.requires(lambda self, box, seen: has_items(box, seen))
    def take_from(self, box: Box, seen) -> None:
        self.last = box.take()


def events_of(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)  # the whole file is valid JSON
    assert isinstance(data["traceEvents"], list)
    return data["traceEvents"]


def tracks_of(events) -> dict[int, str]:
    return {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}


def track(events, name: str) -> int:
    (tid,) = [tid for tid, n in tracks_of(events).items() if n == name]
    return tid


def calls(events, name: str | None = None) -> list[dict]:
    return [e for e in events if e["ph"] == "X" and e.get("cat") == "call" and name in (None, e["name"])]


def waits(events) -> list[dict]:
    return [e for e in events if e["ph"] == "X" and e.get("cat") == "wait"]


# -- the file


def test_the_file_is_json_with_trace_events(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path) as t:
        c = Tally()
        c.increment()
        assert c.value == 1
    assert t.path == str(path)
    events = events_of(path)
    assert {e["ph"] for e in events} >= {"M", "X", "s", "f"}
    assert all(isinstance(e["pid"], int) for e in events)
    assert all(isinstance(e["ts"], (int, float)) for e in events if e["ph"] != "M")


def test_one_track_per_processor_named_after_its_class_and_one_per_client_thread(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        a, b, box = Tally(), Tally(), Box()

        def client():
            a.increment()
            box.put(1)
            assert box.is_empty is False

        t = threading.Thread(target=client, name="worker")
        t.start()
        t.join(STUCK)
        b.increment()
        assert (a.value, b.value) == (1, 1)
    names = sorted(tracks_of(events_of(path)).values())
    assert names == ["Box #1", "Tally #1", "Tally #2", "thread MainThread", "thread worker"]


def test_each_executed_call_is_a_complete_event_named_class_method(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        c = Tally()
        for _ in range(25):
            c.increment()
        assert c.value == 25
    events = events_of(path)
    counter = track(events, "Tally #1")
    names = Counter(e["name"] for e in calls(events))
    assert names == {"Tally.__init__": 1, "Tally.increment": 25, "Tally.value": 1}
    for e in calls(events):
        assert e["tid"] == counter  # the processor's track, even for the query that
        assert e["dur"] >= 0 and e["ts"] >= 0  # the main thread ran itself


def test_flow_events_join_each_call_from_its_logging_to_its_execution(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        a, b = Tally(), Tally()
        assert a.add_from(b) == 2  # a's body logs three calls on b
    events = events_of(path)
    main, ta, tb = (track(events, n) for n in ("thread MainThread", "Tally #1", "Tally #2"))
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    ends = {e["id"]: e for e in events if e["ph"] == "f"}
    executed = calls(events)
    assert len(ends) == len(executed) == len(starts)
    for call in executed:
        # The end of the flow is bound to the execution: on its track, inside it.
        (end,) = [f for f in ends.values() if f["tid"] == call["tid"] and call["ts"] <= f["ts"] <= call["ts"] + call["dur"]]
        start = starts[end["id"]]
        assert start["name"] == end["name"] == call["name"]
        assert start["ts"] <= end["ts"]
        # ... and its start is where the call was logged: a slice on the client's track.
        (log,) = [e for e in events if e.get("cat") == "log" and e["tid"] == start["tid"]
                  and e["ts"] <= start["ts"] <= e["ts"] + e["dur"]]
        assert log["name"] == f"log {call['name']}"
        if call["tid"] == tb and call["name"] != "Tally.__init__":
            assert start["tid"] == ta  # logged by a's body
        else:
            assert start["tid"] == main


def test_a_query_wait_and_a_reservation_turn_wait_are_slices_on_the_waiters_tracks(tmp_path):
    # Each thread holds one box and asks for the other's: both wait (a cycle, which one of
    # them breaks with DeadlockError), so the waits are certain, with no timing involved.
    path = tmp_path / "run.json"
    with scoop.trace(path):
        x, y = Box(), Box()
        barrier = threading.Barrier(2)
        outcomes = {}

        def querier():  # holds x, then queries y: a query that waits
            try:
                with scoop.separate(x) as mine:
                    mine.is_empty  # noqa: B018 - the reservation has started
                    barrier.wait(STUCK)
                    outcomes["querier"] = y.is_empty
            except scoop.DeadlockError as exc:
                outcomes["querier"] = exc

        def reserver():  # holds y, then reserves x too: waits for the reservation's turn
            try:
                with scoop.separate(y) as mine:
                    mine.is_empty  # noqa: B018
                    barrier.wait(STUCK)
                    with scoop.separate(x) as other:
                        outcomes["reserver"] = other.is_empty
            except scoop.DeadlockError as exc:
                outcomes["reserver"] = exc

        threads = [threading.Thread(target=querier, name="querier"), threading.Thread(target=reserver, name="reserver")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(STUCK)
    assert sorted(type(o).__name__ for o in outcomes.values()) == ["DeadlockError", "bool"], outcomes
    events = events_of(path)
    by_track = {tracks_of(events)[w["tid"]]: w for w in waits(events) if w["args"]["on"] == ["Box #2"]
                or w["args"]["for"] == "reservation turn"}
    query, turn = by_track["thread querier"], by_track["thread reserver"]
    assert query["name"] == "wait Box.is_empty"
    assert query["args"] == {"for": "query", "call": "Box.is_empty", "on": ["Box #2"], **_error(outcomes["querier"])}
    assert turn["name"] == "wait turn on Box #1"
    assert turn["args"] == {
        "for": "reservation turn", "call": "Box.is_empty", "on": ["Box #1"], **_error(outcomes["reserver"])
    }
    assert query["dur"] > 0 and turn["dur"] > 0


def _error(outcome) -> dict:
    return {"error": "DeadlockError"} if isinstance(outcome, scoop.DeadlockError) else {}


def test_a_wait_condition_is_a_slice_on_the_waiting_body_s_track(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        box, taker = Box(), Taker()
        seen = threading.Event()
        taker.take_from(box, scoop.shared(seen))  # a command: its body waits for an item
        assert seen.wait(STUCK)  # the precondition was false once: the body waits
        box.put("item")
        assert taker.last == "item"
    events = events_of(path)
    (wait,) = [w for w in waits(events) if w["args"]["for"] == "wait condition"]
    assert wait["tid"] == track(events, "Taker #1")
    assert wait["name"] == "wait until precondition of Taker.take_from"
    assert wait["args"] == {"for": "wait condition", "condition": "precondition of Taker.take_from", "on": ["Box #1"]}
    # The wait lies inside the body that waited.
    (body,) = calls(events, "Taker.take_from")
    assert body["ts"] <= wait["ts"] and wait["ts"] + wait["dur"] <= body["ts"] + body["dur"] + 0.01


def test_a_thread_s_wait_condition_is_a_slice_on_its_track(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        box = Box()
        seen = threading.Event()
        got = []

        def waiter():
            with scoop.separate(box, until=lambda b: has_items(b, seen)) as b:
                got.append(b.take())

        t = threading.Thread(target=waiter, name="waiter")
        t.start()
        assert seen.wait(STUCK)
        box.put(7)
        t.join(STUCK)
        assert got == [7]
    events = events_of(path)
    (wait,) = [w for w in waits(events) if w["args"]["for"] == "wait condition"]
    assert wait["tid"] == track(events, "thread waiter")
    assert wait["args"]["on"] == ["Box #1"] and wait["name"].startswith("wait until ")


# -- complete in every case


def test_the_file_is_complete_after_an_exception_in_the_block(tmp_path):
    path = tmp_path / "run.json"
    with pytest.raises(ZeroDivisionError):
        with scoop.trace(path):
            c = Tally()
            c.increment()
            assert c.value == 1
            1 / 0
    assert len(calls(events_of(path))) == 3
    assert hooks_installed() == []


def test_a_long_trace_is_written_as_it_runs(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        c = Tally()
        for _ in range(_trace.CHUNK):
            c.increment()
        assert c.value == _trace.CHUNK
        # Written already, and complete JSON at every chunk: a run that dies keeps it.
        assert len(calls(events_of(path), "Tally.increment")) >= _trace.CHUNK // 4
        assert len(_trace._recorder.events) < _trace.CHUNK  # not all held in memory
    assert len(calls(events_of(path), "Tally.increment")) == _trace.CHUNK


def test_one_trace_at_a_time(tmp_path):
    with scoop.trace(tmp_path / "a.json"):
        with pytest.raises(RuntimeError, match="already being recorded"):
            with scoop.trace(tmp_path / "b.json"):
                pass
    events_of(tmp_path / "a.json")


SCRIPT = """
import sys
import scoop

class Counter(scoop.Separate):
    def __init__(self):
        self.value = 0
    def increment(self) -> None:
        self.value += 1

if __name__ == "__main__":
    counters = [Counter() for _ in range(3)]
    for c in counters:
        for _ in range({n}):
            c.increment()   # commands: logged, run at exit at the latest (SPEC §9)
    {end}
"""


def _run_traced(tmp_path, n: int, end: str):
    script = tmp_path / "prog.py"
    script.write_text(textwrap.dedent(SCRIPT.format(n=n, end=end)))
    env_path = tmp_path / "env.json"
    os.environ["SCOOP_TRACE"] = str(env_path)
    try:
        result = run_python([str(script)], cwd=str(tmp_path))
    finally:
        del os.environ["SCOOP_TRACE"]
    return result, env_path


def test_scoop_trace_in_the_environment_writes_a_complete_file_at_exit(tmp_path):
    result, path = _run_traced(tmp_path, 50, "raise RuntimeError('the end')")
    assert result.returncode == 1 and "RuntimeError: the end" in result.stderr, describe(result)
    events = events_of(path)
    assert len(calls(events, "Counter.increment")) == 150  # the ones run at exit too
    assert sorted(tracks_of(events).values()) == ["Counter #1", "Counter #2", "Counter #3", "thread MainThread"]


def test_a_run_that_dies_keeps_the_chunks_written(tmp_path):
    result, path = _run_traced(tmp_path, _trace.CHUNK, "counters[0].value; import os; os._exit(3)")
    assert result.returncode == 3, describe(result)
    # Complete JSON after each chunk; or, if the exit came while a chunk was
    # being written, cut short in it, with every event before the cut whole.
    events, _ = read_events(str(path))
    assert len(calls(events)) >= _trace.CHUNK // 4


# -- tracing off


def hooks_installed() -> list[str]:
    """What of tracing is installed in the runtime's paths."""
    from scoop import _proxy, _separate

    installed = [
        f"{owner.__name__}.{name}"
        for owner, name in [(_proxy, "command"), (_proxy, "query"), (_proxy, "log_future"), (_separate, "command"),
                            (_queue.PrivateQueue, "take_turn"), (_reservation, "wait_for_change")]
        if getattr(owner, name).__module__ == "scoop._trace"
    ]
    if command_stub(Tally, "increment").func is not _calls.command:
        installed.append("Tally.increment stub")
    if _trace._recorder is not None:
        installed.append("recorder")
    return installed


def traced_records_queued() -> int:
    """TracedCall records in the calls queued on any processor."""
    from scoop import _global

    found = 0
    for pq in list(_global.runtime().queues.values()):
        for item in list(pq.items):
            found += sum(type(r) is _trace.TracedCall for r in gc.get_referents(item))
    return found


def test_tracing_off_installs_nothing(tmp_path):
    assert hooks_installed() == []
    c = Tally()
    with held(c):
        c.increment()
        assert traced_records_queued() == 0
    with scoop.trace(tmp_path / "run.json"):
        assert len(hooks_installed()) == 8
        with held(c):
            c.increment()
            assert traced_records_queued() == 1  # what is checked above is what tracing adds
        assert c.value == 2
    assert hooks_installed() == []
    with held(c):
        c.increment()
        assert traced_records_queued() == 0
    assert c.value == 3
    assert len(calls(events_of(tmp_path / "run.json"), "Tally.increment")) == 1


class Late(scoop.Separate):
    def __init__(self) -> None:
        self.pings = 0

    def ping(self) -> None:
        self.pings += 1


class Later(Late):
    pass


def command_stub(cls: type, name: str):
    """The logging function of a command stub: ``partial(command, fn)`` (scoop._proxy)."""
    from scoop import _proxy

    return vars(_proxy.proxy_type(cls, scoop.Separate))[name].fget.args[0]


def test_method_stubs_made_or_read_while_tracing_are_traced_then_put_back(tmp_path):
    late = Late()  # its proxy class is made before the trace, Later's during it
    ping = late.ping  # read before the trace: traced all the same
    with scoop.trace(tmp_path / "run.json"):
        later = Later()
        ping()
        later.ping()
        assert (late.pings, later.pings) == (1, 1)
    names = Counter(e["name"] for e in calls(events_of(tmp_path / "run.json")))
    assert (names["Late.ping"], names["Later.ping"]) == (1, 1)
    assert command_stub(Late, "ping").func is command_stub(Later, "ping").func is _calls.command


# -- python -m scoop trace


@pytest.fixture
def trace_file(tmp_path):
    path = tmp_path / "run.json"
    with scoop.trace(path):
        a, b, box = Tally(), Tally(), Box()
        for _ in range(20):
            a.increment()
        assert a.add_from(b) == 2
        box.put(1)
        assert (a.value, box.is_empty) == (20, False)
    return path


def test_the_summary_names_every_lane(trace_file, capsys):
    assert scoop_main(["trace", str(trace_file)]) == 0
    out = capsys.readouterr().out
    for name in ("thread MainThread", "Tally #1", "Tally #2", "Box #1"):
        assert name in out
    assert "Tally.increment" in out


def test_a_png_of_the_timeline(trace_file, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "run.png"
    assert scoop_main(["trace", str(trace_file), "-o", str(out)]) == 0, capsys.readouterr().err
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width >= 800 and height >= 200 and len(data) > 10_000


def test_a_self_contained_html_page_of_the_timeline(trace_file, tmp_path):
    out = tmp_path / "run.html"
    assert scoop_main(["trace", str(trace_file), "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    for name in ("Tally #1", "Tally #2", "Box #1", "thread MainThread", "Tally.increment"):
        assert name in page
    for external in ("http://", "https://", "src=", "@import", "<script"):
        assert external not in page, external


def test_a_png_without_matplotlib_says_what_to_install(trace_file, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert scoop_main(["trace", str(trace_file), "-o", str(tmp_path / "run.png")]) == 1
    err = capsys.readouterr().err
    assert "pip install 'pyscoop[trace]'" in err and "run.html" in err


def test_a_file_that_is_not_a_trace_is_an_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    assert scoop_main(["trace", str(bad)]) == 1
    assert "not a trace" in capsys.readouterr().err


def test_a_file_cut_short_is_read_up_to_its_last_whole_event(trace_file, capsys):
    text = trace_file.read_text()
    trace_file.write_text(text[: len(text) * 2 // 3])
    assert scoop_main(["trace", str(trace_file)]) == 0
    assert "ends early" in capsys.readouterr().out
