"""SPEC §7: placement by scoop.configure (named processors, passive and process kinds; the
thread kind has tests/test_thread_kind.py)."""

from __future__ import annotations

import os
import sys

import pytest
from models_placement import Cruncher, Fork
from support import describe, run_python, run_script

import scoop


@pytest.fixture(autouse=True)
def clear_placement():
    yield
    scoop._global._placements.clear()


def test_named_processor_puts_every_object_of_a_class_on_one_processor():
    scoop.configure(placement={"models_placement.Fork": {"processor": "forks"}})
    forks = [Fork() for _ in range(3)]
    assert len({scoop.processor_of(f) for f in forks}) == 1
    for f in forks:
        f.use()
    assert [f.uses for f in forks] == [1, 1, 1]


def test_process_object_lives_in_a_worker_process():
    scoop.configure(placement={"models_placement.Cruncher": {"kind": "process"}})
    c = Cruncher(5)
    c.add(10)  # a command, run in the worker
    assert c.total == 15  # a data attribute read in the worker
    assert c.pid() != os.getpid()
    assert isinstance(c, Cruncher)
    assert "Cruncher" in repr(c)


def test_process_objects_each_get_their_own_worker():
    scoop.configure(placement={"models_placement.Cruncher": {"kind": "process"}})
    a, b = Cruncher(), Cruncher()
    assert a.pid() != b.pid()
    futures = [w.row_sums.future() for w in (a, b)]
    assert [f.result(timeout=30) for f in futures] == [[], []]


def test_process_values_cross_by_copy():
    scoop.configure(placement={"models_placement.Cruncher": {"kind": "process"}})
    c = Cruncher()
    rows = [[1, 2], [3, 4]]
    c.load(rows)
    rows.append([100])  # the worker has its own copy
    assert c.row_sums() == [3, 7]


def test_process_command_failure_marks_the_handler_dirty():
    scoop.configure(placement={"models_placement.Cruncher": {"kind": "process"}})
    c = Cruncher()
    c.fail("boom in worker")
    with pytest.raises(scoop.CommandFailed) as info:
        c.total  # noqa: B018
    assert isinstance(info.value.__cause__, ValueError)
    assert "boom in worker" in str(info.value.__cause__)
    assert c.total == 0  # clean again


def test_shutdown_stops_the_workers():
    scoop.configure(placement={"models_placement.Cruncher": {"kind": "process"}})
    c = Cruncher()
    pid = c.pid()
    scoop.shutdown()
    with pytest.raises(OSError):
        for _ in range(200):  # the worker has been joined: it no longer exists
            os.kill(pid, 0)
            os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"Fork": {"kind": "passive"}}, "fully qualified class name"),
        ({"a.Fork": {"kind": "weird"}}, "unknown kind 'weird'"),
        ({"a.Fork": {"kinds": "passive"}}, "unknown key 'kinds'"),
        ({"a.Fork": "passive"}, "expected a table"),
        ({"a.Fork": {"processor": 3}}, "must be a name"),
        ({"a.Fork": {"kind": "process", "processor": "p"}}, "drop 'processor'"),
        ({"a.Fork": {"kind": "ray", "processor": "p"}}, "a ray-placed object has a Ray actor of its own; drop 'processor'"),
        ({"a.Fork": {"num_cpus": 1}}, "unknown key 'num_cpus'.*with kind 'ray'"),
        ({"a.Fork": {"kind": "ray", "num_gpus": "one"}}, "'num_gpus' must be a number"),
        ({"a.Fork": {"kind": "ray", "num_cpus": -1}}, "'num_cpus' must be a number of at least 0"),
        ({"a.Fork": {"kind": "ray", "resources": {"special": "x"}}}, "'resources' must be a table"),
        ({"a.Fork": {"kind": "ray", "memory": 1}}, "unknown key 'memory'"),
    ],
)
def test_bad_placement_is_an_error_naming_the_key(table, message):
    with pytest.raises((TypeError, ValueError), match=message) as info:
        scoop.configure(placement=table)
    assert repr(next(iter(table))) in str(info.value)


def test_a_ray_entry_keeps_the_options_for_its_actor():
    pytest.importorskip("ray", reason="a ray entry needs Ray: pip install 'pyscoop[ray]'")
    table = {"a.Trainer": {"kind": "ray", "num_gpus": 1, "resources": {"special": 1}}}
    [placement] = scoop._placement.parse(table).values()
    assert (placement.kind, placement.options) == ("ray", {"num_gpus": 1, "resources": {"special": 1}})


def test_the_ray_kind_without_ray_installed_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(ImportError, match=r"pip install 'pyscoop\[ray\]'") as info:
        scoop.configure(placement={"a.Trainer": {"kind": "ray", "num_gpus": 1}})
    assert "'a.Trainer'" in str(info.value)  # at configure (or start-up), naming the key
    with pytest.raises(ImportError, match=r"pip install 'pyscoop\[ray\]'"):
        scoop._ray.ray_module()  # and where an object would be placed there


def test_a_program_without_a_main_guard_is_told_why_its_worker_died():
    # A worker process re-imports the main module; one that creates a process-placed object
    # at import time fails there and ends. The client's error names the cause and the fix.
    result = run_script("process_without_main_guard.py")
    assert result.returncode != 0, describe(result)
    assert "the worker process of a Cruncher ended (exit code 1) while it started" in result.stderr, describe(result)
    assert "process_without_main_guard.py again in the worker failed" in result.stderr, describe(result)
    assert 'if __name__ == "__main__":' in result.stderr, describe(result)


@pytest.mark.parametrize("mode", ["lazy", "started", "relayed"])
def test_commands_logged_last_to_a_worker_run_before_the_program_ends(tmp_path, mode):
    # SPEC §9: no command is dropped at exit. "lazy": the worker starts at exit, when the
    # interpreter has already dropped __main__.__file__; "started": multiprocessing's own
    # at-exit handler would terminate the running worker before scoop's ran.
    out = tmp_path / "out.txt"
    result = run_script("process_command_at_exit.py", out, mode)
    assert result.returncode == 0, describe(result)
    assert out.read_text() == "first\nlast\n", describe(result)
    assert "main guard" not in result.stderr and "__main__" not in result.stderr, describe(result)


def test_a_worker_that_cannot_load_its_class_says_so(tmp_path):
    # A class of `python -c` exists in no file the worker could import: the error is that, not
    # a missing main guard.
    code = (
        "import scoop\n"
        "class Local(scoop.Separate):\n"
        "    def ping(self) -> int:\n"
        "        return 1\n"
        "scoop.configure(placement={'__main__.Local': {'kind': 'process'}})\n"
        "Local().ping()\n"
    )
    result = run_python(["-c", code], cwd=tmp_path)
    assert result.returncode == 1, describe(result)
    assert "the worker process could not load the call: Can't get attribute 'Local'" in result.stderr, describe(result)
    assert "main guard" not in result.stderr and "if __name__" not in result.stderr, describe(result)
