"""The suite runner: ``python -m benchmarks [--quick] [--rounds N] [--only A,B] [--versions v,w]``.

Every (program, case, version) runs in a fresh subprocess (``benchmarks.child``); the versions of
a program are interleaved within each round (A B C A B C ...), after one warm-up round that is
not counted. While a child runs, the parent samples ``/proc/<pid>/status`` every few ms for its
OS thread count (``Threads:``) and resident memory (``VmRSS:``); for the Cowichan programs it
also sums those over the child's whole process tree (the worker processes).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks import report
from benchmarks.programs import PROGRAMS

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
SAMPLE_INTERVAL = 0.003  # seconds between samples of the child's own /proc status
TREE_INTERVAL = 0.02  # seconds between scans of the child's process tree (Cowichan only)


def _read_status(pid: int) -> tuple[int, int]:
    """(Threads, VmRSS kB) of a process, (0, 0) once it is gone."""
    threads = rss = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Threads:"):
                    threads = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return threads, rss


def _descendants(root: int) -> list[int]:
    """Every live descendant of root, from a scan of /proc (PPid of every process)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        for c in children.get(pid, ()):
            out.append(c)
            todo.append(c)
    return out


class Sampler(threading.Thread):
    """Samples a child's peak threads and RSS (and its process tree's) until it exits."""

    def __init__(self, proc: subprocess.Popen, tree: bool, max_rss_kb: int):
        super().__init__(daemon=True)
        self.proc, self.tree, self.max_rss_kb = proc, tree, max_rss_kb
        self.peak_threads = self.peak_rss_kb = 0
        self.peak_tree_threads = self.peak_tree_rss_kb = self.peak_procs = 0
        self.killed_for_memory = False

    def run(self) -> None:
        pid, next_tree = self.proc.pid, 0.0
        while self.proc.poll() is None:
            threads, rss = _read_status(pid)
            self.peak_threads = max(self.peak_threads, threads)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            total_rss = rss
            now = time.monotonic()
            if self.tree and now >= next_tree:
                next_tree = now + TREE_INTERVAL
                pids = _descendants(pid)
                tt, tr = threads, rss
                for d in pids:
                    t, r = _read_status(d)
                    tt += t
                    tr += r
                self.peak_tree_threads = max(self.peak_tree_threads, tt)
                self.peak_tree_rss_kb = max(self.peak_tree_rss_kb, tr)
                self.peak_procs = max(self.peak_procs, 1 + len(pids))
                total_rss = tr
            if self.max_rss_kb and total_rss > self.max_rss_kb:
                self.killed_for_memory = True
                self.proc.kill()
                break
            time.sleep(SAMPLE_INTERVAL)


def child_env() -> dict[str, str]:
    """The environment of a measured child process: the repository importable, a fixed hash
    seed, and bytecode caches read and written as a user's Python does. Without them (an
    environment with PYTHONDONTWRITEBYTECODE=1 and an in-tree pyscoop), every run that imports
    pyscoop in its timed part, a worker's fork server, compiled it from source: 60 ms more."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.setdefault("PYTHONHASHSEED", "0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(program: str, case: int, version: str, mode: str, *, timeout: float,
              max_rss_mb: int, tree: bool) -> dict:
    fd, out_path = tempfile.mkstemp(prefix="pyscoop-bench-", suffix=".json")
    os.close(fd)
    env = child_env()
    cmd = [sys.executable, "-m", "benchmarks.child", program, str(case), version, mode, out_path]
    started = time.monotonic()
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=out, stderr=err,
                                start_new_session=True)
        sampler = Sampler(proc, tree, max_rss_mb * 1024)
        sampler.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            try:
                os.killpg(proc.pid, 9)  # its own session: the child and its workers only
            except OSError:
                proc.kill()
            proc.wait()
        sampler.join()
        if tree:  # worker processes left behind by a crashed child: stop them too
            try:
                os.killpg(proc.pid, 9)
            except OSError:
                pass
        err.seek(0)
        stderr_tail = err.read().decode(errors="replace")[-3000:]
    try:
        with open(out_path) as f:
            rec = json.load(f)
    except (OSError, ValueError):
        rec = {}
    finally:
        try:
            os.unlink(out_path)
        except OSError:
            pass
    rec["returncode"] = proc.returncode
    rec["elapsed_process_s"] = time.monotonic() - started
    rec["peak_threads"] = max(sampler.peak_threads, rec.get("threads_end", 0))
    rec["peak_rss_kb"] = max(sampler.peak_rss_kb, rec.get("maxrss_kb", 0))
    if tree:
        rec["peak_tree_threads"] = sampler.peak_tree_threads
        rec["peak_tree_rss_kb"] = sampler.peak_tree_rss_kb
        rec["peak_processes"] = sampler.peak_procs
    status = rec.get("status")
    if timed_out:
        rec.update(status="failed", error=f"timed out after {timeout:.0f} s")
    elif sampler.killed_for_memory:
        rec.update(status="failed", error=f"killed: memory above the cap of {max_rss_mb} MB")
    elif proc.returncode == 3 and status == "unavailable":
        pass
    elif proc.returncode != 0 or status != "ok":
        rec["status"] = "failed"
        rec.setdefault("error", f"exit status {proc.returncode}")
    if rec["status"] != "ok":
        rec.pop("seconds", None)
        rec["stderr_tail"] = stderr_tail
    return rec


def load_programs(only: list[str] | None) -> list[tuple[str, object]]:
    names = PROGRAMS
    if only:
        unknown = [n for n in only if n not in PROGRAMS]
        if unknown:
            raise SystemExit(f"unknown program(s): {', '.join(unknown)}; known: {', '.join(PROGRAMS)}")
        names = [n for n in PROGRAMS if n in only]
    return [(n, importlib.import_module(f"benchmarks.programs.{n}")) for n in names]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="small sizes, 1 round, no warm-up: a correctness check (results/quick.*)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="measured rounds (default 5; 1 with --quick)")
    ap.add_argument("--warmup", type=int, default=None,
                    help="uncounted warm-up rounds (default 1; 0 with --quick)")
    ap.add_argument("--only", default="", help="comma-separated programs (default: all of them)")
    ap.add_argument("--versions", default="",
                    help="comma-separated versions (default: all of each program's)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds before a run is killed and FAILED (default 600, or a case's own "
                         "longer timeout_s; 60 with --quick)")
    ap.add_argument("--max-rss-mb", type=int, default=8192,
                    help="a run whose process tree exceeds this RSS is killed and FAILED")
    ap.add_argument("--out", default=None,
                    help="basename of the result files in benchmarks/results "
                         "(default latest, quick with --quick)")
    ap.add_argument("--no-chart", action="store_true", help="do not draw the PNG chart")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    rounds = args.rounds if args.rounds is not None else (1 if args.quick else 5)
    warmup = args.warmup if args.warmup is not None else (0 if args.quick else 1)
    timeout = args.timeout if args.timeout is not None else (60.0 if args.quick else 600.0)
    out_name = args.out or ("quick" if args.quick else "latest")
    only = [s.strip() for s in args.only.split(",") if s.strip()] or None
    wanted = [s.strip() for s in args.versions.split(",") if s.strip()] or None

    programs = load_programs(only)
    # rows: one per (program, case); state per (row, version)
    rows = []
    for name, prog in programs:
        for idx, case in enumerate(prog.CASES):
            if case[mode] is None:  # a full-suite-only size (spawn K=1,000,000)
                continue
            label = name if not case.get("label") else f"{name}[{case['label']}]"
            versions = [v for v in case.get("versions", prog.VERSIONS)
                        if wanted is None or v in wanted]
            # A case may need longer than the default (spawn K=1,000,000); --timeout still wins.
            row_timeout = timeout if args.timeout is not None else max(
                timeout, case.get("timeout_s", 0))
            rows.append({"program": name, "case": idx, "label": label, "group": prog.GROUP,
                         "params": case[mode], "versions": versions, "timeout": row_timeout,
                         "runs": {v: [] for v in versions}, "final": {}})

    total = rounds + warmup
    suite_t0 = time.monotonic()
    print(f"pyscoop benchmarks: mode={mode}, rounds={rounds} (+{warmup} warm-up), "
          f"{len(rows)} rows", file=sys.stderr)
    for r in range(total):
        counted = r >= warmup
        tag = f"round {r - warmup + 1}/{rounds}" if counted else f"warm-up {r + 1}/{warmup}"
        for row in rows:
            for v in row["versions"]:
                final = row["final"].get(v)
                if final is not None:  # failed or unavailable once: not run again
                    continue
                rec = run_child(row["program"], row["case"], v, mode, timeout=row["timeout"],
                                max_rss_mb=args.max_rss_mb, tree=row["group"] == "cowichan")
                st = rec["status"]
                shown = f"{rec['seconds']:.4f}s" if st == "ok" else st.upper()
                print(f"  [{tag}] {row['label']:<28} {v:<16} {shown}", file=sys.stderr)
                if st != "ok":
                    row["final"][v] = rec
                    if st == "failed":
                        first = (rec.get("error") or "").strip().splitlines()
                        print(f"      {first[-1] if first else ''}", file=sys.stderr)
                elif counted:
                    row["runs"][v].append(rec)
    elapsed = time.monotonic() - suite_t0
    meta = report.machine_meta(mode=mode, rounds=rounds, warmup=warmup, elapsed=elapsed,
                               argv=sys.argv[1:] if argv is None else argv)
    data = report.build(rows, meta)
    md = report.markdown(data)
    print(md)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"{out_name}.json").write_text(json.dumps(data, indent=2) + "\n")
    (results / f"{out_name}.md").write_text(md)
    if not args.no_chart:
        report.chart(data, results / f"{out_name}.png")
    print(f"suite time {elapsed:.1f} s; wrote benchmarks/results/{out_name}.json and .md",
          file=sys.stderr)
    failed = [f"{row['label']}:{v}" for row in rows for v, rec in row["final"].items()
              if rec["status"] == "failed"]
    return 1 if failed else 0
