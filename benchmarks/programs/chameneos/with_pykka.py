import pykka

from benchmarks.programs.chameneos import complement


class Mall(pykka.ThreadingActor):
    """Pairs arrivals and tells both creatures. No polling is needed here: the mall pushes each
    meeting to the creatures with tell, and each creature then tells the mall it is back."""

    def __init__(self, meetings, done):
        super().__init__()
        self.left, self.done = meetings, done
        self.waiting = None

    def arrive(self, creature, ident, colour) -> None:
        if self.left == 0:
            return
        if self.waiting is None:
            self.waiting = (creature, ident, colour)
            return
        other, other_ident, other_colour = self.waiting
        self.waiting = None
        self.left -= 1
        other.meet.defer(ident, colour)
        creature.meet.defer(other_ident, other_colour)
        if self.left == 0:
            self.done.set(True)


class Creature(pykka.ThreadingActor):
    def __init__(self, ident, colour, mall):
        super().__init__()
        self.ident, self.colour, self.mall = ident, colour, mall
        self.meetings = self.self_meetings = 0

    def on_start(self) -> None:
        self.me = self.actor_ref.proxy()

    def go(self) -> None:
        self.mall.arrive.defer(self.me, self.ident, self.colour)

    def meet(self, other_ident, other_colour) -> None:
        self.meetings += 1
        if other_ident == self.ident:
            self.self_meetings += 1
        self.colour = complement(self.colour, other_colour)
        self.mall.arrive.defer(self.me, self.ident, self.colour)

    def report(self):
        return (self.meetings, self.self_meetings, self.colour)


def run(p):
    done = pykka.ThreadingFuture()
    mall = Mall.start(p.meetings, done).proxy()
    creatures = [Creature.start(i, c, mall).proxy() for i, c in enumerate(p.colours)]
    try:
        for c in creatures:
            c.go.defer()
        done.get()
        # asked after the mall's last tells: each mailbox is FIFO, so the reports are final
        return pykka.get_all([c.report() for c in creatures])
    finally:
        for c in creatures:
            c.stop()
        mall.stop()
