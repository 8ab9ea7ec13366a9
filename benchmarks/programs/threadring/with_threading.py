import queue
import threading


def run(p):
    inboxes = [queue.Queue() for _ in range(p.ring)]
    result = {}
    finished = threading.Event()

    def worker(i):
        inbox, nxt = inboxes[i], inboxes[(i + 1) % p.ring]
        while True:
            hops = inbox.get()
            if hops is None:
                return
            if hops == 0:
                result["winner"] = i + 1
                finished.set()
            else:
                nxt.put(hops - 1)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(p.ring)]
    for t in threads:
        t.start()
    inboxes[0].put(p.hops)
    finished.wait()
    for q in inboxes:
        q.put(None)
    for t in threads:
        t.join()
    return result["winner"]
