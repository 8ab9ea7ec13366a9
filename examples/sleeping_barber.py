"""The sleeping barber: a barber, a waiting room with a few chairs, and customers who come in.

    python examples/sleeping_barber.py

When no one waits, the barber sleeps; a customer who finds every chair taken goes away. The
classic solutions juggle three semaphores and a mutex, and the bugs live in their order. Here
the waiting room is a separate object, the barber's sleep is a wait condition on it, and a
customer looks for a chair and sits down in one reservation of the room, so no one can take
the last chair between the look and the sitting.
"""

import random
import sys
import time

import scoop

HAIRCUT = 0.002  # seconds; customers arrive, on average, as often as the barber finishes one:
                 # sometimes every chair is taken, sometimes the barber sleeps
PRICE = 12


class WaitingRoom(scoop.Separate):
    def __init__(self, chairs: int) -> None:
        self.chairs = chairs
        self.waiting: list[Customer] = []  # separate references to customers, in order of arrival
        self.turned_away = 0
        self.is_closed = False

    @property
    def is_empty(self) -> bool:
        return not self.waiting

    @property
    def is_full(self) -> bool:
        return len(self.waiting) >= self.chairs

    def sit(self, customer: "Customer") -> None:
        if len(self.waiting) >= self.chairs:
            raise RuntimeError("a customer sat down in a full waiting room")
        self.waiting.append(customer)

    def turn_away(self) -> None:
        self.turned_away += 1

    def next_customer(self) -> "Customer":
        return self.waiting.pop(0)

    def close(self) -> None:
        self.is_closed = True


class Customer(scoop.Separate):
    def __init__(self, number: int) -> None:
        self.number = number
        self.haircuts = 0
        self.turned_away = False

    def visit(self, room: WaitingRoom) -> None:
        # ``room`` is a separate argument, reserved for this whole method: between the look at
        # the chairs and sitting down, no other customer and not the barber can touch the room.
        if room.is_full:
            self.turned_away = True
            room.turn_away()
        else:
            # Passing ``self`` hands the room a reference to this customer, which this
            # processor holds: that is lock passing, so sit() runs synchronously.
            room.sit(self)

    def have_haircut(self) -> int:  # returns what the customer pays: a query
        self.haircuts += 1
        return PRICE


class Barber(scoop.Separate):
    def __init__(self, room: WaitingRoom) -> None:
        self.room = room  # an attribute, so the barber reserves the room only to call someone
        self.haircuts = 0
        self.takings = 0

    def work(self) -> None:
        while (customer := self.call_next(self.room)) is not None:
            # The room is no longer reserved here: customers come and sit while the barber cuts.
            time.sleep(HAIRCUT)
            # A query: the barber waits to be paid, so once work() returns, every customer it
            # served has had the haircut.
            self.takings += customer.have_haircut()
            self.haircuts += 1

    # The barber's sleep. While the room is empty and open, this call waits, costing no CPU,
    # and it wakes when some customer has done something in the room.
    @scoop.requires(lambda self, room: not room.is_empty or room.is_closed)
    def call_next(self, room: WaitingRoom) -> "Customer | None":
        if room.is_empty:
            return None  # closed, and no one left: the day is over
        return room.next_customer()


def main(customers: int = 200, chairs: int = 3, seed: int = 1) -> int:
    rng = random.Random(seed)
    room = WaitingRoom(chairs)
    barber = Barber(room)
    barber.work()  # a command: the barber's day runs on its own processor

    people = []
    for i in range(customers):
        time.sleep(rng.expovariate(1 / HAIRCUT))
        c = Customer(i)
        c.visit(room)
        people.append(c)

    # A query on each customer waits until its visit has finished: after this loop every
    # customer is either seated or gone, and the room can close.
    for c in people:
        c.turned_away
    room.close()
    haircuts = barber.haircuts  # waits by necessity until work() has returned
    takings = barber.takings

    served = sum(c.haircuts == 1 for c in people)
    left = sum(c.turned_away and c.haircuts == 0 for c in people)
    odd = [c.number for c in people if c.haircuts + c.turned_away != 1]
    print(f"{customers} customers, {chairs} chairs, a haircut takes {HAIRCUT * 1000:.0f} ms")
    print(f"  customers: {served} had a haircut, {left} found no chair")
    print(f"  barber: {haircuts} haircuts, takings {takings}; "
          f"room: {room.turned_away} turned away")
    ok = (not odd and served + left == customers and haircuts == served
          and takings == PRICE * served and room.turned_away == left)
    print(f"{served} + {left} = {served + left} customers: "
          f"{'every customer served or turned away, once' if ok else 'WRONG'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
