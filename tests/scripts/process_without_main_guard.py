"""A program that creates a process-placed object at import time, with no main guard.

The worker process imports this module again (forkserver) and tries to create the object
there too, which fails and ends the worker; the client must get an error that says why.
"""

import scoop


class Cruncher(scoop.Separate):
    def square(self, x: int) -> int:
        return x * x


scoop.configure(placement={f"{__name__}.Cruncher": {"kind": "process"}})
print(Cruncher().square(3))
