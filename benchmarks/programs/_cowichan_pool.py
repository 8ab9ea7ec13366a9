"""The Cowichan stages over a process pool, written once for both pool versions: ``starmap`` is
``multiprocessing.Pool.starmap`` or an adapter over ``ProcessPoolExecutor.map``. The rows are
split into 2 blocks per worker, shipped to the pool with each task, and the results come back
to the parent, the way a Pool user writes a data-parallel loop."""

from __future__ import annotations

import heapq

from benchmarks.programs import _cowichan as cw


def parts() -> int:
    return 2 * cw.workers()


def _concat(chunks):
    out = []
    for c in chunks:
        out.extend(c)
    return out


def randmat(starmap, n, seed):
    return _concat(starmap(cw.randmat_rows, [(lo, hi, n, seed) for lo, hi in cw.blocks(n, parts())]))


def thresh(starmap, matrix, percent):
    bl = cw.blocks(len(matrix), parts())
    hist = cw.merge_histograms(starmap(cw.histogram_rows, [(matrix[lo:hi],) for lo, hi in bl]))
    t = cw.threshold_of(hist, len(matrix) * len(matrix[0]), percent)
    return _concat(starmap(cw.mask_rows, [(matrix[lo:hi], t) for lo, hi in bl]))


def winnow(starmap, matrix, mask, k):
    bl = cw.blocks(len(matrix), parts())
    sorted_parts = starmap(cw.winnow_points_rows, [(matrix[lo:hi], mask[lo:hi], lo) for lo, hi in bl])
    return cw.winnow_select(list(heapq.merge(*sorted_parts)), k)


def outer(starmap, points):
    bl = cw.blocks(len(points), parts())
    return _concat(starmap(cw.outer_rows, [(points, lo, hi) for lo, hi in bl])), cw.origin_vector(points)


def product(starmap, matrix, vector):
    bl = cw.blocks(len(matrix), parts())
    return _concat(starmap(cw.product_rows, [(matrix[lo:hi], vector) for lo, hi in bl]))


def chain(starmap, n, seed, percent, k):
    matrix = randmat(starmap, n, seed)
    mask = thresh(starmap, matrix, percent)
    points = winnow(starmap, matrix, mask, k)
    omatrix, vector = outer(starmap, points)
    return product(starmap, omatrix, vector)


def executor_starmap(executor):
    """Pool.starmap's shape over a concurrent.futures executor."""
    def starmap(fn, arglists):
        return list(executor.map(fn, *zip(*arglists)))
    return starmap
