"""SPEC §4: reservation, exclusive access to several processors at once."""

import threading

import pytest

import scoop
from models import Account, Bank, Log, Peer, move
from support import (
    STUCK,
    assert_blocks_do_not_interleave,
    held,
    run_crossed_reservations,
    watchdog,
)


# -- scoop.separate(r1, r2, ...) reserves every handler; the block's calls run as one sequence


def test_single_reference_form_binds_one_reference():
    a = Account("ann", 0)
    with scoop.separate(a) as x:
        assert scoop.is_separate(x)
        assert isinstance(x, Account)
        x.deposit(5)
        assert x.balance == 5
    assert a.balance == 5


def test_multiple_reference_form_binds_a_tuple_in_order():
    a, b = Account("ann", 1), Account("bob", 2)
    with scoop.separate(a, b) as (x, y):
        assert (x.owner, y.owner) == ("ann", "bob")
        x.withdraw(1)
        y.deposit(1)
        assert (x.balance, y.balance) == (0, 3)


def test_no_other_client_runs_between_the_blocks_calls():
    log = Log()
    other_logged = threading.Event()

    def other_client():
        log.append("other")  # a command: logged at once, run when the block is over
        other_logged.set()
        log.count()

    with scoop.separate(log) as x:
        x.append("block-1")
        t = threading.Thread(target=other_client)
        t.start()
        assert other_logged.wait(STUCK)
        x.append("block-2")
        inside = x.items()
    t.join()
    assert inside == ["block-1", "block-2"]
    assert log.items() == ["block-1", "block-2", "other"]


def test_no_other_client_runs_between_the_blocks_calls_on_any_handler():
    a, b = Log(), Log()
    other_logged = threading.Event()

    def other_client():
        a.append("other")
        b.append("other")
        other_logged.set()
        a.count()
        b.count()

    with scoop.separate(a, b) as (x, y):
        x.append("block-1")
        y.append("block-1")
        t = threading.Thread(target=other_client)
        t.start()
        assert other_logged.wait(STUCK)
        x.append("block-2")
        y.append("block-2")
        inside = (x.items(), y.items())
    t.join()
    assert inside == (["block-1", "block-2"], ["block-1", "block-2"])
    assert a.items() == ["block-1", "block-2", "other"]
    assert b.items() == ["block-1", "block-2", "other"]


# -- multi-reservation is atomic and ordered the same way on every handler: no deadlock


def test_reservations_in_opposite_orders_neither_deadlock_nor_interleave():
    iterations = 200
    log_a, log_b = run_crossed_reservations(iterations)
    assert_blocks_do_not_interleave(log_a, ["ab", "ba"], iterations)
    assert_blocks_do_not_interleave(log_b, ["ab", "ba"], iterations)


# -- several references on one handler, or a handler already held, are fine


def test_same_reference_twice_in_one_block():
    a = Account("ann", 0)
    with scoop.separate(a, a) as (x, y):
        x.deposit(1)
        y.deposit(2)
        assert x.balance == 3
        assert y.balance == 3
    assert a.balance == 3


def test_two_objects_of_one_processor_in_one_block():
    a = Account("ann", 0)
    b = Account.on(scoop.processor_of(a))("bob", 0)
    with scoop.separate(a, b) as (x, y):
        x.deposit(1)
        y.deposit(2)
        assert x.balance + y.balance == 3


def test_nested_reservation_of_a_held_handler():
    a, b = Account("ann", 0), Account("bob", 0)
    with scoop.separate(a) as x:
        x.deposit(1)
        with scoop.separate(a, b) as (y, z):
            y.deposit(2)
            z.deposit(3)
            assert y.balance == 3
        x.deposit(4)
        assert x.balance == 7
    assert a.balance == 7
    assert b.balance == 3


def test_processor_always_holds_its_own_handler():
    a = Peer("a")
    b = Peer.on(scoop.processor_of(a))("b")
    b.set_value(9)
    b.ping()
    # a's method reserves b, whose handler is a's own processor: no waiting on itself.
    assert a.reserve_and_read(b) == 9


# -- a multi-reservation starts on none of its handlers until it is at the head on all


def test_multi_reservation_starts_on_no_handler_until_all_are_free():
    a, b = Log(), Log()
    a_ran = threading.Event()
    gate_seen = []
    with held(b) as h:  # b serves this thread (a hold() call) until the block ends

        def client():
            with scoop.separate(a, b) as (x, y):
                x.signal(scoop.shared(a_ran))
                x.note_is_set(scoop.shared(h.gate), scoop.shared(gate_seen))
                y.append("client")
            a.count()  # sync: the block's calls on a have run

        t = threading.Thread(target=client, daemon=True)
        t.start()
        # a is idle, but it must not start the client's block while b still serves this
        # thread. (Waiting here only gives a wrong runtime the chance to show itself; a right
        # one never sets the event, however slow the machine.)
        assert not a_ran.wait(0.5), "a ran the block's call while b served another client"
    assert a_ran.wait(STUCK)
    t.join(STUCK)
    assert not t.is_alive()
    assert gate_seen == [True]
    assert not h.fired


# -- leaving the block does not wait for the block's commands


def test_leaving_the_block_does_not_wait_for_its_commands():
    a = Account("ann", 0)
    gate = threading.Event()
    with watchdog(gate) as dog:
        with scoop.separate(a) as x:
            x.hold(scoop.shared(gate))
            x.deposit(1)
        assert not dog.fired, "leaving the block waited for the block's commands"
        assert not gate.is_set()
        gate.set()
        assert a.balance == 1


def test_handler_stays_reserved_until_it_reaches_the_release():
    log = Log()
    gate = threading.Event()
    with watchdog(gate) as dog:
        with scoop.separate(log) as x:
            x.hold(scoop.shared(gate))
            x.append("block")
        # The block is over for this thread but not for the handler yet.
        done = threading.Event()

        def other_client():
            log.append("other")
            log.count()
            done.set()

        t = threading.Thread(target=other_client)
        t.start()
        gate.set()
        assert done.wait(STUCK)
        t.join()
    assert not dog.fired
    assert log.items() == ["block", "other"]


# -- a client's next block may continue its last reservation: never past another client's


def _block(obj, item) -> None:
    with scoop.separate(obj) as x:
        x.append(item)


def test_a_block_after_another_clients_block_runs_after_it():
    # While the handler is held, this client's first block is not over for the handler, and
    # a second block of this client could continue it (Client.reserve1). Not once another
    # client has reserved the handler in between: that reservation is ahead of the second.
    log = Log()
    with held(log):
        _block(log, "a1")
        t = threading.Thread(target=_block, args=(log, "b1"))
        t.start()
        t.join(STUCK)
        _block(log, "a2")
        _block(log, "a3")
    assert log.items() == ["a1", "b1", "a2", "a3"]


def test_blocks_that_continue_reservations_run_whole_and_in_order_under_contention():
    # Clients that each run many short blocks on one handler, which runs them as they come:
    # a client's END is often still queued (its next block continues the reservation),
    # sometimes just taken by the handler (the next block is a reservation of its own).
    log = Log()
    iterations, tags = 300, ["a", "b", "c"]

    def client(tag):
        for i in range(iterations):
            with scoop.separate(log) as x:
                x.log((tag, i), "begin")
                x.log((tag, i), "middle")
                x.log((tag, i), "end")

    threads = [threading.Thread(target=client, args=(tag,)) for tag in tags]
    for t in threads:
        t.start()
    for t in threads:
        t.join(STUCK)
    assert_blocks_do_not_interleave(log.items(), tags, iterations)


# -- methods reserve their separate arguments; @scoop.separate gives functions the same rule


def _check_conservation_while(run_transfers, src, dst, expected_total):
    """Run transfers while two other clients read src + dst under their own reservation."""
    done = threading.Event()
    totals = []

    def checker():
        n = 0
        # At least 50 reads, and on until the transfers are over (capped, so a broken
        # runtime cannot loop forever).
        while (n < 50 or not done.is_set()) and n < 100_000:
            with scoop.separate(src, dst) as (s, d):
                totals.append(s.balance + d.balance)
            n += 1

    checkers = [threading.Thread(target=checker, daemon=True) for _ in range(2)]
    for t in checkers:
        t.start()
    run_transfers(done)
    assert done.wait(STUCK * 3)
    for t in checkers:
        t.join(STUCK * 3)
        assert not t.is_alive()
    assert totals, "the checkers read nothing"
    assert set(totals) == {expected_total}, sorted(set(totals))


def test_method_reserves_its_separate_arguments():
    src, dst = Account("src", 100), Account("dst", 100)
    bank = Bank()

    def run_transfers(done):
        for i in range(300):
            amount = 1 + i % 7
            if i % 2:
                bank.transfer(src, dst, amount)
            else:
                bank.transfer(dst, src, amount)
        bank.finish(src, dst, scoop.shared(done))

    _check_conservation_while(run_transfers, src, dst, 200)


def test_separate_decorator_on_a_function_reserves_its_arguments():
    src, dst = Account("src", 100), Account("dst", 100)

    def run_transfers(done):
        def mover():
            for i in range(300):
                if i % 2:
                    move(src, dst, 1 + i % 5)
                else:
                    move(dst, src, 1 + i % 5)
            src.balance  # sync this client's commands
            dst.balance
            done.set()

        threading.Thread(target=mover, daemon=True).start()

    _check_conservation_while(run_transfers, src, dst, 200)


def test_separate_decorated_function_returns_its_result():
    @scoop.separate
    def total(a, b):
        return a.balance + b.balance

    assert total(Account("a", 2), Account("b", 3)) == 5


# -- a reserved reference used after its block raises SeparateAccessError


def test_reserved_reference_after_the_block_raises():
    a = Account("ann", 0)
    with scoop.separate(a) as x:
        x.deposit(1)
    with pytest.raises(scoop.SeparateAccessError):
        x.balance
    with pytest.raises(scoop.SeparateAccessError):
        x.deposit(1)
    assert a.balance == 1  # the original reference is not affected


def test_reserved_references_of_a_multi_reservation_after_the_block_raise():
    a, b = Account("ann", 0), Account("bob", 0)
    with scoop.separate(a, b) as (x, y):
        pass
    for ref in (x, y):
        with pytest.raises(scoop.SeparateAccessError):
            ref.statement()
    assert issubclass(scoop.SeparateAccessError, TypeError)


def test_exception_in_the_block_ends_the_reservation():
    a = Account("ann", 0)
    with pytest.raises(LookupError):
        with scoop.separate(a) as x:
            x.deposit(1)
            raise LookupError("client-side failure")
    with pytest.raises(scoop.SeparateAccessError):
        x.balance
    # The handler is free for other clients.
    result = []
    t = threading.Thread(target=lambda: result.append(a.statement()))
    t.start()
    t.join(STUCK)
    assert not t.is_alive()
    assert result and result[0].startswith("ann: ")
