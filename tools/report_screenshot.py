#!/usr/bin/env python
"""Make the README's report screenshot: ``docs/assets/report-screenshot.png``.

Runs ``iomodel report examples/scenarios/machine_building_ahmp.toml`` into a temporary folder,
opens ``report.html`` in headless Chromium (Debian's ``chromium``, through Playwright) and saves
the top of the page, reduced to 128 colours to keep the repository small.

Usage::

    python tools/report_screenshot.py [--out docs/assets/report-screenshot.png]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Write the screenshot (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "assets" / "report-screenshot.png"))
    args = ap.parse_args()
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from iomodel.cli import main as iomodel

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no Chromium on PATH (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        scenario = str(ROOT / "examples" / "scenarios" / "machine_building_ahmp.toml")
        if iomodel(["report", scenario, "--output", tmp]) != 0:
            raise SystemExit("iomodel report failed")
        shot = Path(tmp) / "shot.png"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 900, "height": 1250})
            page.goto((Path(tmp) / "report.html").as_uri())
            page.screenshot(path=str(shot))
            browser.close()
        image = Image.open(shot).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
        image.save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
