from benchmarks.programs import _scoop_rows as sr


def run(p):
    ws = sr.start_workers()
    sr.load_outer(ws, p.data[0])
    return sr.product(ws, p.data[1])


teardown = sr.teardown
