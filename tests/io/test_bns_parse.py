"""Tests of :mod:`iomodel.io.bns`, the reader of the Bureau's input-output workbook.

Two groups:

* the real 2024 workbooks vendored in ``tables/sources/kz_bns_io_2024`` (raw as
  published and re-laid clean): both parse, agree with each other, with the
  reference CSVs and with the totals stated in ``tables/sources/README.md``;
* small synthetic workbooks written by :mod:`tests.io.bns_synthetic` in the same
  layout, valid and broken in one way each; these need nothing outside the
  repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iomodel.errors import IOModelWarning, ReadError
from iomodel.io.bns import CATEGORIES, VALUE_ADDED_COMPONENTS, BNSBlocks, read_bns_blocks
from tests.io.bns_synthetic import (
    CODES,
    PRODUCTS,
    Sheet,
    col_of,
    find_row,
    make_workbook,
    synthetic_values,
)

N_PRODUCTS = 68
TRN = 1e9  # thousand KZT per trillion KZT

# ----------------------------------------------------------------------------
# The real workbooks
# ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_blocks(bns_workbooks: dict[str, Path]) -> BNSBlocks:
    """The re-laid workbook, read once."""
    return read_bns_blocks(bns_workbooks["clean"])


@pytest.fixture(scope="module")
def raw_blocks(bns_workbooks: dict[str, Path]) -> BNSBlocks:
    """The workbook as published, read once; its damaged table 10 warns."""
    with pytest.warns(IOModelWarning, match=r"sheet '10\.'.*lack the columns of 38 of the 68 products"):
        return read_bns_blocks(bns_workbooks["raw"])


@pytest.fixture(params=["raw", "clean"])
def blocks(request: pytest.FixtureRequest) -> BNSBlocks:
    """Each of the two real workbooks."""
    return request.getfixturevalue(f"{request.param}_blocks")


@pytest.fixture(scope="module")
def reference(sources: Path) -> dict[str, pd.DataFrame]:
    """The reference CSVs, indexed by product code (name column dropped)."""
    d = sources / "kz_bns_io_2024" / "reference_csv"

    def load(name: str) -> pd.DataFrame:
        frame = pd.read_csv(d / name, dtype={"code": str}).set_index("code").drop(columns="name")
        return frame.astype(float)

    products = pd.read_csv(d / "products.csv", dtype={"code_CPA_KPVED": str})
    return {
        "products": products.set_index("code_CPA_KPVED"),
        "Z_domestic": load("Z_domestic_basic_thousand_kzt.csv"),
        "Z_imported": load("Z_imported_basic_thousand_kzt.csv"),
        "fd_domestic": load("final_demand_domestic_basic_thousand_kzt.csv"),
        "fd_total": load("final_demand_total_basic_thousand_kzt.csv"),
        "va": load("value_added_output_imports_thousand_kzt.csv"),
        "A": load("A_published_table9.csv"),
        "L": load("L_published_table10.csv"),
    }


FD_HEADINGS = {
    "households": "Расходы на конечное потребление домашних хозяйств",
    "government": "Расходы на конечное потребление органов государственного управления, всего",
    "npish": "Расходы на конечное потребление НКООДХ",
    "gfcf": "Валовое накопление основного капитала",
    "inventories": "Изменение запасов материальных оборотных средств",
    "valuables": "Приобретение минус выбытие ценностей",
    "exports": "Экспорт товаров и услуг",
}
VA_HEADINGS = {
    "compensation": "Оплата труда",
    "other_taxes_on_production": "Другие налоги на производство за вычетом субсидий на производство",
    "consumption_of_fixed_capital": "Потребление основного капитала",
    "net_operating_surplus": "Чистая прибыль, чистый смешанный доход",
}


def _as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Reference final demand with the reader's category names."""
    out = frame[[FD_HEADINGS[c] for c in CATEGORIES]].copy()
    out.columns = list(CATEGORIES)
    return out


def _values_equal(actual: pd.DataFrame | pd.Series, expected: pd.DataFrame | pd.Series) -> None:
    """Same labels (as strings) and values to 1e-12 relative."""
    assert [str(i) for i in actual.index] == [str(i) for i in expected.index]
    if isinstance(actual, pd.DataFrame):
        assert [str(c) for c in actual.columns] == [str(c) for c in expected.columns]
    np.testing.assert_allclose(actual.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=0)


def test_both_files_parse_with_the_contract_shapes(blocks: BNSBlocks) -> None:
    codes = list(blocks.products.index)
    assert len(codes) == N_PRODUCTS
    assert blocks.products.index.name == "sector"
    assert list(blocks.products.columns) == ["name_ru"]
    for square in (blocks.Z_domestic, blocks.Z_imported, blocks.published_A, blocks.published_L):
        assert square.shape == (N_PRODUCTS, N_PRODUCTS)
        assert (square.index.name, square.columns.name) == ("sector", "sector_to")
        assert list(square.index) == codes and list(square.columns) == codes
        assert all(dtype == np.float64 for dtype in square.dtypes)
    for final in (blocks.final_demand_domestic, blocks.final_demand_imported, blocks.product_taxes_final):
        assert final is not None
        assert final.shape == (N_PRODUCTS, len(CATEGORIES))
        assert list(final.columns) == list(CATEGORIES)
        assert final.columns.name == "category" and final.index.name == "sector"
        assert all(dtype == np.float64 for dtype in final.dtypes)
    assert list(blocks.value_added.index) == list(VALUE_ADDED_COMPONENTS)
    assert blocks.value_added.index.name == "component"
    assert blocks.value_added.columns.name == "sector_to"
    assert blocks.product_taxes.index.name == "sector_to"
    assert blocks.output.index.name == "sector" and blocks.imports.index.name == "sector"
    for series in (blocks.product_taxes, blocks.output, blocks.imports):
        assert series.dtype == np.float64 and list(series.index) == codes
    assert "58-63, кроме 61" in codes and "10-11" in codes and "061" in codes


def test_meta(raw_blocks: BNSBlocks, clean_blocks: BNSBlocks, bns_workbooks: dict[str, Path]) -> None:
    for layout, blocks in (("raw", raw_blocks), ("clean", clean_blocks)):
        meta = blocks.meta
        assert meta["year"] == 2024 and isinstance(meta["year"], int)
        assert "Затраты - Выпуск" in meta["title"] and "2024" in meta["title"]
        assert meta["unit"] == "thousand KZT"
        assert meta["file"] == bns_workbooks[layout].name
        assert meta["layout"] == layout
        assert meta["published"] == "2025-12-19"
        assert meta["sheets"]["Z_domestic"] == "8."
        assert meta["sheets"]["Z_imported"] == "7."
        assert meta["sheets"]["value_added"] == "6."
        assert meta["sheets"]["product_taxes_final"] == "5."
        assert meta["sheets"]["published_A"] == "9." and meta["sheets"]["published_L"] == "10."
    assert clean_blocks.meta["irregularities"] == []
    assert clean_blocks.meta["published_L_missing"] == []
    notes = "\n".join(raw_blocks.meta["irregularities"])
    assert "sheet 'Лист1' is not one of the Bureau's sheets" in notes
    assert "sheet '6.': rows with numbers but no label ignored (rows 86)" in notes
    assert "sheet '10.': 60 columns with numbers but no code or heading" in notes
    assert len(raw_blocks.meta["published_L_missing"]) == 38


def test_raw_and_clean_agree(raw_blocks: BNSBlocks, clean_blocks: BNSBlocks) -> None:
    pd.testing.assert_frame_equal(raw_blocks.products, clean_blocks.products)
    for name in (
        "Z_domestic",
        "Z_imported",
        "final_demand_domestic",
        "final_demand_imported",
        "value_added",
        "product_taxes_final",
        "published_A",
    ):
        pd.testing.assert_frame_equal(getattr(raw_blocks, name), getattr(clean_blocks, name), rtol=1e-15)
    for name in ("product_taxes", "output", "imports"):
        pd.testing.assert_series_equal(getattr(raw_blocks, name), getattr(clean_blocks, name))
    # Table 10 of the raw file lost 38 columns to user formulas; the rest agree.
    missing = raw_blocks.meta["published_L_missing"]
    assert raw_blocks.published_L[missing].isna().all().all()
    present = [c for c in clean_blocks.published_L.columns if c not in missing]
    assert len(present) == 30 and not raw_blocks.published_L[present].isna().any().any()
    pd.testing.assert_frame_equal(raw_blocks.published_L[present], clean_blocks.published_L[present], rtol=1e-15)
    assert not clean_blocks.published_L.isna().any().any()


def test_agrees_with_reference_csvs(blocks: BNSBlocks, reference: dict[str, pd.DataFrame]) -> None:
    products = reference["products"]
    assert list(blocks.products.index) == list(products.index)
    assert list(blocks.products["name_ru"]) == [" ".join(n.split()) for n in products["name_ru"]]
    _values_equal(blocks.Z_domestic, reference["Z_domestic"])
    _values_equal(blocks.Z_imported, reference["Z_imported"])
    _values_equal(blocks.final_demand_domestic, _as_categories(reference["fd_domestic"]))
    fd_imported = _as_categories(reference["fd_total"]) - _as_categories(reference["fd_domestic"])
    _values_equal(blocks.final_demand_imported, fd_imported)
    va = reference["va"]
    expected_va = va[[VA_HEADINGS[c] for c in VALUE_ADDED_COMPONENTS]].T
    expected_va.index = list(VALUE_ADDED_COMPONENTS)
    _values_equal(blocks.value_added, expected_va)
    _values_equal(blocks.product_taxes, va["Чистые налоги на продукты"])
    _values_equal(blocks.output, va["Выпуск в основных ценах"])
    _values_equal(blocks.imports, va["Импорт товаров и услуг"])
    _values_equal(blocks.published_A, reference["A"])
    present = [c for c in blocks.published_L.columns if c not in blocks.meta["published_L_missing"]]
    _values_equal(blocks.published_L[present], reference["L"][present])


@pytest.mark.parametrize(
    ("quantity", "trillion"),
    [
        ("output", 204.047),
        ("gva", 124.853),
        ("compensation", 42.379),
        ("imports", 35.189),
        ("product_taxes", 1.859),
    ],
)
def test_totals_match_the_readme(blocks: BNSBlocks, quantity: str, trillion: float) -> None:
    """README totals (trillion KZT, 3 decimals) to their stated precision."""
    totals = {
        "output": blocks.output.sum(),
        "gva": blocks.value_added.to_numpy().sum(),
        "compensation": blocks.value_added.loc["compensation"].sum(),
        "imports": blocks.imports.sum(),
        "product_taxes": blocks.product_taxes.sum(),
    }
    assert abs(totals[quantity] / TRN - trillion) <= 0.0005


def test_accounting_identities_hold_on_the_result(blocks: BNSBlocks) -> None:
    x, m = blocks.output, blocks.imports
    dom = blocks.Z_domestic.sum(axis=1) + blocks.final_demand_domestic.sum(axis=1)
    imp = blocks.Z_imported.sum(axis=1) + blocks.final_demand_imported.sum(axis=1)
    np.testing.assert_allclose(dom, x, rtol=1e-12)
    np.testing.assert_allclose(imp, m, rtol=1e-12)
    cols = (
        blocks.Z_domestic.sum(axis=0)
        + blocks.Z_imported.sum(axis=0)
        + blocks.product_taxes
        + blocks.value_added.sum(axis=0)
    )
    np.testing.assert_allclose(cols.to_numpy(), x.to_numpy(), rtol=1e-12)
    # Table 9 is the competitive-imports coefficient matrix, table 10 its Leontief inverse.
    Z = (blocks.Z_domestic + blocks.Z_imported).to_numpy()
    A = blocks.published_A.to_numpy()
    np.testing.assert_allclose(A, Z / (x + m).to_numpy(), rtol=1e-12, atol=1e-16)
    L = blocks.published_L.to_numpy()
    present = ~np.isnan(L).any(axis=0)
    np.testing.assert_allclose(L[:, present], np.linalg.inv(np.eye(len(A)) - A)[:, present], atol=1e-12)


def test_negative_values_are_kept(clean_blocks: BNSBlocks) -> None:
    """Signs are the Bureau's: subsidies and inventory draw-downs stay negative."""
    assert clean_blocks.value_added.loc["other_taxes_on_production", "01"] < 0
    assert (clean_blocks.final_demand_domestic["inventories"] < 0).sum() == 20
    assert (clean_blocks.product_taxes_final < 0).to_numpy().any()
    assert (clean_blocks.Z_domestic >= 0).all().all() and (clean_blocks.Z_imported >= 0).all().all()
    total_taxes = clean_blocks.product_taxes.sum() + clean_blocks.product_taxes_final.to_numpy().sum()
    assert total_taxes == 8_286_490_200  # the total of "Чистые налоги на продукты" in table 6


# ----------------------------------------------------------------------------
# Synthetic workbooks (no source file needed)
# ----------------------------------------------------------------------------

FILE = "kz.xlsx"


def _read(tmp_path: Path, mutate=None) -> BNSBlocks:
    return read_bns_blocks(make_workbook(tmp_path / FILE, mutate))


def _raises(tmp_path: Path, mutate, match: str) -> None:
    with pytest.raises(ReadError, match=match):
        _read(tmp_path, mutate)


def test_synthetic_workbook_reads_back_its_values(tmp_path: Path) -> None:
    v = synthetic_values()
    blocks = _read(tmp_path)
    assert list(blocks.products.index) == list(CODES)
    assert list(blocks.products["name_ru"]) == [name for _code, name in PRODUCTS]
    np.testing.assert_array_equal(blocks.Z_domestic.to_numpy(), v["Z_d"])
    np.testing.assert_array_equal(blocks.Z_imported.to_numpy(), v["Z_m"])
    np.testing.assert_array_equal(blocks.final_demand_domestic.to_numpy(), v["F_d"])
    np.testing.assert_array_equal(blocks.final_demand_imported.to_numpy(), v["F_m"])
    np.testing.assert_array_equal(blocks.value_added.to_numpy(), v["VA"])
    np.testing.assert_array_equal(blocks.product_taxes.to_numpy(), v["T_z"].sum(axis=0))
    np.testing.assert_array_equal(blocks.product_taxes_final.to_numpy(), v["T_f"])
    np.testing.assert_array_equal(blocks.output.to_numpy(), v["x"])
    np.testing.assert_array_equal(blocks.imports.to_numpy(), v["m"])
    A = (v["Z_d"] + v["Z_m"]) / (v["x"] + v["m"])
    np.testing.assert_allclose(blocks.published_A.to_numpy(), A, rtol=1e-15)
    np.testing.assert_allclose(blocks.published_L.to_numpy(), np.linalg.inv(np.eye(3) - A), rtol=1e-14)
    assert blocks.meta["layout"] == "clean"
    assert blocks.meta["year"] == 2024
    assert blocks.meta["file"] == FILE
    assert blocks.meta["irregularities"] == []


def test_year_comes_from_the_cover(tmp_path: Path) -> None:
    def to_2023(sheets: dict[str, Sheet]) -> None:
        sheets["Обложка"][13] = ["Таблицы «Затраты - Выпуск» \nРеспублики Казахстан за 2023 год"]

    assert _read(tmp_path, to_2023).meta["year"] == 2023


def test_sheets_are_found_by_title_not_by_name(tmp_path: Path) -> None:
    def rename(sheets: dict[str, Sheet]) -> None:
        renamed = {f"T{name.rstrip('.')}" if name[0].isdigit() else name: rows for name, rows in sheets.items()}
        sheets.clear()
        sheets.update(dict(reversed(list(renamed.items()))))

    blocks = _read(tmp_path, rename)
    assert blocks.meta["sheets"]["Z_domestic"] == "T8"
    np.testing.assert_array_equal(blocks.Z_domestic.to_numpy(), synthetic_values()["Z_d"])


def test_whitespace_and_case_in_codes_and_labels_are_tolerated(tmp_path: Path) -> None:
    def respace(sheets: dict[str, Sheet]) -> None:
        sheets["7."][4][col_of("58-63, кроме 61")] = " 58-63,  КРОМЕ 61 "
        find_row(sheets["6."], "Оплата труда")[2] = "  ОПЛАТА   труда "

    blocks = _read(tmp_path, respace)
    assert list(blocks.products.index) == list(CODES)


def test_dash_reads_as_zero(tmp_path: Path) -> None:
    def dash(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["8."], "01")[col_of("Приобретение минус выбытие ценностей")] = "-"

    assert _read(tmp_path, dash).final_demand_domestic.loc["01", "valuables"] == 0.0


def test_user_additions_are_ignored_and_reported(tmp_path: Path) -> None:
    """What the published file carries: a user sheet, an unlabelled row, formula columns."""

    def add(sheets: dict[str, Sheet]) -> None:
        sheets["Лист1"] = [[None, "Основные мультипликаторы"], [None, "Продукция", 0.96]]
        output = find_row(sheets["6."], "Выпуск в основных ценах")
        sheets["6."].insert(sheets["6."].index(output) + 1, [None, None, None, 0.59, 0.62, 0.84, 0.6])
        for row in sheets["10."][3:9]:
            row.extend([None] * (8 - len(row)) if len(row) < 8 else [])
        for row in sheets["10."][6:9]:
            row += [0.5, 0.25]

    blocks = _read(tmp_path, add)
    assert blocks.meta["layout"] == "raw"
    notes = "\n".join(blocks.meta["irregularities"])
    assert "sheet 'Лист1'" in notes and "sheet '6.': rows with numbers but no label" in notes
    assert "sheet '10.': 2 columns with numbers but no code or heading" in notes
    np.testing.assert_array_equal(blocks.output.to_numpy(), synthetic_values()["x"])


def test_missing_columns_of_table_10_warn_and_are_nan(tmp_path: Path) -> None:
    def overwrite(sheets: dict[str, Sheet]) -> None:
        c = col_of("10-11")
        sheets["10."][3][c] = None
        sheets["10."][4][c] = None
        sheets["10."][5][c] = None
        for row in sheets["10."][6:9]:
            row[c] = 0.123

    with pytest.warns(IOModelWarning, match=r"kz\.xlsx, sheet '10\.'.*1 of the 3 products \('10-11'\)"):
        blocks = _read(tmp_path, overwrite)
    assert blocks.published_L["10-11"].isna().all()
    assert not blocks.published_L[["01", "58-63, кроме 61"]].isna().any().any()
    assert blocks.meta["published_L_missing"] == ["10-11"]
    assert blocks.meta["layout"] == "raw"


# --- error paths -------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"nothere\.xlsx: file not found"):
        read_bns_blocks(tmp_path / "nothere.xlsx")


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ReadError, match=r"fake\.xlsx: not a readable \.xlsx workbook"):
        read_bns_blocks(path)


def test_missing_sheet(tmp_path: Path) -> None:
    _raises(
        tmp_path,
        lambda s: s.pop("8."),
        r"kz\.xlsx: no sheet titled '<number>\. Использование отечественной продукции",
    )


def test_missing_cover_title(tmp_path: Path) -> None:
    def drop(sheets: dict[str, Sheet]) -> None:
        sheets["Обложка"][13] = ["Таблицы"]

    _raises(tmp_path, drop, r"kz\.xlsx: cover title .*за <year> год' not found")


def test_missing_compensation_row(tmp_path: Path) -> None:
    def rename(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["6."], "Оплата труда")[2] = "Заработная плата"

    _raises(tmp_path, rename, re.escape("kz.xlsx, sheet '6.': row for 'Оплата труда' not found"))


def test_duplicated_label(tmp_path: Path) -> None:
    def duplicate(sheets: dict[str, Sheet]) -> None:
        row = find_row(sheets["6."], "Оплата труда")
        sheets["6."].append(list(row))

    _raises(tmp_path, duplicate, r"sheet '6\.': several rows match 'Оплата труда' \(rows 15, 23\)")


def test_missing_final_demand_column(tmp_path: Path) -> None:
    def rename(sheets: dict[str, Sheet]) -> None:
        sheets["8."][3][col_of("Экспорт товаров и услуг")] = "Вывоз"

    _raises(tmp_path, rename, r"sheet '8\.': column for 'Экспорт товаров и услуг' not found")


def test_missing_unit_line(tmp_path: Path) -> None:
    def drop(sheets: dict[str, Sheet]) -> None:
        sheets["7."][2] = []

    _raises(tmp_path, drop, r"sheet '7\.': unit line 'тыс\. тенге' not found")


def test_product_code_differs_between_sheets(tmp_path: Path) -> None:
    def recode(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["7."], "10-11")[1] = "10-12"

    _raises(
        tmp_path,
        recode,
        r"kz\.xlsx, sheet '7\.', row '10-12' \(row 8\): product code not among the 3 products "
        r"of the rows of sheet '6\.'",
    )


def test_product_code_differs_in_column_header(tmp_path: Path) -> None:
    def recode(sheets: dict[str, Sheet]) -> None:
        sheets["9."][4][col_of("01")] = "02"

    _raises(tmp_path, recode, r"sheet '9\.', column '02' \(column D\): product code not among")


def test_missing_product_row(tmp_path: Path) -> None:
    def drop(sheets: dict[str, Sheet]) -> None:
        sheets["8."].remove(find_row(sheets["8."], "58-63, кроме 61"))

    _raises(tmp_path, drop, r"sheet '8\.': row for product '58-63, кроме 61' .* not found")


def test_products_out_of_order(tmp_path: Path) -> None:
    def swap(sheets: dict[str, Sheet]) -> None:
        rows = sheets["7."]
        rows[6], rows[7] = rows[7], rows[6]

    _raises(tmp_path, swap, r"sheet '7\.', row '01' \(row 8\): out of order")


def test_duplicated_product_code(tmp_path: Path) -> None:
    def duplicate(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["6."], "10-11")[1] = "01"

    _raises(tmp_path, duplicate, r"sheet '6\.', row '01': product code appears twice \(rows 7 and 8\)")


def test_unbalanced_row(tmp_path: Path) -> None:
    """Domestic use of '01' exceeds its output; the sheet itself still adds up."""

    def unbalance(sheets: dict[str, Sheet]) -> None:
        for label in ("01", "Итого"):
            row = find_row(sheets["8."], label)
            for heading in ("Экспорт товаров и услуг", "Конечный спрос", "Общий спрос на товары и услуги"):
                row[col_of(heading)] += 100

    _raises(
        tmp_path,
        unbalance,
        re.escape("kz.xlsx, sheet '8.', row '01': intermediate plus final use 232 differs from output 132"),
    )


def test_unbalanced_imports_row(tmp_path: Path) -> None:
    def unbalance(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["6."], "Импорт товаров и услуг")[col_of("10-11")] += 5
        find_row(sheets["6."], "Импорт товаров и услуг")[col_of("Использование продукции в отраслях экономики")] += 5
        find_row(sheets["6."], "Ресурсы в основных ценах")[col_of("10-11")] += 5
        find_row(sheets["6."], "Ресурсы в основных ценах")[col_of("Использование продукции в отраслях экономики")] += 5

    _raises(
        tmp_path,
        unbalance,
        r"sheet '7\.', row '10-11': intermediate plus final use 33 differs from imports 38",
    )


def test_unbalanced_column(tmp_path: Path) -> None:
    """More compensation in '10-11' with GVA raised to match, but output unchanged."""

    def unbalance(sheets: dict[str, Sheet]) -> None:
        total = col_of("Использование продукции в отраслях экономики")
        for label in ("Оплата труда", "Валовая добавленная стоимость"):
            row = find_row(sheets["6."], label)
            row[col_of("10-11")] += 7
            row[total] += 7

    _raises(
        tmp_path,
        unbalance,
        r"sheet '6\.', column '10-11': domestic plus imported intermediate inputs plus net taxes on "
        r"products plus GVA 247 differs from output 240",
    )


def test_subtotal_column_differs_from_parts(tmp_path: Path) -> None:
    def break_subtotal(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["7."], "10-11")[col_of("Конечный спрос")] += 1

    _raises(
        tmp_path,
        break_subtotal,
        r"sheet '7\.', row '10-11': column 'Конечный спрос' 22 differs from consumption \+ capital "
        r"formation \+ exports 21",
    )


def test_total_row_differs_from_column_sums(tmp_path: Path) -> None:
    def break_total(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["5."], "Итого")[col_of("01")] += 1

    _raises(tmp_path, break_total, r"sheet '5\.', row 'Итого', column '01': 4 differs from the sum")


def test_gva_differs_from_components(tmp_path: Path) -> None:
    def break_gva(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["6."], "Потребление основного капитала")[col_of("01")] += 1
        find_row(sheets["6."], "Потребление основного капитала")[
            col_of("Использование продукции в отраслях экономики")
        ] += 1

    _raises(tmp_path, break_gva, r"sheet '6\.', row 'Валовая добавленная стоимость', column '01'")


def test_nonzero_direct_purchases(tmp_path: Path) -> None:
    def purchase(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["8."], "Прямые покупки за рубежом, совершаемые резидентами")[col_of("01")] = 3

    _raises(tmp_path, purchase, r"sheet '8\.', row 'Прямые покупки за рубежом.*column '01'.*non-zero")


def test_text_in_number_cell(tmp_path: Path) -> None:
    def text(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["7."], "10-11")[col_of("01")] = "abc"

    _raises(
        tmp_path,
        text,
        re.escape("kz.xlsx, sheet '7.', row '10-11', column '01' (cell D8): text 'abc' where a number"),
    )


def test_confidential_mark_is_not_zero(tmp_path: Path) -> None:
    def mark(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["8."], "58-63, кроме 61")[col_of("10-11")] = "x"

    _raises(tmp_path, mark, r"sheet '8\.', row '58-63, кроме 61', column '10-11' \(cell E9\): text 'x'")


def test_blank_cell_in_block(tmp_path: Path) -> None:
    def blank(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["6."], "Оплата труда")[col_of("01")] = None

    _raises(tmp_path, blank, r"sheet '6\.', row 'Оплата труда', column '01' \(cell D15\): empty cell")


def test_direct_coefficient_differs_from_flows(tmp_path: Path) -> None:
    def break_a(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["9."], "10-11")[col_of("01")] *= 1.001

    _raises(tmp_path, break_a, r"sheet '9\.', row '10-11', column '01': coefficient .* differs from flow")


def test_total_coefficient_differs_from_inverse(tmp_path: Path) -> None:
    def break_l(sheets: dict[str, Sheet]) -> None:
        find_row(sheets["10."], "01")[col_of("58-63, кроме 61")] += 1e-6

    _raises(
        tmp_path,
        break_l,
        r"sheet '10\.', row '01', column '58-63, кроме 61': coefficient .* differs from inv\(I - A\)",
    )
