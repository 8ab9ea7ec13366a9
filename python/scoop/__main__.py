"""``python -m scoop COMMAND``: pyscoop's command-line tools.

Each command is a function ``run_<name>(args) -> exit status`` and an entry
in :func:`build_parser`; a new tool adds both.

- ``python -m scoop placement``: show the placement that a program started in
  this directory gets, and check it without running the program (exit
  status 1 when it is wrong: usable in CI).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from . import _placement


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
