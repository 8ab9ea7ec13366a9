import pykka


class Pong(pykka.ThreadingActor):
    def __init__(self):
        super().__init__()
        self.hits = 0

    def hit(self, ball: int) -> int:
        self.hits += 1
        return ball + 1


class Ping(pykka.ThreadingActor):
    def play(self, pong, n: int) -> int:
        ball = 0
        for _ in range(n):
            ball = pong.hit(ball + 1).get()  # ask Pong and wait for the ball to come back
        return ball


def run(p):
    pong = Pong.start().proxy()
    ping = Ping.start().proxy()
    try:
        ball = ping.play(pong, p.n).get()
        return ball, pong.hits.get()
    finally:
        ping.stop()
        pong.stop()
