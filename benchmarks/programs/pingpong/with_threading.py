import queue
import threading


def run(p):
    to_pong, to_ping = queue.Queue(), queue.Queue()
    result = {}

    def pong():
        hits = 0
        while True:
            ball = to_pong.get()
            if ball is None:
                result["hits"] = hits
                return
            hits += 1
            to_ping.put(ball + 1)

    def ping():
        ball = 0
        for _ in range(p.n):
            to_pong.put(ball + 1)
            ball = to_ping.get()
        to_pong.put(None)
        result["ball"] = ball

    threads = [threading.Thread(target=pong), threading.Thread(target=ping)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result["ball"], result["hits"]
