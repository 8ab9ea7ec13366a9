"""SPEC §6: lock passing, separate callbacks, deadlock detection."""

from __future__ import annotations

import random
import re
import threading

import pytest
from models_coordination import Cell, Counter
from support import STUCK

import scoop

# -- lock passing


def test_passing_a_held_object_lends_the_reservation_to_the_callee():
    x, y = Cell(5), Cell()
    with scoop.separate(x) as x_:
        assert x_.value == 5  # this client holds x now
        # y.read reserves its separate argument x; without lock passing it would queue
        # behind this block's reservation, and the query would never return.
        assert y.read(x_) == 5


def test_a_command_that_passes_a_held_object_is_synchronous():
    x, y = Cell(1), Cell()
    with scoop.separate(x) as x_:
        y.bump(x_)  # a command, made synchronous by lock passing
        # Run already: its effect is visible at once, within the block.
        assert x_.value == 2


def test_passing_an_object_of_its_own_processor_lends_it():
    a, b = Cell(7), Cell()
    # a's method passes a (self, of a's processor) to b, which queries it back: b runs
    # at once, on a's behalf, and its query on a runs at once too.
    assert a.lend_self_to(b) == 7


# -- separate callbacks


def test_callback_chain_of_synchronous_calls_a_b_c_a():
    a, b, c = Cell(1), Cell(2), Cell(3)
    a.set_peer(b)
    b.set_peer(c)
    c.set_peer(a)
    # a queries b, which queries c, which queries a: each waits for the next, and the
    # last calls back on the first processor of the chain.
    assert a.chain(3) == 1
    assert a.chain(7) == 2


def test_callback_from_a_body_run_by_an_executor():
    a, b = Cell(10), Cell(20)
    a.set_peer(b)
    b.set_peer(a)
    out = a.chain.future(2)  # run by a's handler, not by this thread
    assert out.result(timeout=STUCK) == 10


# -- deadlock detection


def crossed_holders():
    """Two threads: each holds one cell, then queries the other's."""
    x, y = Cell(1), Cell(2)
    barrier = threading.Barrier(2)
    outcomes = {}

    def client(name, mine, other):
        try:
            with scoop.separate(mine) as m:
                m.value  # noqa: B018 - the reservation has started: this client holds it
                barrier.wait(STUCK)
                outcomes[name] = ("value", other.value)
        except scoop.DeadlockError as exc:
            outcomes[name] = ("deadlock", exc)

    threads = [
        threading.Thread(target=client, args=("first", x, y), name="first"),
        threading.Thread(target=client, args=("second", y, x), name="second"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(STUCK)
    assert not any(t.is_alive() for t in threads), "the deadlock was not reported"
    return outcomes


def test_a_cycle_of_waiting_clients_raises_deadlock_error_in_one_of_them():
    outcomes = crossed_holders()
    kinds = sorted(kind for kind, _ in outcomes.values())
    assert kinds == ["deadlock", "value"], outcomes  # one gives up, the other proceeds


def test_deadlock_error_names_the_cycle():
    outcomes = crossed_holders()
    (exc,) = [value for kind, value in outcomes.values() if kind == "deadlock"]
    message = str(exc)
    assert "thread 'first'" in message and "thread 'second'" in message, message
    assert message.count("waits for") == 2, message
    assert "Cell" in message, message


def test_a_cycle_between_processors_is_reported():
    x, y = Cell(1), Cell(2)
    p, q = Cell(), Cell()
    p.set_peer(y)
    q.set_peer(x)
    gate = Counter()
    p.meet_at(gate)
    q.meet_at(gate)
    fp = p.hold_then_read_peer.future(x)  # p holds x, then queries y
    fq = q.hold_then_read_peer.future(y)  # q holds y, then queries x
    results = []
    for f in (fp, fq):
        try:
            results.append(("value", f.result(timeout=STUCK)))
        except scoop.DeadlockError as exc:
            results.append(("deadlock", str(exc)))
    assert sorted(kind for kind, _ in results) == ["deadlock", "value"], results
    message = [m for kind, m in results if kind == "deadlock"][0]
    assert len(re.findall(r"scoop\.Processor \d+ \(Cell\)", message)) >= 2, message


def test_no_false_positive_under_random_reservations_and_queries():
    # Every operation here can finish: multi-reservations are atomic, a client queries only
    # what it has reserved, or anything while it holds nothing, and the commands that
    # reserve an argument run on workers that no client reserves. (A processor that holds
    # itself and then reserves another, while a client's group waits for both, is a real
    # deadlock: SCOOP does not make nested reservations atomic with the handler's own.)
    # Thousands of operations must never raise DeadlockError.
    cells = [Cell(i) for i in range(8)]
    workers = [Cell() for _ in range(4)]
    clients, operations = 8, 300
    errors = []

    def client(seed):
        rng = random.Random(seed)
        try:
            for _ in range(operations):
                kind = rng.random()
                if kind < 0.5:
                    chosen = rng.sample(cells, rng.randint(1, 4))
                    with scoop.separate(*chosen) as reserved:
                        reserved = reserved if isinstance(reserved, tuple) else (reserved,)
                        for r in reserved:
                            r.set(r.value + 1)
                        sum(r.value for r in reserved)
                elif kind < 0.8:
                    rng.choice(cells).value  # noqa: B018 - an unreserved query
                else:
                    rng.choice(workers).add_from(rng.choice(cells))  # reserves its argument
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert all(isinstance(c.value, int) for c in cells)
