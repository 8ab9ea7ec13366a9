"""13. thresh (matrix, p): histogram of the values and their max; walk down from the max adding
counts while the running total stays <= n*n*p/100; the last value reached is the threshold; mask
= value >= threshold. Input: randmat(n, seed).

Versions: sequential, multiprocessing (Pool), processpool (ProcessPoolExecutor) and scoop (rows
spread over separate objects on process processors), all running the kernels of _cowichan."""

from benchmarks.programs import _cowichan as cw

GROUP = "cowichan"
VERSIONS = ["scoop", "multiprocessing", "processpool", "sequential"]
CASES = [{"full": {"n": 2000, "seed": 42, "percent": 10}, "quick": {"n": 200, "seed": 42, "percent": 10}}]


def setup(p):
    return cw.input_matrix(p)


def check(result, p) -> None:
    cw.check_digest('thresh', 'mask', result, p, lambda: cw.seq_thresh(cw.input_matrix(p), p.percent))
