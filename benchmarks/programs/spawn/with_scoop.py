import scoop


class Cell(scoop.Separate):
    def __init__(self, ident: int):
        self.ident = ident

    def get(self) -> int:  # query
        return self.ident


def run(p):
    cells = [Cell(i) for i in range(p.k)]  # each on a processor of its own (SCOOP's default)
    total = sum(c.get() for c in cells)
    cells.clear()  # dropped: each processor ends once its object is unreachable
    return total


def teardown():
    scoop.shutdown(wait=True)
