import queue
import threading


class Counter:
    """An active object: its own thread serves the calls put on its queue, in order."""

    def __init__(self):
        self.value = 0
        self._inbox = queue.Queue()
        self._thread = threading.Thread(target=self._serve)
        self._thread.start()

    def _serve(self):
        while True:
            msg = self._inbox.get()
            if msg is None:
                return
            if msg == "increment":
                self.value += 1
            else:  # ("value", reply queue)
                msg[1].put(self.value)

    def increment(self) -> None:
        self._inbox.put("increment")

    def get_value(self) -> int:
        reply = queue.Queue(maxsize=1)
        self._inbox.put(("value", reply))
        return reply.get()

    def stop(self):
        self._inbox.put(None)
        self._thread.join()


def run(p):
    counter = Counter()
    for _ in range(p.n):
        counter.increment()
    value = counter.get_value()
    counter.stop()
    return value
