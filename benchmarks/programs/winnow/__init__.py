"""14. winnow (matrix, mask, k): the masked points (value, column, row) sorted by (value, column,
row); every floor(count/k)-th of them, k points, as (row, column). Input: randmat and its thresh
mask.

Versions: sequential, multiprocessing (Pool), processpool (ProcessPoolExecutor) and scoop (rows
spread over separate objects on process processors), all running the kernels of _cowichan."""

from benchmarks.programs import _cowichan as cw

GROUP = "cowichan"
VERSIONS = ["scoop", "multiprocessing", "processpool", "sequential"]
CASES = [{"full": {"n": 2000, "seed": 42, "percent": 10, "k": 2000}, "quick": {"n": 200, "seed": 42, "percent": 10, "k": 200}}]


def setup(p):
    return (cw.input_matrix(p), cw.input_mask(p))


def check(result, p) -> None:
    cw.check_digest('winnow', 'points', result, p, lambda: cw.seq_winnow(cw.input_matrix(p), cw.input_mask(p), p.k))
