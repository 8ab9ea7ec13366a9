"""The private channel between this process and its workers.

Values cross by pickle, and unpickling runs code: whoever can talk to a
worker, or to the parent, can run code in it. So workers connect back to a
listener of the parent that only this process's workers can use: a Unix
socket in a directory only this user can enter, and on every connection a
challenge on a per-run secret (HMAC, ``multiprocessing.connection``'s
handshake, both ways), which a worker receives from the parent when it
starts and nobody else ever sees. A connection that does not know the
secret is refused and closed, and the parent goes on waiting for its
worker. There is never an open port.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import multiprocessing
import threading
from multiprocessing import connection
from typing import Any

#: How long a new worker may take to connect, in seconds (it imports the
#: program's main module again: that can take a while).
CONNECT_TIMEOUT = 60.0


class Listener:
    """The parent's end: accepts the connection of each worker it starts."""

    def __init__(self) -> None:
        self.secret = os.urandom(32)
        self._dir = tempfile.mkdtemp(prefix="scoop-")  # mode 0700
        self.address = os.path.join(self._dir, "parent")
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._socket.bind(self.address)
        self._socket.listen()
        # One starter accepts at a time (see accept).
        self._lock = threading.Lock()
        self._arrived: dict[int, Any] = {}

    def accept(self, process: Any) -> Any:
        """The authenticated connection of worker *process*, just started.

        Workers started at once may connect in any order: each says its
        pid first, and a connection accepted by another worker's starter
        waits in ``arrived`` for its own. Raises EOFError if the process
        ends, or does not connect within CONNECT_TIMEOUT.
        """
        with self._lock:
            while process.pid not in self._arrived:
                ready = connection.wait([self._socket, process.sentinel], CONNECT_TIMEOUT)
                if not ready:
                    process.kill()  # then reported as a worker that ended while it started
                    raise EOFError(f"the worker process did not connect within {CONNECT_TIMEOUT:.0f} s")
                if self._socket not in ready:
                    raise EOFError("the worker process ended before it connected")
                sock, _ = self._socket.accept()
                conn = connection.Connection(sock.detach())
                try:
                    connection.deliver_challenge(conn, self.secret)
                    connection.answer_challenge(conn, self.secret)
                    pid = conn.recv()  # authenticated: safe to unpickle
                except (multiprocessing.AuthenticationError, EOFError, OSError):
                    conn.close()  # not one of ours: refused
                    continue
                self._arrived[pid] = conn
            return self._arrived.pop(process.pid)

    def close(self) -> None:
        self._socket.close()
        shutil.rmtree(self._dir, ignore_errors=True)


_listener: Listener | None = None
_listener_lock = threading.Lock()


def listener() -> Listener:
    """This process's listener, made on first use."""
    global _listener
    with _listener_lock:
        if _listener is None:
            _listener = Listener()
        return _listener


def close_listener() -> None:
    """Close the listener (and remove its directory): the runtime's
    shutdown, once its workers are stopped. (Not an at-exit handler of its
    own: it would run before the runtime's, which starts the workers of the
    objects a program made last.)"""
    global _listener
    with _listener_lock:
        if _listener is not None:
            _listener.close()
            _listener = None


def connect(address: str, secret: bytes) -> Any:
    """The worker's end: connect to the parent, prove it knows *secret*, and
    say which worker it is."""
    conn = connection.Client(address, family="AF_UNIX", authkey=secret)
    conn.send(os.getpid())
    return conn
