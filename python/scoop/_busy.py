"""What a runtime is busy with, in words: for a stuck test or a hang at exit.

Names every call body in progress — running on a thread, or suspended in a
fiber while it waits, with what it waits for — and the calls still queued,
by processor. Used by ``shutdown()``'s "still waiting" warning and by the
pytest plugin's busy report.
"""

from __future__ import annotations

import inspect
import linecache
import operator
import os
import sys
import threading
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

from ._protocol import Call
from ._waiters import ConditionWait

if TYPE_CHECKING:
    from ._processor import Processor
    from ._runtime import Runtime

_SCOOP_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def describe_busy(rt: Runtime) -> str:
    """Every call body in progress, then the calls queued, one per line."""
    lines = []
    names = {t.ident: t.name for t in threading.enumerate()}
    me = threading.get_ident()
    for ident, frame in sys._current_frames().items():
        bodies = _bodies(frame)
        if bodies and ident != me:
            lines.append(f"  running {' -> '.join(bodies)} (thread {names.get(ident, ident)!r})")
    for fiber in list(rt.fibers.values()):
        g = fiber.fiber
        bodies = _bodies(g.gr_frame if g is not None else None)
        if bodies:  # a suspended fiber (a running one is on its thread's stack, above)
            lines.append(f"  suspended {' -> '.join(bodies)}, {rt.describe_wait(fiber.tid)}")
    for pq in list(rt.queues.values()):
        calls = [item for item in list(pq.items) if type(item) is Call]
        if calls:
            lines.append(f"  {pq.proc!r}: {len(calls)} call(s) queued, the next {call_name(calls[0].fn, pq.proc)}")
    if not lines:
        lines.append("  no call running or queued: a thread that is still running holds a reservation")
    return "\n".join(lines)


def _bodies(frame: FrameType | None) -> list[str]:
    """The call bodies on a stack, outermost first: the frames outside
    pyscoop that pyscoop called."""
    bodies = []
    while frame is not None:
        caller = frame.f_back
        if caller is not None and _in_scoop(caller) and not _in_scoop(frame):
            bodies.append(_frame_name(frame))
        frame = caller
    return bodies[::-1]


def _in_scoop(frame: FrameType) -> bool:
    return frame.f_code.co_filename.startswith(_SCOOP_DIR)


def _frame_name(frame: FrameType) -> str:
    code = frame.f_code
    name = getattr(code, "co_qualname", None)  # Python 3.11+
    if name is None:
        owner = frame.f_locals.get("self")
        name = f"{type(owner).__qualname__}.{code.co_name}" if owner is not None else code.co_name
    return f"{name} at {os.path.basename(code.co_filename)}:{frame.f_lineno}"


def call_name(fn: Any, proc: Processor | None) -> str:
    """How a message names the call a client waits for (a deadlock's, a
    busy report's)."""
    if isinstance(fn, ConditionWait):
        return describe_condition(fn)
    if isinstance(fn, operator.attrgetter):  # an attribute read through a reference
        attr = fn.__reduce__()[1][0]
        return f"{proc.label if proc is not None else '?'}.{attr}"
    return getattr(fn, "__qualname__", "a call")


def describe_condition(wait: ConditionWait) -> str:
    """A wait condition, so that a reader of a hang report can tell which
    one is stuck: its name, the objects it waits on, and its predicates as
    their source says them."""
    procs = [p for p in (ref() for ref in wait.procs) if p is not None]
    on = f" on {', '.join(repr(p) for p in procs)}" if procs else ""
    predicates = getattr(wait.condition, "__scoop_predicates__", (wait.condition,))
    return f"{wait.name()}{on}, until {' and '.join(predicate_source(p) for p in predicates)} holds"


def predicate_source(fn: Any) -> str:
    """A predicate and where it is defined: a lambda by its text, as in
    "`lambda b: not b.is_full` (app.py:12)", a function by its name."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    if not isinstance(code, CodeType):
        return repr(fn)
    where = f"{os.path.basename(code.co_filename)}:{code.co_firstlineno}"
    if code.co_name != "<lambda>":
        return f"{getattr(fn, '__qualname__', code.co_name)} ({where})"
    return f"`{_lambda_text(code)}` ({where})"


def _lambda_text(code: CodeType) -> str:
    """A lambda's own text, cut out of its line: several lambdas may share
    it (``@requires(lambda ...: ..., lambda ...: ...)``). The columns of its
    instructions (Python 3.11+, in UTF-8 bytes) say where its body is; the
    last ``lambda`` before the body is its start."""
    line = linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n")
    positions = list(code.co_positions()) if sys.version_info >= (3, 11) else []
    first = code.co_firstlineno
    spans = [(col, end) for ln, end_ln, col, end in positions if ln == end_ln == first and col and end]
    raw = line.encode()
    if not spans:  # Python 3.10 (no columns), or no source
        return _first_lambda(line) or "lambda"
    body_start, body_end = min(c for c, _ in spans), max(e for _, e in spans)
    start = raw.rfind(b"lambda", 0, body_start)
    if start < 0:
        return line.strip()
    more = any(ln is not None and ln != first for ln, *_ in positions)  # the body goes on below
    return raw[start:body_end].decode(errors="replace") + (" ..." if more else "")


def _first_lambda(line: str) -> str:
    """The first lambda of *line*, cut where it ends: at a comma or a closing
    bracket outside any bracket of its own, after its parameters' colon.
    For Python 3.10, whose code objects have no columns; a line with several
    lambdas gives the first."""
    start = line.find("lambda")
    if start < 0:
        return line.strip()
    depth, in_body, quote = 0, False, ""
    for i in range(start, len(line)):
        ch = line[i]
        if quote:
            if ch == quote and line[i - 1] != "\\":
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return line[start:i].rstrip()
            depth -= 1
        elif depth == 0 and ch == ":" and not in_body:
            in_body = True
        elif depth == 0 and ch == "," and in_body:
            return line[start:i].rstrip()
        elif ch == "#":
            return line[start:i].rstrip()
    return line[start:].rstrip()

