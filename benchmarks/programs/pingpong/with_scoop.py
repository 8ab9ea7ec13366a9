import scoop


class Pong(scoop.Separate):
    def __init__(self):
        self.hits = 0

    def hit(self, ball: int) -> int:  # query: the ball comes back
        self.hits += 1
        return ball + 1


class Ping(scoop.Separate):
    def play(self, pong: Pong, n: int) -> int:
        # pong is a separate argument: it is reserved for this whole body
        ball = 0
        for _ in range(n):
            ball = pong.hit(ball + 1)
        return ball


def run(p):
    ping, pong = Ping(), Pong()
    ball = ping.play(pong, p.n)
    return ball, pong.hits


def teardown():
    scoop.shutdown(wait=True)
