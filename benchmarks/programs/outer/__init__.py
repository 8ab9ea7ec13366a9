"""15. outer (points): the k x k matrix of distances between the points, the diagonal set to the
row's max times k, and the vector of each point's distance from the origin. Input: the winnow
points.

Versions: sequential, multiprocessing (Pool), processpool (ProcessPoolExecutor) and scoop (rows
spread over separate objects on process processors), all running the kernels of _cowichan."""

from benchmarks.programs import _cowichan as cw

GROUP = "cowichan"
VERSIONS = ["scoop", "multiprocessing", "processpool", "sequential"]
CASES = [{"full": {"n": 2000, "seed": 42, "percent": 10, "k": 2000}, "quick": {"n": 200, "seed": 42, "percent": 10, "k": 200}}]


def setup(p):
    return cw.input_points(p)


def check(result, p) -> None:
    cw.check_digest('outer', 'outer', result, p, lambda: cw.seq_outer(cw.input_points(p)))
