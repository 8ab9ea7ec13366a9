import queue
import threading
from time import perf_counter_ns

from benchmarks.programs.query_latency import ANSWER


class Server:
    """An active object: its thread answers each request on the request's reply queue."""

    def __init__(self):
        self._inbox = queue.Queue()
        self._thread = threading.Thread(target=self._serve)
        self._thread.start()

    def _serve(self):
        while True:
            reply = self._inbox.get()
            if reply is None:
                return
            reply.put(ANSWER)

    def answer(self) -> int:
        reply = queue.Queue(maxsize=1)
        self._inbox.put(reply)
        return reply.get()

    def stop(self):
        self._inbox.put(None)
        self._thread.join()


def run(p):
    server = Server()
    total, samples = 0, []
    for _ in range(p.n):
        t0 = perf_counter_ns()
        total += server.answer()
        samples.append(perf_counter_ns() - t0)
    server.stop()
    return total, samples
