from benchmarks.programs import _scoop_rows as sr


def run(p):
    ws = sr.start_workers()
    sr.randmat(ws, p.n, p.seed)
    return sr.concat(sr.gather([w.matrix_rows.future() for w in ws]))


teardown = sr.teardown
