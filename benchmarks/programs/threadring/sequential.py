class Worker:
    def __init__(self, ident: int):
        self.ident = ident
        self.next = None

    def token(self, hops: int):
        """Take the token; return the next holder, or None when this one keeps it."""
        return None if hops == 0 else self.next


def run(p):
    workers = [Worker(i + 1) for i in range(p.ring)]
    for i, w in enumerate(workers):
        w.next = workers[(i + 1) % p.ring]
    holder, hops = workers[0], p.hops
    while (nxt := holder.token(hops)) is not None:
        holder, hops = nxt, hops - 1
    return holder.ident
