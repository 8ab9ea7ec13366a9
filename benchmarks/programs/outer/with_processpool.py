from concurrent.futures import ProcessPoolExecutor

from benchmarks.programs import _cowichan as cw
from benchmarks.programs import _cowichan_pool as pc


def run(p):
    with ProcessPoolExecutor(cw.workers()) as executor:
        return pc.outer(pc.executor_starmap(executor), p.data)
