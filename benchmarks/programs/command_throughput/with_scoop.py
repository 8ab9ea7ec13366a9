import scoop


class Counter(scoop.Separate):
    def __init__(self):
        self.value = 0

    def increment(self) -> None:  # command: logged, returns at once
        self.value += 1


def run(p):
    counter = Counter()
    with scoop.separate(counter) as c:
        for _ in range(p.n):
            c.increment()
        return c.value  # query: waits until every increment above has run


def teardown():
    scoop.shutdown(wait=True)
