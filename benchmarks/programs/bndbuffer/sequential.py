from collections import deque


def run(p):
    buf, high = deque(), 0
    totals, counts = [0] * p.consumers, [0] * p.consumers
    taken = 0

    def take():
        nonlocal taken
        i = taken // p.items  # consumers take their turns one after the other
        totals[i] += buf.popleft()
        counts[i] += 1
        taken += 1

    for j in range(p.producers):
        for x in range(j * p.items, (j + 1) * p.items):
            if len(buf) == p.capacity:
                take()
            buf.append(x)
            high = max(high, len(buf))
    while buf:
        take()
    return totals, counts, len(buf), high
