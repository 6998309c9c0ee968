"""The tidy table format round-trips exactly and reports broken files clearly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
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


# --------------------------------------------------------------------------- readable names (issue 12, item 3)
NAMES = {"s0": "Agriculture", "s1": "Mining"}
TAX_NAMES = {"product_taxes": "Net taxes on products", "VAT": "Value added tax"}


def test_names_round_trip(tmp_path):
    t = random_table().with_meta(sector_names=NAMES, tax_names=TAX_NAMES)
    write_tidy(t, tmp_path)
    meta = json.loads((tmp_path / "table.json").read_text())["meta"]
    assert meta["sector_names"] == NAMES and meta["tax_names"] == TAX_NAMES
    assert read_tidy(tmp_path).meta == t.meta


def test_sector_names_come_from_sectors_csv_without_repeating_them(tmp_path):
    t = random_table().with_meta(sector_names={**NAMES, "s2": "Manufacturing, own name"})
    described = pd.DataFrame(
        {"name_en": ["Agriculture", "Mining", "Manufacturing"], "section": ["A", "B", "C"]},
        index=pd.Index(["s0", "s1", "s2"], name="sector"),
    )
    write_tidy(t, tmp_path, sectors=described)
    # table.json holds only the name that sectors.csv does not give, and it wins on reading
    assert json.loads((tmp_path / "table.json").read_text())["meta"]["sector_names"] == {
        "s2": "Manufacturing, own name"
    }
    assert read_tidy(tmp_path).meta == t.meta
    # a table without names of its own takes those of sectors.csv
    d = tmp_path / "plain"
    write_tidy(random_table(), d, sectors=described)
    assert "sector_names" not in json.loads((d / "table.json").read_text())["meta"]
    assert dict(read_tidy(d).meta.sector_names) == {"s0": "Agriculture", "s1": "Mining", "s2": "Manufacturing"}


def test_bad_names_are_read_errors(tmp_path):
    d = write_tidy(random_table(), tmp_path / "json")
    p = d / "table.json"
    desc = json.loads(p.read_text())
    desc["meta"]["sector_names"] = {"nowhere": "Nowhere"}
    p.write_text(json.dumps(desc))
    with pytest.raises(ReadError, match=r"meta\.sector_names names sector\(s\) \['nowhere'\] not in labels\.sectors"):
        read_tidy(d)
    desc["meta"]["sector_names"] = {}
    desc["meta"]["tax_names"] = {"CIT": ""}
    p.write_text(json.dumps(desc))
    with pytest.raises(ReadError, match=r"meta\.tax_names\.CIT: String should have at least 1 character"):
        read_tidy(d)
    d = write_tidy(random_table(), tmp_path / "csv")
    (d / "sectors.csv").write_text("sector,name_en\ns0,Agriculture\nnowhere,Nowhere\n")
    with pytest.raises(ReadError, match=r"sectors\.csv: sector\(s\) \['nowhere'\] not in labels\.sectors"):
        read_tidy(d)


def test_the_shipped_table_is_named_from_its_files():
    import iomodel as iom

    d = iom.datasets.tables_path() / "kazakhstan_2024"
    t = read_tidy(d)
    assert t.meta.sector_name("061") == "Crude petroleum"
    assert t.meta.tax_name("rent_tax_on_export_oil") == "Rent tax on export of crude oil"
    # sector names live in sectors.csv only; tax names in table.json
    meta = json.loads((d / "table.json").read_text(encoding="utf-8"))["meta"]
    assert "sector_names" not in meta and set(t.taxes.index) <= set(meta["tax_names"])
