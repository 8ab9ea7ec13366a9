"""16. product (matrix, vector): matrix times vector. Input: the outer matrix and vector. (Little
work per byte moved: the parallel versions are bound by shipping the matrix.)

Versions: sequential, multiprocessing (Pool), processpool (ProcessPoolExecutor) and scoop (rows
spread over separate objects on process processors), all running the kernels of _cowichan."""

from benchmarks.programs import _cowichan as cw

GROUP = "cowichan"
VERSIONS = ["scoop", "multiprocessing", "processpool", "sequential"]
CASES = [{"full": {"n": 2000, "seed": 42, "percent": 10, "k": 2000}, "quick": {"n": 200, "seed": 42, "percent": 10, "k": 200}}]


def setup(p):
    return cw.input_outer(p)


def check(result, p) -> None:
    cw.check_digest('product', 'float_vector', result, p, lambda: cw.seq_product(*cw.input_outer(p)))
