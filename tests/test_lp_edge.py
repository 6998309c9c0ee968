"""Edge cases of the LP layer, each solved on the matrix path and on the Pyomo path (issue 11, item 5).

One list of programs (:data:`EDGES`) runs through both paths:
``LinearProgram.solve()`` (HiGHS through ``highspy``) and
``solve_pyomo(lp.to_pyomo())`` (the Pyomo model compiled back into blocks).
Both must give the same status or raise the same exception with the same
message, and when optimal the same objective, values, duals, reduced costs
and ranging, block by block and label by label. Then: what is refused before
anything is solved, how unboundedness is explained, and the datasets of the
shipped allocation example.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import optimize as opt
from iomodel.errors import InfeasibleError, IOModelError, LabelError, UnboundedError, ValidationError
from iomodel.optimize import highs
from iomodel.optimize.lp import INFINITE_BOUND, LinearProgram, LPResult, LPStatus

from .test_contract import assert_contract

ROOT = Path(__file__).resolve().parents[1]
MB = iom.datasets.miller_blair()
IA = np.eye(2) - MB.A.to_numpy()


# ----------------------------------------------------------------------------- the edge cases
def brink_mccarl() -> LinearProgram:
    lp = LinearProgram(sense="max", objective_units="dollars of output", name="brink-mccarl")
    lp.add_variables("x", MB.sectors, cost=1.0, units="dollars")
    lp.add_constraints("balance", MB.sectors, {"x": IA}, upper=[350.0, 1700.0], dual_units="per dollar")
    return lp


def least_wages() -> LinearProgram:
    lp = LinearProgram(sense="min", name="least wages")
    lp.add_variables("x", MB.sectors, cost=[0.30, 0.25])
    lp.add_constraints("balance", MB.sectors, {"x": IA}, lower=[350.0, 1700.0])
    return lp


def infeasible() -> LinearProgram:
    lp = LinearProgram(sense="max", name="floors above the ceiling")
    lp.add_variables("x", MB.sectors, cost=1.0)
    lp.add_constraints("floor", MB.sectors, {"x": np.eye(2)}, lower=[10.0, 20.0])
    lp.add_constraints("ceiling", ["total"], {"x": np.ones((1, 2))}, upper=[25.0])
    return lp


def infeasible_with_a_free_direction() -> LinearProgram:
    """Infeasible rows next to a free variable that could grow forever (HiGHS may say "unbounded or infeasible")."""
    lp = LinearProgram(sense="max", name="both")
    lp.add_variables("free", ["f"], lower=-np.inf, cost=1.0)
    lp.add_variables("y", ["y"], upper=1.0)
    lp.add_constraints("need", ["r"], {"y": [[1.0]]}, lower=[2.0])
    return lp


def unbounded_max() -> LinearProgram:
    lp = LinearProgram(sense="max", name="no ceiling")
    lp.add_variables("x", MB.sectors, cost=1.0)
    lp.add_constraints("balance", MB.sectors, {"x": IA}, lower=[350.0, 1700.0])
    return lp


def unbounded_min_through_a_free_variable() -> LinearProgram:
    """``y`` is free and costs more than ``x``: trading ``x`` for ``y`` along ``x + y >= 1`` saves without limit."""
    lp = LinearProgram(sense="min", name="free y")
    lp.add_variables("x", ["a"], cost=1.0)
    lp.add_variables("y", ["b"], lower=-np.inf, cost=2.0)
    lp.add_constraints("row", ["r"], {"x": [[1.0]], "y": [[1.0]]}, lower=[1.0])
    return lp


def unbounded_max_through_a_falling_variable() -> LinearProgram:
    lp = LinearProgram(sense="max", name="negative cost, no floor")
    lp.add_variables("x", ["a", "b"], lower=-np.inf, upper=10.0, cost=[-1.0, 0.0])
    lp.add_constraints("row", ["r"], {"x": [[1.0, 1.0]]}, upper=[5.0])
    return lp


def empty() -> LinearProgram:
    return LinearProgram(sense="max", name="empty")


def empty_with_a_constant() -> LinearProgram:
    return dataclasses.replace(LinearProgram(sense="min", name="constant"), objective_constant=7.5)


def zero_variable_block() -> LinearProgram:
    lp = brink_mccarl()
    lp.add_variables("none", pd.Index([], name="project", dtype=object), cost=1.0)
    lp.add_constraints("limits", ["cap"], {"none": np.zeros((1, 0)), "x": [[1.0, 1.0]]}, upper=[1e6])
    return lp


def zero_row_block() -> LinearProgram:
    lp = brink_mccarl()
    lp.add_constraints("nothing", pd.Index([], dtype=object), {"x": np.zeros((0, 2))}, upper=[])
    return lp


def only_empty_blocks() -> LinearProgram:
    lp = LinearProgram(sense="max", name="nothing in it")
    lp.add_variables("x", [], cost=1.0)
    lp.add_constraints("c", [], {"x": np.zeros((0, 0))})
    return lp


def free_variables() -> LinearProgram:
    """Free variables held by rows: min x0 + x1 with x0 >= -3, x1 - x0 >= 1, x1 <= 4."""
    lp = LinearProgram(sense="min", name="free")
    lp.add_variables("x", ["x0", "x1"], lower=-np.inf, cost=1.0)
    lp.add_constraints("rows", ["floor", "gap"], {"x": [[1.0, 0.0], [-1.0, 1.0]]}, lower=[-3.0, 1.0])
    lp.add_constraints("cap", ["x1"], {"x": [[0.0, 1.0]]}, upper=[4.0])
    return lp


def equality_rows() -> LinearProgram:
    lp = LinearProgram(sense="min", name="equalities")
    lp.add_variables("x", ["a", "b", "c"], cost=[2.0, 3.0, 1.0])
    lp.add_constraints(
        "eq", ["sum", "link"], {"x": [[1.0, 1.0, 1.0], [1.0, -1.0, 0.0]]}, lower=[4.0, 0.0], upper=[4.0, 0.0]
    )
    lp.add_constraints("c_cap", ["c"], {"x": [[0.0, 0.0, 1.0]]}, upper=[1.0])
    return lp


def ranged_rows_and_fixed_variables() -> LinearProgram:
    lp = LinearProgram(sense="max", name="ranged")
    lp.add_variables("x", ["a", "b"], lower=[0.0, 2.0], upper=[10.0, 2.0], cost=[1.0, 1.0])
    lp.add_constraints("band", ["r"], {"x": [[1.0, 2.0]]}, lower=[1.0], upper=[9.0])
    return lp


def impossible_empty_row() -> LinearProgram:
    lp = LinearProgram(sense="max", name="0 <= -1")
    lp.add_variables("x", ["a"], upper=1.0, cost=1.0)
    lp.add_constraints("empty", ["r"], {}, upper=[-1.0])
    return lp


def impossible_empty_row_without_variables() -> LinearProgram:
    lp = LinearProgram(sense="min", name="no columns, 0 >= 1")
    lp.add_constraints("empty", ["r"], {}, lower=[1.0])
    return lp


def harmless_empty_and_free_rows() -> LinearProgram:
    lp = brink_mccarl()
    lp.add_constraints("empty", ["r", "s"], {}, lower=[-1.0, 0.0], upper=[1.0, 0.0])
    lp.add_constraints("watch", ["total"], {"x": np.ones((1, 2))})  # no bound: a row that only reports
    return lp


def unused_and_integer_labels() -> LinearProgram:
    lp = LinearProgram(sense="max", name="integer labels")
    lp.add_variables("x", pd.Index([2, 1], name="plant"), upper=[1.0, 2.0], cost=[0.0, 1.0])
    lp.add_variables("spare", ["s"], lower=-np.inf)  # in no row and not in the objective
    lp.add_constraints("cap", pd.Index([10], name="site"), {"x": [[1.0, 1.0]]}, upper=[2.5])
    return lp


def infinite_bounds() -> LinearProgram:
    lp = LinearProgram(sense="max", name="infinite bounds")
    lp.add_variables("x", ["a", "b"], lower=[-np.inf, -2e20], upper=[np.inf, 5e21], cost=[1.0, -1.0])
    lp.add_constraints("box", ["hi", "lo"], {"x": np.eye(2)}, lower=[-1e30, -4.0], upper=[3.0, np.inf])
    return lp


def mixed_integer() -> LinearProgram:
    lp = LinearProgram(sense="max", name="knapsack")
    lp.add_variables("pick", ["a", "b", "c"], upper=1.0, cost=[5.0, 4.0, 3.0], integer=True)
    lp.add_constraints("weight", ["w"], {"pick": [[4.0, 3.0, 2.0]]}, upper=[5.0])
    return lp


def constant_objective() -> LinearProgram:
    lp = brink_mccarl()
    return dataclasses.replace(lp, objective_constant=-100.0)


#: name -> (program builder, status both paths must report)
EDGES: dict[str, tuple[Callable[[], LinearProgram], LPStatus]] = {
    "optimal max": (brink_mccarl, LPStatus.OPTIMAL),
    "optimal min": (least_wages, LPStatus.OPTIMAL),
    "infeasible": (infeasible, LPStatus.INFEASIBLE),
    "infeasible with a free direction": (infeasible_with_a_free_direction, LPStatus.INFEASIBLE),
    "unbounded max": (unbounded_max, LPStatus.UNBOUNDED),
    "unbounded min through a free variable": (unbounded_min_through_a_free_variable, LPStatus.UNBOUNDED),
    "unbounded max through a falling variable": (unbounded_max_through_a_falling_variable, LPStatus.UNBOUNDED),
    "empty problem": (empty, LPStatus.OPTIMAL),
    "empty problem with a constant": (empty_with_a_constant, LPStatus.OPTIMAL),
    "zero-variable block": (zero_variable_block, LPStatus.OPTIMAL),
    "zero-row block": (zero_row_block, LPStatus.OPTIMAL),
    "only empty blocks": (only_empty_blocks, LPStatus.OPTIMAL),
    "free variables": (free_variables, LPStatus.OPTIMAL),
    "equality rows": (equality_rows, LPStatus.OPTIMAL),
    "ranged rows and fixed variables": (ranged_rows_and_fixed_variables, LPStatus.OPTIMAL),
    "impossible empty row": (impossible_empty_row, LPStatus.INFEASIBLE),
    "impossible empty row without variables": (impossible_empty_row_without_variables, LPStatus.INFEASIBLE),
    "harmless empty and free rows": (harmless_empty_and_free_rows, LPStatus.OPTIMAL),
    "unused variable and integer labels": (unused_and_integer_labels, LPStatus.OPTIMAL),
    "infinite bounds": (infinite_bounds, LPStatus.OPTIMAL),
    "mixed integer": (mixed_integer, LPStatus.OPTIMAL),
    "constant in the objective": (constant_objective, LPStatus.OPTIMAL),
}

EXCEPTIONS = {LPStatus.INFEASIBLE: InfeasibleError, LPStatus.UNBOUNDED: UnboundedError}

PATHS: dict[str, Callable[..., LPResult]] = {
    "matrix": lambda lp, **kw: lp.solve(**kw),
    "pyomo": lambda lp, **kw: opt.solve_pyomo(lp.to_pyomo(), **kw),
}


def _by_label(da: xr.DataArray) -> pd.Series:
    """Values by label as text (the Pyomo path labels by text), with the dimension's name."""
    dim = da.dims[0]
    return pd.Series(da.values, index=pd.Index([str(v) for v in da[dim].values], name=dim), dtype=float)


def _assert_same_blocks(a: dict, b: dict, what: str) -> None:
    assert list(a) == list(b), f"{what}: blocks {list(a)} != {list(b)}"
    for block in a:
        pd.testing.assert_series_equal(_by_label(a[block]), _by_label(b[block]), rtol=1e-9, atol=1e-9, obj=block)


@pytest.mark.parametrize("edge", list(EDGES))
def test_both_paths_agree(edge: str) -> None:
    build, status = EDGES[edge]
    results = {path: solve(build(), check=False) for path, solve in PATHS.items()}
    matrix, pyomo = results["matrix"], results["pyomo"]
    assert matrix.status is status and pyomo.status is status
    assert matrix.sense == pyomo.sense == build().sense
    if status is not LPStatus.OPTIMAL:
        assert np.isnan(matrix.objective) and np.isnan(pyomo.objective)
        assert matrix.info["message"] == pyomo.info["message"]  # same blocks, labels and ray named
        assert matrix.info.get("unbounded_ray") == pyomo.info.get("unbounded_ray")
        for path, solve in PATHS.items():
            with pytest.raises(EXCEPTIONS[status]) as raised:
                solve(build())
            assert str(raised.value) == matrix.info["message"], path
        return
    assert_allclose(pyomo.objective, matrix.objective, rtol=1e-9, atol=1e-9)
    _assert_same_blocks(matrix.primal, pyomo.primal, "values")
    _assert_same_blocks(matrix.duals, pyomo.duals, "duals")
    _assert_same_blocks(matrix.reduced_costs, pyomo.reduced_costs, "reduced costs")
    assert list(matrix.ranging) == list(pyomo.ranging)
    for block, ds in matrix.ranging.items():
        for q in ds.data_vars:
            pd.testing.assert_series_equal(_by_label(ds[q]), _by_label(pyomo.ranging[block][q]), obj=f"{block} {q}")
    assert matrix.info["equality_blocks"] == pyomo.info["equality_blocks"]
    assert matrix.units == pyomo.units
    for path, res in results.items():  # and each result makes one dataset
        assert res.to_dataset().attrs["status"] == "Optimal", path


def test_the_pyomo_model_keeps_every_row_and_is_left_as_it_was() -> None:
    lp = impossible_empty_row()
    m = lp.to_pyomo()
    assert list(m.empty_index) == ["r"] and m.empty["r"].ub == -1.0  # kept, not skipped
    assert opt.solve_pyomo(m, check=False).status is LPStatus.INFEASIBLE
    assert m.empty["r"].active  # deactivated only while Pyomo's compiler runs
    free = harmless_empty_and_free_rows().to_pyomo()
    assert free.watch["total"].lb is None and free.watch["total"].ub is None


def _has_columns(build: Callable[[], LinearProgram]) -> bool:
    return any(len(block.index) for block in build().variables.values())


@pytest.mark.parametrize("edge", [e for e, (build, _) in EDGES.items() if _has_columns(build)])
def test_other_pyomo_solvers_agree_on_status_and_objective(edge: str) -> None:
    """A solver by name (here Pyomo's own HiGHS interface) on the same model: same status and optimum.

    Programs without any variable are left out: what a solver makes of a
    model with nothing to solve is its own business (appsi reports "unknown").
    """
    build, status = EDGES[edge]
    other = build().solve(solver="appsi_highs", check=False)
    assert other.status is status
    if status is LPStatus.OPTIMAL:
        matrix = build().solve()
        assert_allclose(other.objective, matrix.objective, rtol=1e-9, atol=1e-9)
        assert list(other.duals) == list(matrix.duals)  # none for the MIP


def test_the_edge_cases_have_the_answers_worked_out_by_hand() -> None:
    """The agreement above is on the right numbers."""
    solve = {name: build().solve() for name, (build, status) in EDGES.items() if status is LPStatus.OPTIMAL}
    assert_allclose(solve["optimal max"].objective, 3000.0)
    assert_allclose(solve["optimal min"].dual("balance").values, [0.4422, 0.3795], atol=1e-4)
    assert solve["empty problem"].objective == 0.0 and solve["empty problem"].primal == {}
    assert solve["empty problem with a constant"].objective == 7.5
    assert solve["zero-variable block"].value("none").dims == ("project",)
    assert solve["zero-variable block"].value("none").size == 0
    assert_allclose(solve["zero-row block"].objective, 3000.0)
    # free variables: x0 = -3, x1 = -2, the floor of x0 is worth 2 (it drags x1), the gap 1
    assert_allclose(solve["free variables"].value("x").values, [-3.0, -2.0])
    assert_allclose(solve["free variables"].dual("rows").values, [2.0, 1.0])
    # equalities: a = b = 1.5, c = 1; cost 2a + 3b + c = 8.5
    assert_allclose(solve["equality rows"].value("x").values, [1.5, 1.5, 1.0])
    assert_allclose(solve["equality rows"].objective, 8.5)
    assert solve["equality rows"].info["equality_blocks"] == ["eq"]
    assert_allclose(solve["ranged rows and fixed variables"].value("x").values, [5.0, 2.0])
    assert_allclose(solve["harmless empty and free rows"].dual("empty").values, [0.0, 0.0])
    assert_allclose(solve["harmless empty and free rows"].dual("watch").values, [0.0])
    # x = 3 (capped at 3), b = -2e20 is no bound: b falls to the box's floor -4; objective 3 + 4
    assert_allclose(solve["infinite bounds"].value("x").values, [3.0, -4.0])
    assert_allclose(solve["mixed integer"].objective, 7.0)  # b and c (weight 5); a alone is worth 5
    assert solve["mixed integer"].duals == {}
    assert_allclose(solve["constant in the objective"].objective, 2900.0)
    assert solve["unused variable and integer labels"].value("x")["plant"].values.tolist() == [2, 1]


# ----------------------------------------------------------------------------- refused before solving
@pytest.mark.parametrize("sense", ["maximize", "minimise", "MAX", "", None, 1])
def test_only_max_and_min_are_senses(sense) -> None:
    with pytest.raises(ValidationError, match=r"sense must be one of \['max', 'min'\], got"):
        LinearProgram(sense=sense)
    lp = brink_mccarl()
    lp.sense = sense  # changed after building: refused when solved, on both paths
    for solve in PATHS.values():
        with pytest.raises(ValidationError, match="sense must be one of"):
            solve(lp)
    with pytest.raises(ValidationError, match="sense must be one of"):
        LPResult("Optimal", 0.0, sense, {}, {}, {}, {}, {})


def test_maximize_is_not_silently_minimised() -> None:
    """The issue's case: sense="maximize" once minimised and still reported "maximize"."""
    with pytest.raises(ValidationError, match=r"got 'maximize'"):
        LinearProgram(sense="maximize")
    assert brink_mccarl().solve().objective == pytest.approx(3000.0)


def _program_with(**block) -> Callable[[], object]:
    def build():
        lp = LinearProgram(sense="max", name="bad")
        lp.add_variables("x", ["a", "b"], **block.get("variables", {}))
        if "constraints" in block:
            lp.add_constraints("row", ["r1", "r2"], **block["constraints"])
        return lp

    return build


OK_TERMS = {"x": np.eye(2)}
REFUSED = {
    "infinite cost": (
        _program_with(variables={"cost": [1.0, np.inf]}),
        ValidationError,
        r"cost is infinite .* \['b'\]",
    ),
    "-infinite cost": (_program_with(variables={"cost": [-np.inf, 0]}), ValidationError, r"cost is infinite .*\['a'\]"),
    "huge cost": (_program_with(variables={"cost": [1e21, 0]}), ValidationError, r"'x': cost is infinite.*\['a'\]"),
    "NaN cost": (_program_with(variables={"cost": [np.nan, 0]}), ValidationError, r"'x': cost is NaN at \['a'\]"),
    "complex cost": (_program_with(variables={"cost": [1j, 0]}), ValidationError, "must be real numbers"),
    "text cost": (
        _program_with(variables={"cost": ["lots", 0]}),
        ValidationError,
        r"cost must be numbers, got \['lots'",
    ),
    "wrong length": (
        _program_with(variables={"upper": [1, 2, 3]}),
        ValidationError,
        r"upper bound must be one .*\(3,\)",
    ),
    "NaN lower bound": (
        _program_with(variables={"lower": [0, np.nan]}),
        ValidationError,
        r"lower bound is NaN at \['b'\]",
    ),
    "NaN upper bound": (
        _program_with(variables={"upper": np.nan}),
        ValidationError,
        r"upper bound is NaN at \['a', 'b'\]",
    ),
    "+inf lower bound": (_program_with(variables={"lower": [np.inf, 0]}), ValidationError, r"lower bound is \+inf"),
    "-inf upper bound": (_program_with(variables={"upper": -np.inf}), ValidationError, r"upper bound is -inf"),
    "lower above upper": (_program_with(variables={"lower": 2.0, "upper": 1.0}), InfeasibleError, "lower bound above"),
    "infinite coefficient": (
        _program_with(constraints={"terms": {"x": [[1.0, np.inf], [0, 1]]}}),
        ValidationError,
        r"'row': matrix for 'x' has 1 NaN, infinite or huge .* \[\('r1', 'b'\)\]",
    ),
    "NaN coefficient": (
        _program_with(constraints={"terms": {"x": [[1.0, 0], [np.nan, 1]]}}),
        ValidationError,
        r"\[\('r2', 'a'\)\]",
    ),
    "huge coefficient": (
        _program_with(constraints={"terms": {"x": [[1e16, 0], [0, 1]]}}),
        ValidationError,
        r"at least 1e\+15",
    ),
    "NaN right-hand side": (
        _program_with(constraints={"terms": OK_TERMS, "upper": [1.0, np.nan]}),
        ValidationError,
        r"constraints 'row': upper bound is NaN at \['r2'\]",
    ),
    "+inf lower right-hand side": (
        _program_with(constraints={"terms": OK_TERMS, "lower": [np.inf, 0]}),
        ValidationError,
        r"constraints 'row': lower bound is \+inf .* \['r1'\]",
    ),
    "-inf upper right-hand side": (
        _program_with(constraints={"terms": OK_TERMS, "upper": [0, -1e25]}),
        ValidationError,
        r"constraints 'row': upper bound is -inf .* \['r2'\]",
    ),
    "wrong shape": (
        _program_with(constraints={"terms": {"x": np.eye(3)}}),
        ValidationError,
        r"has shape \(3, 3\), expected \(2, 2\)",
    ),
    "unknown block": (_program_with(constraints={"terms": {"y": np.eye(2)}}), LabelError, "unknown variable block 'y'"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_numbers_are_refused_with_block_and_label(case: str) -> None:
    build, exc, message = REFUSED[case]
    with pytest.raises(exc, match=message):
        build()


def test_labels_equal_as_text_are_refused() -> None:
    """1 and "1" would be one member of a Pyomo set and one netCDF label: refused on both paths alike."""
    lp = LinearProgram(sense="max")
    with pytest.raises(LabelError, match=r"variables 'x': labels \[1, '1'\] are the same as text"):
        lp.add_variables("x", [1, "1"])
    with pytest.raises(LabelError, match=r"variables 'x': duplicated labels \['a'\]"):
        lp.add_variables("x", ["a", "a"])
    lp.add_variables("x", [1, 2], upper=1.0, cost=1.0)
    with pytest.raises(LabelError, match=r"constraints 'c': labels \[1.0, '1.0'\] are the same as text"):
        lp.add_constraints("c", [1.0, "1.0"], {"x": np.ones((2, 2))})
    with pytest.raises(LabelError, match=r"constraints 'c': duplicated labels \['r'\]"):
        lp.add_constraints("c", ["r", "r"], {"x": np.ones((2, 2))})
    # changed in place after building: both paths refuse it when they run
    lp.variables["x"].index = pd.Index([1, "1"])
    for solve in PATHS.values():
        with pytest.raises(LabelError, match="the same as text"):
            solve(lp)


def test_blocks_changed_in_place_are_checked_when_solved() -> None:
    for change in (
        lambda lp: lp.variables["x"].cost.__setitem__(0, np.inf),
        lambda lp: lp.constraints["balance"].upper.__setitem__(1, np.nan),
        lambda lp: setattr(lp.constraints["balance"], "lower", np.array([np.inf, 0.0])),
    ):
        lp = brink_mccarl()
        change(lp)
        for solve in PATHS.values():
            with pytest.raises(ValidationError, match=r"'x': cost|'balance'"):
                solve(lp)


def test_infinite_bounds_mean_no_bound_and_huge_ones_are_infinite() -> None:
    lp = infinite_bounds()
    x = lp.variables["x"]
    assert x.lower.tolist() == [-np.inf, -np.inf] and x.upper.tolist() == [np.inf, np.inf]
    assert lp.constraints["box"].lower.tolist() == [-np.inf, -4.0]
    assert INFINITE_BOUND == 1e20
    m = lp.matrices()
    assert np.isneginf(m["col_lower"]).all() and np.isposinf(m["col_upper"]).all()
    # a huge bound written into a block after it was added is read as infinite too
    x.upper = np.array([np.inf, 1e25])
    assert np.isposinf(lp.matrices()["col_upper"]).all()


# ----------------------------------------------------------------------------- unboundedness explained
@pytest.mark.parametrize("sense", ["max", "min"])
def test_unboundedness_names_the_variables_along_the_ray_in_either_direction(sense: str) -> None:
    sign = 1.0 if sense == "max" else -1.0
    lp = LinearProgram(sense=sense, name=f"free {sense}")
    lp.add_variables("bounded", ["b"], upper=5.0, cost=sign)
    # rises without limit in a max when its cost is positive, falls in a min, ...
    lp.add_variables("up", ["u"], cost=sign * 1.0)
    # ... and falls in a max when its cost is negative (no lower bound)
    lp.add_variables("down", ["d"], lower=-np.inf, upper=0.0, cost=-sign * 1.0)
    lp.add_constraints("tie", ["t"], {"up": [[1.0]], "down": [[1.0]]}, lower=[-1.0])  # up + down >= -1
    grow = "grow" if sense == "max" else "fall"
    for path, solve in PATHS.items():
        with pytest.raises(UnboundedError) as raised:
            solve(lp)
        msg = str(raised.value)
        assert msg.startswith(f"the LP 'free {sense}' is unbounded: the objective can {grow} without limit"), path
        assert "with an improving cost and no upper bound: ['up']" in msg
        assert "with an improving cost and no lower bound: ['down']" in msg
        assert "bounded[" not in msg and "['bounded'" not in msg  # the bounded block plays no part
        res = solve(lp, check=False)
        assert res.status is LPStatus.UNBOUNDED
        assert set(res.info["unbounded_ray"]) == {"up", "down"}
    ray = highs.diagnose_unboundedness(lp)
    assert ray["up"]["u"] > 0 and ray["down"]["d"] < 0  # along up + down >= -1: up rises at least as down falls
    assert opt.diagnose_unboundedness is highs.diagnose_unboundedness


def test_the_issue_case_no_upper_bound_empty_list_is_gone() -> None:
    """A minimisation unbounded through a free variable once said "no upper bound: []"."""
    lp = LinearProgram(sense="min", name="free")
    lp.add_variables("x", ["a", "b"], lower=-np.inf, cost=[1.0, 0.0])
    lp.add_constraints("c", ["r"], {"x": np.array([[1.0, 1.0]])}, lower=[-5.0], upper=[5.0])
    with pytest.raises(UnboundedError) as raised:
        lp.solve()
    msg = str(raised.value)
    assert "[]" not in msg
    assert msg == (
        "the LP 'free' is unbounded: the objective can fall without limit; variable blocks with an improving "
        "cost and no lower bound: ['x']; along an unbounded ray x['a'] falls, x['b'] rises"
    )


def test_a_bounded_program_has_no_ray() -> None:
    assert highs.diagnose_unboundedness(brink_mccarl()) == {}
    assert highs.diagnose_unboundedness(empty()) == {}


def test_failures_are_iomodel_errors() -> None:
    for build, status in EDGES.values():
        if status is not LPStatus.OPTIMAL:
            with pytest.raises(IOModelError):
                build().solve()


# ----------------------------------------------------------------------------- one-row blocks in one dataset
def test_one_row_blocks_share_the_constraint_dimension() -> None:
    lp = brink_mccarl()
    lp.add_constraints("budget", pd.Index(["budget"], name="constraint"), {"x": [[1.0, 1.0]]}, upper=[2500.0])
    lp.add_constraints("imports", pd.Index(["imports"], name="constraint"), {"x": [[0.1, 0.2]]}, upper=[1e6])
    res = lp.solve()
    ds = res.to_dataset()
    assert ds["constraint"].values.tolist() == ["budget", "imports"]
    assert ds["dual_budget"].sel(constraint="budget").item() == pytest.approx(res.dual("budget").item())
    assert np.isnan(ds["dual_budget"].sel(constraint="imports").item())
    assert np.isnan(ds["dual_imports"].sel(constraint="budget").item())
    assert ds["dual_imports"].attrs == {"units": "", "block": "imports", "quantity": "dual"}
    # labels shared by two blocks with different label sets still refuse to line up
    lp.add_constraints("more", pd.Index(["budget", "extra"], name="constraint"), {"x": np.eye(2)}, upper=1e6)
    with pytest.raises(LabelError, match="blocks 'budget' and 'more' both lie along dimension 'constraint'"):
        lp.solve().to_dataset()


def test_text_coordinates_of_a_block_are_empty_where_it_has_no_label(tmp_path: Path) -> None:
    lp = LinearProgram(sense="max")
    lp.add_variables("level", pd.Index(["p1", "p2"], name="project"), upper=1.0, cost=[1.0, 2.0])
    lp.add_variables("extra", pd.Index(["p3"], name="project"), upper=1.0, cost=1.0)
    res = lp.solve()
    lev = res.value("level").assign_coords(zone=("project", ["z1", "z2"]))
    ds = dataclasses.replace(res, primal={**res.primal, "level": lev}).to_dataset()
    assert ds["project"].values.tolist() == ["p1", "p2", "p3"]
    assert ds["zone"].values.tolist() == ["z1", "z2", ""]
    ds.to_netcdf(tmp_path / "lp.nc")
    xr.testing.assert_identical(xr.load_dataset(tmp_path / "lp.nc"), ds)


# ----------------------------------------------------------------------------- the shipped allocation example
@pytest.fixture(scope="module")
def shipped() -> tuple[iom.IOTable, opt.AllocationProblem]:
    kz = iom.datasets.kazakhstan()
    problem = opt.AllocationProblem.from_toml(ROOT / "examples" / "cluster_allocation.toml", economy=kz.economy)
    return kz, problem


def test_the_shipped_allocation_has_a_dataset(shipped, tmp_path: Path) -> None:
    """The issue's case: the example's import limit put 'budget' and 'imports' on one dimension."""
    kz, problem = shipped
    assert problem.import_limit is not None
    res = problem.solve(kz)
    ds = res.to_dataset()
    assert ds["constraint"].values.tolist() == ["budget", "imports"]
    assert ds["dual_budget"].sel(constraint="budget").item() == pytest.approx(res.dual("budget").item())
    assert ds["dual_imports"].sel(constraint="imports").item() == pytest.approx(res.dual("imports").item())
    assert_contract(ds, tmp_path)


def test_every_lp_result_of_the_example_study_has_a_dataset(shipped, tmp_path: Path) -> None:
    """``examples/cluster_allocation.py`` solves the problem, a budget sweep and a Pareto front."""
    kz, problem = shipped
    coef = opt.candidate_coefficients(kz, problem)
    results = {"plan": problem.solve(kz, coefficients=coef)}
    for b in (0.25, 3.0):
        results[f"budget x{b}"] = problem.replace(budget=problem.budget * b).build(kz, coef).solve()
    lp = problem.build(kz, coef)  # the Pareto front adds a one-row block along ``constraint``
    c2 = problem.replace(objective="nfe").build(kz, coef).matrices()["c"]
    cols = lp.matrices()["cols"]
    lp.add_constraints(
        "epsilon",
        pd.Index(["nfe"], name="constraint"),
        {n: c2[s][None, :] for n, s in cols.items()},
        lower=[0.0],
        dual_units="jobs per million KZT of net fiscal effect",
    )
    results["epsilon"] = lp.solve(ranging=False)
    for name, res in results.items():
        path = tmp_path / name
        path.mkdir()
        assert_contract(res.to_dataset(), path)


def test_the_shipped_allocation_agrees_on_both_paths(shipped) -> None:
    kz, problem = shipped
    coef = opt.candidate_coefficients(kz, problem)
    lp = problem.build(kz, coef)
    matrix, pyomo = lp.solve(), opt.solve_pyomo(lp.to_pyomo())
    assert_allclose(pyomo.objective, matrix.objective, rtol=1e-9)
    for block in ("budget", "imports", "labour", "capacity"):
        assert_allclose(pyomo.dual(block).values, matrix.dual(block).values, rtol=1e-7, atol=1e-9)
    xr.testing.assert_equal(pyomo.to_dataset()["dual_budget"], matrix.to_dataset()["dual_budget"])
