"""Griffe extension: render the docstrings' Python conventions as Markdown.

The docstrings are written for ``help()`` and doctest: ``>>>`` examples, reST literal blocks
(``::``) and roles such as :func:`scoop.processor`. mkdocstrings renders docstrings as
Markdown, so this turns examples and literal blocks into fenced code and roles into
cross-references, at build time only; the docstrings themselves stay as they are.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

ROLE = re.compile(r":(?:func|class|meth|mod|exc|attr|data):`~?([\w.]+)`")


def _role(match: re.Match) -> str:
    target = match.group(1)
    if target.startswith("scoop.") and not target.startswith("scoop._"):
        return f"[`{target}`][{target}]"
    return f"`{target}`"


def to_markdown(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">>>"):
            # A doctest: its prompts and their expected output, up to a blank line.
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out += ["```pycon", *block, "```"]
            continue
        if line.rstrip().endswith("::") and i + 1 < len(lines) and not lines[i + 1].strip():
            # A reST literal block: "text::", a blank line, then indented code.
            out.append(ROLE.sub(_role, line.rstrip()[:-1]))
            j = i + 1
            block = []
            while j < len(lines) and (not lines[j].strip() or lines[j].startswith((" ", "\t"))):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["", "```python", *textwrap.dedent("\n".join(block)).splitlines(), "```", ""]
            i = j
            continue
        out.append(ROLE.sub(_role, line))
        i += 1
    return "\n".join(out)


class DocstringsToMarkdown(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_markdown(obj.docstring.value)
