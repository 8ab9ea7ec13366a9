"""The scoop form of the Cowichan programs: the rows live in separate objects (RowWorker), one
per core, each on a ``kind = "process"`` processor (configured below, as a user would in
pyproject.toml's [tool.scoop.placement]; chain's scoop_ray version places them on Ray). Heavy steps are commands, which run in parallel on the
workers; results come back through queries, overlapped with ``.future()``. Between the stages of
chain the rows stay where they were made: only histograms, points and vectors travel."""

from __future__ import annotations

import heapq

import scoop

from benchmarks.programs import _cowichan as cw



class RowWorker(scoop.Separate):
    def __init__(self):
        self.lo = 0
        self.rows: list = []
        self.mask: list = []
        self.outer_lo = 0
        self.outer: list = []

    # commands: run on the worker's process, the client goes on at once
    def randmat(self, lo: int, hi: int, n: int, seed: int) -> None:
        self.lo, self.rows = lo, cw.randmat_rows(lo, hi, n, seed)

    def load(self, lo: int, rows: list, mask: list | None = None) -> None:
        self.lo, self.rows, self.mask = lo, rows, mask or []

    def threshold(self, t: int) -> None:
        self.mask = cw.mask_rows(self.rows, t)

    def make_outer(self, points: list, lo: int, hi: int) -> None:
        self.outer_lo, self.outer = lo, cw.outer_rows(points, lo, hi)

    def load_outer(self, lo: int, rows: list) -> None:
        self.outer_lo, self.outer = lo, rows

    # queries
    def matrix_rows(self) -> list:
        return self.rows

    def mask_rows(self) -> list:
        return self.mask

    def outer_rows(self) -> list:
        return self.outer

    def histogram(self) -> dict:
        return cw.histogram_rows(self.rows)

    def points(self) -> list:
        return cw.winnow_points_rows(self.rows, self.mask, self.lo)

    def product(self, vector: list) -> list:
        return cw.product_rows(self.outer, vector)


def start_workers(kind: str = "process") -> list:
    scoop.configure(placement={f"{__name__}.RowWorker": {"kind": kind}})
    return [RowWorker() for _ in range(cw.workers())]


def gather(futures) -> list:
    return [f.result() for f in futures]


def concat(chunks) -> list:
    out = []
    for c in chunks:
        out.extend(c)
    return out


def randmat(ws, n, seed) -> None:
    for w, (lo, hi) in zip(ws, cw.blocks(n, len(ws))):
        w.randmat(lo, hi, n, seed)


def load(ws, matrix, mask=None) -> None:
    for w, (lo, hi) in zip(ws, cw.blocks(len(matrix), len(ws))):
        w.load(lo, matrix[lo:hi], mask[lo:hi] if mask is not None else None)


def thresh(ws, cells, percent) -> None:
    hist = cw.merge_histograms(gather([w.histogram.future() for w in ws]))
    t = cw.threshold_of(hist, cells, percent)
    for w in ws:
        w.threshold(t)


def winnow(ws, k) -> list:
    sorted_parts = gather([w.points.future() for w in ws])
    return cw.winnow_select(list(heapq.merge(*sorted_parts)), k)


def outer(ws, points) -> list:
    for w, (lo, hi) in zip(ws, cw.blocks(len(points), len(ws))):
        w.make_outer(points, lo, hi)
    return cw.origin_vector(points)


def load_outer(ws, matrix) -> None:
    for w, (lo, hi) in zip(ws, cw.blocks(len(matrix), len(ws))):
        w.load_outer(lo, matrix[lo:hi])


def product(ws, vector) -> list:
    return concat(gather([w.product.future(vector) for w in ws]))


def teardown() -> None:
    scoop.shutdown(wait=True)
