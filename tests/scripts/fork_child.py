"""Child for test_fork_child_gets_a_clean_runtime_or_a_clear_error (SPEC §9).

A forked child must get a clean runtime or a clear error, never a hang. The child reports
what happened through a pipe; the parent then checks that its own runtime still works.
"""

import os
import sys

from models import Account

account = Account("parent", 1)
assert account.balance == 1

read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:  # the child
    os.close(read_end)
    lines = []
    try:
        lines.append(f"old reference: value {account.balance!r}")
    except Exception as exc:
        lines.append(f"old reference: error {type(exc).__name__}: {exc}")
    try:
        fresh = Account("child", 2)
        fresh.deposit(3)
        lines.append(f"new object: value {fresh.balance!r}")
    except Exception as exc:
        lines.append(f"new object: error {type(exc).__name__}: {exc}")
    os.write(write_end, ("\n".join(lines) + "\n").encode())
    os._exit(0)

os.close(write_end)
chunks = []
while True:
    chunk = os.read(read_end, 65536)
    if not chunk:
        break
    chunks.append(chunk)
_, status = os.waitpid(pid, 0)
sys.stdout.write(b"".join(chunks).decode())
print(f"child exit status: {os.waitstatus_to_exitcode(status)}")
account.deposit(1)
print(f"parent still works: {account.balance}")
