import threading


def run(p):
    lock = threading.Lock()
    counter = [0]

    def worker():
        for _ in range(p.iterations):
            with lock:
                counter[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(p.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter[0]
