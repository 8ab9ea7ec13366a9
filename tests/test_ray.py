"""SPEC §7, kind "ray": objects in Ray actors, with every rule of the process kind.

A real local cluster: the head started here (2 CPUs, no dashboard), and a second node on the
same machine (`ray start`, 1 CPU and a custom resource "special"), to show placement by
resource. Run alone with ``python -m pytest -m ray``; skipped (with the reason) when Ray is not
installed: ``pip install '.[ray,test]'``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile

import pytest

ray = pytest.importorskip("ray", reason="the Ray tests need Ray: pip install 'pyscoop[ray]'")

import scoop  # noqa: E402
from models_ray import Placed, ProcessAccount, Special  # noqa: E402
from models_workers import Account, Buffer, Caller, Gate, Worker  # noqa: E402
from support import TESTS_DIR, describe, run_script  # noqa: E402

# Starting the cluster (in the first test) may take minutes on a busy machine.
pytestmark = [pytest.mark.ray, pytest.mark.timeout(300)]

RAY_PLACEMENT = {
    "models_workers.Worker": {"kind": "ray"},
    "models_ray.Placed": {"kind": "ray", "num_cpus": 0},
    "models_ray.Special": {"kind": "ray", "resources": {"special": 1}},
    "models_ray.ProcessAccount": {"kind": "process"},
}


def start_node(address: str, resource: str) -> tuple[subprocess.Popen, str]:
    """A node of 1 CPU that has *resource*, joined to the cluster at *address*: its process
    (`ray start --block`) and its id."""
    node = subprocess.Popen(
        [sys.executable, "-m", "ray.scripts.scripts", "start", f"--address={address}", "--num-cpus=1",
         "--resources=" + json.dumps({resource: 1}), "--block", "--disable-usage-stats"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Ray runs this once the node has joined: no polling here.
    joined = ray.remote(lambda: ray.get_runtime_context().get_node_id()).options(resources={resource: 1})
    try:
        return node, ray.get(joined.remote(), timeout=180)
    except BaseException:
        stop_node(node)
        raise


def descendants(pid: int) -> list[int]:
    """The processes started by *pid*, and by them, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop_node(node: subprocess.Popen) -> None:
    """The node is lost: every process of it (its raylet, agents, workers: several in
    sessions of their own) killed at once, as when its machine goes down. (Terminating
    `ray start` would drain the node for 30 s.)"""
    for pid in [node.pid, *descendants(node.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    node.wait(timeout=60)


@pytest.fixture(scope="module")
def cluster():
    """The head node, here; a second node, with the resource "special", in a process of its
    own; their addresses. Stopped after the module's tests."""
    ray.init(
        address="local",  # a new cluster, never one that happens to run on this machine
        num_cpus=2,
        include_dashboard=False,
        logging_level="error",
        # The actors import the test models by name.
        runtime_env={"env_vars": {"PYTHONPATH": TESTS_DIR}},
    )
    address = ray.get_runtime_context().gcs_address
    node = None
    try:
        node, special = start_node(address, "special")
        yield {"address": address, "head": ray.get_runtime_context().get_node_id(), "special": special}
    finally:
        scoop.shutdown()
        ray.shutdown()
        if node is not None:
            stop_node(node)
        # `ray start` records the cluster for later `ray.init()` calls to join: not this one.
        current = os.path.join(tempfile.gettempdir(), "ray", "ray_current_cluster")
        if os.path.exists(current) and open(current).read().strip() == address:
            os.remove(current)


@pytest.fixture(autouse=True)
def on_ray(cluster):
    scoop.configure(placement=RAY_PLACEMENT)
    yield cluster
    scoop.shutdown()
    scoop.configure(placement={})


def test_a_ray_object_lives_in_an_actor_and_runs_commands_in_order():
    w = Worker()
    assert w.pid() != os.getpid()
    assert scoop.processor_of(w).kind == "ray"
    for i in range(300):
        w.keep(i)  # commands, posted to the actor
    assert w.kept == list(range(300))  # an attribute read, after every command logged before
    assert w.first_kept() == 0  # a query


def test_placement_by_resource_puts_the_object_on_the_node_that_has_it(cluster):
    assert Special().node() == cluster["special"] != cluster["head"]


def test_values_cross_by_copy_and_references_by_identity():
    a = Account(3)
    w = Worker()
    items = [1, 2]
    w.keep(items)
    items.append(3)  # the worker got a copy, made at the call (SPEC §3)
    w.keep(a)
    w.keep(a)
    assert w.first_kept() == [1, 2]
    assert w.kept[1] is a or w.kept[1] == a  # the parent's object comes back as its reference
    assert w.me() == w


def test_a_ray_object_calls_objects_anywhere_and_creates_them_here():
    sink = Account()
    w = Worker(Worker())  # its peer: another actor
    assert w.peer_pid() not in (w.pid(), os.getpid())
    assert w.fill(sink, 200) == 200  # its commands on a parent object, then its query
    made = w.make_account(5)  # created, and placed, by the parent
    assert made.pid() == os.getpid() and made.balance == 6


def test_a_reservation_mixes_ray_process_and_default_objects():
    ray_side, process_side, here = Worker(), ProcessAccount(1000), Account(0)
    with scoop.separate(ray_side, process_side, here) as (w, p, h):
        w.keep(1)
        p.withdraw(10)
        h.deposit(10)
        assert (w.first_kept(), p.balance + h.balance) == (1, 1000)
    # And a ray object reserves a process-placed and a default one, in a block and as its
    # separate arguments (SPEC §4).
    ray_side.transfer_block(process_side, here, 1, 50)
    assert ray_side.transfer_args(process_side, here, 5) == 995  # mid-way, both reserved
    assert (process_side.balance, here.balance) == (935, 65)


def test_a_ray_object_waits_on_a_wait_condition():
    buf = Buffer()
    w = Worker()
    item = w.consume.future(buf)  # waits: the buffer is empty
    buf.put(7)
    assert item.result(timeout=60) == 7
    with pytest.raises(scoop.WaitTimeout):
        w.take_within(Buffer(), 0.05)


def test_a_ray_object_calls_back_its_client():
    caller = Caller()
    assert caller.go(Worker()) == 42  # caller.answer runs at once, in the caller (SPEC §6)
    assert caller.calls == 1


def test_a_failed_command_marks_the_handler_dirty_for_its_client():
    w = Worker()
    w.keep(1)
    w.fail()
    w.keep(2)  # skipped (SPEC §8)
    with pytest.raises(scoop.CommandFailed, match="fail") as info:
        w.first_kept()
    assert isinstance(info.value.__cause__, ValueError)
    assert w.kept == [1]


def test_a_cycle_through_two_ray_objects_is_a_deadlock_error():
    x, y = Worker(), Worker()
    gate = Gate()
    x.meet_at(gate, y)
    y.meet_at(gate, x)
    x.pid(), y.pid()
    fx, fy = x.meet_then_call.future(), y.meet_then_call.future()
    assert sorted([fx.result(timeout=120), fy.result(timeout=120)]) == ["called", "deadlock"]


def test_a_killed_actor_stops_its_object_and_the_program_goes_on():
    sink = Account()
    w = Worker()
    w.pid()
    ray.kill(w._scoop_obj._actor)
    assert w._scoop_obj._ended.wait(60)  # ray.kill returns at once: until Ray reports it dead
    with pytest.raises(scoop.ProcessorStopped, match=r"Ray actor of this Worker died .*killed by `ray.kill`"):
        w.fill(sink, 1)
    with pytest.raises(scoop.ProcessorStopped, match="Ray actor of this Worker died"):
        w.pid()
    sink.deposit(1)
    assert sink.balance == 1


def test_an_object_on_a_lost_node_stops_and_the_program_goes_on(cluster):
    node, node_id = start_node(cluster["address"], "doomed")
    try:
        scoop.configure(placement={"models_ray.Placed": {"kind": "ray", "resources": {"doomed": 1}}})
        doomed = Placed()
        assert doomed.node() == node_id
    finally:
        stop_node(node)  # the node, its raylet and its workers, gone
    with pytest.raises(scoop.ProcessorStopped, match="Ray actor of this Placed died"):
        doomed.node()
    assert Special().node() == cluster["special"]
    # Until Ray sees the node gone it may place new actors there, and the next tests' would
    # never start: a task that only that node may run fails when Ray gives up on it.
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    there = NodeAffinitySchedulingStrategy(node_id, soft=False)
    with pytest.raises(ray.exceptions.RayError):
        ray.get(ray.remote(lambda: None).options(scheduling_strategy=there).remote(), timeout=120)


def test_ray_started_by_someone_else_is_left_running():
    Placed().node()
    scoop.shutdown()
    assert ray.is_initialized()  # the test's cluster: pyscoop did not start it


def test_a_programs_own_classes_run_on_ray(cluster, tmp_path):
    # Classes of the script's __main__, which a Ray worker never imports; pyscoop starts (here:
    # connects) Ray itself, with the configured arguments, and shuts it down after.
    result = run_script("ray_main.py", cluster["address"], timeout=300)
    assert result.returncode == 0, describe(result)
    assert result.stdout.splitlines() == [
        "entry Entry(owner='ann', balance=15) True",
        "balance 15",
        "made 3 in the parent True",
        "classes intact True",
        "bumps 1 2 3",
        "ray initialised after shutdown: False",
    ], describe(result)


@pytest.mark.parametrize("mode", ["lazy", "started"])
def test_commands_logged_last_to_a_ray_object_run_before_the_program_ends(cluster, tmp_path, mode):
    out = tmp_path / "out.txt"
    result = run_script("ray_command_at_exit.py", cluster["address"], out, mode, timeout=300)
    assert result.returncode == 0, describe(result)
    assert out.read_text() == "first\nlast\nafter scoop True\n", describe(result)
