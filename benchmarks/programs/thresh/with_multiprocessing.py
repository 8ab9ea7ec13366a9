import multiprocessing

from benchmarks.programs import _cowichan as cw
from benchmarks.programs import _cowichan_pool as pc


def run(p):
    with multiprocessing.Pool(cw.workers()) as pool:
        return pc.thresh(pool.starmap, p.data, p.percent)
