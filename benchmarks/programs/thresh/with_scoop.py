from benchmarks.programs import _scoop_rows as sr


def run(p):
    ws = sr.start_workers()
    sr.load(ws, p.data)
    sr.thresh(ws, len(p.data) * len(p.data[0]), p.percent)
    return sr.concat(sr.gather([w.mask_rows.future() for w in ws]))


teardown = sr.teardown
