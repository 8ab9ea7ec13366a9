from benchmarks.programs import _cowichan as cw


def run(p):
    matrix = cw.seq_randmat(p.n, p.seed)
    mask = cw.seq_thresh(matrix, p.percent)
    points = cw.seq_winnow(matrix, mask, p.k)
    omatrix, vector = cw.seq_outer(points)
    return cw.seq_product(omatrix, vector)
