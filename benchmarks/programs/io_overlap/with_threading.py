import time
from concurrent.futures import ThreadPoolExecutor


class Fetcher:
    def __init__(self, index: int):
        self.index = index

    def fetch(self, seconds: float) -> int:
        time.sleep(seconds)  # the blocking I/O
        return self.index


def run(p):
    # What a threading user writes for K blocking calls: a ThreadPoolExecutor, sized K so that
    # all K calls overlap (its default, min(32, cpus + 4) = 6 threads here, would run them in
    # waves of 6). One thread per call, like a thread each, with the pool's start and join.
    fetchers = [Fetcher(i) for i in range(p.k)]
    with ThreadPoolExecutor(max_workers=p.k) as pool:
        return list(pool.map(lambda f: f.fetch(p.sleep_s), fetchers))
