"""A child forked from a process that imported scoop but never used it (a forkserver
worker, or os.fork after a bare import) has no Go runtime to lose: it must get a runtime
of its own that works fully, finalizers included, so that dropped objects free their
processors there as anywhere. The child prints its counts; the test compares them."""

import gc
import os
import sys

import scoop
from scoop import _native

assert not _native.loaded, "this script must fork before the first use of scoop"


class Cell(scoop.Separate):
    def __init__(self, n: int) -> None:
        self.n = n

    def get(self) -> int:
        return self.n


pid = os.fork()
if pid == 0:  # the child
    try:
        baseline = scoop.stats()["processors"]
        cells = [Cell(i) for i in range(200)]
        assert [c.get() for c in cells] == list(range(200))
        alive = scoop.stats()["processors"]
        del cells
        gc.collect()
        after = scoop.stats()["processors"]
        print(f"child: baseline {baseline} alive {alive} after {after} forking {_native.forking}")
        sys.stdout.flush()
    finally:
        os._exit(0)
os.waitpid(pid, 0)
