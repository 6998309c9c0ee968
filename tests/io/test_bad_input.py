"""Malformed tidy tables and source CSV files: an iomodel ReadError naming the file, never a raw traceback.

Regression tests of issue 11: the tidy reader kept the last of two lines for the
same cell (``echo "satellites,employment,01,1" >> blocks.csv`` changed sector
01's employment from 1,007,846 to 1 without a word) and raised raw
``KeyError``/``ParserError``/``EmptyDataError`` on a renamed column, a duplicated
label or an empty file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iomodel.errors import IOModelError, ReadError
from iomodel.io import kazakhstan as kzio
from iomodel.io.tidy import read_description, read_sectors, read_tidy, write_tidy

from ..test_table import random_table

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "tables" / "kazakhstan_2024"
SATELLITES = ROOT / "tables" / "sources" / "kz_satellites"


@pytest.fixture
def tidy(tmp_path: Path) -> Path:
    """A small table (six sectors, import use, satellites, taxes) in the tidy format."""
    return write_tidy(random_table(), tmp_path / "table")


def edit(path: Path, change: Callable[[str], str]) -> Path:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def edit_json(path: Path, change: Callable[[dict], None]) -> Path:
    desc = json.loads(path.read_text(encoding="utf-8"))
    change(desc)
    path.write_text(json.dumps(desc), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the example


def test_a_second_line_for_a_cell_is_refused_naming_both_lines(tmp_path):
    d = shutil.copytree(SHIPPED, tmp_path / "kazakhstan_2024")
    employment_01 = read_tidy(d).satellites.loc["employment", "01"]
    assert round(employment_01) == 1_007_846
    edit(d / "blocks.csv", lambda t: t + "satellites,employment,01,1\n")  # the issue's `echo ... >> blocks.csv`
    lines = (d / "blocks.csv").read_text().splitlines()
    first = next(n for n, line in enumerate(lines, 1) if line.startswith("satellites,employment,01,"))
    with pytest.raises(ReadError) as info:
        read_tidy(d)
    message = str(info.value)
    assert message.startswith(f"{d / 'blocks.csv'}: 1 cell(s) given on more than one line: ")
    assert f"block 'satellites', row 'employment', col '01' on lines {first}, {len(lines)}" in message


def test_several_duplicated_cells_are_counted(tidy):
    text = (tidy / "blocks.csv").read_text()
    body = text.splitlines()[1:]
    edit(tidy / "blocks.csv", lambda t: t + "\n".join(body[:5]) + "\n")
    with pytest.raises(ReadError, match=r"5 cell\(s\) given on more than one line: .* and 2 more; each cell must"):
        read_tidy(tidy)


def test_a_duplicated_one_dimensional_cell_is_refused(tidy):
    edit(tidy / "blocks.csv", lambda t: t + "output,s0,,5\n")
    with pytest.raises(ReadError, match=r"block 'output', row 's0' on lines \d+, \d+; each cell must appear once"):
        read_tidy(tidy)


# --------------------------------------------------------------------------- blocks.csv


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("block,row,column,value", r"missing \['col'\]; unexpected \['column'\]"),
        ("block,row,col", r"missing \['value'\]"),
        ("block,row,col,value,note", r"unexpected \['note'\]"),
        (
            "Block,Row,Col,Value",
            r"missing \['block', 'row', 'col', 'value'\]; unexpected \['Block', 'Row', 'Col', 'Value'\]",
        ),
    ],
)
def test_renamed_or_extra_columns_are_named(tidy, header, problem):
    p = edit(tidy / "blocks.csv", lambda t: header + t[t.index("\n") :])
    with pytest.raises(ReadError, match=rf"^{p}: expected the columns block,row,col,value; {problem}$"):
        read_tidy(tidy)


def test_lines_longer_than_the_header(tidy):
    p = tidy / "blocks.csv"
    p.write_text("block,row,col,value\n" + "Z,s0,s1,1,2\n" * 2)
    with pytest.raises(ReadError, match=rf"^{p}: lines with more fields than the header block,row,col,value$"):
        read_tidy(tidy)


def test_empty_file(tidy):
    p = tidy / "blocks.csv"
    p.write_text("")
    with pytest.raises(ReadError, match=rf"^{p}: empty file; expected a header block,row,col,value"):
        read_tidy(tidy)


def test_header_only(tidy):
    p = tidy / "blocks.csv"
    p.write_text("block,row,col,value\n")
    with pytest.raises(ReadError, match=rf"^{p}: no cells, only a header"):
        read_tidy(tidy)


@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        ("Z,s0,s1,1,2\n", r"not a readable CSV file \(Error tokenizing data\. C error: Expected 4 fields in line \d+"),
        ('Z,s0,"s1,1\n', r"not a readable CSV file \(.*EOF inside string"),
    ],
)
def test_parser_errors_name_the_file_and_line(tidy, tail, problem):
    p = edit(tidy / "blocks.csv", lambda t: t + tail)
    with pytest.raises(ReadError, match=rf"^{p}: {problem}"):
        read_tidy(tidy)


def test_binary_file(tidy):
    p = tidy / "blocks.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(ReadError, match=rf"^{p}: not a UTF-8 text file"):
        read_tidy(tidy)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("abc", "value 'abc' is not a number"),
        ("1,5", None),  # quoted below: a decimal comma
        ("nan", "value 'nan' is not finite"),
        ("inf", "value 'inf' is not finite"),
        ("-Infinity", "value '-Infinity' is not finite"),
        ("1e999", "value '1e999' is not finite"),
        ("", "empty value"),
    ],
)
def test_values_that_are_not_finite_numbers_are_named_with_their_line(tidy, value, problem):
    cell = f'"{value}"' if "," in value else value
    p = edit(tidy / "blocks.csv", lambda t: t.replace("\nZ,s0,s1,", f"\nZ,s0,s1,{cell}#", 1))
    lines = p.read_text().splitlines()
    n = next(i for i, line in enumerate(lines, 1) if line.startswith("Z,s0,s1,"))
    p.write_text("\n".join(line.split("#")[0] for line in lines) + "\n")
    problem = problem or f"value {value!r} is not a number"
    with pytest.raises(ReadError, match=rf"^{p}, line {n}: {problem} \(block 'Z', row 's0', col 's1'\)$"):
        read_tidy(tidy)


def test_a_short_line_has_an_empty_value(tidy):
    p = edit(tidy / "blocks.csv", lambda t: t + "Z,s0\n")
    n = len(p.read_text().splitlines())
    with pytest.raises(ReadError, match=rf"^{p}, line {n}: empty value \(block 'Z', row 's0', col ''\)$"):
        read_tidy(tidy)


def test_line_numbers_count_blank_lines(tidy):
    p = edit(tidy / "blocks.csv", lambda t: t + "\n\nZ,s0,s1,oops\n")
    n = len(p.read_text().splitlines())
    with pytest.raises(ReadError, match=rf"^{p}, line {n}: value 'oops' is not a number"):
        read_tidy(tidy)


def test_blank_lines_alone_are_harmless(tidy):
    expected = read_tidy(tidy).Z
    edit(tidy / "blocks.csv", lambda t: t.replace("\n", "\n\n", 3) + "\n\n")
    assert read_tidy(tidy).Z.equals(expected)


def test_unknown_block_lists_the_valid_blocks(tidy):
    p = edit(tidy / "blocks.csv", lambda t: t + "Zed,s0,s1,1\n")
    n = len(p.read_text().splitlines())
    with pytest.raises(ReadError, match=rf"unknown block\(s\) \['Zed'\] \(line\(s\) {n}\); valid blocks are \['Z', "):
        read_tidy(tidy)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("Z,s0,s99,1", r"block 'Z' has a label not declared in table\.json \(labels\.sectors\): row 's0', col 's99'"),
        ("satellites,jobs,s0,1", r"block 'satellites' has a label not declared .*\(labels\.indicators\)"),
        ("output,s99,,1", r"block 'output' has unknown sector 's99'"),
        ("output,s0,s1,1", r"block 'output' is one-dimensional and takes no col, got 's1'"),
    ],
)
def test_undeclared_labels_are_named_with_their_line(tidy, line, problem):
    p = edit(tidy / "blocks.csv", lambda t: t + line + "\n")
    n = len(p.read_text().splitlines())
    with pytest.raises(ReadError, match=rf"^{p}, line {n}: {problem}"):
        read_tidy(tidy)


def test_imports_final_without_an_import_use_matrix(tmp_path):
    d = write_tidy(random_table(import_use=False), tmp_path / "t")
    edit(d / "blocks.csv", lambda t: t + "imports_final,imports,households,1\n")
    with pytest.raises(ReadError, match=r"block 'imports_final' needs an import-use matrix"):
        read_tidy(d)


def test_a_table_that_does_not_validate_names_the_folder(tidy):
    p = edit(tidy / "blocks.csv", lambda t: t.replace("\nZ,s0,s1,", "\nZ,s0,s1,-", 1))
    with pytest.raises(ReadError, match=rf"^{tidy}: the table does not validate: Z .* negative value") as info:
        read_tidy(tidy, check=False)
    assert isinstance(info.value.__cause__, IOModelError)
    assert p.is_file()


def test_missing_files(tmp_path, tidy):
    with pytest.raises(ReadError, match=r"no table\.json \(not an iomodel tidy table\)"):
        read_tidy(tmp_path / "nowhere")
    (tidy / "blocks.csv").unlink()
    with pytest.raises(ReadError, match=r"blocks\.csv: not found"):
        read_tidy(tidy)


# --------------------------------------------------------------------------- table.json


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d["meta"].pop("name"), r"meta\.name: required key missing"),
        (lambda d: d.pop("labels"), r"labels: required key missing"),
        (lambda d: d["labels"].pop("categories"), r"labels\.categories: required key missing"),
        (lambda d: d["labels"].__setitem__("sector", []), r"labels\.sector: unknown key"),
        (lambda d: d["meta"].__setitem__("year", "2024"), r"meta\.year: Input should be a valid integer, got '2024'"),
        (lambda d: d["meta"].__setitem__("year", True), r"meta\.year: Input should be a valid integer, got True"),
        (lambda d: d["labels"]["sectors"].__setitem__(0, 7), r"labels\.sectors\.0: Input should be a valid string"),
        (lambda d: d["labels"]["sectors"].__setitem__(0, ""), r"labels\.sectors\.0: String should have at least 1"),
        (lambda d: d["labels"].__setitem__("sectors", []), r"labels\.sectors: List should have at least 1 item"),
        (lambda d: d["labels"].__setitem__("taxes", "vat"), r"labels\.taxes: Input should be a valid list"),
        (lambda d: d["meta"].__setitem__("import_convention", "maximal"), r"meta\.import_convention: Input should be"),
        (lambda d: d.__setitem__("format", "iomodel-tidy-2"), r"format 'iomodel-tidy-2', expected 'iomodel-tidy-1'"),
        (lambda d: d["labels"]["sectors"].__setitem__(1, "s0"), r"labels\.sectors has duplicated label\(s\) \['s0'\]"),
        (lambda d: d["labels"]["categories"].append("exports"), r"labels\.categories has duplicated label\(s\)"),
        (
            lambda d: d["labels"]["import_rows"].pop(),
            r"labels\.import_rows must be empty, a single row, or the sectors",
        ),
        (
            lambda d: d["meta"]["satellite_units"].__setitem__("co2", "t"),
            r"meta\.satellite_units names indicator\(s\) \['co2'\]",
        ),
    ],
)
def test_description_checked_against_the_format(tidy, change, problem):
    p = edit_json(tidy / "table.json", change)
    with pytest.raises(ReadError, match=rf"^{p}: {problem}"):
        read_tidy(tidy)
    with pytest.raises(ReadError, match=rf"^{p}: {problem}"):
        read_description(tidy)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", r"invalid JSON"),
        (b"{", r"invalid JSON"),
        (b"[1, 2]", r"expected a JSON object with format, meta, labels and provenance"),
        (b"\xff\xfe\x00{", r"not a UTF-8 text file"),
    ],
)
def test_unreadable_description(tidy, content, problem):
    (tidy / "table.json").write_bytes(content)
    with pytest.raises(ReadError, match=rf"table\.json: {problem}"):
        read_tidy(tidy)


# --------------------------------------------------------------------------- sectors.csv


def test_sectors_file_checks(tmp_path):
    d = shutil.copytree(SHIPPED, tmp_path / "kz")
    p = d / "sectors.csv"
    text = p.read_text(encoding="utf-8")
    assert read_sectors(d).index[0] == "01"
    p.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    n = len(p.read_text(encoding="utf-8").splitlines())
    with pytest.raises(ReadError, match=rf"sector\(s\) \['01'\] described more than once \(lines 2, {n}\)"):
        read_sectors(d)
    p.write_text(text.replace("sector,", "code,", 1), encoding="utf-8")
    with pytest.raises(ReadError, match=r"expected the columns sector; missing \['sector'\]"):
        read_sectors(d)
    p.write_text("", encoding="utf-8")
    with pytest.raises(ReadError, match=r"empty file; expected a header sector and one line per sector"):
        read_sectors(d)
    p.unlink()
    with pytest.raises(ReadError, match=r"sectors\.csv: not found"):
        read_sectors(d)


# --------------------------------------------------------------------------- any damage: only iomodel errors

LINE_EDITS = st.sampled_from(["drop", "duplicate", "swap_fields", "blank_field", "garble", "truncate"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(LINE_EDITS, st.integers(0, 10_000), st.text(max_size=6)), min_size=1, max_size=4))
def test_damaged_blocks_give_only_iomodel_errors(tidy, edits):
    p = tidy / "blocks.csv"
    original = p.read_text()
    lines = original.splitlines()
    for kind, k, text in edits:
        i = k % len(lines)
        fields = lines[i].split(",")
        if kind == "drop":
            del lines[i]
        elif kind == "duplicate":
            lines.append(lines[i])
        elif kind == "swap_fields":
            lines[i] = ",".join(reversed(fields))
        elif kind == "blank_field":
            fields[k % len(fields)] = ""
            lines[i] = ",".join(fields)
        elif kind == "garble":
            fields[k % len(fields)] = text
            lines[i] = ",".join(fields)
        else:
            lines = lines[:i]
        if not lines:
            break
    p.write_text("\n".join(lines) + "\n")
    try:
        read_tidy(tidy)
    except IOModelError:
        pass
    finally:
        p.write_text(original)


# --------------------------------------------------------------------------- the satellite source files


@pytest.fixture
def satellites(tmp_path: Path) -> Path:
    return shutil.copytree(SATELLITES, tmp_path / "kz_satellites")


def test_source_readers_read_the_vendored_files(satellites):
    sections, source = kzio.read_employment_by_section(satellites / "kz_employment_by_section.csv", 2024)
    assert len(sections) > 15 and "BNS" in source
    revenue = kzio.read_tax_revenue(satellites / "kz_tax_revenue_annual_million_kzt.csv", 2024)
    assert np.isfinite(revenue["value"]).all()
    assert kzio.read_sez_list(satellites / "kz_sez_list.csv").index.is_unique


READERS = {
    "employment": (lambda p: kzio.read_employment_by_section(p, 2024), "kz_employment_by_section.csv"),
    "revenue": (lambda p: kzio.read_tax_revenue(p, 2024), "kz_tax_revenue_annual_million_kzt.csv"),
    "sez": (kzio.read_sez_list, "kz_sez_list.csv"),
    "wages": (kzio.read_wage_table, None),
}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", r"empty file; expected a header"),
        (b"\xff\xfe\x00\x01", r"not a UTF-8 text file"),
        (b'a,b\n"1,2\n', r"not a readable CSV file \(.*EOF inside string"),
        (b"a,b\n1,2\n1,2,3\n", r"not a readable CSV file \(.*Expected 2 fields in line 3, saw 3"),
        (b"a,b\n1,2\n", r"missing column\(s\) \["),
    ],
)
def test_source_files_that_cannot_be_read(tmp_path, reader, content, problem):
    p = tmp_path / "source.csv"
    p.write_bytes(content)
    read, _name = READERS[reader]
    with pytest.raises(ReadError, match=rf"^{p}: {problem}"):
        read(p)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_missing_source_files(tmp_path, reader):
    read, _name = READERS[reader]
    with pytest.raises(ReadError, match=r"nothere\.csv: not found"):
        read(tmp_path / "nothere.csv")
    with pytest.raises(ReadError, match=r"cannot be read \(.*too long.*\)"):
        read(tmp_path / ("x" * 300 + ".csv"))


def test_employment_checks(satellites):
    p = satellites / "kz_employment_by_section.csv"
    text = p.read_text(encoding="utf-8")
    row_b = next(line for line in text.splitlines() if line.startswith("2024,B,"))
    read = READERS["employment"][0]
    edit(p, lambda t: t + row_b + "\n")
    with pytest.raises(ReadError, match=r"section\(s\) \['B'\] appear more than once for 2024 \(lines \d+, \d+\)"):
        read(p)
    fields = row_b.split(",")  # year, section_code, section_name, employed_thousand, ...
    assert fields[3]
    p.write_text(text.replace(row_b, row_b.replace(f",{fields[3]},", ",lots,", 1)), encoding="utf-8")
    with pytest.raises(ReadError, match=r"employed_thousand is not a finite number for 'B' \(line \d+: 'lots'\)"):
        read(p)
    p.write_text(text.replace(row_b, row_b.replace(f",{fields[3]},", ",inf,", 1)), encoding="utf-8")
    with pytest.raises(ReadError, match=r"employed_thousand is not a finite number for 'B' \(line \d+: 'inf'\)"):
        read(p)
    p.write_text(text.replace(row_b, row_b.replace(f",{fields[3]},", ",-1,", 1)), encoding="utf-8")
    with pytest.raises(ReadError, match=r"negative employment for section 'B'"):
        read(p)
    p.write_text("\n".join(line for line in text.splitlines() if not line.startswith("2024,TOTAL")), encoding="utf-8")
    with pytest.raises(ReadError, match=r"no TOTAL row for 2024"):
        read(p)
    with pytest.raises(ReadError, match=r"no rows for year 1990"):
        kzio.read_employment_by_section(p, 1990)


def test_tax_revenue_checks(satellites):
    p = satellites / "kz_tax_revenue_annual_million_kzt.csv"
    text = p.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("2024,"))
    read = READERS["revenue"][0]
    edit(p, lambda t: t + row + "\n")
    with pytest.raises(ReadError, match=r"budget_level/tax \['.*'\] appear more than once for 2024"):
        read(p)
    fields = row.split(",")
    p.write_text(text.replace(row, ",".join([*fields[:3], "nan", *fields[4:]])), encoding="utf-8")
    with pytest.raises(ReadError, match=r"value_million_kzt is not a finite number for '.*' \(line \d+: 'nan'\)"):
        read(p)


def test_sez_list_checks(satellites):
    p = satellites / "kz_sez_list.csv"
    header = p.read_text(encoding="utf-8").splitlines()[0]
    p.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"no zones \(a header without rows\)"):
        kzio.read_sez_list(p)


def test_wage_table_checks(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"code": ["061", "B"], "avg_wage": [1.2e6, np.inf], "source": ["survey", "BNS"]})
    with pytest.raises(ReadError, match=r"avg_wage is not a finite positive number for code\(s\) \['B'\]"):
        kzio.read_wage_table(frame)
    with pytest.raises(ReadError, match=r"wages must be a CSV file or a pandas DataFrame, got list"):
        kzio.read_wage_table([("061", 1.0, "x")])  # type: ignore[arg-type]
    p = tmp_path / "wages.csv"
    p.write_text("code,avg_wage,source\n061, 1200000 ,survey\n", encoding="utf-8")
    assert kzio.read_wage_table(p)["avg_wage"].tolist() == [1_200_000.0]
