import pykka


class Counter(pykka.ThreadingActor):
    def __init__(self):
        super().__init__()
        self.value = 0

    def increment(self) -> None:
        self.value += 1


def run(p):
    counter = Counter.start().proxy()
    try:
        for _ in range(p.n):
            counter.increment.defer()  # tell: fire and forget
        return counter.value.get()  # ask: the mailbox is FIFO, so every increment ran before
    finally:
        counter.stop()
