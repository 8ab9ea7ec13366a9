import time


class Fetcher:
    def __init__(self, index: int):
        self.index = index

    def fetch(self, seconds: float) -> int:
        time.sleep(seconds)  # the blocking I/O
        return self.index


def run(p):
    return [Fetcher(i).fetch(p.sleep_s) for i in range(p.k)]
