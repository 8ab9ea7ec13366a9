"""Load tests of SPEC §1, §2 and §4: many clients, many reservations, many processors.

Sized to run in well under a minute on a 2-core machine with a correct runtime. Nothing here
measures speed: the global pytest timeout turns a hang into a failure.
"""

import random
import threading

import scoop
from models import Account, Cell, Log, Node
from support import STUCK, assert_blocks_do_not_interleave, run_crossed_reservations

THREAD_LIMIT = 64


def test_per_client_fifo_under_eight_concurrent_clients():
    log = Log()
    clients, calls = 8, 2_000
    barrier = threading.Barrier(clients)

    def client(cid):
        barrier.wait()
        for i in range(calls):
            log.append((cid, i))
        log.count()  # sync: this client's commands have all run

    threads = [threading.Thread(target=client, args=(cid,)) for cid in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = log.items()
    assert len(entries) == clients * calls
    for cid in range(clients):
        assert [i for c, i in entries if c == cid] == list(range(calls)), f"client {cid}"


def test_crossed_reservations_are_atomic_and_never_deadlock():
    iterations = 1_000
    log_a, log_b = run_crossed_reservations(iterations)
    assert_blocks_do_not_interleave(log_a, ["ab", "ba"], iterations)
    assert_blocks_do_not_interleave(log_b, ["ab", "ba"], iterations)


def test_twenty_thousand_live_objects_with_few_threads():
    n, batch = 20_000, 2_000
    peak_threads = threading.active_count()

    def sample():
        nonlocal peak_threads
        peak_threads = max(peak_threads, threading.active_count())

    cells = []
    for i in range(n):
        cells.append(Cell(i))
        if i % 500 == 0:
            sample()
    stats = scoop.stats()
    assert stats["processors"] >= n, stats
    # Every object answers one query; a batch of queries is in flight at once, so thousands
    # of processors are ready together.
    answers = []
    for start in range(0, n, batch):
        futures = [c.get.future() for c in cells[start : start + batch]]
        sample()
        for k, f in enumerate(futures):
            answers.append(f.result(timeout=STUCK))
            if k % 250 == 0:
                sample()
    sample()
    assert answers == list(range(n))
    assert scoop.processor_of(cells[0]) != scoop.processor_of(cells[-1])
    assert peak_threads <= THREAD_LIMIT, f"{peak_threads} Python threads for {n} objects"
    assert scoop.stats()["executors"] <= THREAD_LIMIT


def test_token_ring():
    size, hops = 503, 20_000
    nodes = [Node(i) for i in range(size)]
    for i, node in enumerate(nodes):
        node.link(nodes[(i + 1) % size])
    done = threading.Event()
    result = []
    nodes[0].pass_token(hops, scoop.shared(done), scoop.shared(result))
    assert done.wait(STUCK * 6), "the token got lost"
    assert result == [hops % size]
    assert threading.active_count() <= THREAD_LIMIT


def test_deep_chain_of_nested_queries():
    # Each handler blocks in a query on the next one: 100 handlers blocked at once must not
    # stall the last one, which has to answer for any of them to return.
    depth = 100
    nodes = [Node(i) for i in range(depth)]
    for a, b in zip(nodes, nodes[1:]):
        a.link(b)
    assert nodes[0].depth() == depth
    assert nodes[depth // 2].depth() == depth - depth // 2


def test_random_transfers_between_many_accounts():
    accounts = [Account(f"acc{i}", 1_000) for i in range(20)]
    clients, transfers = 8, 200
    errors = []

    def client(seed):
        rng = random.Random(seed)
        try:
            for _ in range(transfers):
                src, dst = rng.sample(accounts, 2)
                amount = rng.randint(1, 300)
                with scoop.separate(src, dst) as (s, d):
                    if s.balance >= amount:  # check-then-act, atomic under the reservation
                        s.withdraw(amount)
                        d.deposit(amount)
            for acc in accounts:
                acc.ping()  # sync
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    balances = [acc.balance for acc in accounts]
    assert sum(balances) == 20 * 1_000
    assert min(balances) >= 0
