class Pong:
    def __init__(self):
        self.hits = 0

    def hit(self, ball: int) -> int:
        self.hits += 1
        return ball + 1


class Ping:
    def play(self, pong: Pong, n: int) -> int:
        ball = 0
        for _ in range(n):
            ball = pong.hit(ball + 1)
        return ball


def run(p):
    pong = Pong()
    ball = Ping().play(pong, p.n)
    return ball, pong.hits
