"""A child made by fork that runs Python before it execs (subprocess's preexec_fn, as Ray
starts its processes) must not call into the Go runtime: CPython clears the other threads'
states there, which runs their finalizers, and a Go lock held at the fork by another thread
would hang the child forever (and the parent with it, waiting for the exec). The script
counts the Go calls made in a child; the test asserts none."""

import os
import subprocess
import threading

import scoop
from scoop import _native

parent = os.getpid()


def guarded(name):
    real = getattr(_native, name)

    def call(*args):
        if os.getpid() != parent:
            os.write(1, f"called {name} in a fork child\n".encode())
            return 0
        return real(*args)

    return call


# The calls that finalizers make (scoop._threadstate, scoop._runtime, scoop._dedicated).
for name in ("DropThread", "DropProcessor", "Collecting", "ReleaseParked", "Release"):
    setattr(_native, name, guarded(name))


class Cell(scoop.Separate):
    def get(self) -> int:
        return 1


cell = Cell()
gate = threading.Event()


def client() -> None:
    cell.get()  # this thread has a runtime thread state now...
    gate.wait()  # ...and is alive at the fork


t = threading.Thread(target=client)
t.start()
assert cell.get() == 1
subprocess.run(["true"], preexec_fn=lambda: None, check=True)
gate.set()
t.join()
print("parent done")
