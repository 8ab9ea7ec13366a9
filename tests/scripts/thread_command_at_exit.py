"""A program whose last lines log commands to a thread-placed object (SPEC §9).

Usage: thread_command_at_exit.py OUTPUT_FILE

The commands run on the object's dedicated thread, before the program ends.
"""

import sys

import scoop


class Writer(scoop.Separate):
    def __init__(self, path: str) -> None:
        self.file = open(path, "w")

    def write(self, text: str) -> None:
        self.file.write(text)

    def close(self) -> None:
        self.file.write("closed\n")
        self.file.close()


if __name__ == "__main__":
    scoop.configure(placement={f"{__name__}.Writer": {"kind": "thread"}})
    writer = Writer(sys.argv[1])
    for i in range(100):
        writer.write(f"{i}\n")
    writer.close()
