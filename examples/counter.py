"""One counter, many clients: plain threads and separate objects increment it with commands.

    python examples/counter.py

The counter needs no lock: its processor runs the calls logged on it one at a time. An
increment is a command, so a client never waits for it; a client waits only when it asks
for a value (a query), and then only for its own earlier calls.
"""

import sys
import threading

import scoop


class Counter(scoop.Separate):
    def __init__(self) -> None:
        self.value = 0

    def increment(self) -> None:  # a command: logged, returns at once
        self.value += 1


class Worker(scoop.Separate):
    def work(self, counter: Counter, times: int) -> int:
        # ``counter`` is a separate argument: it is reserved for the whole method, so these
        # increments run as one uninterrupted block on the counter's processor.
        for _ in range(times):
            counter.increment()
        # A query: it waits until this worker's increments have run.
        return counter.value


def thread_client(counter: Counter, times: int) -> None:
    for _ in range(times):
        counter.increment()
    counter.value  # wait for this thread's increments before it ends


def main() -> int:
    times, n_threads, n_workers = 1_000, 4, 4
    counter = Counter()

    # Separate workers run concurrently: a future logs each call without waiting for it.
    # (scoop.future(w.work, ...) is w.work.future(...) as every type checker types it.)
    workers = [Worker() for _ in range(n_workers)]
    futures = [scoop.future(w.work, counter, times) for w in workers]

    threads = [threading.Thread(target=thread_client, args=(counter, times)) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in futures:
        f.result()  # every worker is done

    expected = times * (n_threads + n_workers)
    total = counter.value
    print(f"{n_threads} threads and {n_workers} separate workers each incremented the counter "
          f"{times:,} times")
    print(f"counter = {total} (expected {expected})")
    return 0 if total == expected else 1


if __name__ == "__main__":
    sys.exit(main())
