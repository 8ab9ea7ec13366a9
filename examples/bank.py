"""Bank transfers with SCOOP: accounts are separate objects, clients are plain threads.

    python examples/bank.py

Each account lives on its own processor and only that processor ever touches its balance, so
``Account`` needs no lock. A transfer reserves both accounts at once: inside the block no other
client's call runs on either of them, so "check the funds, withdraw, deposit" is one atomic
step, and the total amount of money never changes.
"""

import random
import sys
import threading

import scoop


class Account(scoop.Separate):
    def __init__(self, owner: str, balance: int) -> None:
        self.owner = owner
        self.balance = balance  # read through a reference, an attribute is a query

    def deposit(self, amount: int) -> None:  # returns None: a command, logged asynchronously
        self.balance += amount

    def withdraw(self, amount: int) -> None:
        self.balance -= amount


def transfer(src: Account, dst: Account, amount: int) -> bool:
    # Both handlers are reserved together. Two clients reserving (a, b) and (b, a) cannot
    # deadlock: the runtime takes multi-reservations in one global order.
    with scoop.separate(src, dst) as (s, d):
        if s.balance < amount:  # a query: waits for the answer (wait by necessity)
            return False
        s.withdraw(amount)  # commands: logged, and run in this order
        d.deposit(amount)
        return True


def client(accounts: list[Account], transfers: int, seed: int, made: list[int]) -> None:
    rng = random.Random(seed)
    count = 0
    for _ in range(transfers):
        src, dst = rng.sample(accounts, 2)
        if transfer(src, dst, rng.randint(1, 300)):
            count += 1
    # A query waits for this client's earlier calls on that object. After these, every
    # command this client logged has run, so the balances read below include its work.
    for account in accounts:
        account.balance
    made.append(count)


def main() -> int:
    owners = ["ann", "bob", "cy", "dee", "eve"]
    accounts = [Account(owner, 1_000) for owner in owners]  # each on a processor of its own
    start_total = 1_000 * len(owners)
    n_clients, per_client = 4, 500

    made: list[int] = []
    threads = [
        threading.Thread(target=client, args=(accounts, per_client, seed, made))
        for seed in range(n_clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # One reservation of every account: a consistent snapshot of all the balances.
    with scoop.separate(*accounts) as snapshot:
        balances = {a.owner: a.balance for a in snapshot}
    total = sum(balances.values())

    attempted = n_clients * per_client
    print(f"{n_clients} clients, {attempted:,} transfers between {len(owners)} accounts "
          f"({sum(made):,} made, {attempted - sum(made):,} refused for lack of funds)")
    for owner, balance in balances.items():
        print(f"  {owner:<5}{balance:>7,}")
    ok = total == start_total and min(balances.values()) >= 0
    verdict = "conserved" if ok else "WRONG"
    print(f"total {total:,} (started with {start_total:,}): {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
