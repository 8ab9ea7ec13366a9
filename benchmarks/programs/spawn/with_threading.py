import queue
import threading

from benchmarks.programs._common import require_threads


class Cell:
    """An active object: a thread of its own serving its queue."""

    def __init__(self, ident: int):
        self.ident = ident
        self._inbox = queue.Queue()
        self._thread = threading.Thread(target=self._serve)
        self._thread.start()

    def _serve(self):
        while True:
            reply = self._inbox.get()
            if reply is None:
                return
            reply.put(self.ident)

    def get(self) -> int:
        reply = queue.Queue(maxsize=1)
        self._inbox.put(reply)
        return reply.get()

    def stop(self):
        self._inbox.put(None)


def run(p):
    require_threads(p.k)
    cells = [Cell(i) for i in range(p.k)]
    total = sum(c.get() for c in cells)
    for c in cells:
        c.stop()
    for c in cells:
        c._thread.join()
    cells.clear()
    return total
