"""Child for test_ctrl_c_interrupts_a_caller_waiting_for_a_thread_object.

The main thread waits for a query whose body runs on a thread object's dedicated thread and
blocks there; another thread sends SIGINT to the main thread once the body has started. The
main thread must get KeyboardInterrupt at once; the body runs to its end on its own thread,
and the object answers the next call after it. Exit 0 on success.
"""

import os
import signal
import sys
import threading

import scoop


class Slow(scoop.Separate):
    def __init__(self) -> None:
        self.done = 0

    def wait_for(self, gate: threading.Event, started: threading.Event) -> int:
        started.set()
        gate.wait()
        self.done += 1
        return self.done

    def count(self) -> int:
        return self.done


scoop.configure(placement={f"{__name__}.Slow": {"kind": "thread"}})
gate, started, interrupted = threading.Event(), threading.Event(), threading.Event()
slow = Slow()
assert slow.count() == 0


def interrupter() -> None:
    if not started.wait(10):
        print("FAIL: the body never started")
        os._exit(1)
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
    # If the interrupt never reaches the main thread, free the body after 10 s so that the
    # query returns and this script reports the failure instead of hanging.
    if not interrupted.wait(10):
        gate.set()


threading.Thread(target=interrupter, daemon=True).start()
try:
    result = slow.wait_for(scoop.shared(gate), scoop.shared(started))
except KeyboardInterrupt:
    interrupted.set()
else:
    print(f"FAIL: the query returned {result!r}; no KeyboardInterrupt within 10 s")
    sys.exit(1)
print("KeyboardInterrupt")
gate.set()
count = slow.count()  # runs after the interrupted body, on the same thread
print(f"count after the interrupt: {count}")
sys.exit(0 if count == 1 else 1)
