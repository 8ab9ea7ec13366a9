import pykka


class Worker(pykka.ThreadingActor):
    def __init__(self, ident, done):
        super().__init__()
        self.ident = ident
        self.done = done  # a pykka.ThreadingFuture the last holder completes
        self.next = None

    def set_next(self, nxt) -> None:
        self.next = nxt

    def token(self, hops: int) -> None:
        if hops == 0:
            self.done.set(self.ident)
        else:
            self.next.token.defer(hops - 1)  # tell the next actor


def run(p):
    done = pykka.ThreadingFuture()
    workers = [Worker.start(i + 1, done).proxy() for i in range(p.ring)]
    try:
        pykka.get_all([w.set_next(workers[(i + 1) % p.ring]) for i, w in enumerate(workers)])
        workers[0].token.defer(p.hops)
        return done.get()
    finally:
        for w in workers:
            w.stop()
