"""A program whose last line logs a command to a process-placed object (SPEC §9).

Usage: process_command_at_exit.py OUTPUT_FILE {lazy,started,relayed}

``lazy``: the object's worker is first needed at exit, after the interpreter has dropped
``__main__.__file__``; ``started``: a query started the worker earlier, and multiprocessing's
own at-exit handler would terminate it; ``relayed``: the worker's object passes the commands
on to an object of the parent's (SPEC §7: references cross). Either way the commands must
run before the end.
"""

import sys

import scoop


class Appender(scoop.Separate):
    def append(self, path: str, text: str) -> None:
        with open(path, "a") as f:
            f.write(text)

    def ping(self) -> str:
        return "pong"


class Relay(scoop.Separate):
    def __init__(self, target: Appender) -> None:
        self.target = target

    def append(self, path: str, text: str) -> None:
        self.target.append(path, text)


if __name__ == "__main__":
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "relayed":
        scoop.configure(placement={f"{__name__}.Relay": {"kind": "process"}})
        appender = Relay(Appender())
    else:
        scoop.configure(placement={f"{__name__}.Appender": {"kind": "process"}})
        appender = Appender()
    if mode == "started":
        assert appender.ping() == "pong"
    appender.append(path, "first\n")
    appender.append(path, "last\n")
