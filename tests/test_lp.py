"""The LP layer: status enum, dimension names, one dataset per result, silent HiGHS, module layout."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import iomodel as iom
from iomodel import optimize as opt
from iomodel.errors import InfeasibleError, LabelError, SolverError, ValidationError
from iomodel.optimize import highs
from iomodel.optimize.lp import LinearProgram, LPResult, LPStatus

ROOT = Path(__file__).resolve().parents[1]
MB = iom.datasets.miller_blair()
KZ = iom.datasets.kazakhstan()


def brink_mccarl(table=MB, upper=(350.0, 1700.0)) -> LinearProgram:
    """max i'x s.t. (I - A)x <= f, with the units of docs/optimize.md."""
    lp = LinearProgram(sense="max", objective_units="dollars of output", name="Brink-McCarl")
    lp.add_variables("x", table.sectors, cost=1.0, units="dollars")
    lp.add_constraints(
        "balance",
        table.sectors,
        {"x": np.eye(table.n) - table.A.to_numpy()},
        upper=list(upper),
        units="dollars",
        dual_units="dollars of output per dollar of final demand",
    )
    return lp


def kz_output_lp() -> LinearProgram:
    f = KZ.final_demand.sum(axis=1).clip(lower=1.0).to_numpy()
    return brink_mccarl(KZ, f)


# ----------------------------------------------------------------------------- status
def test_status_is_a_string_enum_and_results_carry_it():
    assert [s.value for s in LPStatus] == [
        "Optimal",
        "Infeasible",
        "Unbounded",
        "UnboundedOrInfeasible",
        "TimeLimit",
        "Other",
    ]
    res = brink_mccarl().solve()
    assert res.status is LPStatus.OPTIMAL
    assert res.status == "Optimal" and f"{res.status}" == "Optimal" and res.optimal
    # a plain string is converted; an unknown one is refused with the valid options
    made = LPResult("Infeasible", float("nan"), "max", {}, {}, {}, {}, {})
    assert made.status is LPStatus.INFEASIBLE and not made.optimal
    with pytest.raises(ValidationError, match=r"unknown LP status 'Solved'; valid options are \['Optimal'"):
        LPResult("Solved", 0.0, "max", {}, {}, {}, {}, {})


def test_failures_map_to_statuses_and_keep_the_solver_status():
    short = brink_mccarl()
    short.constraints["balance"].lower = np.array([350.0, 1700.0])
    short.constraints["balance"].upper = np.full(2, np.inf)
    short.add_constraints("labour", ["workers"], {"x": np.array([[0.3, 0.25]])}, upper=[500.0])
    r = short.solve(check=False)
    assert r.status is LPStatus.INFEASIBLE and np.isnan(r.objective)
    assert "balance (violated by 790.435 at 'manufacturing')" in r.info["message"]
    unbounded = brink_mccarl()
    unbounded.constraints["balance"].lower = np.array([350.0, 1700.0])
    unbounded.constraints["balance"].upper = np.full(2, np.inf)
    assert unbounded.solve(check=False).status is LPStatus.UNBOUNDED
    lp = kz_output_lp()
    it = lp.solve(check=False, options={"simplex_iteration_limit": 0, "presolve": "off"})
    assert it.status is LPStatus.OTHER and it.info["solver_status"] == "kIterationLimit"
    with pytest.raises(SolverError, match=r"HiGHS stopped with kIterationLimit \(status 'Other'\)"):
        lp.solve(options={"simplex_iteration_limit": 0, "presolve": "off"})
    tl = lp.solve(check=False, time_limit=0.0, options={"presolve": "off"})
    assert tl.status is LPStatus.TIME_LIMIT and tl.info["solver_status"] == "kTimeLimit"


def test_diagnose_infeasibility_is_public_and_names_the_blocks():
    lp = LinearProgram(sense="max", name="two limits")
    lp.add_variables("x", MB.sectors, cost=1.0)
    lp.add_constraints("floor", MB.sectors, {"x": np.eye(2)}, lower=[10.0, 20.0])
    lp.add_constraints("ceiling", ["total"], {"x": np.ones((1, 2))}, upper=[25.0])
    found = opt.diagnose_infeasibility(lp)
    assert set(found) == {"floor"} or set(found) == {"ceiling"}
    _block, (violation, label) = next(iter(found.items()))
    assert_allclose(violation, 5.0, rtol=1e-9)  # 30 needed against 25 allowed
    assert label in {"agriculture", "manufacturing", "total"}
    assert highs.diagnose_infeasibility(brink_mccarl()) == {}  # a feasible program
    with pytest.raises(InfeasibleError, match="relaxing these constraint blocks"):
        lp.solve()


# ----------------------------------------------------------------------------- dimensions
def test_results_lie_along_the_index_name_or_the_block_name():
    lp = brink_mccarl()
    lp.add_variables("spare", ["slack"], cost=0.0, upper=1.0, units="dollars")
    lp.add_constraints(
        "cap", pd.Index(["manufacturing"], name="capped_sector"), {"x": np.array([[0.0, 1.0]])}, upper=[1e6]
    )
    assert [lp.variables["x"].dim, lp.variables["spare"].dim, lp.constraints["cap"].dim] == [
        "sector",
        "spare",
        "capped_sector",
    ]
    res = lp.solve()
    assert res.value("x").dims == ("sector",) and res.dual("balance").dims == ("sector",)
    assert res.reduced_costs["x"].dims == ("sector",) and res.ranging["balance"].bound_lower.dims == ("sector",)
    assert res.value("spare").dims == ("spare",) and res.value("spare")["spare"].values.tolist() == ["slack"]
    assert res.dual("cap").dims == ("capped_sector",)
    assert res.value("x")["sector"].values.tolist() == ["agriculture", "manufacturing"]


def test_pyomo_path_keeps_the_dimensions():
    lp = brink_mccarl()
    ref = lp.solve()
    m = lp.to_pyomo()
    assert m.iomodel_dims == {"x": "sector", "balance": "sector"}
    assert list(m.balance_index) == ["agriculture", "manufacturing"]  # Pyomo sets keep their names
    # user blocks over the program's sectors, and a single row
    m.extra = pyo.Var(m.x_index, bounds=(0, 1))
    m.link = pyo.Constraint(m.x_index, rule=lambda mm, k: mm.extra[k] <= mm.x[k])
    m.cap = pyo.Constraint(expr=m.x["manufacturing"] <= 1e6)
    res = opt.solve_pyomo(m)
    for block in ("x", "extra"):
        assert res.value(block).dims == ("sector",)
    assert res.dual("link").dims == ("sector",)
    assert res.value("extra")["sector"].values.tolist() == ["agriculture", "manufacturing"]
    xr.testing.assert_allclose(res.dual("balance"), ref.dual("balance"), rtol=1e-9)
    assert res.ranging["balance"].bound_lower.dims == ("sector",) and res.ranging["x"].cost_upper.dims == ("sector",)
    assert res.dual("cap").dims == ("cap",) and res.dual("cap")["cap"].values.tolist() == ["cap"]
    other = lp.solve(solver="appsi_highs")
    assert other.value("x").dims == ("sector",) and other.dual("balance").dims == ("sector",)
    assert other.value("x").attrs["units"] == "dollars"


# ----------------------------------------------------------------------------- one dataset
def test_to_dataset_names_units_and_netcdf_round_trip(tmp_path):
    res = brink_mccarl().solve()
    ds = res.to_dataset()
    assert set(ds.data_vars) == {
        "primal_x",
        "reduced_cost_x",
        "cost_lower_x",
        "cost_upper_x",
        "dual_balance",
        "bound_lower_balance",
        "bound_upper_balance",
    }
    assert set(ds.dims) == {"sector"}
    units = {k: v.attrs["units"] for k, v in ds.data_vars.items()}
    assert units == {
        "primal_x": "dollars",
        "reduced_cost_x": "dollars of output per dollars",
        "cost_lower_x": "dollars of output per dollars",
        "cost_upper_x": "dollars of output per dollars",
        "dual_balance": "dollars of output per dollar of final demand",
        "bound_lower_balance": "dollars",
        "bound_upper_balance": "dollars",
    }
    assert ds["dual_balance"].attrs["block"] == "balance" and ds["dual_balance"].attrs["quantity"] == "dual"
    xr.testing.assert_equal(ds["dual_balance"].rename(None), res.dual("balance").rename(None).drop_attrs())
    assert ds.attrs["status"] == "Optimal" and ds.attrs["sense"] == "max"
    assert ds.attrs["objective"] == res.objective and ds.attrs["objective_units"] == "dollars of output"
    assert ds.attrs["info_mip"] == 0 and ds.attrs["info_highs_options"] == "{}"
    path = tmp_path / "lp.nc"
    ds.to_netcdf(path)
    back = xr.load_dataset(path)
    xr.testing.assert_identical(back, ds)
    sol = res.solution()
    assert list(sol.data_vars) == ["primal_x"] and sol.attrs == ds.attrs


def test_to_dataset_of_an_allocation_and_of_a_failure(tmp_path):
    cands = opt.standard_candidates(KZ.economy, ["tourism", "construction"], capex=50_000.0)
    fixed = {c.zone: 1_000.0 for c in cands}
    problem = opt.AllocationProblem(candidates=tuple(cands), budget=20_000.0, zone_fixed_costs=fixed)
    res = problem.solve(KZ)  # a MIP with an info table (the plan)
    ds = res.to_dataset()
    assert {f"primal_{b}" for b in res.primal} == set(ds.data_vars)  # a MIP has no duals
    assert ds.attrs["info_omitted"] == "plan" and ds.attrs["info_mip"] == 1
    for name, da in ds.data_vars.items():
        assert da.attrs["units"] == res.units[da.attrs["block"]], name
    res.to_dataset().to_netcdf(tmp_path / "mip.nc")
    xr.testing.assert_identical(xr.load_dataset(tmp_path / "mip.nc"), ds)
    bad = dataclasses.replace(problem, cluster_limits={"tourism": (5_000_000.0, None)}, zone_fixed_costs={})
    failed = bad.solve(KZ, check=False)
    fds = failed.to_dataset()
    assert len(fds.data_vars) == 0 and fds.attrs["status"] == "Infeasible"
    assert "cluster_capex" in fds.attrs["info_message"] and np.isnan(fds.attrs["objective"])
    fds.to_netcdf(tmp_path / "failed.nc")
    assert xr.load_dataset(tmp_path / "failed.nc").attrs["info_message"] == fds.attrs["info_message"]


def test_to_dataset_refuses_one_dimension_with_two_label_sets_and_renames_clashing_coordinates():
    lp = brink_mccarl()
    lp.add_constraints("cap", MB.sectors[1:], {"x": np.array([[0.0, 1.0]])}, upper=[1e6])  # also along sector
    res = lp.solve()
    with pytest.raises(LabelError, match="blocks 'x' and 'cap' both lie along dimension 'sector' with different"):
        res.to_dataset()
    assert list(res.solution().data_vars) == ["primal_x"]  # primal values alone still line up
    # a project's zone (a non-index coordinate) next to a block along the dimension ``zone``
    p = LinearProgram(sense="max")
    p.add_variables("level", pd.Index(["p1", "p2"], name="project"), upper=1.0, cost=[1.0, 2.0])
    p.add_variables("open", pd.Index(["z1", "z2"], name="zone"), upper=1.0)
    r = p.solve()
    lev = r.value("level").assign_coords(zone=("project", ["z1", "z2"]))
    ds = dataclasses.replace(r, primal={**r.primal, "level": lev}).to_dataset()
    assert ds["project_zone"].values.tolist() == ["z1", "z2"] and ds["zone"].dims == ("zone",)


def test_info_is_flattened_to_netcdf_attributes(tmp_path):
    res = brink_mccarl().solve()
    info = {"flag": True, "n": np.int64(3), "x": np.float64(0.5), "names": ["a", "b"], "opts": {"b": 1, "a": "on"}}
    odd = dataclasses.replace(res, info={**info, "none": None, "table": pd.DataFrame({"a": [1]}), "obj": object()})
    ds = odd.to_dataset()
    got = {k: ds.attrs[k] for k in ds.attrs if k.startswith("info_")}
    assert got == {
        "info_flag": 1,
        "info_n": 3,
        "info_x": 0.5,
        "info_names": '["a", "b"]',
        "info_opts": '{"a": "on", "b": 1}',
        "info_none": "null",
        "info_omitted": "table, obj",
    }
    ds.to_netcdf(tmp_path / "info.nc")
    assert xr.load_dataset(tmp_path / "info.nc").attrs == ds.attrs


# ----------------------------------------------------------------------------- silent HiGHS
def _run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_solving_prints_nothing():
    """A fresh process solves (matrix path, Pyomo path, infeasibility filter) without a byte on stdout."""
    out = _run_python(
        """
        import numpy as np
        import iomodel as iom
        from iomodel import optimize as opt
        t = iom.datasets.miller_blair()
        lp = opt.LinearProgram(sense="max")
        lp.add_variables("x", t.sectors, cost=1.0)
        lp.add_constraints("balance", t.sectors, {"x": np.eye(2) - t.A.to_numpy()}, upper=[350.0, 1700.0])
        assert round(lp.solve().objective, 6) == 3000.0
        assert round(opt.solve_pyomo(lp.to_pyomo()).objective, 6) == 3000.0
        lp.add_constraints("floor", ["total"], {"x": np.ones((1, 2))}, lower=[1e6])
        assert lp.solve(check=False).status == "Infeasible"
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert out.stderr == ""


def test_highspy_prints_a_banner_that_new_highs_keeps_quiet():
    """Why :func:`new_highs` exists: a plain ``highspy.Highs()`` prints the banner in a fresh process."""
    plain = _run_python("import highspy; highspy.Highs()")
    assert plain.returncode == 0 and "Running HiGHS" in plain.stdout
    quiet = _run_python(
        """
        from iomodel.optimize.highs import new_highs
        h = new_highs()
        assert h.getOptionValue("output_flag")[1] is False
        """
    )
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""


def test_new_highs_uses_the_class_in_place_and_keeps_callbacks(monkeypatch):
    import highspy

    made = []

    class Counting(highspy.Highs):  # as benchmarks/bench_lp.py times the solver
        def __init__(self):
            super().__init__()
            made.append(self)

    monkeypatch.setattr(highspy, "Highs", Counting)
    res = brink_mccarl().solve()
    assert res.optimal and len(made) == 1 and isinstance(made[0], Counting)
    h = highs.new_highs()
    assert "enableCallbacks" not in vars(h)  # the quiet hook is gone after construction
    logged = []
    h.cbLogging += lambda e: logged.append(e.message)
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = 1, 0
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.array([1.0]), np.array([0.0]), np.array([1.0])
    h.passModel(lp)
    h.run()
    assert logged  # the wrapper's callbacks were enabled, so HiGHS's log reaches them


# ----------------------------------------------------------------------------- module layout
OPT = ROOT / "iomodel" / "optimize"
LAYERS = ("program", "highs", "pyomo_backend", "lp")


def _relative_imports(module: str, *, top_level: bool) -> list[tuple[str, str | None]]:
    """``(module, name)`` of each ``from .module import name``; ``(module, None)`` for ``from . import module``."""
    tree = ast.parse((OPT / f"{module}.py").read_text(encoding="utf-8"))
    nodes = tree.body if top_level else list(ast.walk(tree))
    return [
        (node.module, alias.name) if node.module else (alias.name, None)
        for node in nodes
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for alias in node.names
    ]


def test_imports_run_one_way_without_private_names():
    """program <- highs <- pyomo_backend <- lp: the building API imports no solver, lp sits on top."""
    import importlib

    graph = {m: {src for src, _ in _relative_imports(m, top_level=True) if src in LAYERS} for m in LAYERS}
    assert graph == {
        "program": set(),
        "highs": {"program"},
        "pyomo_backend": {"program", "highs"},
        "lp": {"program", "highs", "pyomo_backend"},
    }
    for m in LAYERS:
        inner = {src for src, _ in _relative_imports(m, top_level=False) if src in LAYERS}
        assert inner == graph[m], f"{m} imports {inner - graph[m]} inside a function"
        for src, name in _relative_imports(m, top_level=False):
            if src in LAYERS and name is not None:
                assert not name.startswith("_"), f"{m} imports the private {src}.{name}"
                assert name in importlib.import_module(f"iomodel.optimize.{src}").__all__, f"{src}.{name}"


def test_linear_program_is_a_program_and_solve_pyomo_builds_the_base():
    from iomodel.optimize import Program, program
    from iomodel.optimize import lp as lp_module

    for name in program.__all__:
        assert getattr(lp_module, name) is getattr(program, name)
    assert opt.Program is Program is program.Program and issubclass(LinearProgram, Program)
    lp = brink_mccarl()
    assert isinstance(lp, LinearProgram) and isinstance(lp, Program)
    assert repr(lp).startswith("LinearProgram(") and lp == dataclasses.replace(lp)
    assert not hasattr(Program, "solve") and not hasattr(Program, "to_pyomo")
    base = Program(sense=lp.sense, objective_units=lp.objective_units, name=lp.name)
    base.variables, base.constraints = lp.variables, lp.constraints
    assert_allclose(highs.solve_highs(base).dual("balance"), lp.solve().dual("balance"))
    res = opt.solve_pyomo(lp.to_pyomo())
    assert_allclose(res.dual("balance"), lp.solve().dual("balance"))


def test_old_import_locations_still_work():
    import iomodel.optimize.lp as lp_module
    from iomodel.optimize import LinearProgram as L
    from iomodel.optimize import LPResult as R
    from iomodel.optimize import solve_pyomo

    assert L is LinearProgram and R is LPResult and opt.LPStatus is LPStatus
    assert solve_pyomo is opt.pyomo_backend.solve_pyomo
    with pytest.warns(DeprecationWarning, match="moved to iomodel.optimize.pyomo_backend.solve_pyomo"):
        assert lp_module.solve_pyomo is solve_pyomo
    with pytest.warns(DeprecationWarning, match="moved to iomodel.optimize.highs.diagnose_infeasibility"):
        assert lp_module.diagnose_infeasibility is highs.diagnose_infeasibility
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        lp_module.no_such_name  # noqa: B018
