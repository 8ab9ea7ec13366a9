from benchmarks.programs import _scoop_rows as sr


def run(p):
    ws = sr.start_workers()
    sr.load(ws, p.data[0], p.data[1])
    return sr.winnow(ws, p.k)


teardown = sr.teardown
