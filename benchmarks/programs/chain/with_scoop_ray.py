"""chain with its RowWorkers placed on Ray ({kind = "ray"}) instead of worker processes: the
same program (_scoop_rows), another placement."""

from benchmarks.programs import _ray_cluster
from benchmarks.programs import _scoop_rows as sr

_ray_cluster.connect()


def run(p):
    ws = sr.start_workers("ray")  # the rows stay in the actors from stage to stage
    sr.randmat(ws, p.n, p.seed)
    sr.thresh(ws, p.n * p.n, p.percent)
    points = sr.winnow(ws, p.k)
    vector = sr.outer(ws, points)
    return sr.product(ws, vector)


teardown = sr.teardown
