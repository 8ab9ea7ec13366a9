import threading


def run(p):
    stack = []
    cond = threading.Condition()
    totals = [0] * p.consumers
    counts = [0] * p.consumers

    def producer(j):
        for x in range(j * p.items, (j + 1) * p.items):
            with cond:
                stack.append(x)
                cond.notify()

    def consumer(i):
        for _ in range(p.items):
            with cond:
                cond.wait_for(lambda: stack)
                totals[i] += stack.pop()
            counts[i] += 1

    threads = [threading.Thread(target=consumer, args=(i,)) for i in range(p.consumers)]
    threads += [threading.Thread(target=producer, args=(j,)) for j in range(p.producers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return totals, counts, len(stack)
