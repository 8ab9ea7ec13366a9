import time

import pykka

from benchmarks.programs._common import require_threads


class Fetcher(pykka.ThreadingActor):
    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def fetch(self, seconds: float) -> int:
        time.sleep(seconds)  # the blocking I/O, on the actor's own thread
        return self.index


def run(p):
    require_threads(p.k)  # every ThreadingActor is an OS thread
    refs = [Fetcher.start(i) for i in range(p.k)]
    try:
        proxies = [r.proxy() for r in refs]
        return pykka.get_all([f.fetch(p.sleep_s) for f in proxies])  # K asks, then wait for all
    finally:
        for r in refs:
            r.stop(block=False)
        for r in refs:
            r.actor_stopped.wait()
