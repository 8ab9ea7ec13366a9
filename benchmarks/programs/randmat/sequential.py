from benchmarks.programs import _cowichan as cw


def run(p):
    return cw.seq_randmat(p.n, p.seed)
