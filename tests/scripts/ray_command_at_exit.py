"""A program whose last line logs a command to a Ray-placed object (SPEC §9).

Usage: ray_command_at_exit.py RAY_ADDRESS OUTPUT_FILE {lazy,started}

``lazy``: the object's actor is first needed at exit; ``started``: a query started it
earlier. Ray's own at-exit handler, which shuts Ray down, must not run before pyscoop's: the
commands must run before the end. A handler of the program's, registered between them, writes
whether pyscoop had finished when it ran (Ray's runs after it).
"""

import atexit
import sys

import scoop
import ray  # noqa: F401 - its at-exit handler is registered now, after scoop's


class Appender(scoop.Separate):
    def append(self, path: str, text: str) -> None:
        with open(path, "a") as f:
            f.write(text)

    def ping(self) -> str:
        return "pong"


if __name__ == "__main__":
    address, path, mode = sys.argv[1:]

    @atexit.register
    def witness() -> None:
        with open(path, "a") as f:
            f.write(f"after scoop {scoop._global._current is None}\n")

    scoop.configure(placement={f"{__name__}.Appender": {"kind": "ray"}}, ray={"address": address, "logging_level": "error"})
    appender = Appender()
    if mode == "started":
        assert appender.ping() == "pong"
    appender.append(path, "first\n")
    appender.append(path, "last\n")
