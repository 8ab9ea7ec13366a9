from benchmarks.programs.chameneos import complement


class Creature:
    def __init__(self, ident, colour):
        self.ident, self.colour = ident, colour
        self.meetings = self.self_meetings = 0

    def meet(self, other_ident, other_colour) -> None:
        self.meetings += 1
        if other_ident == self.ident:
            self.self_meetings += 1
        self.colour = complement(self.colour, other_colour)


def run(p):
    creatures = [Creature(i, c) for i, c in enumerate(p.colours)]
    n, arrival, waiting = len(creatures), 0, None
    left = p.meetings
    while left:  # creatures arrive at the mall round-robin; the mall pairs two arrivals
        c = creatures[arrival % n]
        arrival += 1
        if waiting is None:
            waiting = c
            continue
        a, b, waiting = waiting, c, None
        left -= 1
        ca, cb = a.colour, b.colour
        a.meet(b.ident, cb)
        b.meet(a.ident, ca)
    return [(c.meetings, c.self_meetings, c.colour) for c in creatures]
