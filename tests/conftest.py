"""Shared fixtures: the Miller & Blair known-answer case and the ../shared data.

Tests that read ``../shared/data`` use the :func:`shared_data` fixture; on a
user's fresh clone, where ``../shared`` does not exist, they skip with a clear
reason. In CI ``../shared`` sits beside the checkout and they run.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

from iomodel.errors import IOModelWarning

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IOMODEL_SHARED", ROOT.parent / "shared"))
SHARED_DATA = SHARED / "data"


@pytest.fixture(autouse=True)
def _iomodel_warnings_are_errors():
    """Warnings raised inside iomodel fail a test unless it expects them."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", IOModelWarning)
        yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data``; skips the test where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"../shared/data not found at {SHARED_DATA}: this test reads the official "
            "Kazakhstan workbook, which is not distributed with iomodel (CI provides it)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def bns_workbooks(shared_data: Path) -> dict[str, Path]:
    """The raw and clean Bureau workbooks of 2024."""
    d = shared_data / "kz_bns_io_2024"
    return {"raw": d / "kz_tzv_2024_raw.xlsx", "clean": d / "kz_tzv_2024_clean.xlsx"}


@pytest.fixture(scope="session")
def miller_blair_expected(shared_data: Path) -> dict:
    """The Miller & Blair expected.json of ../shared (known answers)."""
    return json.loads((shared_data / "validation/miller_blair_2sector/expected.json").read_text())
