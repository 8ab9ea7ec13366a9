"""Aggregation of the runs into the JSON/markdown results, and the ratio chart."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import warnings

from benchmarks.programs import CONCURRENT_VERSIONS, PARALLEL_VERSIONS

METRIC_LABELS = {
    "commands_per_s": "commands/s",
    "query_median_us": "query median µs",
    "query_p99_us": "query p99 µs",
    "round_trips_per_s": "round trips/s",
    "hops_per_s": "hops/s",
    "meetings_per_s": "meetings/s",
    "objects_per_s": "objects/s",
    "blocks_per_s": "blocks/s",
    "overlap_x": "overlap ×",
}


def machine_meta(*, mode, rounds, warmup, elapsed, argv) -> dict:
    try:
        import pykka  # noqa: F401
        from importlib.metadata import version

        pykka_version = version("pykka")
    except Exception:  # noqa: BLE001
        pykka_version = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "rounds": rounds,
        "warmup_rounds": warmup,
        "suite_seconds": round(elapsed, 1),
        "argv": list(argv),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "pykka": pykka_version,
    }


def _quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def peers_of(group: str) -> list[str]:
    return (PARALLEL_VERSIONS if group == "cowichan" else CONCURRENT_VERSIONS)[1:]


def build(rows, meta) -> dict:
    out = {"meta": meta, "programs": {}}
    for row in rows:
        versions = {}
        for v in row["versions"]:
            runs = row["runs"][v]
            final = row["final"].get(v)
            if final is not None:
                versions[v] = {
                    "status": final["status"],
                    "error": (final.get("error") or "").strip(),
                    "stderr_tail": (final.get("stderr_tail") or "").strip()[-1500:],
                }
                continue
            if not runs:
                versions[v] = {"status": "not run"}
                continue
            secs = [r["seconds"] for r in runs]
            q1, q3 = _quartiles(secs)
            entry = {
                "status": "ok",
                "runs_s": secs,
                "median_s": statistics.median(secs),
                "min_s": min(secs),
                "max_s": max(secs),
                "iqr_s": [q1, q3],
                "peak_rss_mb": round(max(r["peak_rss_kb"] for r in runs) / 1024, 1),
                "rss_before_run_mb": round(
                    statistics.median(r.get("rss_before_kb", 0) for r in runs) / 1024, 1),
                "peak_threads": max(r["peak_threads"] for r in runs),
            }
            if row["group"] == "cowichan":
                entry["peak_tree_rss_mb"] = round(max(r["peak_tree_rss_kb"] for r in runs) / 1024, 1)
                entry["peak_tree_threads"] = max(r["peak_tree_threads"] for r in runs)
                entry["peak_processes"] = max(r["peak_processes"] for r in runs)
            keys = sorted({k for r in runs for k in (r.get("metrics") or {})})
            if keys:
                entry["metrics"] = {
                    k: statistics.median(r["metrics"][k] for r in runs if k in r.get("metrics", {}))
                    for k in keys
                }
            versions[v] = entry
        ratios = {}
        scoop = versions.get("scoop", {})
        for peer in peers_of(row["group"]):
            if peer not in row["versions"]:  # not run at all (a case's own versions, --versions)
                continue
            other = versions.get(peer, {})
            if scoop.get("status") == "ok" and other.get("status") == "ok":
                ratios[f"scoop/{peer}"] = scoop["median_s"] / other["median_s"]
            else:
                ratios[f"scoop/{peer}"] = None
        out["programs"][row["label"]] = {
            "program": row["program"],
            "group": row["group"],
            "params": row["params"],
            "versions": versions,
            "ratios": ratios,
        }
    return out


def fmt_seconds(x: float) -> str:
    if x >= 100:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.2f}"
    if x >= 0.01:
        return f"{x:.3f}"
    return f"{x:.5f}"


def fmt_value(k: str, v: float) -> str:
    """Metric *k*'s value: µs and ratios with a decimal, rates in whole units."""
    if k.endswith(("_us", "_x")):
        return f"{v:.1f}"
    return f"{v:,.0f}"


def _fmt_metric(k: str, v: float) -> str:
    return f"{METRIC_LABELS.get(k, k)} {fmt_value(k, v)}"


def markdown(data: dict) -> str:
    m = data["meta"]
    lines = [
        f"# pyscoop benchmarks ({m['mode']})",
        "",
        f"{m['date']} · Python {m['python']} · {m['cpus']} CPUs · {m['platform']} · "
        f"Pykka {m['pykka'] or 'not installed'} · {m['rounds']} measured round(s) after "
        f"{m['warmup_rounds']} warm-up · suite {m['suite_seconds']} s",
        "",
        "Wall seconds of the measured section only (median of the rounds; spread = min–max). "
        "RSS = peak resident set of the benchmark process (max of its own ru_maxrss and the "
        "runner's samples); threads = peak OS threads of that process, sampled from "
        "/proc/<pid>/status every 3 ms. For the Cowichan programs, tree RSS/threads/procs add "
        "up every process of the run (workers included).",
        "",
        "| program | version | median s | spread s | RSS MB | threads | metrics |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    failures = []
    for label, prog in data["programs"].items():
        for v, e in prog["versions"].items():
            st = e["status"]
            if st == "ok":
                extra = []
                if "metrics" in e:
                    extra += [_fmt_metric(k, val) for k, val in e["metrics"].items()]
                if "peak_tree_rss_mb" in e:
                    extra.append(f"tree RSS {e['peak_tree_rss_mb']:.0f} MB, "
                                 f"{e['peak_tree_threads']} threads, {e['peak_processes']} procs")
                lines.append(
                    f"| {label} | {v} | {fmt_seconds(e['median_s'])} | "
                    f"{fmt_seconds(e['min_s'])}–{fmt_seconds(e['max_s'])} | {e['peak_rss_mb']:.0f} | "
                    f"{e['peak_threads']} | {'; '.join(extra)} |")
            else:
                lines.append(f"| {label} | {v} | {st.upper()} | | | | |")
                if st == "failed":
                    failures.append((label, v, e.get("error", ""), e.get("stderr_tail", "")))
    lines += ["", "## Ratios (median scoop time / median peer time; < 1 means scoop is faster)", ""]
    cols = ["pykka", "threading", "asyncio", "sequential", "multiprocessing", "processpool"]
    lines.append("| program | " + " | ".join(f"scoop/{c}" for c in cols) + " |")
    lines.append("| --- |" + " ---: |" * len(cols))
    for label, prog in data["programs"].items():
        cells = []
        for c in cols:
            key = f"scoop/{c}"
            if key not in prog["ratios"]:
                cells.append("")
            else:
                r = prog["ratios"][key]
                cells.append("n/a" if r is None else f"{r:.3g}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if failures:
        lines += ["", "## Failures", ""]
        for label, v, err, tail in failures:
            last = err.strip().splitlines()[-1] if err.strip() else "(no message)"
            lines.append(f"- **{label} / {v}**: `{last[:300]}`")
    lines.append("")
    return "\n".join(lines)


def chart(data: dict, path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        warnings.warn("matplotlib is not installed: no chart drawn (pip install .[bench])",
                      stacklevel=2)
        print("warning: matplotlib is not installed: no chart drawn", file=sys.stderr)
        return
    labels = list(data["programs"])
    peers = ["pykka", "threading", "asyncio", "sequential", "multiprocessing", "processpool"]
    fig, ax = plt.subplots(figsize=(max(8, 0.7 * len(labels) + 3), 5.5))
    width = 0.8 / len(peers)
    drawn = False
    for i, peer in enumerate(peers):
        xs, ys = [], []
        for j, label in enumerate(labels):
            r = data["programs"][label]["ratios"].get(f"scoop/{peer}")
            if r:
                xs.append(j + (i - (len(peers) - 1) / 2) * width)
                ys.append(r)
        if xs:
            ax.bar(xs, ys, width=width, label=f"scoop/{peer}")
            drawn = True
    ax.set_yscale("log")
    ax.axhline(1.0, color="black", linewidth=1)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("median time ratio (log); below 1 = scoop faster")
    ax.set_title(f"pyscoop vs peers ({data['meta']['mode']}, {data['meta']['date']})")
    if drawn:
        ax.legend(fontsize=8, ncol=3)
    else:
        ax.set_ylim(0.1, 10)
        ax.text(0.5, 0.5, "no ratios: the scoop versions have no successful runs",
                transform=ax.transAxes, ha="center", va="center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
