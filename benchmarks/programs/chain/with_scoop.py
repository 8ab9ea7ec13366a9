from benchmarks.programs import _scoop_rows as sr


def run(p):
    ws = sr.start_workers()  # the rows stay in the workers from stage to stage
    sr.randmat(ws, p.n, p.seed)
    sr.thresh(ws, p.n * p.n, p.percent)
    points = sr.winnow(ws, p.k)
    vector = sr.outer(ws, points)
    return sr.product(ws, vector)


teardown = sr.teardown
