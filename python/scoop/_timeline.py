"""Drawing a trace: ``python -m scoop trace run.json [-o run.png | -o run.html]``.

Reads a file that :func:`scoop.trace` (or ``SCOOP_TRACE``) wrote and shows
it as a timeline: one lane per client thread, then one per processor; each
executed call a bar, coloured by ``Class.method``; waits shaded on the lane of
the client that waited; arrows for the busiest flows (from the lane that
logged calls to the lane that ran them). Three outputs:

- a summary in words (no ``-o``): each lane's calls, busy time and waits;
- a PNG (or any format matplotlib writes, by the suffix): needs matplotlib,
  the ``trace`` extra (``pip install 'pyscoop[trace]'``);
- an HTML page (``.html``): an inline SVG with a tooltip per bar, that opens
  offline and needs nothing but the standard library.

A run can have millions of calls, far more than a picture has pixels: bars of
one call name closer than a pixel are drawn as one (both outputs), and only
the lanes with the most activity are drawn when there are many
(:data:`MAX_LANES`). Perfetto's UI opens the same file for the detail.
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

#: At most this many lanes in a picture: the client threads, then the
#: processors with the most busy time, in the order they appeared.
MAX_LANES = 40
#: Colours for the call names with the most time (the rest are "other").
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
OTHER = "#c7c7c7"
WAIT = "#d62728"
ARROW = "#37474f"
#: Arrows are drawn for this many pairs of lanes, those joined by the most
#: flows, and at most this many per pair (spread over the run).
ARROW_PAIRS = 8
ARROWS_PER_PAIR = 4


class TraceFileError(ValueError):
    """The file is not a trace that this tool can read."""


@dataclass
class Lane:
    """One track of the trace: a processor or a client thread."""

    tid: int
    name: str
    #: (start µs, duration µs, name) of each call executed here.
    calls: list[tuple[float, float, str]] = field(default_factory=list)
    #: (start µs, duration µs, name) of each wait of this client.
    waits: list[tuple[float, float, str]] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return self.name.startswith("thread ")

    def busy(self) -> float:
        """Microseconds in calls (nested calls counted once)."""
        return _union([(s, d) for s, d, _ in self.calls])

    def waiting(self) -> float:
        return _union([(s, d) for s, d, _ in self.waits])


@dataclass
class Timeline:
    """What a trace file holds, by lane."""

    path: str
    lanes: list[Lane]
    #: (source lane, source µs, destination lane, destination µs) of each
    #: flow from a call's logging to its execution.
    flows: list[tuple[int, float, int, float]]
    start: float
    end: float
    #: The file ended early (its program died while writing it).
    truncated: bool = False

    @property
    def calls(self) -> int:
        return sum(len(lane.calls) for lane in self.lanes)

    @property
    def waits(self) -> int:
        return sum(len(lane.waits) for lane in self.lanes)

    def describe(self) -> str:
        processors = sum(1 for lane in self.lanes if not lane.is_thread)
        threads = len(self.lanes) - processors
        return (
            f"{_count(self.calls, 'call')} on {_count(processors, 'processor')}, "
            f"{_count(self.waits, 'wait')}, {_count(threads, 'client thread')}, "
            f"over {(self.end - self.start) / 1000:,.1f} ms"
        )


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def load(path: str) -> Timeline:
    """Read the trace file at *path*."""
    events, truncated = read_events(path)
    return _timeline(path, events, truncated)


def read_events(path: str) -> tuple[list[Any], bool]:
    """The trace events in the file at *path*, and whether the file was cut
    short (a program that died while a chunk was being written): then the
    events are those up to the last whole line."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    truncated = False
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # scoop writes one event per line, so every line but the last (cut
        # short, or whole but without the closing brackets) is whole.
        head = text.rstrip().rsplit("\n", 1)[0].rstrip().rstrip(",")
        try:
            data = json.loads(head + "\n]}")
        except json.JSONDecodeError:
            raise TraceFileError(f"{path} is not a trace: it is not JSON") from None
        truncated = True
    events = data.get("traceEvents") if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise TraceFileError(f"{path} is not a trace: it has no traceEvents list")
    return events, truncated


def _timeline(path: str, events: list[Any], truncated: bool) -> Timeline:
    names: dict[int, str] = {}
    lanes: dict[int, Lane] = {}
    starts: dict[Any, tuple[int, float]] = {}
    ends: dict[Any, tuple[int, float]] = {}
    first, last = float("inf"), float("-inf")

    def lane(tid: int) -> Lane:
        found = lanes.get(tid)
        if found is None:
            found = lanes[tid] = Lane(tid, names.get(tid, f"track {tid}"))
        return found

    for e in events:
        if not isinstance(e, dict):
            continue
        ph = e.get("ph")
        tid = e.get("tid", 0)
        if ph == "M":
            if e.get("name") == "thread_name":
                names[tid] = str(e.get("args", {}).get("name", tid))
                lane(tid).name = names[tid]  # a thread that only logs calls has a lane too
            continue
        ts = float(e.get("ts", 0))
        if ph == "X":
            dur = float(e.get("dur", 0))
            first, last = min(first, ts), max(last, ts + dur)
            cat = e.get("cat")
            if cat == "wait":
                lane(tid).waits.append((ts, dur, str(e.get("name", "wait"))))
            elif cat != "log":
                lane(tid).calls.append((ts, dur, str(e.get("name", "?"))))
        elif ph == "s":
            starts[e.get("id")] = (tid, ts)
        elif ph == "f":
            ends[e.get("id")] = (tid, ts)
    flows = [(*starts[i], *ends[i]) for i in ends if i in starts]
    ordered = sorted(lanes.values(), key=lambda lane: (not lane.is_thread, lane.tid))
    if first > last:
        first = last = 0.0
    return Timeline(path, ordered, flows, first, last, truncated)


def _union(spans: Iterable[tuple[float, float]]) -> float:
    """The length covered by (start, duration) spans."""
    total, end = 0.0, float("-inf")
    for s, d in sorted(spans):
        e = s + d
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total


def _merged(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float, int]]:
    """(start, duration, count): spans closer than *gap* drawn as one."""
    out: list[list[float]] = []
    for s, d in sorted(spans):
        if out and s - (out[-1][0] + out[-1][1]) < gap:
            last = out[-1]
            last[1] = max(last[1], s + d - last[0])
            last[2] += 1
        else:
            out.append([s, d, 1])
    return [(s, d, int(n)) for s, d, n in out]


# -- what a picture shows ---------------------------------------------------------


@dataclass
class Picture:
    """A timeline laid out for drawing, in microseconds from the trace's start."""

    timeline: Timeline
    lanes: list[Lane]
    hidden: int
    colours: dict[str, str]
    #: Per lane (index in ``lanes``): colour -> merged bars (start, duration, count).
    bars: list[dict[str, list[tuple[float, float, int]]]]
    #: Per lane: merged waits, with the names of the first wait in each.
    waits: list[list[tuple[float, float, int, str]]]
    #: Per lane and colour: the call names behind each merged bar (the first, if merged).
    labels: list[dict[str, list[str]]]
    #: (source lane index, µs, destination lane index, µs).
    arrows: list[tuple[int, float, int, float]]
    #: How many flows the arrows stand for, of how many between lanes.
    arrow_flows: int
    lane_flows: int

    @property
    def span(self) -> float:
        return max(self.timeline.end - self.timeline.start, 1.0)


def lay_out(tl: Timeline, pixels: int) -> Picture:
    """What to draw of *tl* on a timeline *pixels* wide."""
    lanes = tl.lanes
    hidden = 0
    if len(lanes) > MAX_LANES:
        threads = [lane for lane in lanes if lane.is_thread][: MAX_LANES // 2]
        busiest = sorted((lane for lane in lanes if not lane.is_thread), key=Lane.busy, reverse=True)
        keep = {id(lane) for lane in threads + busiest[: MAX_LANES - len(threads)]}
        hidden = len(lanes) - len(keep)
        lanes = [lane for lane in lanes if id(lane) in keep]
    time_by_name: dict[str, float] = defaultdict(float)
    for lane in lanes:
        for _, d, name in lane.calls:
            time_by_name[name] += d
    ranked = sorted(time_by_name, key=time_by_name.__getitem__, reverse=True)
    colours = {name: PALETTE[i] for i, name in enumerate(ranked[: len(PALETTE)])}
    base = tl.start
    gap = (tl.end - tl.start) / max(pixels, 1)
    bars, labels, waits = [], [], []
    for lane in lanes:
        by_colour: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for s, d, name in lane.calls:
            by_colour[colours.get(name, OTHER)].append((s - base, d, name))
        lane_bars, lane_labels = {}, {}
        for colour, calls in by_colour.items():
            calls.sort()
            merged = _merged([(s, d) for s, d, _ in calls], gap)
            lane_bars[colour] = merged
            names, i = [], 0
            for _, _, n in merged:
                names.append(calls[i][2])
                i += n
            lane_labels[colour] = names
        bars.append(lane_bars)
        labels.append(lane_labels)
        wait_list = sorted((s - base, d, name) for s, d, name in lane.waits)
        merged_waits = _merged([(s, d) for s, d, _ in wait_list], gap)
        lane_waits, i = [], 0
        for s, d, n in merged_waits:
            lane_waits.append((s, d, n, wait_list[i][2]))
            i += n
        waits.append(lane_waits)
    index = {lane.tid: i for i, lane in enumerate(lanes)}
    pairs: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for src, s_ts, dst, d_ts in tl.flows:
        if src != dst and src in index and dst in index:
            pairs[index[src], index[dst]].append((s_ts - base, d_ts - base))
    arrows: list[tuple[int, float, int, float]] = []
    shown = 0
    for (src, dst), flows in sorted(pairs.items(), key=lambda kv: len(kv[1]), reverse=True)[:ARROW_PAIRS]:
        flows.sort()
        shown += len(flows)
        step = max(1, len(flows) // ARROWS_PER_PAIR)
        arrows.extend((src, s, dst, d) for s, d in flows[::step][:ARROWS_PER_PAIR])
    total = sum(len(f) for f in pairs.values())
    return Picture(tl, lanes, hidden, colours, bars, waits, labels, arrows, shown, total)


def _title(pic: Picture) -> str:
    tl = pic.timeline
    title = f"{os.path.basename(tl.path)}: {tl.describe()}"
    if pic.hidden:
        title += f" ({pic.hidden} quieter lanes not shown)"
    if tl.truncated:
        title += " (the file ends early)"
    return title


def _arrow_note(pic: Picture) -> str:
    if not pic.lane_flows:
        return "no calls between lanes"
    return (
        f"arrows: a sample of the busiest flows (logging to execution), "
        f"{pic.arrow_flows:,} of the {pic.lane_flows:,} calls between lanes"
    )


# -- the outputs -------------------------------------------------------------------


def summary(tl: Timeline) -> str:
    """Each lane's calls, busy time and waits, in words."""
    lines = [f"{tl.path}: {tl.describe()}" + (" (the file ends early)" if tl.truncated else "")]
    span = max(tl.end - tl.start, 1.0)
    width = max([len(lane.name) for lane in tl.lanes] + [4])
    lines.append(f"  {'lane':<{width}}  {'calls':>8}  {'busy ms':>9}  {'busy':>6}  {'waits':>7}  {'waiting ms':>10}")
    for lane in tl.lanes:
        busy = lane.busy()
        lines.append(
            f"  {lane.name:<{width}}  {len(lane.calls):>8,}  {busy / 1000:>9.2f}  {100 * busy / span:>5.1f}%"
            f"  {len(lane.waits):>7,}  {lane.waiting() / 1000:>10.2f}"
        )
    by_name: dict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    for lane in tl.lanes:
        for _, d, name in lane.calls:
            by_name[name] += d
            count[name] += 1
    if by_name:
        ranked = sorted(by_name, key=by_name.__getitem__, reverse=True)[:5]
        top = ", ".join(f"{n} ×{count[n]:,} ({by_name[n] / 1000:.2f} ms)" for n in ranked)
        lines.append(f"  the calls with the most time: {top}")
    return "\n".join(lines)


class MissingMatplotlib(RuntimeError):
    """A picture format that needs matplotlib, which is not installed."""


def draw(tl: Timeline, out: str) -> None:
    """Draw *tl* into *out*, in the format its suffix names (matplotlib's)."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch
    except ImportError:
        raise MissingMatplotlib(
            f"drawing {os.path.basename(out)} needs matplotlib, which is not installed: "
            f"pip install 'pyscoop[trace]' (or write -o {os.path.splitext(out)[0]}.html, "
            f"which needs nothing)"
        ) from None
    pic = lay_out(tl, 1400)
    n = len(pic.lanes)
    fig = Figure(figsize=(12, 1.6 + 0.32 * max(n, 1)), dpi=120, layout="constrained")
    ax = fig.add_subplot()
    ms = 1000.0
    for i, (lane_bars, lane_waits) in enumerate(zip(pic.bars, pic.waits)):
        for colour, bars in lane_bars.items():
            ax.broken_barh([(s / ms, d / ms) for s, d, _ in bars], (i - 0.3, 0.6), facecolors=colour, linewidth=0)
        if lane_waits:
            ax.broken_barh(
                [(s / ms, d / ms) for s, d, _, _ in lane_waits],
                (i - 0.4, 0.8),
                facecolors=(0.84, 0.15, 0.16, 0.12),
                edgecolors=WAIT,
                hatch="////",
                linewidth=0.4,
            )
    for src, s, dst, d in pic.arrows:
        ax.annotate(
            "",
            xy=(d / ms, dst),
            xytext=(s / ms, src),
            arrowprops={"arrowstyle": "-|>", "color": ARROW, "alpha": 0.55, "lw": 0.6, "shrinkA": 0, "shrinkB": 0},
        )
    ax.set_yticks(range(n), [lane.name for lane in pic.lanes], fontsize=8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, pic.span / ms)
    ax.set_xlabel(f"ms since the trace began; {_arrow_note(pic)}", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.25)
    ax.set_title(_title(pic), fontsize=9)
    handles = [Patch(facecolor=c, label=name) for name, c in pic.colours.items()]
    if any(OTHER in lane_bars for lane_bars in pic.bars):
        handles.append(Patch(facecolor=OTHER, label="other calls"))
    handles.append(Patch(facecolor=(0.84, 0.15, 0.16, 0.12), edgecolor=WAIT, hatch="////", label="waiting"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5), fontsize=8, frameon=False)
    fig.savefig(out)


def write_html(tl: Timeline, out: str) -> None:
    """Write *tl* as a self-contained HTML page: an inline SVG, no script,
    nothing fetched."""
    width, label_w, lane_h = 1400, 200, 22
    pic = lay_out(tl, width)
    n = len(pic.lanes)
    scale = width / pic.span
    height = lane_h * max(n, 1) + 30
    svg: list[str] = [
        f'<svg width="{label_w + width + 10}" height="{height}" role="img" '
        f'aria-label="{html.escape(_title(pic))}">',
        '<defs><pattern id="wait" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#d62728" fill-opacity="0.12"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#d62728" stroke-width="1.5"/></pattern>'
        '<marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#37474f"/></marker></defs>',
    ]
    for i, lane in enumerate(pic.lanes):
        y = i * lane_h
        if i % 2:
            svg.append(f'<rect x="0" y="{y}" width="{label_w + width}" height="{lane_h}" fill="#f5f5f5"/>')
        svg.append(
            f'<text x="{label_w - 8}" y="{y + lane_h * 0.68:.1f}" text-anchor="end" font-size="12">'
            f"{html.escape(lane.name)}</text>"
        )
        for colour, bars in pic.bars[i].items():
            for (s, d, count), name in zip(bars, pic.labels[i][colour]):
                tip = f"{name}: {_duration(d)}" if count == 1 else f"{count:,} calls from {name}, over {_duration(d)}"
                svg.append(
                    f'<rect x="{label_w + s * scale:.2f}" y="{y + 4}" width="{max(d * scale, 0.6):.2f}" '
                    f'height="{lane_h - 8}" fill="{colour}"><title>{html.escape(tip)}</title></rect>'
                )
        for s, d, count, name in pic.waits[i]:
            tip = f"{name}: {_duration(d)}" if count == 1 else f"{count:,} waits from {name}, over {_duration(d)}"
            svg.append(
                f'<rect x="{label_w + s * scale:.2f}" y="{y + 1}" width="{max(d * scale, 0.6):.2f}" '
                f'height="{lane_h - 2}" fill="url(#wait)" stroke="#d62728" stroke-width="0.5">'
                f"<title>{html.escape(tip)}</title></rect>"
            )
    for src, s, dst, d in pic.arrows:
        svg.append(
            f'<line x1="{label_w + s * scale:.2f}" y1="{(src + 0.5) * lane_h:.1f}" '
            f'x2="{label_w + d * scale:.2f}" y2="{(dst + 0.5) * lane_h:.1f}" stroke="#37474f" '
            f'stroke-opacity="0.6" stroke-width="0.8" marker-end="url(#head)"/>'
        )
    axis_y = n * lane_h + 14
    for k in range(11):
        x = label_w + k * width / 10
        svg.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{n * lane_h}" stroke="#000" stroke-opacity="0.08"/>'
            f'<text x="{x:.1f}" y="{axis_y}" text-anchor="middle" font-size="11">'
            f"{pic.span * k / 10 / 1000:.2f} ms</text>"
        )
    svg.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{c}"></i>{html.escape(name)}</span>' for name, c in pic.colours.items()
    )
    if any(OTHER in lane_bars for lane_bars in pic.bars):
        legend += f'<span class="key"><i style="background:{OTHER}"></i>other calls</span>'
    legend += '<span class="key"><i class="wait"></i>waiting</span>'
    rows = "".join(
        f"<tr><td>{html.escape(lane.name)}</td><td>{len(lane.calls):,}</td><td>{lane.busy() / 1000:.2f}</td>"
        f"<td>{len(lane.waits):,}</td><td>{lane.waiting() / 1000:.2f}</td></tr>"
        for lane in tl.lanes
    )
    page = _PAGE.format(
        title=html.escape(_title(pic)),
        note=html.escape(_arrow_note(pic)),
        svg="\n".join(svg),
        legend=legend,
        rows=rows,
    )
    with open(out, "w", encoding="utf-8") as f:
        f.write(page)


def _duration(us: float) -> str:
    return f"{us:.1f} µs" if us < 1000 else f"{us / 1000:.2f} ms"


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em; color: #212121; }}
h1 {{ font-size: 1.1em; }}
.timeline {{ overflow-x: auto; border: 1px solid #ddd; padding: 6px 0; }}
.key {{ display: inline-block; margin: 0.3em 1.2em 0.3em 0; font-size: 0.9em; }}
.key i {{ display: inline-block; width: 1em; height: 0.8em; margin-right: 0.35em; vertical-align: -0.05em; }}
.key i.wait {{ background: repeating-linear-gradient(45deg, #d62728 0 1.5px, #fbe4e4 1.5px 5px); }}
table {{ border-collapse: collapse; margin-top: 1em; font-size: 0.9em; }}
td, th {{ padding: 0.2em 0.8em; border-bottom: 1px solid #eee; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
p.note {{ font-size: 0.85em; color: #555; }}
</style>
</head>
<body>
<h1>{title}</h1>
<div class="timeline">
{svg}
</div>
<p class="note">Each bar is a call executed on that lane's processor (hover for its name and
duration; calls closer together than a pixel are drawn as one bar); hatched spans are waits
of the client on that lane; {note}. For every event, open the trace file in the Perfetto UI
or in Chrome's tracing page.</p>
<div>{legend}</div>
<table>
<tr><th>lane</th><th>calls</th><th>busy ms</th><th>waits</th><th>waiting ms</th></tr>
{rows}
</table>
</body>
</html>
"""
