"""Shared fixtures: warnings as errors, and the official sources vendored in ``tables/sources``.

The Bureau's workbooks, the satellite statistics, the reference extracts and
the Miller & Blair known answers are vendored in the repository
(``tables/sources``, listed with checksums in its ``provenance.json``), so no
test skips on a fresh clone. Set ``IOMODEL_SOURCES`` to a folder of the same
layout (e.g. the project's shared data folder) to run the tests against
another copy.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

from iomodel.errors import IOModelWarning

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(os.environ.get("IOMODEL_SOURCES", ROOT / "tables" / "sources"))


@pytest.fixture(autouse=True)
def _iomodel_warnings_are_errors():
    """Warnings raised inside iomodel fail a test unless it expects them."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", IOModelWarning)
        yield


@pytest.fixture(scope="session")
def sources() -> Path:
    """The folder of official sources (``tables/sources``, or ``$IOMODEL_SOURCES``)."""
    if not (SOURCES / "kz_bns_io_2024").is_dir():
        pytest.fail(
            f"official sources not found at {SOURCES}: they are vendored in tables/sources of the repository "
            "(or set IOMODEL_SOURCES to a folder with kz_bns_io_2024/ and kz_satellites/)"
        )
    return SOURCES


@pytest.fixture(scope="session")
def bns_workbooks(sources: Path) -> dict[str, Path]:
    """The raw and clean Bureau workbooks of 2024."""
    d = sources / "kz_bns_io_2024"
    return {"raw": d / "kz_tzv_2024_raw.xlsx", "clean": d / "kz_tzv_2024_clean.xlsx"}


@pytest.fixture(scope="session")
def miller_blair_expected(sources: Path) -> dict:
    """Miller & Blair (2009), ch. 2: the known answers of ``validation/miller_blair_2sector/expected.json``."""
    return json.loads((sources / "validation/miller_blair_2sector/expected.json").read_text())
