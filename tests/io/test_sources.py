"""The vendored official sources: checksums, listing and provenance, and that the shipped table uses them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import iomodel as iom
from iomodel.errors import ReadError
from iomodel.io import kazakhstan as kzio

VENDORED = Path(__file__).resolve().parents[2] / "tables" / "sources"
LISTING = json.loads((VENDORED / "provenance.json").read_text(encoding="utf-8"))
FILES = {f["path"]: f for f in LISTING["files"]}


@pytest.mark.parametrize("path", sorted(FILES))
def test_checksum_and_size(path):
    data = (VENDORED / path).read_bytes()
    assert len(data) == FILES[path]["bytes"]
    assert hashlib.sha256(data).hexdigest() == FILES[path]["sha256"], f"{path} differs from the vendored file"


def test_every_file_is_listed_with_its_origin():
    on_disk = {p.relative_to(VENDORED).as_posix() for p in VENDORED.rglob("*") if p.is_file()}
    assert on_disk - {"README.md", "provenance.json"} == set(FILES)
    readme = (VENDORED / "README.md").read_text(encoding="utf-8")
    for path, f in FILES.items():
        assert f["publisher"] and f["title"] and f["role"], path
        assert path in readme or "reference_csv/" in path, f"{path} is not in tables/sources/README.md"
    bns = [f for p, f in FILES.items() if p.endswith(".xlsx")]
    assert {f["date"] for f in bns} == {"2025-12-19"}
    assert all("stat.gov.kz" in f["url"] and "19580" in f["url"] for f in bns)
    outside = str(Path("..") / "shared")  # the project's data folder beside a checkout: never named here
    assert outside not in json.dumps(LISTING) + readme


def test_shipped_table_was_built_from_the_vendored_files():
    built_from = iom.datasets.kazakhstan_provenance()["source_files"]
    assert built_from and all(FILES[p]["sha256"] == sha for p, sha in built_from.items())


def test_default_sources_is_the_vendored_folder(monkeypatch, tmp_path):
    assert kzio.default_sources() == VENDORED
    monkeypatch.setattr(kzio, "SOURCES_DIR", tmp_path / "sources")
    with pytest.raises(ReadError, match=r"official sources are not at .*sources: they are vendored"):
        kzio.build_kazakhstan()
