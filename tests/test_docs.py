"""Every code example in the docs runs: each ```python block of docs/*.md and README.md, and
every ``>>>`` example in the docstrings of the public names (the API reference shows them).

A block runs as the ``__main__`` module of a fresh Python process, as a user's script would
(``Separate`` classes, ``kind = "process"`` workers and the exit-time drain all need a real main
module). The script is padded with blank lines so that its line numbers are the Markdown file's:
a traceback's ``line 57`` is line 57 of the page.

What a page may put on the line just before a block (an HTML comment, invisible on the site and
on GitHub):

- ``<!-- continued -->``: the block runs after the page's previous block, in the same process
  (a tutorial builds one program step by step; each step's item runs every step up to it).
- ``<!-- excerpt: examples/NAME.py -->``: the block quotes an example, which test_examples.py
  runs; here its code lines (comments, blank lines and ``...`` aside) must appear in that file,
  in order, so the quote cannot drift from the code that is tested.
- ``<!-- no-test: REASON -->``: not run, for a reason that the comment gives. Use sparingly.
- ``<!-- needs: MODULE -->``: runs only where MODULE is installed (``ray``: the Ray kind's
  examples, which start a local Ray cluster), marked ``-m MODULE``; skipped, saying why, where
  it is not.
"""

from __future__ import annotations

import dataclasses
import doctest
import os
import re

import pytest

import scoop
from support import ROOT_DIR, describe, run_python

PAGES = sorted(
    [os.path.join("docs", f) for f in os.listdir(os.path.join(ROOT_DIR, "docs")) if f.endswith(".md")]
) + ["README.md"]

FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`\n]*)$")
MARKER = re.compile(r"^\s*<!--\s*(?P<kind>continued|excerpt|no-test|needs)\s*(?::\s*(?P<arg>.*?))?\s*-->\s*$")


@dataclasses.dataclass
class Block:
    page: str  # relative to the repository, e.g. "docs/tutorial.md"
    line: int  # 1-based line of the block's first code line
    code: str
    marker: str | None  # "continued", "excerpt", "no-test" or None
    arg: str | None  # the excerpt's file, or the no-test reason
    previous: Block | None  # the block it continues

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def python_blocks(page: str) -> list[Block]:
    """The ```python blocks of *page*, with the marker comment before each."""
    with open(os.path.join(ROOT_DIR, page), encoding="utf-8") as f:
        lines = f.read().splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        indent, info = len(fence["indent"]), fence["info"].strip()
        end = i + 1
        while end < len(lines) and not re.match(r"^ *```\s*$", lines[end]):
            end += 1
        if end == len(lines):
            raise AssertionError(f"{page}:{i + 1}: a code block that is never closed")
        if info.split()[:1] == ["python"]:
            marker = MARKER.match(lines[i - 1]) if i > 0 else None
            kind, arg = (marker["kind"], marker["arg"]) if marker else (None, None)
            code = "\n".join(line[indent:] for line in lines[i + 1 : end])
            previous = blocks[-1] if kind == "continued" and blocks else None
            if kind == "continued" and (previous is None or previous.marker not in (None, "continued", "needs")):
                raise AssertionError(f"{page}:{i + 1}: <!-- continued --> needs a runnable block before it")
            blocks.append(Block(page, i + 2, code, kind, arg, previous))
        i = end + 1
    return blocks


BLOCKS = [block for page in PAGES for block in python_blocks(page)]


def script_for(block: Block) -> str:
    """The block and every block it continues, each at its own line of the page."""
    chain = []
    b: Block | None = block
    while b is not None:
        chain.append(b)
        b = b.previous
    out: list[str] = []
    for b in reversed(chain):
        out.extend([""] * (b.line - 1 - len(out)))
        out.extend(b.code.splitlines())
    return "\n".join(out) + "\n"


def code_lines(text: str) -> list[str]:
    """The lines of *text* that are code: no comments, blank lines or ``...`` placeholders."""
    result = []
    for line in text.splitlines():
        line = re.sub(r"(^|\s+)#.*$", "", line).strip()
        if line and line != "...":
            result.append(line)
    return result


#: How long a block that needs a module (Ray: it starts a cluster) may run.
NEEDS_TIMEOUT = 300.0


def _needs(block: Block) -> str | None:
    """The module a block (or the block it continues) needs, if any."""
    b: Block | None = block
    while b is not None:
        if b.marker == "needs":
            return b.arg
        b = b.previous
    return None


@pytest.mark.parametrize(
    "block",
    # (A block that starts a Ray cluster may take minutes on a busy machine.)
    [pytest.param(b, marks=[getattr(pytest.mark, _needs(b) or ""), pytest.mark.timeout(NEEDS_TIMEOUT + 60)])
     if _needs(b) else b for b in BLOCKS],
    ids=[b.where for b in BLOCKS],
)
def test_docs_example_runs(block: Block, tmp_path) -> None:
    needed = _needs(block)
    if needed:
        pytest.importorskip(needed, reason=f"{block.where} needs {needed}: pip install 'pyscoop[{needed}]'")
    if block.marker == "no-test":
        assert block.arg, f"{block.where}: <!-- no-test --> must say why: <!-- no-test: REASON -->"
        pytest.skip(f"{block.where}: {block.arg}")
    if block.marker == "excerpt":
        source = os.path.join(ROOT_DIR, block.arg or "")
        assert block.arg and os.path.isfile(source), (
            f"{block.where}: <!-- excerpt: FILE --> names no file of the repository: {block.arg!r}"
        )
        with open(source, encoding="utf-8") as f:
            remaining = iter(code_lines(f.read()))
        for line in code_lines(block.code):
            # ``in`` on an iterator consumes it: each line must come after the one before.
            assert line in remaining, (
                f"{block.where}: the excerpt's line {line!r} is not in {block.arg}, or not in "
                "this order; quote the example as it is"
            )
        return
    # Named after the page, as a valid module name (pytest, pickling and worker processes
    # import it): a traceback reads "tutorial_md.py", line 57, the page's own line 57.
    script = tmp_path / (os.path.basename(block.page).replace(".", "_") + ".py")
    script.write_text(script_for(block), encoding="utf-8")
    result = run_python([str(script)], cwd=str(tmp_path), **({"timeout": NEEDS_TIMEOUT} if needed else {}))
    assert result.returncode == 0, (
        f"the example at {block.where} failed (line numbers below are {block.page}'s)\n"
        + describe(result)
    )


def test_markers_are_known() -> None:
    """A misspelt marker would silently run (or not run) a block: every ``<!-- ... -->`` just
    before a ```python fence must be one of the four."""
    for page in PAGES:
        with open(os.path.join(ROOT_DIR, page), encoding="utf-8") as f:
            lines = f.read().splitlines()
        for i, line in enumerate(lines[1:], start=1):
            if FENCE.match(line) and lines[i - 1].lstrip().startswith("<!--"):
                assert MARKER.match(lines[i - 1]), (
                    f"{page}:{i}: unknown marker {lines[i - 1].strip()!r}; use "
                    "<!-- continued -->, <!-- excerpt: FILE -->, <!-- no-test: REASON --> or "
                    "<!-- needs: MODULE -->"
                )


def test_pages_have_examples_that_run() -> None:
    """The harness finds the blocks: a change to the fence syntax must not empty this suite."""
    run = [b for b in BLOCKS if b.marker in (None, "continued", "needs")]
    assert len(run) >= 20, [b.where for b in BLOCKS]
    assert {b.page for b in run} >= {"README.md", "docs/tutorial.md", "docs/model.md"}


def test_api_reference_covers_exactly_the_public_names() -> None:
    """docs/reference.md documents each name of ``scoop.__all__`` (``::: scoop.NAME``), and
    nothing private under a public heading."""
    with open(os.path.join(ROOT_DIR, "docs", "reference.md"), encoding="utf-8") as f:
        text = f.read()
    documented = set(re.findall(r"^::: scoop\.(\w+)\s*$", text, re.MULTILINE))
    assert documented == set(scoop.__all__), (
        f"docs/reference.md: missing {sorted(set(scoop.__all__) - documented)}, "
        f"not public {sorted(documented - set(scoop.__all__))}"
    )


DOCTEST_SCRIPT = """
import doctest, sys
import scoop

# The public names' docstrings, as the API reference shows them; Separate.on lives on the
# metaclass, where the finder does not look.
objects = [("scoop", scoop)] + [(f"scoop.{n}", getattr(scoop, n)) for n in scoop.__all__]
objects.append(("scoop.Separate.on", type(scoop.Separate).on))
finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner()
wanted = sys.argv[1]
for name, obj in objects:
    for test in finder.find(obj, name=name, globs={}):
        if test.name == wanted:
            runner.run(test)
            print("attempted", len(test.examples))
            sys.exit(1 if runner.failures else 0)
sys.exit(f"no docstring examples found for {wanted!r}")
"""


def doctest_names() -> list[str]:
    finder = doctest.DocTestFinder()
    names = []
    objects = [("scoop", scoop)] + [(f"scoop.{n}", getattr(scoop, n)) for n in scoop.__all__]
    objects.append(("scoop.Separate.on", type(scoop.Separate).on))
    for name, obj in objects:
        for test in finder.find(obj, name=name, globs={}):
            if test.examples and test.name not in names:
                names.append(test.name)
    return names


@pytest.mark.parametrize("name", doctest_names())
def test_docstring_examples_run(name: str, tmp_path) -> None:
    # In a fresh process: a docstring's objects must not meet another test's runtime.
    script = tmp_path / "doctests.py"
    script.write_text(DOCTEST_SCRIPT, encoding="utf-8")
    result = run_python([str(script), name], cwd=str(tmp_path))
    assert result.returncode == 0, f"the docstring examples of {name} failed\n" + describe(result)
