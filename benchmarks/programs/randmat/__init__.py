"""12. randmat (n, seed): the n x n matrix of the Cowichan generator (see _cowichan.randmat_rows).

Versions: sequential, multiprocessing (Pool), processpool (ProcessPoolExecutor) and scoop (rows
spread over separate objects on process processors), all running the kernels of _cowichan."""

from benchmarks.programs import _cowichan as cw

GROUP = "cowichan"
VERSIONS = ["scoop", "multiprocessing", "processpool", "sequential"]
CASES = [{"full": {"n": 2000, "seed": 42}, "quick": {"n": 200, "seed": 42}}]



def check(result, p) -> None:
    cw.check_digest('randmat', 'int_matrix', result, p, lambda: cw.seq_randmat(p.n, p.seed))
