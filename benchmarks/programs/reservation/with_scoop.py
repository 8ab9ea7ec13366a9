import scoop

from benchmarks.programs.reservation import per_client


class Counter(scoop.Separate):
    def __init__(self):
        self.value = 0

    def increment(self) -> None:  # command
        self.value += 1


class Client(scoop.Separate):
    def __init__(self, counter: Counter):
        self.counter = counter  # kept as an attribute: reserved per block below, not per body

    def work(self, n: int) -> None:
        for _ in range(n):
            with scoop.separate(self.counter) as c:  # the block being measured
                c.increment()

    def finished(self) -> bool:  # query: answered once work() has run
        return True


def run(p):
    counter = Counter()
    clients = [Client(counter) for _ in range(p.clients)]
    n = per_client(p)
    for c in clients:
        c.work(n)  # commands: the clients run concurrently
    for c in clients:
        c.finished()  # wait by necessity
    return counter.value  # a query: every increment logged above has run


def teardown():
    scoop.shutdown(wait=True)
