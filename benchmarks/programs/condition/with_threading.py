import threading


def run(p):
    cond = threading.Condition()
    state = {"value": 0, "wrong": 0}

    def worker(parity):
        for _ in range(p.iterations):
            with cond:
                cond.wait_for(lambda: state["value"] % 2 == parity)
                if state["value"] % 2 != parity:
                    state["wrong"] += 1
                state["value"] += 1
                cond.notify_all()

    threads = [threading.Thread(target=worker, args=(i % 2,)) for i in range(p.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["value"], state["wrong"]
