class Cell:
    def __init__(self, ident: int):
        self.ident = ident

    def get(self) -> int:
        return self.ident


def run(p):
    cells = [Cell(i) for i in range(p.k)]
    total = sum(c.get() for c in cells)
    cells.clear()
    return total
