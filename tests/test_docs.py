"""The documentation's own rules (issue 8, item 7), checked on the pages that quote run results.

**Every number quoted in prose comes from a doctest on the same page.** On
the pages listed in :data:`PAGES`, each number written in prose (outside
fenced code blocks) that has a decimal point or a thousands separator, or
has three or more digits and is not a year (1900-2100), must also appear in
a ``pycon`` block of the same page, in an example's source or its output.
Numbers are compared by value at the precision written (``1,500`` matches
``1500.000``; ``0.31`` does not match ``0.3105``), signs aside. A result
typed by hand into prose can then not go stale: when the code changes, the
doctest changes, and the prose no longer matches it.

Not numbers of a result, and so not checked: section references
(``§3.4``, ``METHODS.md 1.8``, ``section 2.1``, ``ch. 13``), identifiers of
laws and papers (``No. 242-VI``, ``SSRN 2401905``, volume(issue):pages),
link targets, and digits glued to letters or underscores (``kazakhstan_2024``,
``1e6``).

The README's session block is run as written, so the session it shows
keeps working.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Pages whose prose quotes results of runs.
PAGES = ("docs/fiscal.md", "docs/scenarios.md", "docs/economy.md")

# a number: thousands-separated, decimal, or plain; not glued to letters, digits, '_' or '.'
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)(?![\w]|\.\d|,\d{3})")
# every digit run in code (lenient: glued numbers count, '1_000.0' is 1000.0)
_CODE_NUMBER = re.compile(r"\d[\d_]*(?:\.\d+)?|\.\d+")
_NOT_RESULTS = [
    re.compile(r"§\s*\d+(?:\.\d+)*(?:\s*[\u2013-]\s*\d+(?:\.\d+)*)?"),  # §3.4, §3.1-3.2 (also en dash)
    re.compile(r"\b(?:METHODS\.md|[Ss]ections?|ch\.|[Cc]hapters?|Annex|Appendix|item|issue)\s+\d+(?:\.\d+)*"),
    re.compile(r"\b(?:No\.|SSRN|ISBN)\s*[\d-]+"),  # Law No. 242-VI, SSRN 2401905
    re.compile(r"\d+\(\d+\):\d+(?:[\u2013-]\d+)?"),  # volume(issue):pages
    re.compile(r"\]\([^)]*\)"),  # link targets
]


def _value(text: str) -> Decimal | None:
    try:
        return abs(Decimal(text.replace(",", "").replace("_", ""))).normalize()
    except InvalidOperation:
        return None


def _checked(token: str) -> bool:
    """Whether a number in prose must come from a doctest (decimal, separator, or 3+ digits and not a year)."""
    if "." in token or "," in token:
        return True
    return len(token) >= 3 and not 1900 <= int(token) <= 2100


def split_page(text: str) -> tuple[list[tuple[int, str]], str]:
    """Prose lines (with their numbers) outside fenced blocks, and the text of every ``pycon`` block."""
    prose: list[tuple[int, str]] = []
    doctest: list[str] = []
    fence: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = stripped[3:].strip() or "text"
            continue
        if fence is not None and stripped == "```":
            fence = None
            continue
        if fence is None:
            prose.append((lineno, line))
        elif fence == "pycon":
            doctest.append(line)
    return prose, "\n".join(doctest)


def stale_numbers(text: str) -> list[tuple[int, str]]:
    """``(line, number)`` for each number of the prose that no doctest block of the page shows."""
    prose, doctest = split_page(text)
    shown = {v for v in (_value(m.group()) for m in _CODE_NUMBER.finditer(doctest)) if v is not None}
    out = []
    for lineno, line in prose:
        for rx in _NOT_RESULTS:
            line = rx.sub(" ", line)
        line = re.sub(r"(?<=\d)[\u2212\u2013-](?=\d)", " ", line)  # ranges 2026-2045, product codes 41-43
        for m in _NUMBER.finditer(line):
            token = m.group()
            if _checked(token) and _value(token) not in shown:
                out.append((lineno, token))
    return out


# --------------------------------------------------------------------------- the checker on synthetic pages
SYNTHETIC = """# A page

The NPV is 4578.444 million KZT, paid back in 2030, at 5 % (METHODS.md §3.4,
section 2.1, Law No. 242-VI, SSRN 2401905, 4(1):65\u201388, [link](fiscal.md#3-x)).
Capex of 1,500 million and product 241; codes 41-43 and years 2026-2045.

```pycon
>>> round(4578.4441, 3), 1_500.0, "241"
(4578.444, 1500.0, '241')

```
"""


def test_the_checker_accepts_numbers_the_doctests_show_and_ignores_references():
    assert stale_numbers(SYNTHETIC) == []


def test_the_checker_names_a_number_no_doctest_shows():
    stale = SYNTHETIC.replace("4578.444 million", "4578.4 million").replace("product 241", "product 245")
    stale += "\nA break-even additionality of 0.31, 12,000 jobs.\n\n```text\n0.31 in a text block is code\n```\n"
    assert stale_numbers(stale) == [(3, "4578.4"), (5, "245"), (13, "0.31"), (13, "12,000")]


# --------------------------------------------------------------------------- the pages
@pytest.mark.parametrize("page", PAGES)
def test_numbers_in_prose_come_from_doctests_on_the_page(page):
    offenders = stale_numbers((ROOT / page).read_text(encoding="utf-8"))
    assert not offenders, f"{page}: numbers in prose that no doctest of the page shows:\n" + "\n".join(
        f"  {page}:{line}: {number}" for line, number in offenders
    )


# --------------------------------------------------------------------------- the README
def readme_session() -> str:
    """The code of the README's "A session" block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"## A session\s+```python\n(.*?)```", text, flags=re.S)
    assert m, "README.md has no '## A session' block of Python code"
    return m.group(1)


def test_readme_session_runs_as_written(tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the session's relative paths, files written to tmp
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", os.environ.get("MPLBACKEND", "Agg"))
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict = {}
    exec(compile(readme_session(), "README.md", "exec"), namespace)
    assert (tmp_path / "petro.nc").is_file()
