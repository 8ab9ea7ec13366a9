import queue
import threading


def run(p):
    buf = queue.Queue(maxsize=p.capacity)  # the standard library's bounded buffer
    totals, counts = [0] * p.consumers, [0] * p.consumers
    high = [0]

    def producer(j):
        for x in range(j * p.items, (j + 1) * p.items):
            buf.put(x)
            high[0] = max(high[0], buf.qsize())

    def consumer(i):
        for _ in range(p.items):
            totals[i] += buf.get()
            counts[i] += 1

    threads = [threading.Thread(target=consumer, args=(i,)) for i in range(p.consumers)]
    threads += [threading.Thread(target=producer, args=(j,)) for j in range(p.producers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return totals, counts, buf.qsize(), high[0]
