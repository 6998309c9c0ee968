"""Damaged workbooks: every parse failure is a ReadError naming the file, and the sheet, cell and part where known.

Regression tests of issue 11 (an .xlsx that is a valid zip with broken XML escaped
as ``xml.etree.ElementTree.ParseError``; a file name over 255 bytes as
``OSError``). The damaged files are made from the synthetic workbook of
:mod:`tests.io.bns_synthetic` by editing the parts of its zip archive, so nothing
here needs the real data.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iomodel.errors import ReadError
from iomodel.io.bns import read_bns_blocks
from iomodel.io.kazakhstan import read_bns
from tests.io.bns_synthetic import make_workbook

#: Parts of the synthetic workbook: the cover, then tables 5 to 10 (sheet "6." is the third worksheet).
SHEET_6 = "xl/worksheets/sheet3.xml"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workbook(tmp_path_factory.mktemp("good") / "good.xlsx")


@pytest.fixture(scope="module")
def parts(good: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(good) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repack(parts: dict[str, bytes], path: Path, changes: dict[str, bytes | None] | None = None) -> Path:
    """The workbook with some parts replaced (bytes) or removed (None)."""
    changes = changes or {}
    assert set(changes) <= set(parts), set(changes) - set(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            data = changes.get(name, data)
            if data is not None:
                archive.writestr(name, data)
    return path


def edit_part(parts: dict[str, bytes], name: str, change: Callable[[str], str]) -> bytes:
    text = parts[name].decode("utf-8")
    changed = change(text)
    assert changed != text, "the edit found nothing to change"
    return changed.encode("utf-8")


def test_the_synthetic_workbook_reads(good):
    assert read_bns_blocks(good).meta["sheets"]["products"] == "6."


# --------------------------------------------------------------------------- broken XML and cells


def test_broken_xml_in_a_worksheet_names_the_sheet_and_part(parts, tmp_path):
    p = repack(parts, tmp_path / "broken.xlsx", {SHEET_6: parts[SHEET_6][:1500]})
    with pytest.raises(ReadError) as info:
        read_bns_blocks(p)
    message = str(info.value)
    assert message.startswith("broken.xlsx, sheet '6.': not a readable .xlsx workbook: not well-formed XML (")
    assert message.endswith(f"(part {SHEET_6})")
    assert isinstance(info.value.__cause__, Exception)


def test_invalid_token_in_a_worksheet(parts, tmp_path):
    damaged = edit_part(parts, SHEET_6, lambda t: t.replace("<row ", "<row <", 1))
    p = repack(parts, tmp_path / "token.xlsx", {SHEET_6: damaged})
    with pytest.raises(ReadError, match=r"^token\.xlsx, sheet '6\.': .*not well-formed XML \(not well-formed"):
        read_bns(p)


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (
            lambda t: re.sub(r'(<c r="D8" t="n"><v>)', r"\1abc", t, count=1),
            "cell D8",
            r"the value 'abc\d+' of a number cell is not a number",
        ),
        (
            lambda t: t.replace('<c r="D8" t="n">', '<c r="D8" t="s">', 1),
            "cell D8",
            r"the shared-string index \d+ is out of range \(the workbook has 0 strings\)",
        ),
        (
            lambda t: re.sub(r'<c r="D8" t="n"><v>\d+', '<c r="D8" t="b"><v>yes', t, count=1),
            "cell D8",
            r"the value 'yes' of a boolean cell is not 0 or 1",
        ),
        (
            lambda t: t.replace('<c r="D8" t="n">', '<c r="D8" t="d">', 1),
            "cell D8",
            r"the value '\d+' of a date cell is not an ISO 8601 date",
        ),
        (lambda t: t.replace('<c r="D8"', '<c r="8D"', 1), None, r"invalid cell reference '8D'"),
    ],
)
def test_a_cell_that_does_not_match_its_type_is_named(parts, tmp_path, change, where, problem):
    p = repack(parts, tmp_path / "cell.xlsx", {SHEET_6: edit_part(parts, SHEET_6, change)})
    location = "cell.xlsx, sheet '6.'" + (f", {where}" if where else "")
    with pytest.raises(ReadError, match=rf"^{re.escape(location)}: not a readable \.xlsx workbook: {problem}"):
        read_bns_blocks(p)


@pytest.mark.parametrize(
    "part", ["xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]
)
def test_broken_xml_in_a_workbook_part_names_the_part(parts, tmp_path, part):
    p = tmp_path / "part.xlsx"
    with zipfile.ZipFile(p, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, b"<notxml" if name == part else data)
    with pytest.raises(ReadError, match=rf"^part\.xlsx: not a readable \.xlsx workbook: .*\(part {re.escape(part)}\)"):
        read_bns_blocks(p)


# --------------------------------------------------------------------------- missing parts, not a workbook


def test_missing_worksheet_part_names_the_sheet(parts, tmp_path):
    p = repack(parts, tmp_path / "nosheet.xlsx", {SHEET_6: None})
    with pytest.raises(
        ReadError,
        match=rf"^nosheet\.xlsx, sheet '6\.': .*the sheet's part is missing from the archive \(part {SHEET_6}\)",
    ):
        read_bns_blocks(p)


@pytest.mark.parametrize("part", ["[Content_Types].xml", "xl/workbook.xml"])
def test_missing_package_part(parts, tmp_path, part):
    p = repack(parts, tmp_path / "nopart.xlsx", {part: None})
    with pytest.raises(ReadError, match=r"^nopart\.xlsx: not a readable \.xlsx workbook: .*missing"):
        read_bns_blocks(p)


def test_corrupted_compressed_data(parts, tmp_path):
    p = tmp_path / "crc.xlsx"
    repack(parts, p)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as archive:
        info = archive.getinfo(SHEET_6)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 20, start + 60):
        data[k] ^= 0x5A
    p.write_bytes(bytes(data))
    with pytest.raises(ReadError, match=r"^crc\.xlsx(, sheet '6\.')?: not a readable \.xlsx workbook: "):
        read_bns_blocks(p)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.xlsx"),
        (b"code,value\n01,1\n", "text.xlsx"),
        (b"PK\x03\x04 truncated", "stub.xlsx"),
    ],
)
def test_not_a_zip_archive(tmp_path, content, name):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(ReadError, match=rf"^{re.escape(name)}: not a readable \.xlsx workbook: not a zip archive"):
        read_bns(p)


def test_truncated_file(good, tmp_path):
    data = good.read_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        p = tmp_path / f"cut{cut}.xlsx"
        p.write_bytes(data[:cut])
        with pytest.raises(ReadError, match=rf"^cut{cut}\.xlsx: not a readable \.xlsx workbook: not a zip archive"):
            read_bns_blocks(p)


def test_old_excel_format(good, tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(good.read_bytes())
    with pytest.raises(ReadError, match=r"^old\.xls: not a readable \.xlsx workbook: .*old \.xls file format"):
        read_bns_blocks(p)


def test_a_boolean_where_a_number_belongs_is_named_by_the_reader(parts, tmp_path):
    damaged = edit_part(parts, SHEET_6, lambda t: t.replace('<c r="D8" t="n">', '<c r="D8" t="b">', 1))
    p = repack(parts, tmp_path / "bool.xlsx", {SHEET_6: damaged})
    with pytest.raises(ReadError, match=r"^bool\.xlsx, sheet '6\.', row '10-11', column '01' \(cell D8\): bool True"):
        read_bns_blocks(p)


def test_folder_and_overlong_name(tmp_path):
    with pytest.raises(ReadError, match=r"a folder, not an \.xlsx workbook"):
        read_bns_blocks(tmp_path)
    with pytest.raises(ReadError, match=r"cannot be opened \(.*too long.*\)"):
        read_bns_blocks(tmp_path / ("x" * 300 + ".xlsx"))


# --------------------------------------------------------------------------- any damage: only ReadError

XML_PARTS = st.sampled_from(
    ["xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", SHEET_6]
    + [f"xl/worksheets/sheet{k}.xml" for k in (1, 2, 4, 5, 6, 7)]
)
INSERTS = st.sampled_from(
    [b"<", b">", b"&", b'"', b"\xff\xfe", b'<c r="ZZ0"><v>x</v></c>', b"<v>abc</v>", b't="d"', b't="s"', b"</row>"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(part=XML_PARTS, position=st.floats(0, 1), insert=INSERTS, cut=st.booleans())
def test_damaged_xml_gives_only_read_errors(parts, tmp_path, part, position, insert, cut):
    data = parts[part]
    k = int(position * (len(data) - 1))
    damaged = data[:k] if cut else data[:k] + insert + data[k:]
    p = repack(parts, tmp_path / "fuzz.xlsx", {part: damaged})
    try:
        read_bns(p)
    except ReadError as exc:
        assert str(exc).startswith("fuzz.xlsx")
