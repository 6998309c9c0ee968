"""MkDocs hooks of the documentation site (``hooks`` in mkdocs.yml).

* **The public names.** ``docs/api/index.md`` holds the marker
  ``<!-- iomodel:public-names -->``; the hook replaces it with a table of every
  name in ``iomodel.__all__`` (classes, functions, modules, constants), each
  linked to the page that documents it where it is defined, with the first
  paragraph of its docstring. The table is read from the source at every
  build, so it cannot fall behind the package.
* **Links to repository files.** A page may link a file of the repository
  outside ``docs/`` (``[script](../examples/uncertainty.py)``): the link works
  on GitHub but the site does not contain the file, so MkDocs would report it
  as not found. The hook writes such a link as the file's repository path in
  code font (keeping a link text that already names it). A link to a path that
  exists nowhere in the repository is left alone, so that MkDocs still reports
  it.
* **Display maths.** GitHub shows ``$$ ... $$`` at the start of a line as
  display maths wherever it stands; pymdownx.arithmatex only when it is a
  paragraph of its own, at the margin or in a list item's four spaces. The
  hook sets such blocks apart with blank lines (the formula sheet writes its
  formulas one under the other or right under a sentence) and moves one
  indented by two spaces to the margin.
"""

from __future__ import annotations

import html
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- iomodel:public-names -->"
_HERE = Path(__file__).resolve().parent

# [text](target) or [text](target "title"); images (![...]) are left alone
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_DISPLAY_LINE = re.compile(r"^\s*\$\$.+\$\$\s*$")


def _rst_markup() -> Any:
    """The Griffe extension module beside this file (loaded by path, as mkdocstrings loads it)."""
    name = "rst_markup"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _HERE / "rst_markup.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# --------------------------------------------------------------------------- links to repository files
def _outside_links(markdown: str, page_dir: Path, docs_dir: Path) -> str:
    """Links from a page to repository files outside the docs folder, as their paths in code font."""

    def repl(match: re.Match[str]) -> str:
        target = match["target"]
        if "://" in target or target.startswith(("#", "/", "mailto:")):
            return match.group(0)
        path_part = target.split("#", 1)[0]
        resolved = (page_dir / path_part).resolve()
        try:
            resolved.relative_to(docs_dir)
            return match.group(0)  # inside the site: MkDocs checks it
        except ValueError:
            pass
        try:
            rel = resolved.relative_to(ROOT).as_posix()
        except ValueError:
            return match.group(0)
        if not resolved.exists():
            return match.group(0)  # broken: let MkDocs report it
        text = match["text"]
        return text if rel in text else f"`{rel}`"

    return "".join(_LINK.sub(repl, line) if prose else line for line, prose in _lines(markdown))


def _lines(markdown: str) -> list[tuple[str, bool]]:
    """The lines of a page (with their ends), each with whether it is outside a fenced block."""
    out: list[tuple[str, bool]] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m["fence"][0] * len(m["fence"])
            out.append((line, False))
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append((line, False))
        else:
            out.append((line, True))
    return out


def _display_maths(markdown: str) -> str:
    """Display maths outside fenced blocks set apart by blank lines, as arithmatex needs.

    A block runs from ``$$`` at the start of a line to ``$$`` at the end of one; one indented by less than a
    list item's four spaces moves to the margin.
    """
    lines = _lines(markdown)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line, prose = lines[i]
        stripped = line.strip()
        if not (prose and stripped.startswith("$$")):
            out.append(line)
            i += 1
            continue
        j = i  # the line that closes the block
        if stripped == "$$" or not stripped.endswith("$$"):
            j = i + 1
            while j < len(lines) and lines[j][1] and not lines[j][0].rstrip().endswith("$$"):
                j += 1
            if j == len(lines) or not lines[j][1]:  # never closed: not maths for arithmatex either
                out.append(line)
                i += 1
                continue
        block = [text for text, _ in lines[i : j + 1]]
        indent = len(line) - len(line.lstrip(" "))
        if 0 < indent < 4:
            block = [text[indent:] if text[:indent].isspace() else text for text in block]
        if out and out[-1].strip():
            out.append("\n")
        out += block
        if not out[-1].endswith("\n"):
            out[-1] += "\n"
        if j + 1 < len(lines) and lines[j + 1][0].strip():
            out.append("\n")
        i = j + 1
    return "".join(out)


# --------------------------------------------------------------------------- the public names
def _first_paragraph(doc: str) -> str:
    para = doc.strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in para.splitlines()).replace("|", "\\|")


def _autoref(identifier: str, title: str) -> str:
    """An optional autorefs link: to the object's documentation where a page renders it, else its name."""
    return f'<autoref identifier="{html.escape(identifier)}" optional><code>{html.escape(title)}</code></autoref>'


def public_names_table() -> str:
    """Markdown tables of the names of ``iomodel.__all__``, by kind, linked to their documentation."""
    import griffe

    roles = _rst_markup()
    pkg = griffe.load(
        "iomodel",
        search_paths=[str(ROOT)],
        docstring_parser="numpy",
        extensions=griffe.load_extensions(roles.RstMarkup),
    )
    groups: dict[str, list[str]] = {"Classes": [], "Functions": [], "Modules": [], "Constants": []}
    for name in pkg.exports or []:
        member: Any = pkg.members[str(name)]
        target: Any = member.final_target if member.is_alias else member
        kind = {"class": "Classes", "function": "Functions", "module": "Modules"}.get(target.kind.value, "Constants")
        where = target.path if kind == "Modules" else target.parent.path
        doc = _first_paragraph(target.docstring.value) if target.docstring else ""
        groups[kind].append(f"| {_autoref(target.path, str(name))} | {_autoref(where, where)} | {doc} |")
    out: list[str] = ['<div class="iomodel-names" markdown>', ""]
    for kind, rows in groups.items():
        if rows:
            out += [f"## {kind}", "", "| name | documented in | summary |", "|---|---|---|", *rows, ""]
    out += ["</div>", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- the hook
def on_page_markdown(markdown: str, page: Any, config: Any, files: Any, **kwargs: Any) -> str:
    """Fill the public-names marker, write links to repository files as their paths, set display maths apart."""
    docs_dir = Path(config["docs_dir"]).resolve()
    page_dir = (docs_dir / page.file.src_uri).parent
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, public_names_table())
    return _display_maths(_outside_links(markdown, page_dir, docs_dir))
