from benchmarks.programs import _cowichan as cw


def run(p):
    matrix, mask = p.data
    return cw.seq_winnow(matrix, mask, p.k)
