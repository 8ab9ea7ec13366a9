"""``python -m scoop COMMAND``: pyscoop's command-line tools.

Each command is a function ``run_<name>(args) -> exit status`` and an entry
in :func:`build_parser`; a new tool adds both.

- ``python -m scoop placement``: show the placement that a program started in
  this directory gets, and check it without running the program (exit
  status 1 when it is wrong: usable in CI).
- ``python -m scoop trace run.json [-o run.png | -o run.html]``: the timeline
  of a trace that ``scoop.trace`` or ``SCOOP_TRACE`` recorded, in words, as a
  picture or as a page that opens offline.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from . import _placement, _timeline


def run_placement(args: argparse.Namespace) -> int:
    """Show and check the placement file (SPEC §7)."""
    try:
        found = _placement.read_file(args.file) if args.file else _placement.find_file()
    except (OSError, TypeError, ValueError, NotImplementedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if found is None:
        if args.file:
            print(f"error: {args.file} has no [tool.scoop] table", file=sys.stderr)
            return 1
        print(
            "no placement file: none of this directory and those above it has a scoop.toml or a "
            "pyproject.toml with a [tool.scoop] table; every class gets the default placement"
        )
        return 0
    print(f"placement file: {found.origin('placement')}")
    # Shown as the file's own lines: "myapp.models.Fork" = { processor = "forks" }
    width = max((len(json.dumps(k)) for k in found.placement), default=0)
    errors = []
    for key, placement in found.placement.items():
        note = ""
        try:
            if _placement.check_class(key, import_modules=not args.no_import) is None:
                note = "  (a class of the program's main script: not checked)"
        except _placement.Deferred as deferred:
            note = f"  (module {deferred.module!r} not imported: not checked)"
        except LookupError as exc:
            errors.append(f"{found.origin('placement')}, key {key!r}: {exc}")
            note = "  (error)"
        print(f"  {json.dumps(key):<{width}} = {{ {placement.describe()} }}{note}")
    if not found.placement:
        print("  (empty)")
    print("every other class: the default placement (a new processor per object)")
    if found.ray:
        print(f"ray.init arguments: {found.origin('ray')}")
        for name, value in found.ray.items():
            print(f"  {name} = {json.dumps(value, default=str)}")
    print("scoop.configure(placement=...) in the program wins over this file for the classes it names")
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


def run_trace(args: argparse.Namespace) -> int:
    """Summarise or draw a trace file (SPEC §10)."""
    try:
        timeline = _timeline.load(args.file)
    except (OSError, _timeline.TraceFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.output is None:
        print(_timeline.summary(timeline))
        return 0
    try:
        if args.output.lower().endswith((".html", ".htm")):
            _timeline.write_html(timeline, args.output)
        else:
            _timeline.draw(timeline, args.output)
    except (OSError, ValueError, _timeline.MissingMatplotlib) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.output}: {timeline.describe()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scoop", description="pyscoop's tools.")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    placement = commands.add_parser(
        "placement",
        help="show and check the placement file",
        description=(
            "Show the placement a program started here gets: the file found from the working "
            "directory upward (scoop.toml, or pyproject.toml's [tool.scoop]), each class and its "
            "placement, and check it without running the program: each key must name a "
            "scoop.Separate class (the modules it names are imported to see). "
            "Exit status 1 when the file is wrong."
        ),
    )
    placement.add_argument("--file", metavar="PATH", help="check this file instead of looking for one")
    placement.add_argument(
        "--no-import",
        action="store_true",
        help="do not import the modules the keys name (checks what the program's start-up checks)",
    )
    placement.set_defaults(run=run_placement)

    trace = commands.add_parser(
        "trace",
        help="summarise or draw a trace (scoop.trace, SCOOP_TRACE)",
        description=(
            "Show a trace that `with scoop.trace(FILE):` or SCOOP_TRACE=FILE recorded: without -o, "
            "each lane's calls, busy time and waits; with -o, the timeline (a lane per client "
            "thread and per processor, calls as bars, waits hatched, arrows for the busiest flows) "
            "as a picture (.png, .svg, .pdf: needs matplotlib, pip install 'pyscoop[trace]') or as a "
            "self-contained page that opens offline (.html). The file itself opens in the Perfetto "
            "UI and in Chrome's tracing page."
        ),
    )
    trace.add_argument("file", metavar="FILE", help="the trace file (JSON)")
    trace.add_argument("-o", "--output", metavar="OUT", help="write the timeline here: .png (or .svg, .pdf) or .html")
    trace.set_defaults(run=run_trace)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):  # no command: say which there are
        parser.print_help(sys.stderr)
        return 2
    return args.run(args)  # type: ignore[no-any-return]


if __name__ == "__main__":
    sys.exit(main())
