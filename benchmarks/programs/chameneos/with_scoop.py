import scoop

from benchmarks.programs.chameneos import complement

STOP, WAIT, MET = 0, 1, 2


class Mall(scoop.Separate):
    def __init__(self, meetings: int):
        self.left = meetings
        self.waiting = None  # (ident, colour) of the creature waiting for a partner
        self.partners = {}  # ident -> (partner ident, partner colour), not yet taken

    def arrive(self, ident: int, colour: str) -> tuple:
        if self.left == 0:
            return (STOP, None, None)
        if self.waiting is None:
            self.waiting = (ident, colour)
            return (WAIT, None, None)
        other, other_colour = self.waiting
        self.waiting = None
        self.left -= 1
        self.partners[other] = (ident, colour)
        return (MET, other, other_colour)

    def has_partner(self, ident: int) -> bool:
        return ident in self.partners

    @property
    def closed(self) -> bool:
        return self.left == 0

    def take_partner(self, ident: int) -> tuple:
        if ident in self.partners:
            return (MET, *self.partners.pop(ident))
        self.waiting = None
        return (STOP, None, None)


class Creature(scoop.Separate):
    def __init__(self, ident: int, colour: str, mall: Mall):
        self.ident, self.colour, self.mall = ident, colour, mall
        self.meetings = self.self_meetings = 0

    def live(self) -> None:
        me = self.ident
        while True:
            with scoop.separate(self.mall) as m:
                kind, other, other_colour = m.arrive(me, self.colour)
            if kind == WAIT:  # wait condition: until someone paired with us (or the end)
                with scoop.separate(
                    self.mall, until=lambda m: m.has_partner(me) or m.closed
                ) as m:
                    kind, other, other_colour = m.take_partner(me)
            if kind == STOP:
                return
            self.meetings += 1
            if other == me:
                self.self_meetings += 1
            self.colour = complement(self.colour, other_colour)

    def report(self) -> tuple:
        return (self.meetings, self.self_meetings, self.colour)


def run(p):
    mall = Mall(p.meetings)
    creatures = [Creature(i, c, mall) for i, c in enumerate(p.colours)]
    for c in creatures:
        c.live()
    return [c.report() for c in creatures]  # queries: wait until each live() has ended


def teardown():
    scoop.shutdown(wait=True)
