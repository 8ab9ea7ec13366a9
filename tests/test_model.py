"""Random programs checked against a sequential model of SCOOP's guarantees (issue 11).

Hypothesis generates programs (models_random.Program): cells (separate objects that log every
call they execute), and clients — plain threads, and Agents (separate objects whose method
body is the client) — each with a list of operations: commands, queries, failing commands,
reservations of 1–3 cells with calls inside, tokens produced, and tokens consumed under a wait
condition (``until=`` or ``@scoop.requires``). pyscoop runs the program; then the cells' logs
and what each client observed are checked against the model:

- per client and cell, the log holds exactly the calls the model says were executed, in the
  client's order: every command once, nothing the dirty-handler rule skips (SPEC §2, §8);
- a query sees everything that ran on its cell before it, its client's earlier calls included:
  its result is a prefix of the cell's final log, ending with the query itself;
- a failing command makes the client's later calls on that cell skipped, and its next query or
  wait condition there raise CommandFailed (cause: Boom); then the cell is clean again (§8);
- a reservation is atomic on each cell: no other call between its first and last call there;
  two reservations that share cells are in the same order on all of them (§4);
- every wait condition is eventually satisfied: nothing hangs (§5).

Deadlock is impossible by construction: cells call nobody, reservations are not nested, a
client waits on a condition only for tokens that clients which never wait will produce (and
never fail, which would skip their production), and no cell is consumed more than produced.

``HYPOTHESIS_PROFILE=long python -m pytest tests/test_model.py`` runs the long profile (see
docs/reliability.md); the default, ``ci``, runs a few hundred programs.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import defaultdict

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import scoop
from models_random import (
    Agent,
    Block,
    Cell,
    Cmd,
    Consume,
    Fail,
    Produce,
    Program,
    Read,
    Taker,
    run_client,
    taker_of,
)
from support import STUCK

settings.register_profile(
    "ci",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# -- generation


@st.composite
def programs(draw) -> Program:
    ncells = draw(st.integers(1, 4))
    nthreads = draw(st.integers(0, 3))
    nagents = draw(st.integers(0 if nthreads else 1, 2))
    cell = st.integers(0, ncells - 1)
    ids = itertools.count(1)

    def plain(kinds):
        kind = draw(st.sampled_from(kinds))
        return kind(next(ids), draw(cell))

    def client(producer: bool) -> tuple:
        plain_kinds = [Cmd, Read, Produce] if producer else [Cmd, Read, Fail]
        ops = []
        for _ in range(draw(st.integers(0, 10))):
            what = draw(st.sampled_from(["plain", "plain", "block", "wait"]))
            if what == "block":
                cells = tuple(sorted(draw(st.sets(cell, min_size=1, max_size=min(3, ncells)))))
                block_id = next(ids)
                inner = tuple(
                    draw(st.sampled_from(plain_kinds))(next(ids), draw(st.sampled_from(cells)))
                    for _ in range(draw(st.integers(1, 4)))
                )
                ops.append(Block(block_id, cells, inner))
            elif what == "wait" and not producer:
                ops.append(Consume(next(ids), draw(cell), draw(st.booleans())))
            else:
                ops.append(plain(plain_kinds))
        # A last query on every cell the client used: it observes any failure left, so none
        # is reported unobserved, and checks what the client's calls left behind.
        for c in sorted(_cells_used(ops)):
            ops.append(Read(next(ids), c))
        return tuple(ops)

    roles = [draw(st.booleans()) for _ in range(nthreads + nagents)]
    clients = [client(producer) for producer in roles]
    clients = _no_more_consumed_than_produced(clients)
    return Program(ncells, tuple(clients[:nthreads]), tuple(clients[nthreads:]))


def _cells_used(ops) -> set[int]:
    used = set()
    for op in ops:
        used.update(op.cells if isinstance(op, Block) else (op.cell,))
    return used


def _no_more_consumed_than_produced(clients: list[tuple]) -> list[tuple]:
    """Drop the consumptions that no production covers: every wait then ends."""
    produced: dict[int, int] = defaultdict(int)
    for ops in clients:
        for op in _flat(ops):
            if isinstance(op, Produce):
                produced[op.cell] += 1
    kept = []
    for ops in clients:
        out = []
        for op in ops:
            if isinstance(op, Consume):
                if produced[op.cell] == 0:
                    continue
                produced[op.cell] -= 1
            out.append(op)
        kept.append(tuple(out))
    return kept


def _flat(ops):
    for op in ops:
        if isinstance(op, Block):
            yield from op.inner
        else:
            yield op


# -- running


def run(program: Program) -> tuple[dict[str, tuple], list[tuple]]:
    """Run the program on pyscoop; return what each client observed and each cell's log."""
    cells = tuple(Cell(f"c{i}") for i in range(program.cells))
    observed: dict[str, tuple] = {}
    agents = []
    for name, ops in program.clients():
        if name.startswith("A"):
            agent = Agent(cells, Taker())
            agent.run(name, ops)  # a command: the agent's body is the client
            agents.append((name, agent))
    threads = []
    for name, ops in program.clients():
        if name.startswith("T"):
            taker = Taker()

            def body(name=name, ops=ops, taker=taker):
                observed[name] = run_client(name, ops, cells, taker)

            threads.append(threading.Thread(target=body, name=name, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(STUCK)
        assert not t.is_alive(), f"client {t.name} hangs\n{scoop.stats()}"
    for name, agent in agents:
        observed[name] = agent.results.future().result(timeout=STUCK)
    logs = [c.entries.future().result(timeout=STUCK) for c in cells]
    return observed, logs


# -- the model


class Expected:
    """What a sequential SCOOP model says a program must do."""

    def __init__(self, program: Program):
        # executed[cell][client]: the op ids that cell must log for that client, in order.
        self.executed: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        # outcomes[client]: (op, kind) for each query, take and observed failure, in order.
        self.outcomes: dict[str, list[tuple[int, str]]] = {}
        self.block_of: dict[tuple[str, int], int] = {}  # (client, inner op) → block op
        for name, ops in program.clients():
            self.outcomes[name] = self._client(name, ops)

    def _client(self, name: str, ops: tuple) -> list[tuple[int, str]]:
        dirty: set[int] = set()
        seen: list[tuple[int, str]] = []

        def call(op) -> bool:
            """One call; False when it raised CommandFailed."""
            if isinstance(op, Read):
                if op.cell in dirty:
                    dirty.discard(op.cell)
                    seen.append((op.op, "failed"))
                    return False
                self.executed[op.cell][name].append(op.op)
                seen.append((op.op, "read"))
            elif op.cell not in dirty:  # a command: skipped on a dirty handler
                self.executed[op.cell][name].append(op.op)
                if isinstance(op, Fail):
                    dirty.add(op.cell)
            return True

        for op in ops:
            if isinstance(op, Block):
                for inner in op.inner:
                    self.block_of[(name, inner.op)] = op.op
                    if not call(inner):
                        break  # the exception leaves the block
            elif isinstance(op, Consume):
                if op.via_requires:  # the Taker is the client of the cell: never dirty
                    self.executed[op.cell][taker_of(name)].append(op.op)
                    seen.append((op.op, "took"))
                elif op.cell in dirty:  # a wait condition observes the failure
                    dirty.discard(op.cell)
                    seen.append((op.op, "failed"))
                else:
                    self.executed[op.cell][name].append(op.op)
                    seen.append((op.op, "took"))
            else:
                call(op)
        return seen


def check(program: Program, observed: dict[str, tuple], logs: list[tuple]) -> None:
    model = Expected(program)
    for name in model.outcomes:
        got = observed.get(name, ())
        errors = [o for o in got if o[1] == "error"]
        assert not errors, f"{name} raised unexpectedly: {errors}"
        assert [(op, kind) for op, kind, _ in got] == model.outcomes[name], (
            f"{name} observed {[(op, kind) for op, kind, _ in got]}, "
            f"the model says {model.outcomes[name]}"
        )
        for op, kind, detail in got:
            if kind == "failed":
                assert detail == "Boom", f"{name} op {op}: CommandFailed's cause is {detail}"

    for c, log in enumerate(logs):
        clients = {client for client, _ in log}
        for client in clients | set(model.executed[c]):
            ops = [op for who, op in log if who == client]
            assert ops == model.executed[c][client], (
                f"c{c} executed {ops} for {client}; the model says {model.executed[c][client]}"
            )
        _check_atomic(c, log, model)

    position = [{entry: i for i, entry in enumerate(log)} for log in logs]
    for name in model.outcomes:
        for op, kind, snapshot in observed[name]:
            if kind == "read":
                c = next(c for c, pos in enumerate(position) if (name, op) in pos)
                i = position[c][(name, op)]
                assert snapshot == logs[c][: i + 1], (
                    f"{name}'s query op {op} on c{c} saw {snapshot}, "
                    f"but c{c} had executed {logs[c][: i + 1]}"
                )
    _check_block_order(logs, model)


def _check_atomic(c: int, log: tuple, model: Expected) -> None:
    """No other call on a cell between a reservation's first and last call there."""
    span: dict[tuple[str, int], list[int]] = {}
    for i, (client, op) in enumerate(log):
        block = model.block_of.get((client, op))
        if block is not None:
            span.setdefault((client, block), []).append(i)
    for (client, block), where in span.items():
        for i in range(where[0], where[-1] + 1):
            who, op = log[i]
            assert (who, model.block_of.get((who, op))) == (client, block), (
                f"c{c}: {who} op {op} ran inside {client}'s block {block}: {log}"
            )


def _check_block_order(logs: list[tuple], model: Expected) -> None:
    """Reservations that share cells follow each other in the same order on all of them."""
    orders = []
    for log in logs:
        order: list[tuple[str, int]] = []
        for client, op in log:
            block = model.block_of.get((client, op))
            if block is not None and (client, block) not in order:
                order.append((client, block))
        orders.append(order)
    for a, b in itertools.combinations(range(len(orders)), 2):
        shared = set(orders[a]) & set(orders[b])
        in_a = [x for x in orders[a] if x in shared]
        in_b = [x for x in orders[b] if x in shared]
        assert in_a == in_b, f"c{a} and c{b} ran the blocks they share in different orders: {in_a} vs {in_b}"


# -- the property


@given(programs())
def test_random_programs_keep_scoops_guarantees(program: Program) -> None:
    note(repr(program))
    try:
        observed, logs = run(program)
    finally:
        scoop.shutdown()
    note(f"observed: {observed}")
    note(f"logs: {logs}")
    check(program, observed, logs)


def test_the_model_catches_a_broken_runtime() -> None:
    """The check is not vacuous: a log that breaks a rule fails it."""
    program = Program(1, ((Cmd(1, 0), Fail(2, 0), Cmd(3, 0), Read(4, 0)),), ())
    observed = {"T0": ((4, "failed", "Boom"),)}
    check(program, observed, [(("T0", 1), ("T0", 2))])  # the model's own answer passes
    for wrong_log in (
        (("T0", 1), ("T0", 2), ("T0", 3)),  # a call on a dirty handler ran
        (("T0", 2), ("T0", 1)),  # out of order
        (("T0", 1), ("T0", 1), ("T0", 2)),  # a command ran twice
    ):
        try:
            check(program, observed, [wrong_log])
        except AssertionError:
            continue
        raise AssertionError(f"the model accepted {wrong_log}")
    blocks = Program(
        2, ((Block(1, (0, 1), (Cmd(2, 0), Cmd(3, 0))),), (Block(4, (0, 1), (Cmd(5, 0), Cmd(6, 1))),)), ()
    )
    interleaved = [(("T0", 2), ("T1", 5), ("T0", 3)), (("T1", 6),)]
    try:
        check(blocks, {"T0": (), "T1": ()}, interleaved)
    except AssertionError as e:
        assert "inside" in str(e)
    else:
        raise AssertionError("the model accepted a call inside another client's block")
