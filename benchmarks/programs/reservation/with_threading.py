import threading

from benchmarks.programs.reservation import per_client


class Counter:
    def __init__(self):
        self.value = 0

    def increment(self) -> None:
        self.value += 1


def run(p):
    counter, lock, n = Counter(), threading.Lock(), per_client(p)

    def client():
        for _ in range(n):
            with lock:  # the block: the lock held around the call
                counter.increment()

    threads = [threading.Thread(target=client) for _ in range(p.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.value
