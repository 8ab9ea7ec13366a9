import pykka

from benchmarks.programs.reservation import per_client


class Counter(pykka.ThreadingActor):
    def __init__(self):
        super().__init__()
        self.value = 0

    def increment(self) -> None:
        self.value += 1


class Client(pykka.ThreadingActor):
    def __init__(self, counter):
        super().__init__()
        self.counter = counter

    def work(self, n: int) -> None:
        # Pykka has no reservation: the closest to a block is an ask per block, one exclusive
        # turn of the counter's mailbox that the client waits for (a tell would not wait).
        for _ in range(n):
            self.counter.increment().get()


def run(p):
    counter = Counter.start().proxy()
    clients = [Client.start(counter).proxy() for _ in range(p.clients)]
    try:
        pykka.get_all([c.work(per_client(p)) for c in clients])
        return counter.value.get()
    finally:
        for c in clients:
            c.stop()
        counter.stop()
