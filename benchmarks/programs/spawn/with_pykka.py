import pykka

from benchmarks.programs._common import require_threads


class Cell(pykka.ThreadingActor):
    def __init__(self, ident: int):
        super().__init__()
        self.ident = ident

    def get(self) -> int:
        return self.ident


def run(p):
    require_threads(p.k)  # every ThreadingActor is an OS thread
    refs = [Cell.start(i) for i in range(p.k)]
    try:
        proxies = [r.proxy() for r in refs]
        total = sum(c.get().get() for c in proxies)
    finally:
        for r in refs:
            r.stop(block=False)
        for r in refs:
            r.actor_stopped.wait()
    return total
