import multiprocessing

from benchmarks.programs import _cowichan as cw
from benchmarks.programs import _cowichan_pool as pc


def run(p):
    with multiprocessing.Pool(cw.workers()) as pool:
        return pc.winnow(pool.starmap, p.data[0], p.data[1], p.k)
