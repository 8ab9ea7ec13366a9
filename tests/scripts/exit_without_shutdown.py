"""Child for the at-exit tests of SPEC §9: no logged command is dropped at interpreter exit.

argv: PATH MODE N
  MODE "direct": the main thread logs N commands, each appending one line to PATH.
  MODE "relay":  the main thread logs one command on a separate object, which logs N commands
                 itself (a processor as client) while the interpreter is already exiting.
The script then ends at once: no query, no scoop.shutdown().
"""

import sys

from models import LineWriter, Relay

path, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
writer = LineWriter(path)
if mode == "direct":
    for i in range(n):
        writer.write(f"line {i}")
elif mode == "relay":
    Relay().write_lines(writer, "relayed ", n)
else:
    sys.exit(f"unknown mode {mode!r}")
