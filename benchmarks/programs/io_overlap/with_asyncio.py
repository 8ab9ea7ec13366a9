import asyncio
import time
from concurrent.futures import ThreadPoolExecutor


class Fetcher:
    def __init__(self, index: int):
        self.index = index

    def fetch(self, seconds: float) -> int:
        time.sleep(seconds)  # the blocking I/O
        return self.index


async def main(k, seconds):
    # The call blocks (a driver with no async API), so asyncio has to move it to a thread:
    # run_in_executor. asyncio.sleep would not be the same program: it is non-blocking I/O,
    # which a blocking library does not offer. The executor is sized K, like the threading
    # version's; the default one (asyncio.to_thread) has min(32, cpus + 4) = 6 threads here
    # and would run the K calls in waves of 6.
    loop = asyncio.get_running_loop()
    fetchers = [Fetcher(i) for i in range(k)]
    with ThreadPoolExecutor(max_workers=k) as pool:
        return await asyncio.gather(
            *(loop.run_in_executor(pool, f.fetch, seconds) for f in fetchers))


def run(p):
    return asyncio.run(main(p.k, p.sleep_s))
