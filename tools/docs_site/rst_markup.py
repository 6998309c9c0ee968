r"""A Griffe extension: the reStructuredText markup of iomodel's docstrings, as Markdown for mkdocstrings.

iomodel's docstrings are numpy-style reStructuredText: they cite each other
with Sphinx roles (``:func:`multipliers```, ``:class:`~iomodel.errors.LabelError```,
``:meth:`SAM.balance```), write formulas as ``:math:`x = Lf``` and
``.. math::`` blocks, and use RST's simple tables and definition lists.
mkdocstrings renders docstrings as Markdown, where none of this means anything.
This extension rewrites each docstring of the package once the package is
loaded, before mkdocstrings parses it:

* a constant or attribute documented by ``#:`` comments above its assignment
  (or one after it, on the same line), as Sphinx's autodoc reads them, gets
  them as its docstring, so that the reference shows it;

* a role becomes an optional autorefs cross-reference to the object's
  canonical path (``<autoref identifier="iomodel.analysis.multipliers" optional>``):
  a link where the API reference renders that object, the name in code font
  where it does not (a private helper, ``xarray.Dataset``), never a warning.
  The name is resolved as Sphinx's Python domain does: as written when it is a
  full path, else in the scope of the documented object (its members, then its
  class's and module's, imported names included), else by a name the package
  defines only once;
* ``:math:`...``` becomes inline maths ``\(...\)`` and a ``.. math::`` block a
  ``$$`` display block (in an ``aligned`` environment when it breaks lines with
  ``\\`` or aligns with ``&``, as Sphinx's ``split`` does); pymdownx.arithmatex
  hands both to KaTeX;
* a simple table (columns under ``=====  =====`` rules) becomes a pipe table;
* a definition list (a term line, its definition indented below it) becomes a
  Markdown definition list (``def_list``), outside the sections that numpydoc
  parses itself (Parameters, Returns, Raises, ...);
* a doctest block outside an Examples section (which Griffe reads itself)
  becomes a ``pycon`` code block;
* a list item's further paragraphs, formulas and nested lists, indented to
  the item's text as reStructuredText wants (two spaces after ``*``), are
  indented four spaces as Markdown wants;
* a mention of a documentation page (``docs/fiscal.md``) outside code becomes
  a link to that page (a docs-root link, ``/fiscal.md``, which MkDocs checks
  and makes relative: ``validation.links.absolute_links: relative_to_docs``);
* a placeholder in angle brackets outside code (``za <year> god``) is text in
  reStructuredText but a tag to Markdown, which would swallow it: its ``<`` is
  escaped.

Configured in ``mkdocs.yml`` under the Python handler's ``extensions``.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import griffe

__all__ = ["RstMarkup", "convert"]

Resolver = Callable[[str], "str | None"]

_ROLE = re.compile(r":(?:py:)?(?P<role>func|class|meth|attr|mod|data|exc|obj|const|type):`(?P<target>[^`]+)`")
_MATH_ROLE = re.compile(r":math:`(?P<tex>[^`]+)`")
_EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$")
_CALLABLE_ROLES = {"func", "meth"}
_TABLE_RULE = re.compile(r"^\s*=+(?:\s+=+)+\s*$")
_DASHES = re.compile(r"^\s*-{3,}\s*$")
_NOT_A_TERM = re.compile(r"^(?:[*+-]\s|\d+[.)]\s|#\.\s|>>>|\.\.\s|\$\$|\||=+\s|:\w+:)")
_DOCTEST_FLAGS = re.compile(r"\s*#\s*doctest:.*$")
_DOCS = Path(__file__).resolve().parents[2] / "docs"
_DOCS_PAGE = re.compile(r"(?<![\w/.-])docs/(?P<page>[\w-]+)\.md(?P<anchor>#[\w-]+)?")
_ITEM = re.compile(r"^(?P<indent> *)(?P<marker>[*+-]|\d+[.)]|#\.) +(?=\S)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+\1")
_PLACEHOLDER = re.compile(r"<(?=[A-Za-z_])(?!https?:|mailto:)")
# numpydoc sections that Griffe parses into structured items: their "name : type" lines are no definition lists
_STRUCTURED = {
    "parameters",
    "other parameters",
    "type parameters",
    "returns",
    "yields",
    "receives",
    "raises",
    "warns",
    "attributes",
    "functions",
    "methods",
    "classes",
    "type aliases",
    "modules",
}


class RstMarkup(griffe.Extension):
    """Rewrite the docstrings of a loaded package from reStructuredText to Markdown (see the module)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Convert every docstring of ``pkg`` once the whole package is loaded, so that every name resolves."""
        objects = list(_walk(pkg))
        by_name: dict[str, list[str]] = defaultdict(list)
        for obj in objects:
            by_name[obj.name].append(obj.path)
            if obj.is_attribute and obj.docstring is None:
                obj.docstring = _doc_comment(obj)
        for obj in objects:
            if obj.docstring is not None:
                obj.docstring.value = convert(obj.docstring.value, _Resolver(obj, pkg, by_name))


def _walk(obj: griffe.Object) -> Iterator[griffe.Object]:
    """The object and every object defined inside it (aliases, i.e. imported names, left out)."""
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)  # type: ignore[arg-type]


def _doc_comment(obj: griffe.Object) -> griffe.Docstring | None:
    """The ``#:`` comments documenting an attribute's assignment, as its docstring (None without)."""
    if obj.lineno is None or obj.filepath is None:
        return None
    try:
        lines = obj.lines_collection[obj.filepath]  # type: ignore[index]
    except KeyError:
        return None
    first = obj.lineno - 1
    above: list[str] = []
    i = first - 1
    while i >= 0 and lines[i].lstrip().startswith("#:"):
        above.insert(0, lines[i].lstrip()[2:].removeprefix(" "))
        i -= 1
    if not above and first < len(lines) and (m := re.search(r"#:\s?(.*)$", lines[first])):
        above = [m.group(1)]
    if not any(line.strip() for line in above):
        return None
    return griffe.Docstring("\n".join(above).strip("\n"), lineno=i + 2, endlineno=first, parent=obj)


class _Resolver:
    """Canonical paths of the names a docstring of ``obj`` mentions."""

    def __init__(self, obj: griffe.Object, pkg: griffe.Module, by_name: dict[str, list[str]]) -> None:
        self.obj = obj
        self.pkg = pkg
        self.by_name = by_name

    def lookup(self, path: str) -> str | None:
        """The canonical path of ``path`` if it names an object of the package."""
        if path != self.pkg.name and not path.startswith(self.pkg.name + "."):
            return None
        node: Any = self.pkg
        try:
            for part in path.split(".")[1:]:
                node = node.members[part]
                if node.is_alias:
                    node = node.final_target
        except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
            return None
        return str(node.path)

    def __call__(self, name: str) -> str | None:
        """The canonical path of ``name`` as written in a docstring of ``self.obj``, or None."""
        if found := self.lookup(name):
            return found
        first, _, rest = name.partition(".")
        scope: griffe.Object | None = self.obj
        while scope is not None:
            member = scope.members.get(first)
            if member is not None:
                try:
                    base = member.final_target.path if member.is_alias else member.path  # type: ignore[union-attr]
                except (griffe.AliasResolutionError, griffe.CyclicAliasError):
                    base = member.target_path  # type: ignore[union-attr]
                return self.lookup(f"{base}.{rest}" if rest else base)
            if scope.name == first and scope.parent is not None:  # a class named inside its own docstrings
                return self.lookup(f"{scope.path}.{rest}" if rest else scope.path)
            scope = scope.parent
        # a name the package defines once (e.g. "Program" in a module that does not import it)
        candidates = [p for p in self.by_name.get(name.rpartition(".")[2], []) if p.endswith("." + name)]
        return candidates[0] if len(candidates) == 1 else None


# --------------------------------------------------------------------------- roles and inline maths
def _role(match: re.Match[str], resolve: Resolver) -> str:
    role, target = match["role"], match["target"].strip()
    title: str | None = None
    if explicit := _EXPLICIT_TITLE.match(target):
        title, target = explicit["title"], explicit["target"].strip()
    no_link = target.startswith("!")
    short = target.lstrip("!").startswith("~")
    target = target.lstrip("!~").removesuffix("()")
    if title is None:
        title = target.rpartition(".")[2] if short else target
        if role in _CALLABLE_ROLES:
            title += "()"
    code = f"<code>{html.escape(title)}</code>"
    path = None if no_link else resolve(target)
    if path is None:
        return code
    return f'<autoref identifier="{html.escape(path)}" optional>{code}</autoref>'


# --------------------------------------------------------------------------- blocks
def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _blank_before(out: list[str]) -> None:
    if out and out[-1].strip():
        out.append("")


def _math_block(lines: list[str], i: int, out: list[str]) -> int:
    """The ``.. math::`` directive at ``lines[i]`` as a ``$$`` block; the index after it."""
    indent = _indent(lines[i])
    body: list[str] = []
    i += 1
    while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > indent):
        body.append(lines[i])
        i += 1
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    cut = min((_indent(b) for b in body if b.strip()), default=0)
    tex = [b[cut:] for b in body]
    joined = "\n".join(tex)
    if ("\\\\" in joined or "&" in joined) and "\\begin{" not in joined:
        tex = ["\\begin{aligned}", *tex, "\\end{aligned}"]
    pad = " " * indent
    _blank_before(out)
    out += [pad + "$$", *(pad + t if t else "" for t in tex), pad + "$$"]
    if i < len(lines) and lines[i].strip():
        out.append("")
    return i


def _table(lines: list[str], i: int, out: list[str]) -> int:
    """The RST simple table starting with the rule at ``lines[i]`` as a pipe table; the index after it."""
    rule = lines[i]
    indent = _indent(rule)
    starts = [m.start() for m in re.finditer(r"=+", rule)]
    rows: list[list[str]] = []
    rules = 1
    header: list[str] | None = None
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if _TABLE_RULE.match(line):
            rules += 1
            j += 1
            if rules == 2 and j < len(lines) and lines[j].strip() and not _TABLE_RULE.match(lines[j]):
                # a rule after the header: the header is what came so far
                header, rows = [" ".join(c) for c in zip(*rows, strict=True)] if rows else None, []
                continue
            if rules >= 2:
                break
            continue
        if not line.strip():
            j += 1
            continue
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], len(line) + 1], strict=True)]
        if rows and not cells[0]:
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells, strict=True)]
        else:
            rows.append(cells)
        j += 1
    if header is None:
        header = [""] * len(starts)

    def row(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    pad = " " * indent
    _blank_before(out)
    out += [pad + row(header), pad + "|" + "---|" * len(starts), *(pad + row(r) for r in rows)]
    if j < len(lines) and lines[j].strip():
        out.append("")
    return j


def _doctest(lines: list[str], i: int, out: list[str]) -> int:
    """A doctest block (prompts and output, up to a blank line) as a ``pycon`` block; the index after it."""
    pad = " " * _indent(lines[i])
    _blank_before(out)
    out.append(pad + "```pycon")
    while i < len(lines) and lines[i].strip():
        out.append(_DOCTEST_FLAGS.sub("", lines[i]))
        i += 1
    out.append(pad + "```")
    return i


def _definition(lines: list[str], i: int, out: list[str]) -> int:
    """The definition list item whose term is ``lines[i]``, in Markdown; the index after it."""
    indent = _indent(lines[i])
    if out and out[-1].strip() and not _DASHES.match(out[-1]):
        out.append("")
    out.append(lines[i])
    body: list[str] = []
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > indent):
        body.append(lines[j])
        j += 1
    while body and not body[-1].strip():
        body.pop()
    cut = min(_indent(b) for b in body if b.strip())
    pad = " " * indent
    for k, b in enumerate(body):
        text = b[cut:] if b.strip() else ""
        out.append(pad + (":   " if k == 0 else "    ") + text if text else "")
    return j


def _is_term(lines: list[str], i: int, section: str) -> bool:
    line = lines[i]
    if section in _STRUCTURED or section == "examples" or not line.strip() or _NOT_A_TERM.match(line.lstrip()):
        return False
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    if not nxt.strip() or _indent(nxt) <= _indent(line) or _DASHES.match(nxt):
        return False
    prev = lines[i - 1] if i > 0 else ""
    return not prev.strip() or bool(_DASHES.match(prev)) or _indent(prev) > _indent(line)


def _blocks(text: str) -> str:
    """Math directives, simple tables, definition lists and stray doctests, as Markdown."""
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if i + 1 < len(lines) and stripped and _DASHES.match(lines[i + 1]) and len(lines[i + 1].strip()) >= 3:
            section = stripped.lower()
            out += [line, lines[i + 1]]
            i += 2
        elif stripped == ".. math::":
            i = _math_block(lines, i, out)
        elif _TABLE_RULE.match(line):
            i = _table(lines, i, out)
        elif stripped.startswith(">>>") and section != "examples":
            i = _doctest(lines, i, out)
        elif _is_term(lines, i, section):
            i = _definition(lines, i, out)
        else:
            out.append(line)
            i += 1
    return "\n".join(out)


def _lists(lines: list[str]) -> list[str]:
    """List items whose body is indented to the item's text, re-indented to four spaces (recursively)."""
    out: list[str] = []
    i = 0
    start = True  # at the start of a block: a list item may begin here
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(("```", ">>>")):  # code: copied as it is, to its fence or a blank line
            fence = stripped.startswith("```")
            out.append(line)
            i += 1
            while i < len(lines) and (lines[i].strip() if not fence else not lines[i].strip().startswith("```")):
                out.append(lines[i])
                i += 1
            if fence and i < len(lines):
                out.append(lines[i])
                i += 1
            start = False
            continue
        item = _ITEM.match(line) if start else None
        if item is None:
            out.append(line)
            start = not stripped or bool(_DASHES.match(line))  # a blank line, or a section's underline
            i += 1
            continue
        indent, text = len(item["indent"]), item.end()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) >= text):
            body.append(lines[j])
            j += 1
        while body and not body[-1].strip():
            body.pop()
            j -= 1
        pad = " " * (indent + 4)
        out.append(line)
        out += [pad + b if b.strip() else "" for b in _lists([b[text:] for b in body])]
        i = j
        start = True
    return out


def _prose(text: str) -> str:
    """Prose outside code and maths: ``docs/<page>.md`` linked to the page, the ``<`` of a placeholder escaped."""

    def link(match: re.Match[str]) -> str:
        if not (_DOCS / f"{match['page']}.md").is_file():
            return match.group(0)
        return f"[{match.group(0)}](/{match['page']}.md{match['anchor'] or ''})"

    def words(part: str) -> str:
        return _DOCS_PAGE.sub(link, _PLACEHOLDER.sub("&lt;", part))

    def line_of_prose(line: str) -> str:
        parts, last = [], 0
        for span in _CODE_SPAN.finditer(line):  # code spans, and the `...` of :math:`...`
            parts += [words(line[last : span.start()]), span.group(0)]
            last = span.end()
        return "".join([*parts, words(line[last:])])

    out: list[str] = []
    fence = maths = doctest = False  # inside a fenced block, a $$ block, a doctest (">>>" to a blank line)
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = not fence
        elif stripped == "$$" and not fence:
            maths = not maths
        elif not fence and not maths:
            doctest = stripped.startswith(">>>") or (doctest and bool(stripped))
        code = fence or maths or doctest or stripped.startswith("```") or stripped == "$$"
        out.append(line if code else line_of_prose(line))
    return "\n".join(out)


def convert(text: str, resolve: Resolver | None = None) -> str:
    """A docstring's reStructuredText markup as Markdown (see the module); ``resolve`` finds role targets."""
    resolver: Resolver = resolve or (lambda _name: None)
    text = _prose("\n".join(_lists(_blocks(text).splitlines())))
    text = _MATH_ROLE.sub(lambda m: "\\(" + m["tex"].strip() + "\\)", text)
    return _ROLE.sub(lambda m: _role(m, resolver), text)
