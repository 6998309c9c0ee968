"""A fresh clone: the shipped tables shadow no installed package, and no test skips for missing data.

``tables/`` at the root of a checkout is data installed as ``iomodel/tables``.
While it was a regular package (``tables/__init__.py``), any script run from the
checkout root (``python -c``, ``python -m``, a notebook, pytest, which puts the
root on ``sys.path``) imported it instead of PyTables' ``tables``. Without the
``__init__.py``, a package installed elsewhere on the path wins; with none
installed, ``import tables`` finds only an empty namespace and runs nothing of
the repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIND_TABLES = (
    "import importlib.util, json; s = importlib.util.find_spec('tables'); "
    "print(json.dumps(None if s is None else "
    "{'origin': s.origin, 'locations': list(s.submodule_search_locations or [])}))"
)


def run_in_checkout(code: str, pythonpath: Path | None = None) -> str:
    """Run ``python -c code`` with the checkout root as working directory (first on ``sys.path``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_tables_folder_is_not_a_regular_package():
    assert (ROOT / "tables" / "kazakhstan_2024" / "blocks.csv").is_file()
    assert not list((ROOT / "tables").glob("__init__.py*")), "tables/__init__.py makes the folder shadow PyTables"


def test_import_tables_from_the_checkout_runs_nothing_of_the_repository():
    spec = json.loads(run_in_checkout(FIND_TABLES))
    if spec is not None and spec["origin"] is not None:  # a module with code: must be an installed PyTables
        assert not Path(spec["origin"]).resolve().is_relative_to(ROOT / "tables"), spec


def test_an_installed_tables_package_wins_over_the_checkout_folder(tmp_path):
    fake = tmp_path / "site" / "tables"  # stands for PyTables, installed after the checkout root on sys.path
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("__version__ = 'installed'\n")
    out = run_in_checkout("import tables; print(tables.__version__, tables.__file__)", pythonpath=tmp_path / "site")
    assert out == f"installed {fake / '__init__.py'}"


def test_the_shipped_tables_are_package_data_of_the_wheel():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["package-dir"]["iomodel.tables"] == "tables"
    shipped = {p.relative_to(ROOT / "tables").parent.as_posix() for p in (ROOT / "tables").rglob("*.*")}
    shipped = {d for d in shipped if not d.startswith("sources")}
    for folder in shipped:
        package = "iomodel.tables" + ("" if folder == "." else "." + folder.replace("/", "."))
        assert package in setuptools["packages"], f"tables/{folder} is not shipped: add {package} to packages"
        assert setuptools["package-data"][package], package


#: Skips, conditional skips and skipped doctests; a fresh clone runs every test (issue 11).
SKIP = re.compile(r"pytest\.skip\(|skipif|importorskip\(|mark\.skip\b|doctest: *\+SKIP")


def test_no_test_skips_on_a_fresh_clone():
    """The official sources are vendored (tables/sources); a skip may only wait for an optional test dependency.

    One exception: the browser checks (tests/test_browser.py) wait for a Chromium on the machine, a system
    package that pip cannot install; ``.ci/run`` installs it and fails without it, so CI never skips them.
    """
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    test_deps = {re.split(r"[<>=\[ ]", d)[0] for d in optional["test"]}
    found = []
    files = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("iomodel/**/*.py"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]
    for path in files:
        if path == Path(__file__).resolve():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not SKIP.search(line):
                continue
            dep = re.search(r"importorskip\(\s*['\"]([\w.-]+)['\"]", line)
            if dep and dep.group(1) in test_deps:
                continue
            if path.name == "test_browser.py" and "skipif(CHROMIUM is None" in line:
                continue  # a system browser, not data: CI installs Chromium and fails without it (.ci/run)
            found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "skips other than for an optional test dependency:\n" + "\n".join(found)


def test_the_tests_need_nothing_outside_the_checkout():
    conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert 'ROOT / "tables" / "sources"' in conftest
    assert (ROOT / "tables" / "sources" / "kz_bns_io_2024" / "kz_tzv_2024_raw.xlsx").is_file()
    outside = re.compile(r"\.\./shared|\.\.\\\\shared|/work/shared")
    named = [
        str(p.relative_to(ROOT))
        for p in [*ROOT.glob("tests/**/*.py"), *ROOT.glob("iomodel/**/*.py")]
        if p != Path(__file__).resolve() and outside.search(p.read_text(encoding="utf-8"))
    ]
    assert not named, f"files that name a folder outside the checkout: {named}"
