import asyncio

from benchmarks.programs.chameneos import complement


class Mall:
    def __init__(self, meetings):
        self.left = meetings
        self.waiting = None
        self.partners = {}
        self.cond = asyncio.Condition()

    async def meet(self, ident, colour):
        async with self.cond:
            if self.left == 0:
                return None
            if self.waiting is None:
                self.waiting = (ident, colour)
                await self.cond.wait_for(lambda: ident in self.partners or self.left == 0)
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


async def main(p):
    mall = Mall(p.meetings)

    async def creature(ident, colour):
        meetings = self_meetings = 0
        while (partner := await mall.meet(ident, colour)) is not None:
            meetings += 1
            if partner[0] == ident:
                self_meetings += 1
            colour = complement(colour, partner[1])
        return (meetings, self_meetings, colour)

    return list(await asyncio.gather(*(creature(i, c) for i, c in enumerate(p.colours))))


def run(p):
    return asyncio.run(main(p))
