"""The private channel between this process and its workers.

Values cross by pickle, and unpickling runs code: whoever can talk to a
worker, or to the parent, can run code in it. So workers connect back to a
listener of the parent that only this process's workers can use, and on
every connection both sides answer a challenge on a per-run secret (HMAC,
``multiprocessing.connection``'s handshake, both ways), which a worker
receives from the parent when it starts. A connection that does not know
the secret is refused and closed, and the parent goes on waiting for its
worker.

Two listeners, made on first use:

- for worker processes (``kind = "process"``), a Unix socket in a directory
  only this user can enter: there is never an open port;
- for Ray actors (``kind = "ray"``, scoop._ray), which may run on any node of
  the cluster, a TCP socket on this node's address. The secret reaches the
  actor through Ray (an argument of its task), so the cluster is the trust
  boundary: anyone who can run tasks on it can read it (docs/ray.md).

Each worker says first which one it is (its *key*: a process's pid, an
actor's token), so that workers started at once may connect in any order.
One thread per listener accepts: it hands each authenticated connection to
the starter waiting for that key, and watches the starters' sentinels (a
worker process that ends before it connects).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import tempfile
import threading
import time
from multiprocessing import connection
from typing import Any

#: How long a new worker may take to connect, in seconds (it imports the
#: program's main module again: that can take a while).
CONNECT_TIMEOUT = 60.0


class Listener:
    """The parent's end: accepts the connection of each worker it starts.

    *host* None: a Unix socket; else TCP on *host*, on a port of the system's
    choosing. Thread-safe: starters call :meth:`accept` from any thread.
    """

    def __init__(self, host: str | None = None) -> None:
        self.secret = os.urandom(32)
        self._dir: str | None = None
        if host is None:
            self.family = "AF_UNIX"
            self._dir = tempfile.mkdtemp(prefix="scoop-")  # mode 0700
            self.address: Any = os.path.join(self._dir, "parent")
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._socket.bind(self.address)
        else:
            self.family = "AF_INET"
            self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._socket.bind((host, 0))
            self.address = self._socket.getsockname()
        self._socket.listen()
        # Guards everything below; starters wait on it for their key.
        self._cond = threading.Condition()
        #: key -> connection, from its worker, not yet taken by its starter.
        self._arrived: dict[Any, Any] = {}
        #: key -> sentinel (or None) of each starter waiting in accept.
        self._waiting: dict[Any, Any] = {}
        #: Keys whose worker ended (or was abandoned) before it connected.
        self._gone: set[Any] = set()
        self._closed = False
        # Wakes the accepting thread when the sentinels to watch change.
        self._wake_r, self._wake_w = os.pipe()
        threading.Thread(target=self._accept_loop, name="scoop-listener", daemon=True).start()

    def accept(self, key: Any, sentinel: Any = None, timeout: float = CONNECT_TIMEOUT) -> Any:
        """The authenticated connection of the worker that says *key*.

        Raises EOFError if *sentinel* (a worker process's) becomes ready, or
        :meth:`abandon` is called for *key*, before the worker connects;
        TimeoutError if it does not connect within *timeout* seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            self._waiting[key] = sentinel
            if sentinel is not None:
                os.write(self._wake_w, b"w")  # one more sentinel to watch
            try:
                while key not in self._arrived:
                    if key in self._gone or self._closed:
                        raise EOFError("the worker ended before it connected")
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError(f"the worker did not connect within {timeout:.0f} s")
                    self._cond.wait(left)
                return self._arrived.pop(key)
            finally:
                del self._waiting[key]
                self._gone.discard(key)

    def abandon(self, key: Any) -> None:
        """The worker of *key* will never connect: its starter's accept
        raises EOFError (now, or when it calls accept)."""
        with self._cond:
            self._gone.add(key)
            self._cond.notify_all()

    def _ended(self, key: Any, sentinel: Any) -> None:
        # Only while its starter waits with this sentinel: a pid can be
        # reused by a later worker.
        with self._cond:
            if self._waiting.get(key) == sentinel:
                self._gone.add(key)
                self._cond.notify_all()

    def _accept_loop(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                sentinels = {s: k for k, s in self._waiting.items() if s is not None and k not in self._gone}
            try:
                ready = connection.wait([self._socket, self._wake_r, *sentinels])
            except OSError:  # closed under us
                return
            for r in ready:
                if r is self._socket:
                    try:
                        sock, _ = self._socket.accept()
                    except OSError:
                        continue  # closed (seen at the top), or the peer gave up
                    # Greeted on a thread of its own: a peer that stalls the
                    # handshake must not hold up the other workers.
                    threading.Thread(target=self._greet, args=(sock,), name="scoop-greet", daemon=True).start()
                elif r == self._wake_r:
                    os.read(self._wake_r, 512)
                else:
                    self._ended(sentinels[r], r)

    def _greet(self, sock: socket.socket) -> None:
        if self.family == "AF_INET":
            _tune(sock)
        conn = connection.Connection(sock.detach())
        try:
            connection.deliver_challenge(conn, self.secret)
            connection.answer_challenge(conn, self.secret)
            key = conn.recv()  # authenticated: safe to unpickle
        except (multiprocessing.AuthenticationError, EOFError, OSError):
            conn.close()  # not one of ours: refused
            return
        with self._cond:
            if self._closed:
                conn.close()
                return
            # Kept even if its starter is not waiting yet (it connects while
            # the creation command is still queued).
            self._arrived[key] = conn
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            arrived, self._arrived = self._arrived, {}
            self._cond.notify_all()
        os.write(self._wake_w, b"x")
        self._socket.close()
        for conn in arrived.values():
            conn.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


_listeners: dict[str | None, Listener] = {}
_listener_lock = threading.Lock()


def listener(host: str | None = None) -> Listener:
    """This process's listener (on *host* over TCP, or a Unix socket), made
    on first use."""
    with _listener_lock:
        found = _listeners.get(host)
        if found is None:
            found = _listeners[host] = Listener(host)
        return found


def close_listener() -> None:
    """Close the listeners (and remove their directory): the runtime's
    shutdown, once its workers are stopped. (Not an at-exit handler of its
    own: it would run before the runtime's, which starts the workers of the
    objects a program made last.)"""
    with _listener_lock:
        listeners = list(_listeners.values())
        _listeners.clear()
    for found in listeners:
        found.close()


def connect(address: Any, secret: bytes, key: Any) -> Any:
    """The worker's end: connect to the parent, prove it knows *secret*, and
    say which worker it is (*key*)."""
    if isinstance(address, str):  # a Unix socket's path
        conn = connection.Client(address, family="AF_UNIX", authkey=secret)
    else:  # (host, port)
        host, port = address
        conn = connection.Client((str(host), int(port)), family="AF_INET", authkey=secret)
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            _tune(sock)
    conn.send(key)
    return conn


#: TCP keepalive: after this many seconds of silence, probe the peer every
#: KEEPALIVE_INTERVAL seconds; KEEPALIVE_PROBES unanswered probes end the
#: connection.
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_PROBES = 10, 5, 3


def _tune(sock: socket.socket) -> None:
    """A TCP connection to a worker on another node.

    Each message is sent at once: Nagle's algorithm would hold a small one
    back while an earlier one is unacknowledged, and the peer delays its
    acknowledgement by up to 40 ms (posted commands followed by a FLUSH are
    exactly that). And a peer whose machine is gone, which never closes its
    end, is noticed within half a minute (keepalive), not never: a live
    peer's kernel answers the probes however long its call computes."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (("TCP_KEEPIDLE", KEEPALIVE_IDLE), ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL),
                          ("TCP_KEEPCNT", KEEPALIVE_PROBES)):
        if hasattr(socket, option):  # Linux; elsewhere the system's defaults
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
