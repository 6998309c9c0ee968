"""The validation layer of the documents iomodel reads (issue 11, items 1 and 7).

* the malformed files of the issue, one regression test each: the iomodel
  error type and the message (the file, the place in the file, what was
  expected, what was found);
* every problem of a document reported at once, in the order of the file;
* the schemas hold exactly the fields of the dataclasses they feed;
* every numeric field of the frozen dataclasses refuses NaN and infinities
  when an object is built in Python;
* a property (Hypothesis): random mutations of the shipped scenario and
  allocation files, and random bytes, give a valid object or an iomodel error,
  never another exception.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math
import pickle
import tomllib
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings

import iomodel as iom
from iomodel import cge
from iomodel import optimize as opt
from iomodel.errors import IOModelError, LabelError, ReadError, ValidationError
from iomodel.optimize.allocation import AllocationDocument, CandidateDocument, StandardCandidatesDocument
from iomodel.scenarios import BridgeDocument, InvestmentDocument, PackageDocument, ScenarioDocument
from iomodel.validation import (
    MAX_PROBLEMS,
    DocumentError,
    DocumentLabelError,
    DocumentReadError,
    Problem,
    locate,
)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))
PETRO = ROOT / "examples" / "scenarios" / "petrochemical_atyrau.toml"
ALLOCATION = ROOT / "examples" / "cluster_allocation.toml"
ECONOMY = iom.datasets.kazakhstan_economy()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def petro(folder: Path, old: str, new: str, name: str = "petro.toml") -> Path:
    text = PETRO.read_text(encoding="utf-8")
    assert old in text, old
    return write(folder, name, text.replace(old, new, 1))


def allocation(folder: Path, old: str, new: str, name: str = "alloc.toml") -> Path:
    text = ALLOCATION.read_text(encoding="utf-8")
    assert old in text, old
    return write(folder, name, text.replace(old, new, 1))


def lines(exc: pytest.ExceptionInfo[BaseException]) -> list[str]:
    return str(exc.value).splitlines()


# --------------------------------------------------------------------------- the cases
def test_mpc_high_names_file_field_and_range(tmp_path):
    path = petro(tmp_path, "mpc = 0.8", 'mpc = "high"')
    with pytest.raises(DocumentError) as exc:
        iom.Scenario.from_toml(path)
    assert isinstance(exc.value, ValidationError) and not isinstance(exc.value, LabelError)
    assert str(exc.value) == f"{path}: field 'mpc': expected a number in (0, 1], got 'high'"
    assert exc.value.source == str(path)
    assert exc.value.problems == (Problem(("mpc",), "expected a number in (0, 1], got 'high'"),)


def test_budget_lots(tmp_path):
    path = allocation(tmp_path, "budget = 150000.0", 'budget = "lots"')
    with pytest.raises(ValidationError) as exc:
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    assert str(exc.value) == f"{path}: field 'budget': expected a finite number >= 0, got 'lots'"


def test_missing_names(tmp_path):
    path = petro(tmp_path, 'name = "polymer plant"\n', "")
    with pytest.raises(
        ValidationError, match=r"petro\.toml: \[\[investments\]\] 1, field 'name': required but missing$"
    ):
        iom.Scenario.from_toml(path)
    path = petro(tmp_path, 'name = "Petrochemical plant, NIPT Atyrau, SEZ package"\n', "", name="no_name.toml")
    with pytest.raises(ValidationError, match=r"no_name\.toml: field 'name': required but missing$"):
        iom.Scenario.from_toml(path)


def test_one_year_is_not_a_horizon(tmp_path):
    expected = "expected [first, last], two years from 1000 to 9999 with first <= last, got [2026]"
    path = petro(tmp_path, "years = [2026, 2045]", "years = [2026]")
    with pytest.raises(ValidationError) as exc:
        iom.Scenario.from_toml(path)
    assert str(exc.value) == f"{path}: field 'years': {expected}"
    path = allocation(tmp_path, "years = [2026, 2035]\n", "years = [2026]\n")
    with pytest.raises(ValidationError) as exc:
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    assert str(exc.value) == f"{path}: field 'years': {expected}"
    path = petro(tmp_path, "years = [2026, 2045]", "years = [2045, 2026]", name="backwards.toml")
    with pytest.raises(ValidationError, match=r"field 'years': .* with first <= last, got \[2045, 2026\]"):
        iom.Scenario.from_toml(path)


def test_a_single_investments_table_is_not_an_array_of_tables(tmp_path):
    text = PETRO.read_text(encoding="utf-8")
    path = write(tmp_path, "petro.toml", text.replace("[[investments]]", "[investments]"))
    with pytest.raises(ValidationError) as exc:
        iom.Scenario.from_toml(path)
    assert str(exc.value) == (
        f"{path}: field 'investments': expected an array of tables, got a single table: "
        "write [[investments]] (double brackets) for each"
    )
    path = write(tmp_path, "none.toml", 'name = "x"\nunit = "million KZT"\ninvestments = []\n')
    with pytest.raises(ValidationError, match=r"field 'investments': expected at least 1 \[\[investments\]\] table"):
        iom.Scenario.from_toml(path)


def test_one_element_limit(tmp_path):
    path = allocation(tmp_path, 'petrochemical = [50000.0, "none"]', "petrochemical = [50000.0]")
    with pytest.raises(ValidationError) as exc:
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    assert str(exc.value) == (
        f"{path}: [cluster_limits], field 'petrochemical': "
        'expected [low, high], two finite numbers or "none" with low <= high, got [50000.0]'
    )
    path = allocation(tmp_path, 'petrochemical = [50000.0, "none"]', "petrochemical = [9.0, 1.0]", "backwards.toml")
    with pytest.raises(ValidationError, match=r"got \[9\.0, 1\.0\]"):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)


def test_unknown_key_in_standard_candidates(tmp_path):
    path = allocation(tmp_path, "max_level = 3.0", "max_level = 3.0\nbuild_year = 2")
    with pytest.raises(DocumentLabelError) as exc:
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    assert isinstance(exc.value, LabelError) and isinstance(exc.value, ValidationError)
    assert str(exc.value) == (
        f"{path}: [standard_candidates]: unknown field(s) ['build_year']; valid options are "
        "['build_years', 'capex', 'clusters', 'max_level', 'output_ratio', 'start', 'years']"
    )


@pytest.mark.parametrize("content", [bytes(range(256)), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_binary_files(tmp_path, content):
    path = tmp_path / "binary.toml"
    path.write_bytes(content)
    for read in (iom.Scenario.from_toml, lambda p: opt.AllocationProblem.from_toml(p, economy=ECONOMY)):
        with pytest.raises(DocumentReadError) as exc:
            read(path)
        assert isinstance(exc.value, ReadError) and isinstance(exc.value, ValidationError)
        assert str(exc.value) == f"{path} is a binary file, not TOML text"


def test_text_that_is_not_utf8_or_not_toml(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "x"\nunit = "million KZT"\n# Almaty, caf\u00e9\n'.encode("latin-1"))
    with pytest.raises(ReadError, match=r"latin1\.toml is not UTF-8 text: byte 0xe9 on line 3 cannot be decoded"):
        iom.Scenario.from_toml(path)
    path = write(tmp_path, "syntax.toml", 'name = "x"\nunit = "million KZT"\nmpc = \n')
    with pytest.raises(ReadError, match=r"syntax\.toml is invalid: TOML syntax error: .*line 3"):
        iom.Scenario.from_toml(path)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(ReadError, match=r"scenario file .*folder\.toml is a folder, not a file"):
        iom.Scenario.from_toml(folder)
    with pytest.raises(ReadError, match=r"allocation file .*missing\.toml not found"):
        opt.AllocationProblem.from_toml(tmp_path / "missing.toml")
    path = tmp_path / "bom.toml"  # a byte-order mark (Windows editors) is fine
    path.write_bytes(b"\xef\xbb\xbf" + PETRO.read_bytes())
    assert iom.Scenario.from_toml(path) == iom.Scenario.from_toml(PETRO)


def test_land_tax_nan_in_a_file_and_in_python(tmp_path):
    path = petro(tmp_path, "land_tax = 150.0", "land_tax = nan")
    with pytest.raises(ValidationError) as exc:
        iom.Scenario.from_toml(path)
    assert str(exc.value) == f"{path}: [[investments]] 1, field 'land_tax': expected a finite number >= 0, got nan"
    path = petro(tmp_path, "2027 = 400000.0", "2027 = inf", name="inf.toml")
    with pytest.raises(ValidationError) as exc:
        iom.Scenario.from_toml(path)
    assert lines(exc) == [
        f"{path}: [[investments]] 1, [investments.capex], field '2027': expected a finite number >= 0, got inf"
    ]
    with pytest.raises(ValidationError, match="land_tax: expected a finite number, got nan"):
        iom.ClusterInvestment(name="a", cluster="agro", land_tax=math.nan)


def test_unknown_zone_id(tmp_path):
    # a scenario file names no economy: the zone is checked when the scenario runs in one
    sc = iom.Scenario.from_toml(petro(tmp_path, 'zone = "nipt"', 'zone = "atlantis"'))
    kz = iom.datasets.kazakhstan()
    with pytest.raises(LabelError, match=r"has no zone 'atlantis'; valid zone ids are \[.*'nipt'"):
        iom.impact(kz, sc)
    with pytest.raises(LabelError, match=r"has no zone 'atlantis'"):
        iom.appraise(kz, sc)
    # an allocation file is read with the economy: its zones and clusters are checked at once
    text = ALLOCATION.read_text(encoding="utf-8") + (
        '\n[[candidates]]\nname = "plant"\ncluster = "dairy"\nzone = "atlantis"\n[candidates.capex]\n2026 = 1.0\n'
    )
    path = write(tmp_path, "alloc.toml", text)
    with pytest.raises(DocumentLabelError) as exc:
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    assert lines(exc)[0] == f"{path}: 2 problems:"
    assert lines(exc)[1].startswith(
        f"{path}: [[candidates]] 1, field 'cluster': unknown cluster 'dairy'; valid options are ['agro', "
    )
    assert lines(exc)[2].startswith(
        f"{path}: [[candidates]] 1, field 'zone': unknown zone 'atlantis'; valid zone ids are ['aktobe', "
    )


# --------------------------------------------------------------------------- more of the same layer
def test_every_problem_is_listed_in_file_order(tmp_path):
    text = PETRO.read_text(encoding="utf-8")
    for old, new in [
        ("mpc = 0.8", 'mpc = "high"'),
        ('kind = "type2"', 'kind = "type3"'),
        ("equipment_import_share = 0.85", "equipment_import_share = 1.85"),
        ("export_share = 0.7", "export_share = true"),
        ("displacement = 0.1", "displacement = 0.1\nbudget = 5"),
        ("CIT = 1.0", "PIT = 1.0"),
    ]:
        text = text.replace(old, new)
    path = write(tmp_path, "petro.toml", text)
    with pytest.raises(DocumentLabelError) as exc:
        iom.Scenario.from_toml(path)
    assert lines(exc) == [
        f"{path}: 6 problems:",
        f"{path}: field 'kind': expected 'type1' or 'type2', got 'type3'",
        f"{path}: field 'mpc': expected a number in (0, 1], got 'high'",
        f"{path}: [[investments]] 1, field 'equipment_import_share': expected a number in [0, 1], got 1.85",
        f"{path}: [[investments]] 1, field 'export_share': expected a number in [0, 1], got true",
        f"{path}: [package]: unknown field(s) ['budget']; valid options are ['additionality', 'displacement', "
        "'duration', 'exemptions', 'law', 'name', 'state_costs', 'zone_term_end']",
        f"{path}: [package.exemptions], field 'PIT': unknown tax 'PIT'; valid options are "
        "['CIT', 'property_tax', 'land_tax', 'VAT', 'customs', 'social_tax']",
    ]
    assert len(exc.value.problems) == 6 and sum(p.label for p in exc.value.problems) == 2


def test_many_problems_are_capped():
    doc = {"name": "x", "investments": [{"name": f"p{i}", "cluster": "agro", "land_tax": "x"} for i in range(30)]}
    with pytest.raises(DocumentError) as exc:
        iom.Scenario.from_dict(doc)
    assert len(exc.value.problems) == 30
    assert lines(exc)[0] == "scenario: 30 problems:"
    assert len(lines(exc)) == 1 + MAX_PROBLEMS + 1
    assert lines(exc)[-1] == f"scenario: ... and {30 - MAX_PROBLEMS} more"


def test_checks_across_fields_name_their_place(tmp_path):
    path = petro(tmp_path, "2028 = 350000.0", "2050 = 350000.0")
    with pytest.raises(ValidationError) as exc:
        iom.Scenario.from_toml(path)
    assert str(exc.value) == (
        f"{path}: [[investments]] 1, field 'capex': year(s) [2050] outside the scenario's years 2026-2045"
    )
    doc = iom.Scenario.from_toml(PETRO).to_dict()
    doc["investments"] *= 2
    with pytest.raises(ValidationError, match=r"\[\[investments\]\] 2, field 'name': 'polymer plant' is also"):
        iom.Scenario.from_dict(doc)
    doc = iom.Scenario.from_toml(PETRO).to_dict()
    doc["investments"][0]["products"] = {"20": 0.5, "22": 0.4}
    with pytest.raises(ValidationError) as exc:
        iom.Scenario.from_dict(doc)
    assert lines(exc) == [
        "scenario: [[investments]] 1, field 'products': expected shares summing to 1, got a sum of 0.9"
    ]  # the check of cluster against products waits for valid products
    doc["investments"][0]["products"] = {"20": 0.5, "22": 0.5}
    with pytest.raises(ValidationError) as exc:
        iom.Scenario.from_dict(doc)
    assert lines(exc) == [
        "scenario: [[investments]] 1: give exactly one of 'cluster' (a cluster id) or 'products' (output shares)"
    ]


def test_allocation_candidates_and_options(tmp_path):
    base = 'name = "p"\nbudget = 1000.0\nunit = "million KZT"\nyears = [2026, 2030]\n'
    cand = '[[candidates]]\nname = "plant"\ncluster = "agro"\nzone = "pit"\n[candidates.capex]\n2026 = 10.0\n'
    path = write(tmp_path, "p.toml", base + cand.replace('zone = "pit"', 'zone = "pit"\npackage = "gold"'))
    with pytest.raises(
        ValidationError, match=r"\[\[candidates\]\] 1, field 'package': expected \"standard\" or a table"
    ):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    text = base + cand.replace('zone = "pit"', 'zone = "pit"\npackage = {additionality = 2.0, tax = 1}')
    path = write(tmp_path, "p.toml", text)
    with pytest.raises(DocumentLabelError) as exc:
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    assert lines(exc)[1:] == [
        f"{path}: [[candidates]] 1, [candidates.package]: unknown field(s) ['tax']; valid options are "
        "['additionality', 'displacement', 'duration', 'exemptions', 'law', 'name', 'state_costs', 'zone_term_end']",
        f"{path}: [[candidates]] 1, [candidates.package], field 'additionality': expected a number in (0, 1], got 2.0",
    ]
    path = write(tmp_path, "p.toml", base + cand.replace('zone = "pit"', "package_options = {additionality = 0.5}"))
    with pytest.raises(ValidationError, match=r"field 'package_options': applies to package = \"standard\" only"):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    path = write(tmp_path, "p.toml", base + cand.replace('zone = "pit"', "min_level = 2.0\nmax_level = 1.0"))
    with pytest.raises(ValidationError, match=r"field 'max_level': expected at least min_level = 2, got 1\.0"):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    path = write(tmp_path, "p.toml", base.replace("budget = 1000.0", 'budget = 1.0\nobjective = "jobs"') + cand)
    with pytest.raises(DocumentLabelError, match=r"field 'objective': unknown objective 'jobs'; valid options are"):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    path = write(
        tmp_path, "p.toml", base.replace("budget = 1000.0", "budget = 1.0\ncapacity_growth = {C = nan}") + cand
    )
    with pytest.raises(
        ValidationError, match=r"\[capacity_growth\], field 'C': expected a finite number >= 0, got nan"
    ):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    path = write(tmp_path, "p.toml", base)
    with pytest.raises(
        ValidationError, match=r"p\.toml: no candidates: give \[standard_candidates\] or \[\[candidates\]\]"
    ):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    path = write(tmp_path, "p.toml", base + cand.replace("2026 = 10.0", "2031 = 10.0"))
    with pytest.raises(
        ValidationError, match=r"field 'capex': year\(s\) \[2031\] outside the problem's years 2026-2030"
    ):
        opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    path = write(tmp_path, "p.toml", base + cand.replace('zone = "pit"', 'zone = "pit"\npackage = "standard"'))
    with pytest.raises(
        ValidationError, match=r"\[\[candidates\]\] 1, field 'package': package = \"standard\" needs an"
    ):
        opt.AllocationProblem.from_toml(path)
    p = opt.AllocationProblem.from_toml(path, economy=ECONOMY)
    assert p.candidates[0].package == ECONOMY.sez_package() and p.candidates[0].zone == "pit"


def test_policy_files(tmp_path):
    path = write(
        tmp_path, "policy.toml", 'name = "p"\ndirect_tax_rate = "high"\nwelfare = 1\n[tariff_rate]\nBRD = nan\n'
    )
    with pytest.raises(DocumentLabelError) as exc:
        cge.Policy.from_toml(path)
    assert lines(exc)[1:] == [
        f"{path}: unknown field(s) ['welfare']; valid options are ['capital_stock_change', 'consumption_tax_rate', "
        "'direct_tax_rate', 'endowment_change', 'factor_tax_rate', 'foreign_savings', 'name', 'production_tax_rate', "
        "'tariff_rate', 'world_export_price', 'world_import_price']",
        f"{path}: field 'direct_tax_rate': expected a number in [0, 1), got 'high'",
        f"{path}: [tariff_rate], field 'BRD': expected a number in [0, 1), got nan",
    ]
    with pytest.raises(ValidationError, match=r"\[factor_tax_rate\], field 'CAP': expected a table, got 0\.2"):
        cge.Policy.from_toml("[factor_tax_rate]\nCAP = 0.2\n")
    with pytest.raises(ValidationError, match=r"policy factor_tax_rate: expected a mapping, got 0\.2"):
        cge.Policy(factor_tax_rate=0.2)  # type: ignore[arg-type]
    p = cge.Policy(name="p", factor_tax_rate={"CAP": {"20": 0.0}}, world_import_price={"BRD": 1.1})
    assert cge.Policy.from_toml(p.to_toml()) == p


def test_toml_dates_and_python_values_are_accepted():
    text = iom.Scenario.from_toml(PETRO).to_toml().replace('tax_vintage = "2026-01-01"', "tax_vintage = 2026-01-01")
    assert iom.Scenario.from_toml(text).tax_vintage == "2026-01-01"
    doc = iom.Scenario.from_toml(PETRO).to_dict()
    doc["years"] = (2026, 2045)  # tuples and integer years from Python
    doc["investments"][0]["capex"] = {2026: 1.0}
    assert iom.Scenario.from_dict(doc).investments[0].capex == {2026: 1.0}


def test_errors_pickle_with_their_problems():
    with pytest.raises(DocumentLabelError) as exc:
        iom.Scenario.from_dict({"name": "x", "investments": [{"name": "a", "cluster": "agro", "capexx": {}}]})
    back = pickle.loads(pickle.dumps(exc.value))
    assert type(back) is DocumentLabelError and str(back) == str(exc.value) and back.problems == exc.value.problems


def test_locations():
    assert locate(()) == ""
    assert locate(("package", "exemptions", "PIT")) == "[package.exemptions], field 'PIT'"
    assert (
        locate(("investments", 0, "bridge", "shares", "C"))
        == "[[investments]] 1, [investments.bridge.shares], field 'C'"
    )
    assert locate(("standard_candidates", "clusters", 2)) == "[standard_candidates], field 'clusters', item 3"
    assert locate(("a b", "c"), table=True) == '["a b".c]'


# --------------------------------------------------------------------------- schemas match the dataclasses
def _names(cls: Any) -> set[str]:
    return set(cls.model_fields) if hasattr(cls, "model_fields") else {f.name for f in dataclasses.fields(cls)}


@pytest.mark.parametrize(
    ("document", "target", "extra"),
    [
        (ScenarioDocument, iom.Scenario, set()),
        (InvestmentDocument, iom.ClusterInvestment, set()),
        (BridgeDocument, iom.InvestmentBridge, set()),
        (PackageDocument, iom.SEZPackage, set()),
        (AllocationDocument, opt.AllocationProblem, {"standard_candidates"}),
        (CandidateDocument, iom.ClusterInvestment, {"zone", "min_level", "max_level", "package", "package_options"}),
        (cge.policy.PolicyDocument, cge.Policy, set()),
    ],
)
def test_schemas_hold_the_fields_of_their_dataclasses(document, target, extra):
    assert _names(document) == _names(target) | extra


def test_standard_candidates_schema_holds_the_function_arguments():
    args = set(inspect.signature(opt.standard_candidates).parameters) - {"economy"}
    assert _names(StandardCandidatesDocument) == args


# --------------------------------------------------------------------------- numbers built in Python
INV = iom.ClusterInvestment(name="a", cluster="agro", capex={2026: 1.0}, output={2027: 1.0})
CAND = opt.Candidate(project=INV, zone="pit", package=ECONOMY.sez_package())


def _bad_values(value: float) -> dict[tuple[type, str], dict[str, Any]]:
    """For every numeric field of the public dataclasses, arguments that put ``value`` into it."""
    return {
        (iom.InvestmentBridge, "shares"): {"shares": {"C": value}},
        (iom.InvestmentBridge, "import_shares"): {"shares": {"C": 1.0}, "import_shares": {"C": value}},
        **{
            (iom.ClusterInvestment, f): {"name": "a", "cluster": "agro", f: value}
            for f in (
                "equipment_import_share",
                "jobs_per_output",
                "export_share",
                "profit_margin",
                "customs_duty_rate",
                "land_tax",
                "building_depreciation",
                "vat_permanent_share",
            )
        },
        (iom.ClusterInvestment, "products"): {"name": "a", "products": {"01": value}},
        (iom.ClusterInvestment, "capex"): {"name": "a", "cluster": "agro", "capex": {2026: value}},
        (iom.ClusterInvestment, "output"): {"name": "a", "cluster": "agro", "output": {2026: value}},
        (iom.ClusterInvestment, "input_coefficients"): {
            "name": "a",
            "cluster": "agro",
            "input_coefficients": {"01": value},
        },
        (iom.SEZPackage, "exemptions"): {"exemptions": {"CIT": value}},
        (iom.SEZPackage, "additionality"): {"additionality": value},
        (iom.SEZPackage, "displacement"): {"displacement": value},
        (iom.SEZPackage, "state_costs"): {"state_costs": {2026: value}},
        (iom.Scenario, "discount_rate"): {"name": "s", "investments": (INV,), "discount_rate": value},
        (iom.Scenario, "mpc"): {"name": "s", "investments": (INV,), "mpc": value},
        (opt.Candidate, "min_level"): {"project": INV, "min_level": value},
        (opt.Candidate, "max_level"): {"project": INV, "max_level": value},
        **{
            (opt.AllocationProblem, f): {"candidates": (CAND,), "budget": 1.0, f: v}
            for f, v in (
                ("budget", value),
                ("objective", {"employment": value}),
                ("capacity_growth", value),
                ("labour_share", {"01": value}),
                ("import_limit", value),
                ("cluster_limits", {"agro": (value, None)}),
                ("zone_limits", {"pit": (None, value)}),
                ("zone_fixed_costs", {"pit": value}),
                ("discount_rate", value),
                ("mpc", value),
            )
        },
        **{
            (cge.Policy, f): {f: {"X": value}}
            for f in (
                "tariff_rate",
                "production_tax_rate",
                "endowment_change",
                "capital_stock_change",
                "world_export_price",
                "world_import_price",
            )
        },
        (cge.Policy, "factor_tax_rate"): {"factor_tax_rate": {"CAP": {"X": value}}},
        (cge.Policy, "direct_tax_rate"): {"direct_tax_rate": value},
        (cge.Policy, "consumption_tax_rate"): {"consumption_tax_rate": value},
        (cge.Policy, "foreign_savings"): {"foreign_savings": value},
    }


def test_every_numeric_field_is_covered():
    classes = {cls for cls, _ in _bad_values(0.0)}
    numeric = {
        (cls, f.name)
        for cls in classes
        for f in dataclasses.fields(cls)
        if "float" in str(f.type) and f.name != "years"
    }
    assert numeric == set(_bad_values(0.0)), numeric ^ set(_bad_values(0.0))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "1.0"], ids=["nan", "inf", "-inf", "text"])
def test_python_objects_refuse_nan_infinities_and_text(value):
    for (cls, name), kwargs in _bad_values(value).items():
        with pytest.raises(ValidationError):
            cls(**kwargs)
            pytest.fail(f"{cls.__name__}.{name} accepted {value!r}")


def test_python_years_are_whole_four_digit_numbers():
    with pytest.raises(ValidationError, match=r"scenario 's' years: expected \[first, last\]"):
        iom.Scenario(name="s", investments=(INV,), years=(2026.5, 2030))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"capex: expected a year from 1000 to 9999 as key, got 2026\.5"):
        iom.ClusterInvestment(name="a", cluster="agro", capex={2026.5: 1.0})
    with pytest.raises(ValidationError, match=r"mpc must lie in \(0, 1\]"):
        iom.Scenario(name="s", investments=(INV,), mpc=0.0)


# --------------------------------------------------------------------------- property: nothing but iomodel errors
def _load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


BASES = {
    "scenario": [_load(p) for p in SCENARIOS],
    "allocation": [_load(ALLOCATION)],
    "policy": [
        {"name": "p", "tariff_rate": {"BRD": 0.1}, "factor_tax_rate": {"CAP": {"BRD": 0.2}}, "foreign_savings": 1.0}
    ],
}

BAD_VALUES = st.one_of(
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            -1.0,
            0,
            1.5,
            2026,
            10**30,
            -(10**30),
            True,
            "high",
            "",
            "none",
            "standard",
            [],
            [2026],
            [1.0, "none"],
            ["x", 1],
            {},
            {"2026": 1.0},
            {"x": "y"},
            [{"name": "a"}],
        ]
    ),
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(min_value=-5, max_value=3000), max_size=3),
    st.dates(),
)
KEYS = st.sampled_from(["name", "mpc", "years", "zone", "cluster", "capex", "2026", "extra", "package", "candidates"])


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A shipped document with a few random mutations: values replaced, keys deleted or added."""
    doc = tomllib.loads(tomli_w.dumps(draw(st.sampled_from(BASES[kind]))))  # a fresh copy
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if op == "add" or not path:
            target = _get(doc, path) if path else doc
            if isinstance(target, dict):
                target[draw(KEYS)] = copy.deepcopy(draw(BAD_VALUES))  # values are not shared
            continue
        parent, last = _get(doc, path[:-1]), path[-1]
        if op == "delete":
            del parent[last]
        else:
            parent[last] = copy.deepcopy(draw(BAD_VALUES))
    return doc


def _read(kind: str, path: Path, economy: Any) -> Any:
    if kind == "scenario":
        return iom.Scenario.from_toml(path)
    if kind == "allocation":
        return opt.AllocationProblem.from_toml(path, economy=economy)
    return cge.Policy.from_toml(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("malformed")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["scenario", "allocation", "policy"]),
    data=st.data(),
    with_economy=st.booleans(),
)
def test_malformed_documents_raise_only_iomodel_errors(folder, kind, data, with_economy):
    doc = data.draw(mutated(kind))
    path = folder / f"{kind}.toml"
    try:
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
    except (TypeError, ValueError):  # a mutation TOML cannot write (e.g. a huge integer is fine, None is not)
        return
    try:
        obj = _read(kind, path, ECONOMY if with_economy else None)
    except IOModelError:
        return
    # a document accepted is a valid object that writes and reads back the same
    if kind == "scenario":
        assert iom.Scenario.from_toml(obj.to_toml()) == obj
    elif kind == "policy":
        assert cge.Policy.from_toml(obj.to_toml()) == obj
    else:
        assert isinstance(obj, opt.AllocationProblem) and obj.candidates


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(["scenario", "allocation", "policy"]),
    noise=st.binary(max_size=64),
    at=st.floats(min_value=0.0, max_value=1.0),
)
def test_random_bytes_raise_only_iomodel_errors(folder, kind, noise, at):
    original = {"scenario": PETRO, "allocation": ALLOCATION}.get(kind)
    content = original.read_bytes() if original is not None else b'name = "p"\n[tariff_rate]\nBRD = 0.1\n'
    cut = int(at * len(content))
    path = folder / f"noise_{kind}.toml"
    for variant in (noise, content[:cut] + noise + content[cut:]):
        path.write_bytes(variant)
        try:
            _read(kind, path, ECONOMY)
        except IOModelError:
            pass
