import threading

from benchmarks.programs.chameneos import complement


class Mall:
    def __init__(self, meetings):
        self.left = meetings
        self.waiting = None
        self.partners = {}
        self.cond = threading.Condition()

    def meet(self, ident, colour):
        """Block until paired; the partner's (ident, colour), or None when all meetings are done."""
        with self.cond:
            if self.left == 0:
                return None
            if self.waiting is None:
                self.waiting = (ident, colour)
                self.cond.wait_for(lambda: ident in self.partners or self.left == 0)
                if ident in self.partners:
                    return self.partners.pop(ident)
                self.waiting = None
                return None
            other = self.waiting
            self.waiting = None
            self.left -= 1
            self.partners[other[0]] = (ident, colour)
            self.cond.notify_all()
            return other


def run(p):
    mall = Mall(p.meetings)
    results = [None] * len(p.colours)

    def creature(ident, colour):
        meetings = self_meetings = 0
        while (partner := mall.meet(ident, colour)) is not None:
            meetings += 1
            if partner[0] == ident:
                self_meetings += 1
            colour = complement(colour, partner[1])
        results[ident] = (meetings, self_meetings, colour)

    threads = [threading.Thread(target=creature, args=(i, c)) for i, c in enumerate(p.colours)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
