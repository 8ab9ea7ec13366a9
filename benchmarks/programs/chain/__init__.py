"""17. chain: all five piped, randmat -> thresh -> winnow -> outer -> product; the result is the
product vector.

Versions: sequential, multiprocessing (Pool), processpool (ProcessPoolExecutor), scoop (rows
spread over separate objects on process processors) and scoop_ray (the same objects placed on
Ray actors), all running the kernels of _cowichan."""

from benchmarks.programs import _cowichan as cw

GROUP = "cowichan"
VERSIONS = ["scoop", "scoop_ray", "multiprocessing", "processpool", "sequential"]
CASES = [{"full": {"n": 2000, "seed": 42, "percent": 10, "k": 2000}, "quick": {"n": 200, "seed": 42, "percent": 10, "k": 200}}]



def check(result, p) -> None:
    cw.check_digest('chain', 'float_vector', result, p, lambda: cw.seq_product(*cw.seq_outer(cw.seq_winnow(m := cw.seq_randmat(p.n, p.seed), cw.seq_thresh(m, p.percent), p.k))))
