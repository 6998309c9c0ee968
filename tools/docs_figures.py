"""Regenerate the studies' figures that the documentation site shows (docs/studies.md).

Runs each study of ``examples/`` with its default assumptions, as a reader
would (``python examples/<study>.py --output DIR``), into a temporary folder,
and writes the figures the page shows to ``docs/assets/studies/<study>/`` as
256-colour PNGs: matplotlib's flat colours survive the palette, and the files
are about a quarter of the originals' size. The site is then built from these
files, offline and in seconds, without running any study.

Rerun after a change that moves a study's results, and commit the PNGs with it::

    python tools/docs_figures.py              # every study, about five minutes on two cores
    python tools/docs_figures.py --only sez_packages priority_clusters

A figure the page shows that a study no longer writes stops the script with
its name.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "assets" / "studies"

#: study (examples/<study>.py) -> the figures docs/studies.md shows, in the page's order
FIGURES: dict[str, tuple[str, ...]] = {
    "priority_clusters": ("clusters_type2.png", "clusters_jobs_vs_budget.png", "clusters_jobs_type1_type2.png"),
    "sez_packages": (
        "petrochemical_with_package_employment.png",
        "machine_building_with_package_employment.png",
        "budget_by_tax.png",
        "npv_vs_additionality.png",
    ),
    "cluster_allocation": ("plan_and_shadow_prices.png", "budget_sweep.png", "pareto_jobs_vs_fiscal.png"),
    "cge_vs_io": (
        "cge_vs_io_totals.png",
        "petrochemical_sectors_io_cge.png",
        "machine_building_sectors_io_cge.png",
        "cge_budget_by_tax_and_welfare.png",
    ),
    "uncertainty": ("nfe_cumulative_fan.png", "nfe_npv_histogram.png", "tornado_npv.png"),
}


def compress(source: Path, target: Path) -> int:
    """``source`` written to ``target`` as a 256-colour PNG; its size in bytes."""
    with Image.open(source) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    target.parent.mkdir(parents=True, exist_ok=True)
    palette.save(target, format="PNG", optimize=True)
    return target.stat().st_size


def run_study(study: str, folder: Path) -> None:
    """Run ``examples/<study>.py`` with its defaults, writing into ``folder``."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    cmd = [sys.executable, str(ROOT / "examples" / f"{study}.py"), "--output", str(folder)]
    print("running", " ".join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> None:
    """Run the studies named (all by default) and write their figures for the site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(FIGURES), help="studies to rerun (default: all)")
    args = parser.parse_args(argv)
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for study in args.only or list(FIGURES):
            folder = Path(tmp) / study
            run_study(study, folder)
            missing = [name for name in FIGURES[study] if not (folder / name).is_file()]
            if missing:
                sys.exit(
                    f"examples/{study}.py no longer writes {', '.join(missing)}: update FIGURES and docs/studies.md"
                )
            for name in FIGURES[study]:
                size = compress(folder / name, OUT / study / name)
                total += size
                print(f"  docs/assets/studies/{study}/{name}: {size / 1024:.0f} KiB")
    print(f"{total / 1024:.0f} KiB written")


if __name__ == "__main__":
    main()
