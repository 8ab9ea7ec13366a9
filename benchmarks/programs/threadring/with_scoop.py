import scoop


class Done(scoop.Separate):
    def __init__(self):
        self.winner = None

    def finish(self, ident: int) -> None:
        self.winner = ident


class Worker(scoop.Separate):
    def __init__(self, ident: int, done: Done):
        self.ident = ident
        self.done = done
        self.next = None

    def set_next(self, nxt: "Worker") -> None:
        self.next = nxt

    def token(self, hops: int) -> None:  # command: pass it on and return
        if hops == 0:
            self.done.finish(self.ident)
        else:
            self.next.token(hops - 1)


def run(p):
    done = Done()
    workers = [Worker(i + 1, done) for i in range(p.ring)]
    for i, w in enumerate(workers):
        w.set_next(workers[(i + 1) % p.ring])
    workers[0].token(p.hops)
    with scoop.separate(done, until=lambda d: d.winner is not None) as d:
        return d.winner


def teardown():
    scoop.shutdown(wait=True)
