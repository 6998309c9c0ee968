"""Small synthetic workbooks in the layout of the Bureau's input-output tables.

:func:`synthetic_sheets` lays out a balanced three-product economy exactly like
the re-laid ("clean") Bureau workbook: a cover, then tables 5 to 10 with a title
row, a unit row, a row of headings, a row of product codes under ``Код``, a row
of column numbers, one row per product, the direct-purchase and ``Итого`` rows,
and in table 6 the net-tax, value-added, output, imports and resources rows.
Sheets are plain lists of rows (row 1 first, column A first), so that a test can
break one thing before :func:`write_workbook` saves it. Tables 1 to 4 are not
read by :func:`iomodel.io.bns.read_bns_blocks` and are left out.

Nothing here needs the real workbooks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook

Sheet = list[list[Any]]

#: (code, name) of the synthetic products; the third code has a comma and spaces.
PRODUCTS: tuple[tuple[str, str], ...] = (
    ("01", "Продукция сельского хозяйства, охоты и сопутствующие услуги"),
    ("10-11", "Продукты пищевые и напитки"),
    ("58-63, кроме 61", "Услуги по информации"),
)
CODES: tuple[str, ...] = tuple(code for code, _name in PRODUCTS)

FINAL_HEADINGS: tuple[str, ...] = (
    "Использование продукции в отраслях экономики ",
    "Расходы на конечное потребление домашних хозяйств",
    "Расходы на конечное потребление органов государственного управления, всего",
    "Расходы на конечное потребление НКООДХ",
    "Конечное потребление, всего",
    "Валовое накопление основного капитала ",
    "Изменение запасов материальных оборотных средств",
    "Приобретение минус выбытие ценностей",
    "Валовое накопление, всего",
    "Экспорт товаров и услуг",
    "Конечный спрос",
    "Общий спрос на товары и услуги",
)
DIRECT_PURCHASES: tuple[str, ...] = (
    "Прямые покупки за рубежом, совершаемые резидентами",
    "Прямые покупки на внутреннем рынке, совершаемые нерезидентами",
)
VA_LABELS: tuple[str, ...] = (
    "Оплата труда",
    "Другие налоги на производство за вычетом субсидий на производство",
    "Потребление основного капитала",
    "Чистая прибыль, чистый смешанный доход ",
)
FIRST_DATA_ROW = 7  # Excel row of the first product
FIRST_DATA_COL = 4  # Excel column (D) of the first product


def synthetic_values() -> dict[str, np.ndarray]:
    """Integer flows of a balanced three-product economy (thousand tenge).

    Returns
    -------
    dict
        ``Z_d``, ``Z_m`` (3 x 3), ``F_d``, ``F_m`` (3 x 7: households, government,
        NPISH, GFCF, inventories, valuables, exports), ``T_z`` (3 x 3) and ``T_f``
        (3 x 7) net taxes on products, ``VA`` (4 x 3), ``x`` output, ``m`` imports.
        Every identity the reader checks holds exactly.
    """
    Z_d = np.array([[10, 20, 5], [30, 40, 10], [5, 15, 25]], dtype=np.int64)
    F_d = np.array([[50, 0, 0, 10, -3, 0, 40], [120, 5, 1, 0, 4, 0, 30], [60, 30, 2, 20, 0, 1, 10]], dtype=np.int64)
    Z_m = np.array([[3, 2, 1], [4, 6, 2], [1, 2, 3]], dtype=np.int64)
    F_m = np.array([[8, 0, 0, 2, 0, 0, 0], [20, 0, 0, 0, 1, 0, 0], [5, 1, 0, 3, 0, 0, 0]], dtype=np.int64)
    T_z = np.array([[1, 0, 1], [2, 3, 0], [0, 1, 2]], dtype=np.int64)
    T_f = np.array([[5, 0, 0, 0, 0, 0, 1], [6, 0, 0, 1, 0, 0, 0], [2, 0, 0, 0, 0, 0, -1]], dtype=np.int64)
    x = Z_d.sum(axis=1) + F_d.sum(axis=1)
    m = Z_m.sum(axis=1) + F_m.sum(axis=1)
    gva = x - Z_d.sum(axis=0) - Z_m.sum(axis=0) - T_z.sum(axis=0)
    comp = np.array([30, 60, 50], dtype=np.int64)
    other = np.array([-2, 5, 3], dtype=np.int64)
    cfc = np.array([10, 20, 15], dtype=np.int64)
    nos = gva - comp - other - cfc
    return {
        "Z_d": Z_d,
        "Z_m": Z_m,
        "F_d": F_d,
        "F_m": F_m,
        "T_z": T_z,
        "T_f": T_f,
        "VA": np.vstack([comp, other, cfc, nos]),
        "x": x,
        "m": m,
    }


def _final_columns(Z_row: np.ndarray, F_row: np.ndarray) -> list[int]:
    """The 12 columns after the products: subtotals interleaved with the categories."""
    inter = int(Z_row.sum())
    hh, gov, npish, gfcf, inv, val, exp = (int(v) for v in F_row)
    fc = hh + gov + npish
    gcf = gfcf + inv + val
    fd = fc + gcf + exp
    return [inter, hh, gov, npish, fc, gfcf, inv, val, gcf, exp, fd, inter + fd]


def _flow_sheet(title: str, Z: np.ndarray, F: np.ndarray) -> tuple[Sheet, list[int]]:
    """Rows of a flow table (5 to 8) down to ``Итого``; also returns the Итого row values."""
    n = len(CODES)
    rows: Sheet = [
        [],
        [title],
        ["тыс. тенге"],
        [None, None, None, *(name for _code, name in PRODUCTS), *FINAL_HEADINGS],
        [None, "Код", None, *CODES],
        ["№", None, None, *range(1, n + len(FINAL_HEADINGS) + 1)],
    ]
    body = []
    for i, (code, name) in enumerate(PRODUCTS):
        values = [int(v) for v in Z[i]] + _final_columns(Z[i], F[i])
        body.append(values)
        rows.append([i + 1, code, name, *values])
    width = len(body[0])
    for k, label in enumerate(DIRECT_PURCHASES):
        rows.append([n + 1 + k, None, label, *([0] * width)])
    total = [int(v) for v in np.sum(body, axis=0)]
    rows.append([n + 3, None, "Итого", *total])
    return rows, total


def synthetic_sheets(values: dict[str, np.ndarray] | None = None) -> dict[str, Sheet]:
    """Sheets of a clean-layout workbook, as lists of rows.

    Parameters
    ----------
    values
        Flows as returned by :func:`synthetic_values` (default: those).

    Returns
    -------
    dict
        Sheet name to rows; row 1 is element 0, column A is element 0 of a row.
    """
    v = synthetic_values() if values is None else values
    n = len(CODES)
    sheets: dict[str, Sheet] = {
        "Обложка": [
            [],
            *([] for _ in range(7)),
            ["Дата опубликования: 19.12.2025"],
            *([] for _ in range(4)),
            ["Таблицы «Затраты - Выпуск» \nРеспублики Казахстан за 2024 год"],
            [],
            ["2024 год"],
        ]
    }
    taxes, _tax_total = _flow_sheet("5. Чистые налоги на продукты", v["T_z"], v["T_f"])
    sheets["5."] = taxes

    Z = v["Z_d"] + v["Z_m"]
    F = v["F_d"] + v["F_m"]
    use, total = _flow_sheet("6. Использование товаров и услуг в основных ценах", Z, F)
    tax_row = [int(c) for c in v["T_z"].sum(axis=0)]
    tax_row += _final_columns(np.array([v["T_z"].sum()]), v["T_f"].sum(axis=0))
    purchasers = [a + b for a, b in zip(total, tax_row, strict=True)]
    use.append([n + 4, None, "Чистые налоги на продукты", *tax_row])
    use.append([n + 5, None, "Использовано в ценах покупателя", *purchasers])
    number = n + 6
    gva = v["VA"].sum(axis=0)
    x, m = v["x"], v["m"]
    for label, row in [
        *zip(VA_LABELS, v["VA"], strict=True),
        ("Валовая добавленная стоимость", gva),
        ("Выпуск в основных ценах", x),
        ("Импорт товаров и услуг", m),
        ("Ресурсы в основных ценах", x + m),
    ]:
        use.append([number, None, label, *(int(c) for c in row), int(np.sum(row))])
        number += 1
    sheets["6."] = use

    sheets["7."], _ = _flow_sheet("7. Использование импортной продукции (товаров и услуг)", v["Z_m"], v["F_m"])
    sheets["8."], _ = _flow_sheet("8. Использование отечественной продукции (товаров и услуг) ", v["Z_d"], v["F_d"])

    res = (x + m).astype(float)
    A = Z / res
    total_res = float(res.sum())
    coef: Sheet = [
        [],
        ["9 . Коэффициенты прямых затрат"],
        [],
        [None, None, None, *(name for _code, name in PRODUCTS), FINAL_HEADINGS[0]],
        [None, "Код", None, *CODES],
        ["№", None, None, *range(1, n + 2)],
    ]
    for i, (code, name) in enumerate(PRODUCTS):
        coef.append([i + 1, code, name, *A[i], float(Z[i].sum()) / total_res])
    purch_products = np.array(purchasers[:n], dtype=float)
    for k, (label, row, whole) in enumerate(
        [
            ("Итого", purch_products, purchasers[n]),
            ("Валовая добавленная стоимость", gva, gva.sum()),
            ("Выпуск в основных ценах", x, x.sum()),
            ("Импорт товаров и услуг", m, m.sum()),
            ("Ресурсы в основных ценах", x + m, total_res),
        ]
    ):
        coef.append([n + 1 + k, None, label, *(np.asarray(row, dtype=float) / res), float(whole) / total_res])
    sheets["9."] = coef

    L = np.linalg.inv(np.eye(n) - A)
    total_coef: Sheet = [
        [],
        ["10.  Коэффициенты полных затрат"],
        [],
        [None, None, None, *(name for _code, name in PRODUCTS)],
        [None, "Код", None, *CODES],
        ["№", None, None, *range(1, n + 1)],
    ]
    for i, (code, name) in enumerate(PRODUCTS):
        total_coef.append([i + 1, code, name, *(float(c) for c in L[i])])
    total_coef += [[], [None, None, "№ 4-15/7197"], [None, None, "Ответственные за выпуск:"]]
    sheets["10."] = total_coef
    return sheets


def write_workbook(sheets: dict[str, Sheet], path: Path) -> Path:
    """Save sheets (lists of rows) as an .xlsx workbook.

    Parameters
    ----------
    sheets
        Sheet name to rows, in workbook order.
    path
        Target file.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append([v.item() if isinstance(v, np.generic) else v for v in row])
    book.save(path)
    return path


def make_workbook(path: Path, mutate: Callable[[dict[str, Sheet]], None] | None = None) -> Path:
    """Write the synthetic workbook, optionally broken by ``mutate`` first.

    Parameters
    ----------
    path
        Target file.
    mutate
        Called with a deep copy of :func:`synthetic_sheets` to alter it in place.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    sheets = copy.deepcopy(synthetic_sheets())
    if mutate is not None:
        mutate(sheets)
    return write_workbook(sheets, path)


def find_row(rows: Sheet, label: str) -> list[Any]:
    """The row of a sheet whose code (column B) or label (column C) equals ``label``."""
    for row in rows:
        if len(row) > 2 and label in (row[1], row[2]):
            return row
    raise KeyError(label)


def col_of(code_or_heading: str) -> int:
    """0-based list index of a product column or of a heading after the products."""
    if code_or_heading in CODES:
        return FIRST_DATA_COL - 1 + CODES.index(code_or_heading)
    headings = [h.strip() for h in FINAL_HEADINGS]
    return FIRST_DATA_COL - 1 + len(CODES) + headings.index(code_or_heading)
