"""Child for test_ctrl_c_interrupts_a_query_blocked_on_a_busy_handler.

The main thread blocks in a query on an object whose handler is busy; another thread sends
SIGINT (argv[1]: "process" = to the process, like a terminal's Ctrl-C; "main-thread" = to the
main thread only). The main thread must get KeyboardInterrupt, and afterwards the same object
must answer correctly. Exit 0 on success.

Nothing is left to timing: the query is made only once the handler runs ``hold`` on an
executor (so the main thread cannot run the body itself), and SIGINT is sent only once the
runtime counts the main thread as waiting.
"""

import os
import signal
import sys
import threading
import time

import scoop
from models import Account

how = sys.argv[1]
gate = threading.Event()          # opens the busy handler
holding = threading.Event()       # set by the handler once it runs hold()
about_to_query = threading.Event()
interrupted = threading.Event()
sent_at = []

account = Account("ctrl-c", 0)
account.deposit(1)
account.hold(scoop.shared(gate), scoop.shared(holding))  # busy until ``gate`` is set
if not holding.wait(10):
    print("FAIL: the handler never ran hold()")
    sys.exit(1)


def interrupter():
    about_to_query.wait()
    deadline = time.monotonic() + 10
    while scoop.stats()["waiting"] == 0:  # until the main thread waits inside the query
        if time.monotonic() > deadline:
            print("FAIL: the main thread never waited in the query")
            os._exit(1)
        time.sleep(0.001)
    sent_at.append(time.monotonic())
    if how == "process":
        os.kill(os.getpid(), signal.SIGINT)
    else:
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    # If the interrupt never reaches the main thread, free the handler after 10 s so that the
    # query returns and this script reports the failure instead of hanging.
    if not interrupted.wait(10):
        gate.set()


threading.Thread(target=interrupter, daemon=True).start()
try:
    about_to_query.set()
    balance = account.balance  # blocks: the handler is busy
except KeyboardInterrupt:
    latency = time.monotonic() - sent_at[0]
    interrupted.set()
else:
    print(f"FAIL: the query returned {balance!r}; no KeyboardInterrupt within 10 s")
    sys.exit(1)

print(f"KeyboardInterrupt after {latency:.3f} s")
gate.set()
account.deposit(2)
balance = account.balance
print(f"balance after interrupt: {balance}")
sys.exit(0 if balance == 3 else 1)
