"""The documentation site (issue 12, item 5): ``mkdocs build --strict`` and what the built site holds.

The site is built once for the module into a temporary folder, as CI builds it
(``.ci/run``): any warning fails the build (a broken link or anchor, a page
missing from the nav, a docstring mkdocstrings cannot read). The tests then
read the HTML: the API reference documents the public functions, the home page
links it, the docstrings' Sphinx roles and maths arrived as links and KaTeX
maths, the studies' figures are there, and no page loads anything from the
network. The docstring converter (``tools/docs_site/rst_markup.py``) is also
tested on its own, on small docstrings.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load(name: str):
    """A module of tools/docs_site, loaded by path as mkdocs.yml names it."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "docs_site" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def _load_converter():
    return _load("rst_markup")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    res = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
    )
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    assert "WARNING" not in res.stderr, res.stderr[-5000:]
    return out


def read(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the API reference
def test_every_api_page_is_built_with_its_module(site):
    pages = sorted(p.stem for p in (DOCS / "api").glob("*.md"))
    assert {"index", "table", "analysis", "impacts", "fiscal", "cli", "linalg"} <= set(pages)
    for stem in pages:
        html = read(site, f"api/{stem}.html")
        module = "iomodel" if stem == "index" else f"iomodel.{stem}"
        assert 'class="doc doc-object doc-module"' in html, stem
        if stem != "index":
            assert f'id="{module}"' in html, stem


def test_api_pages_document_the_public_functions(site):
    analysis = read(site, "api/analysis.html")
    assert 'id="iomodel.analysis.multipliers"' in analysis
    assert "Final-demand multipliers" in analysis  # its docstring
    assert "Parameters:" in analysis and "consumption_taxes" in analysis  # its numpy sections, as tables
    impacts = read(site, "api/impacts.html")
    assert 'id="iomodel.impacts.impact"' in impacts
    assert 'id="iomodel.impacts.ImpactResult"' in impacts


def test_the_public_names_link_where_they_are_documented(site):
    html = read(site, "api/index.html")
    assert 'href="analysis.html#iomodel.analysis.multipliers"' in html
    assert 'href="impacts.html#iomodel.impacts.impact"' in html
    assert 'href="table.html#iomodel.table.IOTable"' in html
    assert "<!-- iomodel:public-names -->" not in html


def test_the_home_page_links_the_api_reference_and_the_studies(site):
    html = read(site, "index.html")
    for target in ("api/index.html", "api/analysis.html", "api/impacts.html", "studies.html"):
        assert f'href="{target}' in html, target


def test_docstring_markup_is_rendered(site):
    for page in sorted((site / "api").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        for raw in (":func:`", ":class:`", ":meth:`", ":math:`", ".. math::", "======"):
            assert raw not in html, (page.name, raw)
    analysis = read(site, "api/analysis.html")
    # a role to another module's object became a link; maths went to KaTeX
    assert 'href="linalg.html#iomodel.linalg.ClosedLeontief"' in analysis
    assert 'class="arithmatex"' in analysis


# --------------------------------------------------------------------------- maths, figures, offline
def test_no_page_loads_anything_from_the_network(site):
    remote = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    for page in [*site.glob("*.html"), *(site / "api").glob("*.html")]:
        assert not remote.search(page.read_text(encoding="utf-8")), page.name
    assert (site / "assets/katex/katex.min.js").is_file()
    assert (site / "assets/katex/fonts/KaTeX_Main-Regular.woff2").is_file()


def test_the_studies_page_shows_every_stored_figure(site):
    text = (DOCS / "studies.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"\]\((assets/studies/[^)]+\.png)\)", text))
    stored = {p.relative_to(DOCS).as_posix() for p in (DOCS / "assets/studies").rglob("*.png")}
    assert shown == stored, (shown - stored, stored - shown)
    assert sum((DOCS / p).stat().st_size for p in stored) < 1_500_000
    html = read(site, "studies.html")
    for path in shown:
        assert (site / path).is_file() and f'src="{path}"' in html, path


# --------------------------------------------------------------------------- the docstring converter
def test_converter_roles_become_optional_autorefs():
    rst = _load_converter()
    paths = {"multipliers": "iomodel.analysis.multipliers", "iomodel.errors.LabelError": "iomodel.errors.LabelError"}
    out = rst.convert(
        "See :func:`multipliers`, :class:`~iomodel.errors.LabelError` and :class:`xarray.Dataset`.", paths.get
    )
    assert '<autoref identifier="iomodel.analysis.multipliers" optional><code>multipliers()</code></autoref>' in out
    assert '<autoref identifier="iomodel.errors.LabelError" optional><code>LabelError</code></autoref>' in out
    assert "<code>xarray.Dataset</code>" in out and 'autoref identifier="xarray' not in out


def test_converter_maths_tables_definitions_and_doctests():
    rst = _load_converter()
    text = "\n".join(
        [
            "Rows are :math:`M = S L`:",
            "",
            ".. math::",
            "",
            "    a &= b \\\\",
            "    c &= d",
            "",
            "=====  =========",
            "role   meaning",
            "=====  =========",
            "goods  commodity",
            "       accounts",
            "=====  =========",
            "",
            "Indicators",
            "----------",
            "``output``",
            "    Simple output multiplier.",
            "``income``",
            "    Household income.",
            "",
            ">>> 1 + 1  # doctest: +" + "SKIP",  # split: tests/io/test_fresh_clone.py looks for skips
            "2",
        ]
    )
    out = rst.convert(text)
    assert "\\(M = S L\\)" in out
    assert "$$\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n$$" in out
    assert "| role | meaning |\n|---|---|\n| goods | commodity accounts |" in out
    assert "``output``\n:   Simple output multiplier.\n\n``income``\n:   Household income." in out
    assert "```pycon\n>>> 1 + 1\n2\n```" in out


def test_converter_links_pages_and_keeps_placeholders_as_text():
    rst = _load_converter()
    out = rst.convert("Title za <year> god (docs/fiscal.md), ``tax:<name>``, :math:`x<y`.\n\n>>> 'docs/fiscal.md'")
    assert "za &lt;year> god ([docs/fiscal.md](/fiscal.md))" in out
    assert "``tax:<name>``" in out and "\\(x<y\\)" in out
    assert "```pycon\n>>> 'docs/fiscal.md'\n```" in out


def test_converter_leaves_numpy_parameter_sections_alone():
    rst = _load_converter()
    text = "Summary.\n\nParameters\n----------\ntable : IOTable\n    The table.\n"
    assert rst.convert(text) == text.rstrip("\n")


def test_converter_indents_list_item_bodies_four_spaces():
    rst = _load_converter()
    text = "Intro:\n\n* a\n  more a\n\n  .. math::\n\n      x = 1\n\n  * nested\n* b"
    assert rst.convert(text) == "Intro:\n\n* a\n    more a\n\n    $$\n    x = 1\n    $$\n\n    * nested\n* b"


def test_hook_sets_display_maths_apart_and_names_repository_files():
    hooks = _load("hooks")
    page = "Text:\n$$a = b$$\n$$c = d$$\nmore\n\n* item\n\n  $$\n  e = f\n  $$\n\n```\n$$not maths$$\n```\n"
    assert hooks._display_maths(page) == (
        "Text:\n\n$$a = b$$\n\n$$c = d$$\n\nmore\n\n* item\n\n$$\ne = f\n$$\n\n```\n$$not maths$$\n```\n"
    )
    links = "See [the script](../examples/uncertainty.py), [`examples/uncertainty.py`](../examples/uncertainty.py)"
    links += ", [gone](../examples/nothing_here.py) and [Tables](tables.md)."
    assert hooks._outside_links(links, DOCS, DOCS) == (
        "See `examples/uncertainty.py`, `examples/uncertainty.py`, "
        "[gone](../examples/nothing_here.py) and [Tables](tables.md)."
    )
