"""The Cowichan kernels (pure Python, row-block at a time) shared by every version of programs
12-17, the inputs each program starts from, and the result check.

Every kernel works on a block of rows [lo, hi) so that the sequential version (one block: all
rows) and the parallel versions (one block per worker or task) run exactly the same code, and
produce bit-identical results (floating-point sums are taken in the same order everywhere).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
from array import array
from collections import Counter
from operator import mul
from pathlib import Path

from benchmarks.programs._common import expect

MASK32 = 0xFFFFFFFF
CACHE = Path(__file__).resolve().parent.parent / "results" / ".cache"


# -- kernels --------------------------------------------------------------------------------

def randmat_rows(lo: int, hi: int, n: int, seed: int) -> list[list[int]]:
    """Rows lo..hi-1 of randmat: row i starts from s = seed + i (uint32), then per column
    s = (1664525*s + 1013904223) mod 2**32, value s mod 100."""
    rows = []
    for i in range(lo, hi):
        s = (seed + i) & MASK32
        row = [0] * n
        for j in range(n):
            s = (1664525 * s + 1013904223) & MASK32
            row[j] = s % 100
        rows.append(row)
    return rows


def histogram_rows(rows) -> dict[int, int]:
    """value -> count over a block of rows."""
    hist: Counter = Counter()
    for row in rows:
        hist.update(row)
    return dict(hist)


def merge_histograms(parts) -> dict[int, int]:
    total: Counter = Counter()
    for h in parts:
        total.update(h)
    return dict(total)


def threshold_of(hist: dict[int, int], cells: int, percent: float) -> int:
    """Walk down from the max value adding counts while the running total stays <= cells*p/100;
    the last value reached is the threshold (the Cowichan loop: the value whose count first
    takes the total past the limit is included)."""
    limit = cells * percent / 100.0
    vmax = max(hist)
    total, threshold = 0, vmax
    v = vmax
    while v >= 0 and total <= limit:
        total += hist.get(v, 0)
        threshold = v
        v -= 1
    return threshold


def mask_rows(rows, threshold: int) -> list[bytes]:
    """mask = value >= threshold, one bytes object (0/1) per row."""
    return [bytes(v >= threshold for v in row) for row in rows]


def winnow_points_rows(rows, masks, lo: int) -> list[tuple[int, int, int]]:
    """Masked points (value, column, row) of a block of rows, sorted."""
    pts = []
    for i, (row, m) in enumerate(zip(rows, masks), start=lo):
        for j, v in enumerate(row):
            if m[j]:
                pts.append((v, j, i))
    pts.sort()
    return pts


def winnow_select(sorted_points, k: int) -> list[tuple[int, int]]:
    """Every floor(count/k)-th point, k of them, as (row, column) coordinates."""
    count = len(sorted_points)
    expect(count >= k, f"only {count} masked points for k={k}")
    stride = count // k
    return [(sorted_points[i * stride][2], sorted_points[i * stride][1]) for i in range(k)]


def outer_rows(points, lo: int, hi: int) -> list[list[float]]:
    """Rows lo..hi-1 of the distance matrix; the diagonal is the row's max times k."""
    k = len(points)
    rows = []
    for i in range(lo, hi):
        xi, yi = points[i]
        row = [math.hypot(xi - xj, yi - yj) for xj, yj in points]
        row[i] = max(row) * k
        rows.append(row)
    return rows


def origin_vector(points) -> list[float]:
    return [math.hypot(x, y) for x, y in points]


def product_rows(rows, vector) -> list[float]:
    return [sum(map(mul, row, vector)) for row in rows]


def blocks(n: int, parts: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges splitting range(n) into `parts` nearly equal blocks."""
    parts = max(1, min(parts, n))
    return [(n * b // parts, n * (b + 1) // parts) for b in range(parts)]


def workers() -> int:
    return os.cpu_count() or 2


# -- the sequential pipeline, for inputs and reference results ------------------------------

def seq_randmat(n, seed):
    return randmat_rows(0, n, n, seed)


def seq_thresh(matrix, percent):
    t = threshold_of(histogram_rows(matrix), len(matrix) * len(matrix[0]), percent)
    return mask_rows(matrix, t)


def seq_winnow(matrix, mask, k):
    return winnow_select(winnow_points_rows(matrix, mask, 0), k)


def seq_outer(points):
    return outer_rows(points, 0, len(points)), origin_vector(points)


def seq_product(matrix, vector):
    return product_rows(matrix, vector)


def _cached(key: str, make):
    """Inputs are computed once per size and kept in benchmarks/results/.cache (untimed)."""
    path = CACHE / (hashlib.sha256(key.encode()).hexdigest()[:20] + ".pickle")
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, pickle.PickleError, EOFError):
        pass
    value = make()
    try:
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
    return value


def input_matrix(p):
    return _cached(f"randmat {p.n} {p.seed}", lambda: seq_randmat(p.n, p.seed))


def input_mask(p):
    return _cached(f"thresh {p.n} {p.seed} {p.percent}",
                   lambda: seq_thresh(input_matrix(p), p.percent))


def input_points(p):
    return _cached(f"winnow {p.n} {p.seed} {p.percent} {p.k}",
                   lambda: seq_winnow(input_matrix(p), input_mask(p), p.k))


def input_outer(p):
    return _cached(f"outer {p.n} {p.seed} {p.percent} {p.k}", lambda: seq_outer(input_points(p)))


# -- result check -----------------------------------------------------------------------------

def digest(kind: str, value) -> str:
    """sha256 of a canonical byte form of a result."""
    h = hashlib.sha256(kind.encode())
    if kind == "int_matrix":
        for row in value:
            h.update(array("q", row).tobytes())
    elif kind == "mask":
        for row in value:
            h.update(bytes(row))
    elif kind == "points":
        for pt in value:
            h.update(array("q", pt).tobytes())
    elif kind == "float_vector":
        h.update(array("d", value).tobytes())
    elif kind == "outer":
        matrix, vector = value
        for row in matrix:
            h.update(array("d", row).tobytes())
        h.update(array("d", vector).tobytes())
    else:
        raise ValueError(kind)
    return h.hexdigest()


#: Reference digests of the suite's sizes, from the sequential kernels (see expected_digest).
EXPECTED: dict[str, str] = {
    'randmat {"n": 200, "seed": 42}': "96381331a9f646c38c60ec83e67057c5ea984be6c06bc4775125370aa09e757e",
    'randmat {"n": 2000, "seed": 42}': "9748dbcb881b0683d0456dd42edadc181dca0114cfb04251481d86cabe679cee",
    'thresh {"n": 200, "percent": 10, "seed": 42}': "0bccca5068f4bf225c9fb5f0dad0b26667e6adaca47f794d5f9a4e5226bec216",
    'thresh {"n": 2000, "percent": 10, "seed": 42}': "74cba1a5a54ec99f91c4329cf599bdec36b828fdf1b8786dd35414fbc4763354",
    'winnow {"k": 200, "n": 200, "percent": 10, "seed": 42}': "82520b96b573be3d2740281c9ba1f12dbe7ba7b8f08d5e8e834478bf357b58e3",
    'winnow {"k": 2000, "n": 2000, "percent": 10, "seed": 42}': "797d8fd1377f93501389f3a883a14cd8faf5953372c472acbd67996c530650f9",
    'outer {"k": 200, "n": 200, "percent": 10, "seed": 42}': "6ab087f299d0ab78079de3bb99d0cc2e7aa81f215302e7895b33ae0edfd15158",
    'outer {"k": 2000, "n": 2000, "percent": 10, "seed": 42}': "ddb4b3e0772e370353f94ee382b01b5896dd6a5bd3d322fa88a52b18ee9497fd",
    'product {"k": 200, "n": 200, "percent": 10, "seed": 42}': "112979deaf9e713752546cbfaef9137d2a1ccc0b6a629b9a4a78d0d5983ce7b8",
    'product {"k": 2000, "n": 2000, "percent": 10, "seed": 42}': "d734e5b0a18c535b439dfc00683ebe1acb274f93c4be727bbef2149ed34978b7",
    'chain {"k": 200, "n": 200, "percent": 10, "seed": 42}': "112979deaf9e713752546cbfaef9137d2a1ccc0b6a629b9a4a78d0d5983ce7b8",
    'chain {"k": 2000, "n": 2000, "percent": 10, "seed": 42}': "d734e5b0a18c535b439dfc00683ebe1acb274f93c4be727bbef2149ed34978b7",
}


def expected_digest(program: str, kind: str, p, reference) -> str:
    """The digest a correct result has: from EXPECTED when the sizes are the suite's own, else
    computed once with the sequential kernels (reference()) and cached."""
    params = {k: v for k, v in sorted(vars(p).items()) if k != "data"}
    key = f"{program} {json.dumps(params, sort_keys=True)}"
    if key in EXPECTED:
        return EXPECTED[key]
    return _cached("digest " + key, lambda: digest(kind, reference()))


def check_digest(program: str, kind: str, result, p, reference) -> None:
    got = digest(kind, result)
    want = expected_digest(program, kind, p, reference)
    expect(got == want, f"{program}: result digest {got[:16]} != expected {want[:16]}")
