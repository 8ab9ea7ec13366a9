import time

import scoop


class Fetcher(scoop.Separate):
    def __init__(self, index: int):
        self.index = index

    def fetch(self, seconds: float) -> int:  # query
        time.sleep(seconds)  # the blocking I/O, in the body of a separate object's method
        return self.index


def run(p):
    # The default placement: each Fetcher on a processor of its own, no scoop.configure.
    fetchers = [Fetcher(i) for i in range(p.k)]
    futures = [f.fetch.future(p.sleep_s) for f in fetchers]  # log all K queries, then wait
    return [fu.result() for fu in futures]


def teardown():
    scoop.shutdown(wait=True)
