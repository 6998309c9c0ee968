"""The report and the documentation site in a real browser (issue 12, item 6).

Headless Chromium (Debian's package ``chromium``, driven by Playwright's Python
API with the system executable) opens the HTML report and the documentation
site's home page, saves screenshots, and the tests assert that the page loaded
without console errors, that the figures are present and decoded, and that the
headline numbers on the page equal those of the result.

Screenshots go to ``$IOMODEL_SCREENSHOTS`` if set (CI keeps them), else to the
test's temporary folder. Playwright and mkdocs are test dependencies; without a
Chromium on the machine the tests are skipped with the reason (``.ci/run``
installs Debian's ``chromium`` and fails without it, so CI always runs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import iomodel as iom

ROOT = Path(__file__).resolve().parents[1]
MACHINES = ROOT / "examples/scenarios/machine_building_ahmp.toml"
PETRO = ROOT / "examples/scenarios/petrochemical_atyrau.toml"

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The one skip of the suite that is not for data: a machine without a browser (CI installs Chromium
# and fails without it; tests/io/test_fresh_clone.py allows exactly this line).
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get install chromium)")


def _shots(tmp_path: Path) -> Path:
    d = Path(os.environ.get("IOMODEL_SCREENSHOTS", tmp_path))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


def _open(browser, url: str, width: int = 1000) -> tuple[object, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 1400})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(url, wait_until="load")
    return page, problems


def test_report_in_chromium(browser, tmp_path):
    res = iom.impact(iom.datasets.kazakhstan(), iom.Scenario.from_toml(MACHINES))
    res.report(tmp_path / "report", unit="million KZT")
    page, problems = _open(browser, (tmp_path / "report" / "report.html").as_uri())
    shots = _shots(tmp_path)
    page.screenshot(path=str(shots / "report.png"), full_page=True)
    page.screenshot(path=str(shots / "report-top.png"))
    assert problems == []
    # every figure is there and decoded
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
    assert len(images) == 3 and all(ok and w > 500 for ok, w, _ in images), images
    # the headline numbers on the page are those of the result (million KZT, the scenario's unit)
    h = iom.appraise(iom.datasets.kazakhstan(), res.scenario).headline()

    def card(key: str) -> str:
        return page.locator(f'[data-key="{key}"] .value').inner_text()

    assert card("npv") == f"{float(h['npv']):,.0f}"
    assert card("operation_jobs_peak") == f"{float(h['operation_jobs_peak']):,.0f}"
    assert card("construction_job_years") == f"{float(h['construction_job_years']):,.0f}"
    assert card("payback_year") == f"{float(h['payback_year']):.0f}"
    assert card("break_even_additionality") == f"{float(h['break_even_additionality']):.1%}"
    assert float(page.locator('[data-key="npv"]').get_attribute("data-value")) == float(h["npv"])
    # nothing wider than the A4 text column when printed
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.stat().st_size > 10_000
    page.close()


def test_comparison_report_in_chromium(browser, tmp_path):
    from iomodel.cli import main

    assert main(["report", str(MACHINES), str(PETRO), "--output", str(tmp_path), "--unit", "bn KZT"]) == 0
    page, problems = _open(browser, (tmp_path / "report.html").as_uri())
    page.screenshot(path=str(_shots(tmp_path) / "report-comparison.png"))
    assert problems == []
    assert page.locator("section.scenario").count() == 2
    assert page.locator('table[data-table="comparison"]').count() == 1
    assert page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    page.close()


def test_documentation_home_page_in_chromium(browser, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    page, problems = _open(browser, (site / "index.html").as_uri(), width=1280)
    page.screenshot(path=str(_shots(tmp_path) / "docs-home.png"))
    assert problems == []
    assert "iomodel" in page.title()
    links = page.evaluate("Array.from(document.querySelectorAll('nav a')).map(a => a.textContent.trim())")
    assert any("Reports" in t for t in links), links
    page.close()
