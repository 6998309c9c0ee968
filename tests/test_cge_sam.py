"""The social accounting matrix (iomodel.cge.sam): roles, validation, readers, balancing, the Kazakhstan SAM."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import dims
from iomodel.cge.sam import CELLS, ROLES, SAM, least_squares_balance
from iomodel.errors import InfeasibleError, LabelError, ValidationError

HOSOE_ROLES = dict(
    goods=["BRD", "MLK"],
    factors=["CAP", "LAB"],
    production_taxes=["IDT"],
    tariffs=["TRF"],
    households="HOH",
    government="GOV",
    investment="INV",
    rest_of_world="EXT",
)


@pytest.fixture(scope="module")
def hosoe() -> SAM:
    return SAM.hosoe_standard()


@pytest.fixture(scope="module")
def kz_table() -> iom.IOTable:
    return iom.datasets.kazakhstan()


@pytest.fixture(scope="module")
def kz_sam(kz_table) -> SAM:
    return SAM.from_table(kz_table)


def hosoe_frame() -> pd.DataFrame:
    return SAM.hosoe_standard().frame


# --------------------------------------------------------------------------- the textbook SAM
def test_hosoe_standard_as_printed(hosoe):
    expected = {
        ("BRD", "BRD"): 21, ("BRD", "MLK"): 8, ("BRD", "HOH"): 20, ("BRD", "GOV"): 19, ("BRD", "INV"): 16,
        ("BRD", "EXT"): 8, ("MLK", "BRD"): 17, ("MLK", "MLK"): 9, ("MLK", "HOH"): 30, ("MLK", "GOV"): 14,
        ("MLK", "INV"): 15, ("MLK", "EXT"): 4, ("CAP", "BRD"): 20, ("CAP", "MLK"): 30, ("LAB", "BRD"): 15,
        ("LAB", "MLK"): 25, ("IDT", "BRD"): 5, ("IDT", "MLK"): 4, ("TRF", "BRD"): 1, ("TRF", "MLK"): 2,
        ("HOH", "CAP"): 50, ("HOH", "LAB"): 40, ("GOV", "IDT"): 9, ("GOV", "TRF"): 3, ("GOV", "HOH"): 23,
        ("INV", "HOH"): 17, ("INV", "GOV"): 2, ("INV", "EXT"): 12, ("EXT", "BRD"): 13, ("EXT", "MLK"): 11,
    }  # fmt: skip
    f = hosoe.frame
    assert f.to_numpy().sum() == sum(expected.values())
    for (r, c), v in expected.items():
        assert hosoe.value(r, c) == v
    assert hosoe.row_totals.to_dict() == hosoe.col_totals.to_dict()
    assert hosoe.row_totals.to_dict() == {
        "BRD": 92, "MLK": 89, "CAP": 50, "LAB": 40, "IDT": 9, "TRF": 3, "HOH": 90, "GOV": 35, "INV": 31, "EXT": 24,
    }  # fmt: skip
    assert (hosoe.goods, hosoe.factors, hosoe.production_taxes, hosoe.tariffs) == (
        ("BRD", "MLK"),
        ("CAP", "LAB"),
        ("IDT",),
        ("TRF",),
    )
    assert (hosoe.factor_taxes, hosoe.direct_taxes, hosoe.consumption_taxes) == ((), (), ())
    assert (hosoe.households, hosoe.government, hosoe.investment, hosoe.rest_of_world) == ("HOH", "GOV", "INV", "EXT")
    assert hosoe.role_of("TRF") == "tariffs"
    assert hosoe.taxes == ("IDT", "TRF")
    assert "Hosoe" in hosoe.source and "STDCGE" in hosoe.source
    assert hosoe.adjustments.empty


def test_hosoe_accepted_from_a_frame():
    sam = SAM.from_frame(hosoe_frame(), **HOSOE_ROLES)
    assert sam.equals(SAM.from_frame(hosoe_frame(), **HOSOE_ROLES))
    # columns in another order are put in the order of the rows
    f = hosoe_frame()
    shuffled = f[list(reversed(f.columns))]
    assert_allclose(SAM.from_frame(shuffled, **HOSOE_ROLES).values, sam.values)


def test_block_and_accessors(hosoe):
    assert hosoe.block("factors", "goods").to_numpy().tolist() == [[20, 30], [15, 25]]
    assert hosoe.block("government", ["production_taxes", "tariffs", "households"]).to_numpy().tolist() == [[9, 3, 23]]
    assert hosoe.block("goods", "goods").index.name == dims.ACCOUNT
    assert hosoe.block("goods", "goods").columns.name == dims.ACCOUNT_TO
    with pytest.raises(LabelError, match="no account or role 'nothing'"):
        hosoe.block("nothing", "goods")
    with pytest.raises(LabelError, match="no account 'XYZ'"):
        hosoe.value("XYZ", "BRD")
    t = hosoe.totals()
    assert list(t.columns) == ["role", "row_total", "column_total", "gap", "relative_gap"]
    assert (t["gap"] == 0).all()


def test_immutable(hosoe):
    with pytest.raises(AttributeError, match="immutable"):
        hosoe._T = np.zeros((10, 10))  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        hosoe.unit = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        hosoe.values[0, 0] = 1.0
    f = hosoe.frame
    f.iloc[0, 0] = 1e9
    assert hosoe.value("BRD", "BRD") == 21.0
    with pytest.raises(TypeError):
        hosoe.roles["goods"] = ()  # type: ignore[index]


def test_cells_contract_covers_roles():
    assert {c.row for c in CELLS} | {c.col for c in CELLS} <= set(ROLES)
    # every tax role pays the government and is paid by somebody
    for r in ("production_taxes", "tariffs", "factor_taxes", "direct_taxes", "consumption_taxes"):
        assert any(c.row == "government" and c.col == r for c in CELLS)
        assert any(c.row == r for c in CELLS)


# --------------------------------------------------------------------------- validation
def test_not_square_names_the_accounts():
    f = hosoe_frame().drop(columns=["EXT"])
    with pytest.raises(LabelError, match=r"only in rows \['EXT'\]"):
        SAM.from_frame(f, **HOSOE_ROLES)


def test_labels_that_differ():
    f = hosoe_frame().rename(columns={"EXT": "ROW"})
    with pytest.raises(LabelError, match=r"only in rows \['EXT'\], only in columns \['ROW'\]"):
        SAM.from_frame(f, **HOSOE_ROLES)


def test_duplicated_labels():
    f = hosoe_frame()
    f.index = [*f.index[:-1], "INV"]
    f.columns = [*f.columns[:-1], "INV"]
    with pytest.raises(LabelError, match=r"duplicated row label\(s\) \['INV'\]"):
        SAM.from_frame(f, **HOSOE_ROLES)


def test_account_without_role():
    roles = {**HOSOE_ROLES, "tariffs": []}
    with pytest.raises(LabelError, match=r"account\(s\) \['TRF'\] have no role"):
        SAM.from_frame(hosoe_frame(), **roles)


def test_account_with_two_roles():
    roles = {**HOSOE_ROLES, "production_taxes": ["IDT", "TRF"]}
    with pytest.raises(LabelError, match="account 'TRF' has two roles: 'production_taxes' and 'tariffs'"):
        SAM.from_frame(hosoe_frame(), **roles)


def test_role_names_a_missing_account():
    roles = {**HOSOE_ROLES, "factor_taxes": ["CIT"]}
    with pytest.raises(LabelError, match=r"role 'factor_taxes' names account\(s\) \['CIT'\]"):
        SAM.from_frame(hosoe_frame(), **roles)
    with pytest.raises(LabelError, match="role 'households' takes one account label"):
        SAM.from_frame(hosoe_frame(), **{**HOSOE_ROLES, "households": ["HOH"]})


def test_non_string_labels_and_non_numeric_cells():
    f = hosoe_frame()
    f.index = [0, *f.index[1:]]
    with pytest.raises(LabelError, match="must be strings"):
        SAM.from_frame(f, **HOSOE_ROLES)
    f = hosoe_frame().astype(object)
    f.loc["BRD", "HOH"] = "twenty"
    with pytest.raises(ValidationError, match="non-numeric"):
        SAM.from_frame(f, **HOSOE_ROLES)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_cell_named(bad):
    f = hosoe_frame()
    f.loc["MLK", "INV"] = bad
    with pytest.raises(ValidationError, match=r"first \('MLK', 'INV'\)"):
        SAM.from_frame(f, **HOSOE_ROLES)


def test_unbalanced_names_the_account_and_both_totals():
    f = hosoe_frame()
    f.loc["BRD", "HOH"] = 20.5
    f.loc["INV", "HOH"] = 16.5  # households still balance, BRD and INV do not
    with pytest.raises(ValidationError) as exc:
        SAM.from_frame(f, **HOSOE_ROLES)
    msg = str(exc.value)
    assert "account 'INV' (investment) receives 30.5 but pays 31" in msg
    assert "2 account(s) fail" in msg
    # within the tolerance it passes
    f.loc["INV", "HOH"], f.loc["BRD", "HOH"] = 17.0, 20.0 + 1e-9
    f.loc["INV", "HOH"] = 17.0 - 1e-9
    SAM.from_frame(f, **HOSOE_ROLES, tol=1e-6)
    with pytest.raises(ValidationError, match=r"account 'INV' .* receives 30\.999999999 but pays 31 "):
        SAM.from_frame(f, **HOSOE_ROLES, tol=1e-12)


@pytest.mark.parametrize(
    ("cell", "what"),
    [
        (("CAP", "BRD"), "factor payments"),
        (("BRD", "MLK"), "intermediate use"),
        (("MLK", "HOH"), "household consumption"),
        (("BRD", "GOV"), "government consumption"),
        (("BRD", "EXT"), "exports"),
        (("EXT", "MLK"), "imports"),
        (("HOH", "LAB"), "factor income of households"),
    ],
)
def test_negative_cell_where_the_rule_forbids(cell, what):
    f = hosoe_frame()
    f.loc[cell] = -1.0
    with pytest.raises(ValidationError, match=rf"cell \('{cell[0]}', '{cell[1]}'\) = -1 is negative, but {what}"):
        SAM.from_frame(f, check=False, **HOSOE_ROLES)


def test_negative_transfers_refused_negative_savings_taxes_inventories_allowed():
    f = hosoe_frame()
    f.loc["HOH", "GOV"] = -1.0
    with pytest.raises(ValidationError, match="transfers to households"):
        SAM.from_frame(f, check=False, **HOSOE_ROLES)
    # a balanced variant: a subsidy on milk, government dissaving, stocks of milk run down
    f = hosoe_frame()
    f.loc["IDT", "MLK"], f.loc["CAP", "MLK"], f.loc["HOH", "CAP"], f.loc["GOV", "IDT"] = -1.0, 35.0, 55.0, 4.0
    f.loc["INV", "HOH"], f.loc["INV", "GOV"] = 22.0, -3.0
    f.loc["MLK", "INV"], f.loc["BRD", "INV"], f.loc["BRD", "HOH"], f.loc["MLK", "HOH"] = -1.0, 32.0, 4.0, 46.0
    sam = SAM.from_frame(f, **HOSOE_ROLES)
    assert sam.value("INV", "GOV") == -3.0 and sam.value("IDT", "MLK") == -1.0 and sam.value("MLK", "INV") == -1.0


def test_cells_the_model_cannot_interpret_are_named():
    f = hosoe_frame()
    f.loc["CAP", "HOH"] = 1.0  # households paying a factor
    with pytest.raises(ValidationError, match=r"cell \('CAP', 'HOH'\) = 1 cannot be interpreted: households \('HOH'\)"):
        SAM.from_frame(f, check=False, **HOSOE_ROLES)
    f = hosoe_frame()
    f.loc["HOH", "IDT"] = 1.0  # a tax account paying households
    with pytest.raises(ValidationError, match=r"cell \('HOH', 'IDT'\).*may pay only \['government'\]"):
        SAM.from_frame(f, check=False, **HOSOE_ROLES)
    # with a direct-tax account households may not also pay the government directly
    f = hosoe_frame()
    f.insert(len(f.columns), "PIT", 0.0)
    f.loc["PIT"] = 0.0
    f.loc["PIT", "HOH"], f.loc["GOV", "PIT"] = 3.0, 3.0
    f.loc["GOV", "HOH"] = 20.0
    with pytest.raises(ValidationError, match=r"cell \('GOV', 'HOH'\).*only when there are no direct_taxes"):
        SAM.from_frame(f, **HOSOE_ROLES, direct_taxes=["PIT"])
    f.loc["GOV", "HOH"], f.loc["PIT", "HOH"], f.loc["GOV", "PIT"] = 0.0, 23.0, 23.0
    sam = SAM.from_frame(f, **HOSOE_ROLES, direct_taxes=["PIT"])
    assert sam.direct_taxes == ("PIT",) and sam.value("GOV", "PIT") == 23.0


def test_tolerance_must_be_sane():
    with pytest.raises(ValidationError, match="tol"):
        SAM.from_frame(hosoe_frame(), **HOSOE_ROLES, tol=-1.0)


# --------------------------------------------------------------------------- readers
def test_csv_round_trip(tmp_path, hosoe):
    p = hosoe.to_csv(tmp_path / "hosoe.csv")
    back = SAM.read_csv(p, **HOSOE_ROLES, unit=hosoe.unit, name=hosoe.name)
    assert back.equals(hosoe)


def test_excel_round_trip(tmp_path, hosoe):
    p = hosoe.to_excel(tmp_path / "hosoe.xlsx", sheet="SAM 2010")
    back = SAM.read_excel(p, sheet="SAM 2010", **HOSOE_ROLES, unit=hosoe.unit, name=hosoe.name)
    assert back.equals(hosoe)


def test_csv_keeps_codes_as_text_and_blanks_as_zero(tmp_path):
    text = ",01,L,H,G,I,W\n01,,,80,,20,\nL,100,,,,,\nH,,100,,,,\nG,,,,,,\nI,,,20,,,\nW,,,,,,\n"
    p = tmp_path / "tiny.csv"
    p.write_text(text)
    sam = SAM.read_csv(
        p, goods=["01"], factors=["L"], households="H", government="G", investment="I", rest_of_world="W"
    )
    assert sam.goods == ("01",) and sam.value("01", "H") == 80.0 and sam.value("G", "G") == 0.0
    p.write_text(text.replace("01,,,80", "01,nan,,80"))
    with pytest.raises(ValidationError, match=r"NaN or infinite cell\(s\), first \('01', '01'\)"):
        SAM.read_csv(p, goods=["01"], factors=["L"], households="H", government="G", investment="I", rest_of_world="W")
    p.write_text(text.replace("01,,,80", "01,x,,80"))
    with pytest.raises(ValidationError, match=r"cell \('01', '01'\) = 'x' is not a number"):
        SAM.read_csv(p, goods=["01"], factors=["L"], households="H", government="G", investment="I", rest_of_world="W")


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(iom.ReadError):
        SAM.read_csv(tmp_path / "none.csv", **HOSOE_ROLES)


# --------------------------------------------------------------------------- the balancing kernel
def kkt_least_squares(T0, free, w, fixed_value=None):
    """Independent solve: min sum (T-T0)^2/w over free cells s.t. row = column sums, by the KKT system."""
    n = T0.shape[0]
    idx = np.argwhere(free)
    k = len(idx)
    A = np.zeros((n, k))
    for v, (i, j) in enumerate(idx):
        A[i, v] += 1.0
        A[j, v] -= 1.0
    b = -(T0.sum(axis=1) - T0.sum(axis=0))
    W = np.array([w[i, j] for i, j in idx])
    # KKT: [2 diag(1/W)  A'; A 0] [x; lam] = [0; b] with x the change of each free cell
    K = np.block([[np.diag(2.0 / W), A.T], [A, np.zeros((n, n))]])
    rhs = np.concatenate([np.zeros(k), b])
    sol = np.linalg.lstsq(K, rhs, rcond=None)[0]
    T = T0.copy()
    for v, (i, j) in enumerate(idx):
        T[i, j] += sol[v]
    return T


def test_kernel_hand_worked_3x3_uniform():
    # every off-diagonal cell free, uniform weights: the Lagrangian gives T - T0 = (lam_i - lam_j)/2 and the
    # balance of account k gives 3 lam_k - sum(lam) = -2 d_k (d = row - column); with sum(lam) = 0,
    # lam_k = -2 d_k / 3, so the change of cell (i, j) is (d_j - d_i) / 3 ... halved by the 1/2: (d_j - d_i) / 6
    T0 = np.array([[0.0, 2.0, 1.0], [1.0, 0.0, 2.0], [3.0, 1.0, 0.0]])
    d = T0.sum(axis=1) - T0.sum(axis=0)
    assert d.tolist() == [-1.0, 0.0, 1.0]
    expected = T0 + (d[None, :] - d[:, None]) / 6.0 * (T0 != 0)
    T, obj = least_squares_balance(T0, weights=np.ones((3, 3)))
    assert_allclose(T, expected, atol=1e-12)
    assert_allclose(T.sum(axis=1), T.sum(axis=0), atol=1e-12)
    assert obj == pytest.approx(((expected - T0) ** 2).sum(), abs=1e-12)
    assert obj == pytest.approx(1.0 / 3.0, abs=1e-12)


def test_kernel_matches_an_independent_kkt_solve_relative_weights_and_a_fixed_cell():
    rng = np.random.default_rng(7)
    T0 = rng.uniform(1.0, 10.0, (5, 5)) * (rng.uniform(size=(5, 5)) > 0.3)
    np.fill_diagonal(T0, 0.0)
    free = T0 != 0
    free[0, 1] = False
    free[2, 3] = False
    T, _ = least_squares_balance(T0, free=free)
    expected = kkt_least_squares(T0, free & ~np.eye(5, dtype=bool), np.abs(T0))
    assert_allclose(T, expected, rtol=1e-9, atol=1e-9)
    assert T[0, 1] == T0[0, 1] and T[2, 3] == T0[2, 3]
    assert ((T == 0) == (T0 == 0)).all()  # structural zeros stay zero


def test_kernel_keeps_sign_restrictions():
    # account 0 receives 1 and pays 5: uniform least squares would push cell (1, 0) below zero
    T0 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 3.0], [4.0, 1.0, 0.0]])
    free_T, _ = least_squares_balance(T0, weights=np.ones((3, 3)))
    assert free_T[1, 0] < 0
    T, _ = least_squares_balance(T0, weights=np.ones((3, 3)), nonnegative=np.ones((3, 3), dtype=bool))
    assert (T >= 0).all()
    assert T[1, 0] == 0.0
    assert_allclose(T.sum(axis=1), T.sum(axis=0), atol=1e-12)
    # the same problem with the bound active, solved independently: cell (1, 0) fixed at zero
    T0b = T0.copy()
    T0b[1, 0] = 0.0
    expected = kkt_least_squares(T0b, (T0b != 0), np.ones((3, 3)))
    assert_allclose(T, expected, atol=1e-9)


def test_kernel_infeasible_and_balanced_cases():
    T0 = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    none = np.zeros((3, 3), dtype=bool)
    with pytest.raises(InfeasibleError, match=r"'a' \(row - column = 1\), 'b' \(row - column = -1\) have no free cell"):
        least_squares_balance(T0, free=none, labels=["a", "b", "c"])
    # a pays b 5 and receives 10 from it (both fixed): balancing needs a negative (c, b) and (a, c)
    T1 = np.array([[0.0, 10.0, 1.0], [5.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    free = np.zeros((3, 3), dtype=bool)
    free[0, 2] = free[2, 1] = True
    least_squares_balance(T1, free=free)  # without sign restrictions it balances
    for solver in ("auto", "newton", "highs"):
        with pytest.raises(InfeasibleError, match="sign restrictions admit no balanced matrix"):
            least_squares_balance(
                T1, free=free, nonnegative=np.ones((3, 3), dtype=bool), labels=["a", "b", "c"], solver=solver
            )
    B = np.array([[0.0, 2.0], [2.0, 0.0]])
    T, obj = least_squares_balance(B)
    assert (T == B).all() and obj == 0.0
    with pytest.raises(ValidationError, match="weight"):
        least_squares_balance(T0, free=np.ones((3, 3), dtype=bool))  # relative weight of a zero cell


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_newton_and_highs_agree_with_active_bounds(seed):
    # uniform weights and one large gap: many cells end at their zero bound
    rng = np.random.default_rng(seed)
    n = 25
    T0 = rng.uniform(0.01, 10.0, (n, n)) * (rng.uniform(size=(n, n)) > 0.5)
    T0[:, 0] *= 3.0
    kw = dict(nonnegative=np.ones((n, n), dtype=bool), weights=np.ones((n, n)))
    info_n: dict = {}
    info_h: dict = {}
    T_n, obj_n = least_squares_balance(T0, solver="newton", info=info_n, **kw)
    T_h, obj_h = least_squares_balance(T0, solver="highs", info=info_h, **kw)
    assert info_n["solver"] == "newton" and info_h["solver"] == "highs" and info_h["qp_iterations"] > 0
    assert ((T_n == 0) & (T0 != 0)).sum() > 5  # bounds are active
    assert_allclose(T_n, T_h, atol=1e-9)
    assert obj_n == pytest.approx(obj_h, rel=1e-10)
    for T in (T_n, T_h):
        assert (T >= 0).all()
        assert_allclose(T.sum(axis=1), T.sum(axis=0), atol=1e-10)
    info_a: dict = {}
    T_a, _ = least_squares_balance(T0, info=info_a, **kw)
    assert info_a["solver"] == "newton, confirmed by HiGHS" and info_a["qp_iterations"] == 0
    assert_allclose(T_a, T_n, atol=0)


def test_large_matrix_balances_fast():
    import time

    rng = np.random.default_rng(0)
    n = 320
    T0 = rng.uniform(0.01, 10.0, (n, n)) * (rng.uniform(size=(n, n)) > 0.5)
    T0[:, 0] *= 3.0
    info: dict = {}
    start = time.perf_counter()
    T, _ = least_squares_balance(T0, nonnegative=np.ones((n, n), dtype=bool), weights=np.ones((n, n)), info=info)
    assert time.perf_counter() - start < 5.0
    assert info["solver"] == "newton" and info["free_cells"] > 50_000
    assert (T >= 0).all()
    assert_allclose(T.sum(axis=1), T.sum(axis=0), atol=1e-9)


def test_solver_choice_is_checked():
    with pytest.raises(ValidationError, match="solver must be"):
        least_squares_balance(np.eye(2), solver="ras")  # type: ignore[arg-type]


def test_sam_balance_against_independent_kkt(hosoe):
    f = hosoe.frame
    f.loc["INV", "HOH"] = 18.0
    f.loc["BRD", "HOH"] = 19.0
    prior = SAM.from_frame(f, check=False, **HOSOE_ROLES)
    with pytest.raises(ValidationError, match="unbalanced"):
        prior.check()
    sam = prior.balance(fixed=[("goods", "goods"), ("factors", "goods"), ("EXT", "goods")])
    T0 = prior.values.copy()
    free = T0 != 0
    free[:2, :2] = False
    free[2:4, :2] = False
    free[9, :2] = False
    expected = kkt_least_squares(T0, free, np.abs(T0))
    assert_allclose(sam.values, expected, rtol=1e-9, atol=1e-10)
    adj = sam.adjustments
    assert list(adj.columns) == ["row", "col", "before", "after", "change", "relative_change"]
    assert set(zip(adj["row"], adj["col"], strict=True)).isdisjoint({("BRD", "BRD"), ("CAP", "BRD"), ("EXT", "MLK")})
    assert_allclose(adj["after"] - adj["before"], adj["change"])
    assert_allclose(adj["change"] / adj["before"].abs(), adj["relative_change"])
    assert adj.attrs["solver"] == "newton, confirmed by HiGHS"
    assert adj.attrs["weights"] == "relative" and adj.attrs["objective"] == pytest.approx(
        (((sam.values - T0) ** 2)[free] / np.abs(T0)[free]).sum()
    )
    # uniform weights give another answer, also balanced
    uni = prior.balance(weights="uniform")
    uni.check()
    assert not np.allclose(uni.values, sam.values)
    # reliability weights: a weight of 1e-9 keeps a cell almost fixed
    w = prior.frame.abs()
    w.loc["INV", "HOH"] = 1e-9
    kept = prior.balance(weights=w)
    assert kept.value("INV", "HOH") == pytest.approx(18.0, abs=1e-6)


def test_balance_keeps_the_sign_rules(hosoe):
    f = hosoe.frame
    f.loc["INV", "GOV"] = 0.5
    f.loc["BRD", "GOV"] = 20.5  # government still balances
    f.loc["HOH", "GOV"] = 0.0
    prior = SAM.from_frame(f, check=False, **HOSOE_ROLES)
    sam = prior.balance(free=[("goods", "government"), ("goods", "households"), ("INV", "HOH")])
    assert (sam.block("goods", ["government", "households"]).to_numpy() >= 0).all()
    with pytest.raises(InfeasibleError, match="no free cell"):
        prior.balance(free=[("INV", "HOH")])


# --------------------------------------------------------------------------- netCDF
def test_netcdf_round_trip(tmp_path, hosoe):
    f = hosoe.frame
    f.loc["INV", "HOH"] = 18.0
    sam = SAM.from_frame(f, check=False, **HOSOE_ROLES, unit="USD", name="perturbed").balance()
    ds = sam.to_dataset()
    assert set(ds.dims) <= dims.ALL
    assert ds.flows.attrs["units"] == "USD" and ds.prior.attrs["units"] == "USD"
    assert ds.role.sel(account="TRF").item() == "tariffs"
    p = tmp_path / "sam.nc"
    ds.to_netcdf(p)
    with xr.open_dataset(p) as back_ds:
        back_ds.load()
    xr.testing.assert_identical(back_ds, ds)
    back = SAM.from_dataset(back_ds)
    assert back.equals(sam)
    assert back.roles == sam.roles and back.notes == sam.notes
    pd.testing.assert_frame_equal(back.adjustments, sam.adjustments)
    assert back.adjustments.attrs == sam.adjustments.attrs


def test_netcdf_round_trip_kazakhstan(tmp_path, kz_sam):
    p = tmp_path / "kz_sam.nc"
    kz_sam.to_dataset().to_netcdf(p)
    with xr.open_dataset(p) as ds:
        back = SAM.from_dataset(ds.load())
    assert back.equals(kz_sam) and dict(back.notes) == dict(kz_sam.notes)
    assert "58-63, кроме 61" in back.goods


# --------------------------------------------------------------------------- the Kazakhstan SAM
def test_kazakhstan_sam_layout(kz_sam, kz_table):
    assert kz_sam.goods == tuple(kz_table.sectors)
    assert kz_sam.factors == ("LAB", "CAP")
    assert kz_sam.production_taxes == (
        "net_product_taxes",
        "other_taxes_on_production",
        "social_tax",
        "MET_oil_sector",
        "rent_tax_on_export_oil",
    )
    assert kz_sam.tariffs == ("import_duties",)
    assert kz_sam.factor_taxes == ("CIT", "CIT_oil_sector")
    assert kz_sam.direct_taxes == ("PIT",)
    assert kz_sam.consumption_taxes == ("VAT", "excise")
    assert (kz_sam.households, kz_sam.government, kz_sam.investment, kz_sam.rest_of_world) == (
        "households",
        "government",
        "investment",
        "rest_of_world",
    )
    assert kz_sam.unit == "thousand KZT"
    kz_sam.check(tol=1e-12)


def test_kazakhstan_goods_tied_to_the_table(kz_sam, kz_table):
    x = kz_table.output.to_numpy()
    m = kz_table.total_imports.to_numpy()
    duties = kz_sam.block("import_duties", "goods").to_numpy()[0]
    assert_allclose(duties, 0.01 * m, rtol=1e-12)
    t = kz_sam.totals().loc[list(kz_sam.goods)]
    assert_allclose(t["row_total"], x + m + duties, rtol=1e-10)
    assert_allclose(t["column_total"], x + m + duties, rtol=1e-10)
    # what the goods pay the rest of the world is the table's imports; exports are the table's, less
    # what falling inventories supplied (netted against the fall: net_stock_drawdowns)
    assert_allclose(kz_sam.block("rest_of_world", "goods").to_numpy()[0], m, rtol=1e-12)
    drawn = stock_drawdowns(kz_table)
    assert_allclose(
        kz_sam.block("goods", "rest_of_world").to_numpy()[:, 0], kz_table.final_demand["exports"] - drawn, rtol=1e-12
    )
    # intermediate use = domestic + imported flows + duty on the imported part
    Zm = kz_table.imports.to_numpy()
    expected = kz_table.Z.to_numpy() + 1.01 * Zm
    assert_allclose(kz_sam.block("goods", "goods").to_numpy(), expected, rtol=1e-12)
    fd, mf = kz_table.final_demand, kz_table.imports_final
    hh = fd["households"] + 1.01 * mf["households"]
    assert_allclose(kz_sam.block("goods", "households").to_numpy()[:, 0], hh, rtol=1e-12)
    gov = fd["government"] + fd["npish"] + 1.01 * (mf["government"] + mf["npish"])
    assert_allclose(kz_sam.block("goods", "government").to_numpy()[:, 0], gov, rtol=1e-12)
    inv = sum(fd[c] + 1.01 * mf[c] for c in ("gfcf", "inventories", "valuables")) + drawn
    assert_allclose(kz_sam.block("goods", "investment").to_numpy()[:, 0], inv, rtol=1e-12)


def stock_drawdowns(table):
    """Exports supplied from falling inventories: the smaller of the fall and the exports, by good."""
    fd = table.final_demand
    return np.minimum((-fd["inventories"]).clip(lower=0.0), fd["exports"].clip(lower=0.0))


def test_kazakhstan_stock_drawdowns_netted(kz_sam, kz_table):
    drawn = stock_drawdowns(kz_table)
    moved = json.loads(kz_sam.notes["stock_drawdowns_netted"].split(": ", 1)[1])
    assert set(moved) == set(drawn[drawn > 0].index)
    assert sum(moved.values()) == pytest.approx(drawn.sum(), rel=1e-9)
    # every good now sells at home: output plus production taxes exceeds exports
    g = list(kz_sam.goods)
    output = kz_sam.block(["goods", "factors"], g).sum().to_numpy()
    domestic = (
        output + kz_sam.block("production_taxes", g).sum().to_numpy() - kz_sam.block(g, "rest_of_world").iloc[:, 0]
    )
    assert (domestic > 0).all()
    # without netting the table's exports stay, and five goods export more than they produce
    raw = SAM.from_table(kz_table, net_stock_drawdowns=False)
    assert_allclose(raw.block(g, "rest_of_world").iloc[:, 0], kz_table.final_demand["exports"], rtol=1e-12)
    domestic = output + raw.block("production_taxes", g).sum().to_numpy() - raw.block(g, "rest_of_world").iloc[:, 0]
    assert sorted(domestic[domestic <= 0].index) == ["062", "14", "15", "26", "32"]
    assert "stock_drawdowns_netted" not in raw.notes
    # the goods rows keep their totals; foreign savings take up the lower exports
    assert_allclose(raw.row_totals[g], kz_sam.row_totals[g], rtol=1e-12)
    assert kz_sam.value("investment", "rest_of_world") - raw.value("investment", "rest_of_world") == pytest.approx(
        drawn.sum(), rel=1e-9
    )


def test_kazakhstan_factor_income_tied_to_the_table(kz_sam, kz_table):
    va = kz_table.value_added
    taxes = kz_table.taxes
    lab = kz_sam.block("LAB", "goods").to_numpy()[0]
    cap = kz_sam.block("CAP", "goods").to_numpy()[0]
    assert_allclose(lab + taxes.loc["social_tax"], va.loc["compensation"], rtol=1e-12)
    assert_allclose(
        cap + taxes.loc["MET_oil_sector"] + taxes.loc["rent_tax_on_export_oil"],
        va.loc["consumption_of_fixed_capital"] + va.loc["net_operating_surplus"],
        rtol=1e-12,
    )
    assert (cap >= 0).all() and (lab >= 0).all()
    # gross value added at basic prices = factors + other taxes on production + payroll and resource taxes
    prod = kz_sam.block(
        ["other_taxes_on_production", "social_tax", "MET_oil_sector", "rent_tax_on_export_oil"], "goods"
    )
    assert (lab + cap + prod.to_numpy().sum(axis=0)).sum() == pytest.approx(va.to_numpy().sum(), rel=1e-12)


def test_kazakhstan_tax_accounts_tied_to_table_and_calibration(kz_sam, kz_table):
    prov = iom.datasets.kazakhstan_provenance()
    cal = {r["tax"]: r["revenue"] for r in prov["calibrated_taxes"]}
    revenue = kz_sam.block("government", list(kz_sam.taxes)).iloc[0]
    assert revenue["CIT"] == pytest.approx(cal["CIT"], rel=1e-12)
    assert revenue["CIT_oil_sector"] == pytest.approx(cal["CIT_oil_sector"], rel=1e-12)
    assert revenue["PIT"] == pytest.approx(cal["PIT"], rel=1e-12)
    assert revenue["social_tax"] == pytest.approx(cal["social_tax"], rel=1e-12)
    assert revenue["MET_oil_sector"] == pytest.approx(cal["MET_oil_sector"], rel=1e-12)
    assert revenue["rent_tax_on_export_oil"] == pytest.approx(cal["rent_tax_on_export_oil"], rel=1e-12)
    assert revenue["other_taxes_on_production"] == pytest.approx(
        kz_table.value_added.loc["other_taxes_on_production"].sum(), rel=1e-12
    )
    # net product taxes on intermediate use: the table's row less the duties now in the composite price
    duty_int = 0.01 * kz_table.imports.to_numpy().sum(axis=0)
    assert_allclose(
        kz_sam.block("net_product_taxes", "goods").to_numpy()[0] + duty_int, kz_table.product_taxes, rtol=1e-12
    )
    assert revenue["import_duties"] == pytest.approx(0.01 * kz_table.total_imports.sum(), rel=1e-12)
    cons = {r["tax"]: r["attributed_to_households"] for r in prov["consumption_taxes"]}
    assert revenue["VAT"] == pytest.approx(cons["VAT"], rel=1e-9)
    assert revenue["excise"] == pytest.approx(cons["excise"], rel=1e-9)
    # the taxes by sector of the calibration are kept by sector where the SAM holds them
    assert_allclose(kz_sam.block("social_tax", "goods").to_numpy()[0], kz_table.taxes.loc["social_tax"], rtol=1e-12)
    # every tax account pays the government all it receives
    t = kz_sam.totals()
    assert_allclose(t.loc[list(kz_sam.taxes), "row_total"], revenue[list(kz_sam.taxes)], rtol=1e-12)


def test_kazakhstan_institutions(kz_sam, kz_table):
    gva = kz_table.value_added.to_numpy().sum()
    assert kz_sam.value("households", "government") == pytest.approx(0.04 * gva, rel=1e-12)
    cap_net = kz_sam.row_totals["CAP"] - kz_sam.value("CIT", "CAP") - kz_sam.value("CIT_oil_sector", "CAP")
    assert kz_sam.value("rest_of_world", "CAP") == pytest.approx(0.10 * cap_net, rel=1e-12)
    assert kz_sam.value("households", "LAB") == pytest.approx(kz_sam.row_totals["LAB"], rel=1e-12)
    # foreign savings: the residual of the rest of the world = imports + capital income abroad - exports
    exports = kz_table.final_demand["exports"].sum() - stock_drawdowns(kz_table).sum()
    sf = kz_table.total_imports.sum() + kz_sam.value("rest_of_world", "CAP") - exports
    assert kz_sam.value("investment", "rest_of_world") == pytest.approx(sf, rel=1e-9)
    # savings finance investment
    savings = kz_sam.block("investment", ["households", "government", "rest_of_world"]).to_numpy().sum()
    assert savings == pytest.approx(kz_sam.col_totals["investment"], rel=1e-12)
    assert kz_sam.adjustments.empty  # residual savings close every account
    assert "residual" in kz_sam.notes["household_saving"]


def test_kazakhstan_with_a_savings_prior_is_balanced_keeping_table_cells(kz_sam, kz_table):
    sam = SAM.from_table(kz_table, foreign_savings=0.03)
    sam.check()
    adj = sam.adjustments
    assert not adj.empty
    moved = set(zip(adj["row"], adj["col"], strict=True))
    movable = {("households", f) for f in ("LAB", "CAP")} | {("rest_of_world", f) for f in ("LAB", "CAP")}
    movable |= {("households", "government")} | {
        ("investment", x) for x in ("households", "government", "rest_of_world")
    }
    assert moved <= movable
    # every cell from the table and the tax data is as in the default build
    goods = list(kz_sam.goods)
    assert_allclose(sam.block(goods, goods).to_numpy(), kz_sam.block(goods, goods).to_numpy(), rtol=0)
    assert_allclose(sam.block("government", "production_taxes"), kz_sam.block("government", "production_taxes"))
    before = adj.set_index(["row", "col"])["before"]
    assert before[("investment", "rest_of_world")] == pytest.approx(0.03 * kz_table.value_added.to_numpy().sum())


def test_kazakhstan_parameters(kz_table):
    no_tariff = SAM.from_table(kz_table, tariff_rate=0.0)
    assert no_tariff.row_totals["import_duties"] == 0.0
    assert_allclose(no_tariff.block("net_product_taxes", "goods").to_numpy()[0], kz_table.product_taxes)
    one = SAM.from_table(kz_table, tariff_rate={"28": 0.05})
    assert one.value("import_duties", "28") == pytest.approx(0.05 * kz_table.total_imports["28"])
    assert one.value("import_duties", "01") == 0.0
    with pytest.raises(LabelError, match="unknown good"):
        SAM.from_table(kz_table, tariff_rate={"99": 0.05})
    ex = SAM.from_table(kz_table, export_taxes={"061": 2.0e9})
    assert ex.production_taxes[-1] == "export_taxes"
    assert ex.value("rest_of_world", "CAP") == pytest.approx(SAM.from_table(kz_table).value("rest_of_world", "CAP"))
    exports_061 = kz_table.final_demand.loc["061", "exports"] - stock_drawdowns(kz_table)["061"]
    assert ex.value("061", "rest_of_world") == pytest.approx(exports_061 + 2.0e9)
    with pytest.raises(ValidationError, match=r"factor_income_abroad\['CAP'\]"):
        SAM.from_table(kz_table, factor_income_abroad={"CAP": 1.5})


def test_from_table_needs_a_treatment_for_every_row(kz_table):
    with pytest.raises(LabelError, match="tax row 'other_taxes_on_production' of the table has no treatment"):
        SAM.from_table(kz_table, taxes={"net_product_taxes": ("block",)})
    omit_all = {t: ("omit",) for t in kz_table.taxes.index}
    bad = {**omit_all, "CIT": ("production_taxes", "other_taxes_on_production")}
    with pytest.raises(ValidationError, match="exceed it for sector"):
        SAM.from_table(kz_table, taxes=bad)
    sam = SAM.from_table(kz_table, taxes=omit_all)
    assert sam.taxes == ("net_product_taxes", "other_taxes_on_production", "import_duties", "VAT", "excise")
    assert "left out of the SAM" in sam.notes["tax:CIT"]


def test_from_table_miller_blair():
    mb = iom.datasets.miller_blair()
    with pytest.raises(LabelError, match=r"final-demand categories \['other'\] have no account"):
        SAM.from_table(mb)
    sam = SAM.from_table(mb, final_demand={"households": "households", "other": "investment"}, transfers=0.0)
    assert sam.goods == ("agriculture", "manufacturing")
    assert_allclose(sam.row_totals[list(sam.goods)], mb.output)
    assert sam.taxes == ("import_duties",)
    assert sam.value("investment", "households") == pytest.approx(800 + 0.9 * 1250 - 360)
    assert sam.value("investment", "rest_of_world") == pytest.approx(0.1 * 1250)
