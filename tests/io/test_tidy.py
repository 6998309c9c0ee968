"""The tidy table format round-trips exactly and reports broken files clearly."""

from __future__ import annotations

import json

import numpy as np
import pytest

from iomodel.errors import ReadError
from iomodel.io.tidy import read_tidy, write_tidy

from ..test_table import random_table

BLOCKS = ["Z", "final_demand", "value_added", "imports", "imports_final", "satellites", "taxes"]


@pytest.mark.parametrize("import_use", [True, False])
def test_round_trip_is_exact(tmp_path, import_use):
    t = random_table(import_use=import_use)
    write_tidy(t, tmp_path, provenance={"source": "synthetic"})
    back = read_tidy(tmp_path)
    for b in BLOCKS:
        assert np.array_equal(getattr(t, b).to_numpy(), getattr(back, b).to_numpy()), b
    assert back.meta == t.meta
    assert json.loads((tmp_path / "table.json").read_text())["provenance"] == {"source": "synthetic"}


def test_broken_files(tmp_path):
    with pytest.raises(ReadError, match=r"no table\.json"):
        read_tidy(tmp_path)
    d = write_tidy(random_table(), tmp_path / "label")
    p = d / "blocks.csv"
    p.write_text(p.read_text() + "Z,s0,nowhere,1.0\n")
    with pytest.raises(ReadError, match=r"block 'Z' has a label not declared.*'nowhere'"):
        read_tidy(d)
    d = write_tidy(random_table(), tmp_path / "block")
    p = d / "blocks.csv"
    p.write_text(p.read_text() + "bogus,s0,s1,1.0\n")
    with pytest.raises(ReadError, match=r"unknown block\(s\) \['bogus'\]"):
        read_tidy(d)
