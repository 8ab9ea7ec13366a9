def run(p):
    stack = []
    for j in range(p.producers):
        for x in range(j * p.items, (j + 1) * p.items):
            stack.append(x)
    totals, counts = [], []
    for _ in range(p.consumers):
        total = 0
        for _ in range(p.items):
            total += stack.pop()
        totals.append(total)
        counts.append(p.items)
    return totals, counts, len(stack)
