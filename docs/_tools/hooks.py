"""mkdocs hook: links from the docs to files of the repository outside ``docs/``.

The pages link to ``../examples/bank.py`` and the like, relative links that work on GitHub and
in a clone. In the site those files would be missing, so this hook copies every file that a
page links to into the site under ``_repo/`` (Markdown files become pages, whose own links are
followed too) and rewrites the links to point there. A link to a file that does not exist is
left alone, so ``mkdocs build --strict`` reports it.
"""

from __future__ import annotations

import os
import posixpath
import re

from mkdocs.structure.files import File, Files

LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s#]+)(#[^)\s]*)?(\))")
REPO_PREFIX = "_repo/"


def _repo_root(config) -> str:
    return os.path.dirname(os.path.abspath(config["config_file_path"]))


def _repo_path(src_uri: str) -> str:
    """Where a site file comes from, relative to the repository root."""
    if src_uri.startswith(REPO_PREFIX):
        return src_uri[len(REPO_PREFIX) :]
    return "docs/" + src_uri


def _site_uri(repo_path: str) -> str:
    if repo_path.startswith("docs/"):
        return repo_path[len("docs/") :]
    return REPO_PREFIX + repo_path


def _targets(text: str, repo_path: str):
    """(link match, target's repository path) for each relative link of a page."""
    for match in LINK.finditer(text):
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            continue  # absolute: not ours to check
        yield match, posixpath.normpath(posixpath.join(posixpath.dirname(repo_path), target))


def on_files(files: Files, config) -> Files:
    root = _repo_root(config)
    pending = [f for f in files if f.src_uri.endswith(".md")]
    while pending:
        page = pending.pop()
        with open(page.abs_src_path, encoding="utf-8") as f:
            text = f.read()
        for _, target in _targets(text, _repo_path(page.src_uri)):
            if target.startswith(("docs/", "../")) or target == "docs":
                continue
            source = os.path.join(root, target)
            uri = _site_uri(target)
            if not os.path.isfile(source) or files.get_file_from_path(uri) is not None:
                continue
            new = File.generated(config, uri, abs_src_path=source)
            files.append(new)
            if uri.endswith(".md"):
                pending.append(new)
    return files


def on_page_markdown(markdown: str, page, config, files: Files) -> str:
    here = _repo_path(page.file.src_uri)
    site_dir = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match, target: str) -> str:
        uri = _site_uri(target)
        if files.get_file_from_path(uri) is None:
            return match.group(0)  # missing: mkdocs reports the original link
        link = posixpath.relpath(uri, site_dir or ".")
        return f"{match.group(1)}{link}{match.group(3) or ''}{match.group(4)}"

    out, last = [], 0
    for match, target in _targets(markdown, here):
        out.append(markdown[last : match.start()])
        out.append(rewrite(match, target))
        last = match.end()
    out.append(markdown[last:])
    return "".join(out)
