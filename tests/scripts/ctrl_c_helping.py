"""Child for test_faults.test_ctrl_c_while_the_main_thread_runs_another_processors_body.

The main thread queries an idle object, so it runs the query's body itself, as the handler
(client-side execution: the main thread runs another processor's body). The body tells a
watcher thread that it runs (a FIFO), and the watcher sends SIGINT to the process, as a
terminal's Ctrl-C does. Expected: the query raises KeyboardInterrupt in the main thread, and the
object and the runtime go on: the object answers later calls, shutdown finishes. Exit 0 on
success; the lines printed say what happened.
"""

import os
import signal
import sys
import tempfile
import threading

import scoop
from models_faults import Victim

workdir = tempfile.mkdtemp()
running, hold = os.path.join(workdir, "running"), os.path.join(workdir, "hold")
os.mkfifo(running)
os.mkfifo(hold)
ran_on = []


def watcher() -> None:
    with open(running) as fifo:  # opens once the body opens the other end: no sleeping
        ran_on.append(fifo.read())
    os.kill(os.getpid(), signal.SIGINT)


victim = Victim()
assert victim.total() == 0  # the object exists and is idle
threading.Thread(target=watcher, daemon=True).start()
try:
    victim.block_in_body(running, hold)  # a query: the main thread runs its body
except KeyboardInterrupt:
    print(f"KeyboardInterrupt; the body ran on {ran_on}")
else:
    print("FAIL: the query returned without KeyboardInterrupt")
    sys.exit(1)

if ran_on != ["MainThread"]:
    print(f"FAIL: the body ran on {ran_on}, not on the main thread: nothing was tested")
    sys.exit(2)
victim.bump()
print(f"total after the interrupt: {victim.total()}")
scoop.shutdown()
print("shutdown done")
sys.exit(0)
