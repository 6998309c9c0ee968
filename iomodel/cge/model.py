r"""The standard static CGE model of a small open economy, calibrated to a SAM.

:class:`StandardCGE` is the standard model of Hosoe, Gasawa & Hashimoto (2010,
ch. 6; the GAMS Model Library's STDCGE) with the extensions of Lofgren et al.
(2002) that SEZ tax policy needs (docs/cge.md; formula sheet, docs/methods.md,
section 7). Goods :math:`i, j` (commodity = activity), factors :math:`h`.
Benchmark prices are 1, so SAM values are quantities.

Production (Leontief in value added and intermediates):

.. math::

    Y_j = b_j \prod_h F_{hj}^{\beta_{hj}}\ \text{(Cobb-Douglas) or }
    b_j\Big(\sum_h \beta_{hj} F_{hj}^{\rho_j}\Big)^{1/\rho_j}\ \text{(CES)},\qquad
    X_{ij} = a^x_{ij} Z_j,\quad Y_j = a^y_j Z_j,\quad
    p^z_j = a^y_j p^y_j + \sum_i a^x_{ij} p^q_i .

Taxes are ad valorem rates calibrated from the SAM: on output
:math:`\tau^z_j` (production-tax accounts), on imports :math:`\tau^m_i`
(tariff accounts), on factor income by sector :math:`\tau^f_{hj}` (factor-tax
accounts, e.g. corporate income tax on capital: the net return
:math:`(1-\tau^f_{hj}) w_{hj}` of a mobile factor is the same in every
sector), on household income :math:`\tau^d` (direct taxes) and on household
spending :math:`\tau^c` (consumption taxes).

Trade: CET between exports and domestic sales and Armington CES between
imports and domestic goods, world prices fixed (small country),
:math:`p^e_i = \varepsilon p^{We}_i`, :math:`p^m_i = \varepsilon p^{Wm}_i`,
balance of payments :math:`\sum p^{We}E + S^f + R = \sum p^{Wm} M` (foreign
savings :math:`S^f` and transfers to households :math:`R` in foreign currency).

Institutions: household income :math:`Y^H = \sum_{h,j}(1-\tau^f_{hj}) w_{hj}
F_{hj} + TR + \varepsilon R`; direct taxes :math:`\tau^d Y^H`; savings
:math:`s^p Y^H`; spending :math:`C = Y^H(1 - \tau^d - s^p)`, of which
:math:`\tau^c/(1+\tau^c)` is consumption tax; Cobb-Douglas demand
:math:`X^p_i = \alpha_i C / ((1+\tau^c) p^q_i)`, or the linear expenditure
system :math:`(1+\tau^c)p^q_i X^p_i = (1+\tau^c)p^q_i\gamma_i + \beta_i(C -
\sum_j (1+\tau^c)p^q_j\gamma_j)` (Stone 1954; Cobb-Douglas is the case
:math:`\gamma = 0`, :math:`\beta = \alpha`). Government revenue
:math:`T` (every tax), savings :math:`S^g = s^g T`, transfers
:math:`TR = s^{tr} T`, demand :math:`X^g_i = \mu_i (T - S^g - TR)/p^q_i`.
Savings-driven investment :math:`X^v_i = \lambda_i (S^p + S^g + \varepsilon S^f)/p^q_i`.
Markets: :math:`Q_i = X^p_i + X^g_i + X^v_i + \sum_j X_{ij}`; factor markets
by closure.

Closures (:class:`Closure`): labour at full employment with a flexible wage,
or at a fixed real wage (the wage over the consumer price index) with
unemployment; capital mobile (one net return) or sector-specific (fixed
stocks, sector rents); foreign savings fixed with a flexible exchange rate,
or the exchange rate fixed with foreign savings flexible; investment
savings-driven; the government's saving rate fixed.

The equations are written once, as a Pyomo model of a square system
(:attr:`StandardCGE.pyomo`), with the numeraire fixed and Walras' law handled by
dropping the market-clearing equation of the first good (it holds at the
solution: :attr:`CGEResult.walras_residual`). Every solution is re-checked by an
independent numpy evaluation of the equations.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from ..errors import LabelError, SolverError, ValidationError
from .policy import Policy
from .result import CGEResult

__all__ = [
    "DEFAULT_ARMINGTON",
    "DEFAULT_FRISCH",
    "DEFAULT_TRANSFORMATION",
    "ELASTICITY_SOURCES",
    "Closure",
    "StandardCGE",
]

#: Default Armington elasticity: the value of the standard model of Hosoe, Gasawa
#: & Hashimoto (2010, ch. 6), used when a good has none of its own.
DEFAULT_ARMINGTON = 2.0
#: Default CET elasticity of transformation (Hosoe, Gasawa & Hashimoto 2010, ch. 6).
DEFAULT_TRANSFORMATION = 2.0
ELASTICITY_SOURCES = {
    "armington": "Hosoe, Gasawa & Hashimoto (2010), Textbook of Computable General Equilibrium Modelling, "
    "ch. 6 (standard model): sigma = 2 for every good",
    "transformation": "Hosoe, Gasawa & Hashimoto (2010), ch. 6 (standard model): psi = 2 for every good",
    "production": "Cobb-Douglas value added (Hosoe, Gasawa & Hashimoto 2010, ch. 6); a CES elasticity "
    "as in Lofgren et al. (2002), IFPRI Microcomputers in Policy Research 5",
    "household": "Cobb-Douglas (Hosoe, Gasawa & Hashimoto 2010, ch. 6); or the linear expenditure system of "
    "Stone (1954), calibrated from expenditure elasticities and the Frisch parameter as in Dervis, de Melo & "
    "Robinson (1982), General Equilibrium Models for Development Policy, and Lofgren et al. (2002)",
    "frisch": "-2.0: the Frisch parameter (minus total over supernumerary spending); Lluch, Powell & Williams "
    "(1977), Patterns in Household Demand and Saving, estimate values of about -2 to -6, smaller in absolute "
    "value for richer countries",
}
#: Default Frisch parameter of the linear expenditure system (:data:`ELASTICITY_SOURCES`).
DEFAULT_FRISCH = -2.0

Labour = Literal["full_employment", "fixed_real_wage"]
Capital = Literal["mobile", "sector_specific"]
Foreign = Literal["fixed_foreign_savings", "fixed_exchange_rate"]


@dataclass(frozen=True)
class Closure:
    """Which variables are fixed and which adjust (Lofgren et al. 2002; Hosoe et al. 2010).

    Attributes
    ----------
    labour
        ``"full_employment"`` (the wage adjusts, the labour endowment is all
        employed) or ``"fixed_real_wage"`` (the wage over the consumer price
        index is fixed; unemployment adjusts and must stay non-negative).
    capital
        ``"mobile"`` (one net return across sectors) or ``"sector_specific"``
        (each sector's stock fixed; sector rents adjust).
    foreign
        ``"fixed_foreign_savings"`` (the exchange rate adjusts) or
        ``"fixed_exchange_rate"`` (foreign savings adjust).
    labour_factor, capital_factor
        Names of the labour and capital accounts of the SAM.
    unemployment_rate
        With ``"fixed_real_wage"``: unemployment at the benchmark as a share
        of the labour force (the SAM's labour payments are the employed), so
        that employment can rise as well as fall. An assumption to set from
        the Labour Force Survey (default 0.05).
    """

    labour: Labour = "full_employment"
    capital: Capital = "mobile"
    foreign: Foreign = "fixed_foreign_savings"
    labour_factor: str = "LAB"
    capital_factor: str = "CAP"
    unemployment_rate: float = 0.05

    def __post_init__(self) -> None:
        for name, value, valid in (
            ("labour", self.labour, ("full_employment", "fixed_real_wage")),
            ("capital", self.capital, ("mobile", "sector_specific")),
            ("foreign", self.foreign, ("fixed_foreign_savings", "fixed_exchange_rate")),
        ):
            if value not in valid:
                raise ValidationError(f"closure: unknown {name} closure {value!r}; valid options are {list(valid)}")
        if not (math.isfinite(self.unemployment_rate) and 0.0 <= self.unemployment_rate < 1.0):
            raise ValidationError(f"closure: unemployment_rate must lie in [0, 1), got {self.unemployment_rate}")


def _elasticity(value: float | Mapping[str, float], goods: list[str], what: str, default: float) -> np.ndarray:
    """Per-good elasticities from a number or a mapping (goods not named take ``default``)."""
    if isinstance(value, Mapping):
        unknown = sorted(set(map(str, value)) - set(goods))
        if unknown:
            raise LabelError(f"{what}: unknown good(s) {unknown}; valid goods are e.g. {goods[:8]}")
        out = np.array([float(value.get(g, default)) for g in goods])
    else:
        out = np.full(len(goods), float(value))
    bad = [g for g, v in zip(goods, out, strict=True) if not (math.isfinite(v) and v > 0)]
    if bad:
        raise ValidationError(f"{what}: elasticities must be finite and positive; offending good(s) {bad[:10]}")
    one = [g for g, v in zip(goods, out, strict=True) if abs(v - 1.0) < 1e-12]
    if one:
        raise ValidationError(
            f"{what}: an elasticity of 1 in a CES slot is degenerate (the CES becomes Cobb-Douglas and its "
            f"calibration divides by zero) for good(s) {one[:10]}; use 0.99 or 1.01"
        )
    return out


@dataclass(frozen=True)
class _Calibration:
    """Benchmark values and calibrated parameters, as numpy arrays (goods n, factors f)."""

    goods: tuple[str, ...]
    factors: tuple[str, ...]
    unit: str
    X0: np.ndarray  # (n, n) intermediate use, row good to column good
    F0: np.ndarray  # (f, n) factor use
    Z0: np.ndarray
    Y0: np.ndarray
    D0: np.ndarray
    E0: np.ndarray
    M0: np.ndarray
    Q0: np.ndarray
    Xp0: np.ndarray
    Xg0: np.ndarray
    Xv0: np.ndarray
    tz_acc: dict[str, np.ndarray]  # production-tax rate by account, (n,)
    tm_acc: dict[str, np.ndarray]  # tariff rate by account, (n,)
    tf_acc: dict[str, np.ndarray]  # factor-tax rate by account, (f, n)
    td_acc: dict[str, float]  # direct-tax rate by account
    tc_acc: dict[str, float]  # consumption-tax rate by account
    YH0: float
    TR0: float
    R0: float
    Sp0: float
    Sg0: float
    Sf0: float
    T0: float
    ssp: float
    ssg: float
    s_tr: float
    alpha: np.ndarray
    mu: np.ndarray
    lam: np.ndarray
    cw: np.ndarray  # consumer price index weights
    omega: np.ndarray  # (f,) share of each factor's income (net of factor taxes) paid abroad
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def FF0(self) -> np.ndarray:
        """Factor endowments at the benchmark (all employed)."""
        return self.F0.sum(axis=1)


#: Money quantities of the calibration (scaled to model units; rates and shares are not).
_CAL_QUANTITIES = (
    "X0", "F0", "Z0", "Y0", "D0", "E0", "M0", "Q0", "Xp0", "Xg0", "Xv0",
    "YH0", "TR0", "R0", "Sp0", "Sg0", "Sf0", "T0",
)  # fmt: skip
#: Money quantities of a solution (multiplied back to SAM units).
_QUANTITIES = ("Y", "Z", "Q", "D", "Xp", "Xg", "Xv", "E", "M", "F", "Sf", "Sp", "Sg", "T", "TR", "YH", "C", "U")


def _calibrate(sam: Any) -> _Calibration:
    """Read the benchmark from a SAM's cells (Hosoe, Gasawa & Hashimoto 2010, ch. 6; docs/cge.md)."""
    S = sam.frame
    goods = [str(g) for g in sam.goods]
    factors = [str(h) for h in sam.factors]
    hoh, gov, inv, row = sam.households, sam.government, sam.investment, sam.rest_of_world

    def cell(r: str, c: str) -> float:
        return float(S.loc[r, c]) if (r in S.index and c in S.columns) else 0.0

    def vec(r: str | list[str], cols: list[str]) -> np.ndarray:
        return S.loc[r, cols].to_numpy(dtype=float)

    X0 = S.loc[goods, goods].to_numpy(dtype=float)
    F0 = S.loc[factors, goods].to_numpy(dtype=float)
    M0 = vec(row, goods)
    Y0 = F0.sum(axis=0)
    Z0 = Y0 + X0.sum(axis=0)
    bad = [g for g, z in zip(goods, Z0, strict=True) if not z > 0]
    if bad:
        raise ValidationError(f"SAM {sam.name!r}: good(s) {bad[:10]} have no output (no factor or intermediate input)")
    nofac = [g for g, y in zip(goods, Y0, strict=True) if not y > 0]
    if nofac:
        raise ValidationError(f"SAM {sam.name!r}: good(s) {nofac[:10]} pay no factor: value added is needed")
    tz_acc = {str(k): vec(k, goods) / Z0 for k in sam.production_taxes}
    with np.errstate(divide="ignore", invalid="ignore"):
        tm_acc = {str(k): np.where(M0 > 0, vec(k, goods) / np.where(M0 > 0, M0, 1.0), 0.0) for k in sam.tariffs}
    for k in sam.tariffs:
        paid_without_imports = [g for g, t, m in zip(goods, vec(k, goods), M0, strict=True) if t != 0 and m <= 0]
        if paid_without_imports:
            raise ValidationError(
                f"SAM {sam.name!r}: tariff account {k!r} is paid by good(s) {paid_without_imports[:10]} "
                "that import nothing"
            )
    FF = F0.sum(axis=1)
    tf_acc = {}
    for k in sam.factor_taxes:
        paid = vec(k, factors)
        rate = np.where(FF > 0, paid / np.where(FF > 0, FF, 1.0), 0.0)
        tf_acc[str(k)] = np.repeat(rate[:, None], len(goods), axis=1)
    tauz = sum(tz_acc.values(), np.zeros(len(goods)))
    E0 = vec(goods, [row]).ravel() if row in S.columns else np.zeros(len(goods))
    E0 = S.loc[goods, row].to_numpy(dtype=float)
    D0 = (1.0 + tauz) * Z0 - E0
    bad = [g for g, d in zip(goods, D0, strict=True) if not d > 0]
    if bad:
        raise ValidationError(
            f"SAM {sam.name!r}: good(s) {bad[:10]} sell nothing at home (exports are all of output): the CET and "
            "Armington functions of the standard model need domestic sales"
        )
    Xp0 = S.loc[goods, hoh].to_numpy(dtype=float)
    Xg0 = S.loc[goods, gov].to_numpy(dtype=float)
    Xv0 = S.loc[goods, inv].to_numpy(dtype=float)
    Q0 = Xp0 + Xg0 + Xv0 + X0.sum(axis=1)
    bad = [g for g, q in zip(goods, Q0, strict=True) if not q > 0]
    if bad:
        raise ValidationError(f"SAM {sam.name!r}: good(s) {bad[:10]} have no domestic use (composite good)")
    TR0 = cell(hoh, gov)
    R0 = cell(hoh, row)
    to_hoh = S.loc[hoh, factors].to_numpy(dtype=float)
    abroad = S.loc[row, factors].to_numpy(dtype=float)
    net = to_hoh + abroad
    omega = np.where(net != 0, abroad / np.where(net != 0, net, 1.0), 0.0)
    YH0 = float(S.loc[hoh, factors].sum()) + TR0 + R0
    if sam.direct_taxes:
        td_acc = {str(k): cell(k, hoh) / YH0 for k in sam.direct_taxes}
    else:  # households pay direct taxes to the government with no tax account
        td_acc = {"direct_tax": cell(gov, hoh) / YH0}
    spend_goods = float(Xp0.sum())
    tc_acc = {str(k): cell(k, hoh) / spend_goods for k in sam.consumption_taxes}
    Sp0, Sg0, Sf0 = cell(inv, hoh), cell(inv, gov), cell(inv, row)
    T0 = float(
        sum(
            cell(gov, k)
            for k in (*sam.production_taxes, *sam.tariffs, *sam.factor_taxes, *sam.direct_taxes, *sam.consumption_taxes)
        )
    )
    if not sam.direct_taxes:
        T0 += cell(gov, hoh)
    if not T0 > 0 and (Xg0.sum() > 0 or Sg0 != 0 or TR0 != 0):
        raise ValidationError(f"SAM {sam.name!r}: the government spends but collects no tax")
    saving = Sp0 + Sg0 + Sf0
    if Xv0.sum() != 0 and abs(saving) <= 0:
        raise ValidationError(f"SAM {sam.name!r}: investment demand but no savings")
    return _Calibration(
        goods=tuple(goods),
        factors=tuple(factors),
        unit=str(getattr(sam, "unit", "")),
        X0=X0,
        F0=F0,
        Z0=Z0,
        Y0=Y0,
        D0=D0,
        E0=E0,
        M0=M0,
        Q0=Q0,
        Xp0=Xp0,
        Xg0=Xg0,
        Xv0=Xv0,
        tz_acc=tz_acc,
        tm_acc=tm_acc,
        tf_acc=tf_acc,
        td_acc=td_acc,
        tc_acc=tc_acc,
        YH0=YH0,
        TR0=TR0,
        R0=R0,
        Sp0=Sp0,
        Sg0=Sg0,
        Sf0=Sf0,
        T0=T0,
        ssp=Sp0 / YH0,
        ssg=Sg0 / T0 if T0 else 0.0,
        s_tr=TR0 / T0 if T0 else 0.0,
        alpha=Xp0 / spend_goods,
        mu=Xg0 / Xg0.sum() if Xg0.sum() else np.zeros(len(goods)),
        lam=Xv0 / saving if saving else np.zeros(len(goods)),
        cw=Xp0 / spend_goods,
        omega=omega,
    )


class StandardCGE:
    r"""The standard small-open-economy CGE model calibrated to a SAM (see the module docstring).

    Parameters
    ----------
    sam
        The benchmark :class:`~iomodel.cge.SAM`.
    armington
        Armington elasticity of substitution between imports and domestic
        goods, one number or by good (default 2.0, Hosoe et al. 2010, ch. 6).
    transformation
        CET elasticity of transformation between exports and domestic sales,
        one number or by good (default 2.0, idem).
    production
        ``"cobb_douglas"`` value added (default), or a CES elasticity of
        substitution between factors (one number or by good).
    household
        ``"cobb_douglas"`` (default) or ``"les"``: the linear expenditure
        system :math:`U = \prod_i (X^p_i - \gamma_i)^{\beta_i}`, calibrated
        from ``income_elasticity`` and ``frisch`` (Dervis, de Melo & Robinson
        1982): :math:`\beta_i = \varepsilon_i w_i / \sum_j \varepsilon_j w_j`
        with benchmark budget shares :math:`w_i`, and
        :math:`\gamma_i = X^{p0}_i + \beta_i C^0 / ((1+\tau^c) p^{q0}_i \phi)`.
    income_elasticity
        Expenditure elasticity of household demand, one number or by good
        (LES only; default 1.0).
    frisch
        The Frisch parameter :math:`\phi < 0` (LES only; default
        :data:`DEFAULT_FRISCH`; source in :data:`ELASTICITY_SOURCES`).
    closure
        :class:`Closure` (default: full employment, mobile capital, fixed
        foreign savings with a flexible exchange rate).
    numeraire
        A factor (e.g. ``"LAB"``: its price), ``"CPI"`` (the consumer price
        index) or ``"exchange_rate"``; its value is ``numeraire_price``.
    numeraire_price
        Value of the numeraire (1.0: benchmark prices are 1).

    Attributes
    ----------
    pyomo
        The Pyomo ``ConcreteModel`` of the square system at the benchmark
        (read and extend it; :meth:`solve` works on a copy).

    Examples
    --------
    The standard model of Hosoe, Gasawa & Hashimoto (2010, ch. 6) on its own SAM:

    >>> from iomodel import cge
    >>> model = cge.StandardCGE(cge.SAM.hosoe_standard())
    >>> res = model.solve()
    >>> round(res.welfare()["utility"], 6)          # the benchmark utility of the book's model
    25.50849
    """

    def __init__(
        self,
        sam: Any,
        *,
        armington: float | Mapping[str, float] = DEFAULT_ARMINGTON,
        transformation: float | Mapping[str, float] = DEFAULT_TRANSFORMATION,
        production: str | float | Mapping[str, float] = "cobb_douglas",
        household: str = "cobb_douglas",
        income_elasticity: float | Mapping[str, float] = 1.0,
        frisch: float = DEFAULT_FRISCH,
        closure: Closure | None = None,
        numeraire: str = "LAB",
        numeraire_price: float = 1.0,
    ) -> None:
        self.sam = sam
        self.closure = closure or Closure()
        cal = _calibrate(sam)
        self.calibration = cal
        goods = list(cal.goods)
        if household not in ("cobb_douglas", "les"):
            raise ValidationError(f"unknown household demand {household!r}; valid options are ['cobb_douglas', 'les']")
        self.household = household
        self.les_beta, self.les_gamma = self._household(cal, household, income_elasticity, frisch)
        for role, name in (("labour", self.closure.labour_factor), ("capital", self.closure.capital_factor)):
            if name not in cal.factors:
                raise LabelError(
                    f"closure: {role} factor {name!r} is not a factor of SAM {sam.name!r}; "
                    f"factors are {list(cal.factors)}"
                )
        valid_num = [*cal.factors, "CPI", "exchange_rate"]
        if numeraire not in valid_num:
            raise LabelError(f"unknown numeraire {numeraire!r}; valid options are {valid_num}")
        if self.closure.labour == "fixed_real_wage" and numeraire == self.closure.labour_factor:
            raise ValidationError(
                "a fixed real wage fixes the wage against the consumer price index: choose numeraire='CPI' or "
                "'exchange_rate', not the labour factor"
            )
        if self.closure.capital == "sector_specific" and numeraire == self.closure.capital_factor:
            raise ValidationError("with sector-specific capital there is no one capital price to be the numeraire")
        if self.closure.foreign == "fixed_exchange_rate" and numeraire == "exchange_rate":
            raise ValidationError("the exchange rate cannot be both the numeraire and fixed by the closure")
        if not (math.isfinite(numeraire_price) and numeraire_price > 0):
            raise ValidationError(f"numeraire_price must be positive, got {numeraire_price}")
        self.numeraire, self.numeraire_price = numeraire, float(numeraire_price)
        self.sigma = _elasticity(armington, goods, "armington", DEFAULT_ARMINGTON)
        self.psi = _elasticity(transformation, goods, "transformation", DEFAULT_TRANSFORMATION)
        if isinstance(production, str):
            if production != "cobb_douglas":
                raise ValidationError(
                    f"unknown production {production!r}; valid options are 'cobb_douglas' or a CES elasticity"
                )
            self.sigma_va: np.ndarray | None = None
        else:
            self.sigma_va = _elasticity(production, goods, "production", 0.5)
        self.elasticity_sources = dict(ELASTICITY_SOURCES)
        # the solver works in units of about one typical output (a power of ten), results in SAM units
        typical = float(np.median(cal.Z0))
        self.scale = float(10.0 ** math.floor(math.log10(typical))) if typical > 0 else 1.0
        self._parameters()
        self.pyomo = self._build()

    # ------------------------------------------------------------------ calibration
    @staticmethod
    def _household(
        cal: _Calibration, household: str, income_elasticity: float | Mapping[str, float], frisch: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Marginal budget shares and committed quantities (all zero for Cobb-Douglas) of household demand."""
        if household == "cobb_douglas":
            return cal.alpha.copy(), np.zeros(len(cal.goods))
        if not (math.isfinite(frisch) and frisch < 0):
            raise ValidationError(f"household='les': the Frisch parameter must be negative, got {frisch}")
        goods = [str(g) for g in cal.goods]
        if isinstance(income_elasticity, Mapping):
            unknown = sorted(set(map(str, income_elasticity)) - set(goods))
            if unknown:
                raise LabelError(f"income_elasticity: unknown good(s) {unknown}; goods are {goods}")
            eps = np.array([float(income_elasticity.get(g, 1.0)) for g in goods])
        else:
            eps = np.full(len(goods), float(income_elasticity))
        w = cal.alpha
        bad = [g for g, e, wi in zip(goods, eps, w, strict=True) if wi > 0 and not (math.isfinite(e) and e > 0)]
        if bad:
            raise ValidationError(f"household='les': income elasticities must be finite and positive; goods {bad}")
        beta = eps * w / float((eps * w).sum())
        tauc0 = float(sum(cal.tc_acc.values()))
        spend = (1 + tauc0) * float(cal.Xp0.sum())
        gamma = cal.Xp0 + beta * spend / ((1 + tauc0) * frisch)
        return beta, gamma

    def _parameters(self) -> None:
        c = self.calibration
        F0, Y0, Z0 = c.F0, c.Y0, c.Z0
        self.ax = c.X0 / Z0[None, :]
        self.ay = Y0 / Z0
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.sigma_va is None:
                self.beta = F0 / Y0[None, :]
                logs = np.where(F0 > 0, self.beta * np.log(np.where(F0 > 0, F0, 1.0)), 0.0).sum(axis=0)
                self.b = Y0 / np.exp(logs)
                self.rho_va = None
            else:
                rho = (self.sigma_va - 1.0) / self.sigma_va
                w = np.where(F0 > 0, np.where(F0 > 0, F0, 1.0) ** (1.0 - rho[None, :]), 0.0)
                self.beta = w / w.sum(axis=0)[None, :]
                inner = np.where(F0 > 0, self.beta * np.where(F0 > 0, F0, 1.0) ** rho[None, :], 0.0).sum(axis=0)
                self.b = Y0 / inner ** (1.0 / rho)
                self.rho_va = rho
        self.eta = (self.sigma - 1.0) / self.sigma
        self.phi = (self.psi + 1.0) / self.psi
        taum = sum(c.tm_acc.values(), np.zeros(len(c.goods)))
        M0, D0, E0, Q0 = c.M0, c.D0, c.E0, c.Q0
        self.has_m = M0 > 0
        self.has_e = E0 > 0
        eta, phi = self.eta, self.phi
        with np.errstate(divide="ignore", invalid="ignore"):
            mpart = np.where(self.has_m, (1 + taum) * np.where(self.has_m, M0, 1.0) ** (1 - eta), 0.0)
            dpart = D0 ** (1 - eta)
            self.delta_m = mpart / (mpart + dpart)
            self.delta_d = 1.0 - self.delta_m
            agg = self.delta_m * np.where(self.has_m, M0, 1.0) ** eta + self.delta_d * D0**eta
            self.gamma = np.where(self.has_m, Q0 / agg ** (1 / eta), 1.0)
            epart = np.where(self.has_e, np.where(self.has_e, E0, 1.0) ** (1 - phi), 0.0)
            dpart_e = D0 ** (1 - phi)
            self.xi_e = epart / (epart + dpart_e)
            self.xi_d = 1.0 - self.xi_e
            agg_e = self.xi_e * np.where(self.has_e, E0, 1.0) ** phi + self.xi_d * D0**phi
            self.theta = np.where(self.has_e, Z0 / agg_e ** (1 / phi), 1.0)
        # benchmark factor-tax rate of each factor (uniform across sectors in a SAM)
        tf = sum(c.tf_acc.values(), np.zeros_like(F0))
        self.tauf0 = tf[:, 0] if tf.size else np.zeros(len(c.factors))

    # ------------------------------------------------------------------ the Pyomo model
    def _scaled(self) -> _Calibration:
        """The benchmark in model units (SAM values over :attr:`scale`): shares and rates are unchanged."""
        c, k = self.calibration, 1.0 / self.scale
        return replace(
            c,
            **{name: getattr(c, name) * k for name in _CAL_QUANTITIES},
        )

    def _build(self) -> Any:
        import pyomo.environ as pyo

        c = self._scaled()
        cl = self.closure
        goods, factors = list(c.goods), list(c.factors)
        gi = {g: k for k, g in enumerate(goods)}
        hi = {h: k for k, h in enumerate(factors)}
        lab, cap = cl.labour_factor, cl.capital_factor
        specific = cl.capital == "sector_specific"
        m = pyo.ConcreteModel(name=f"StandardCGE on {c.unit or 'SAM'}")
        m.I = pyo.Set(initialize=goods, ordered=True)
        m.H = pyo.Set(initialize=factors, ordered=True)
        m.IM = pyo.Set(initialize=[g for g in goods if self.has_m[gi[g]]], ordered=True)
        m.IE = pyo.Set(initialize=[g for g in goods if self.has_e[gi[g]]], ordered=True)
        pairs = [(h, j) for h in factors for j in goods if c.F0[hi[h], gi[j]] > 0]
        m.HJ = pyo.Set(initialize=pairs, dimen=2, ordered=True)
        # -- policy parameters (mutable)
        tauz = sum(c.tz_acc.values(), np.zeros(len(goods)))
        taum = sum(c.tm_acc.values(), np.zeros(len(goods)))
        tauf = sum(c.tf_acc.values(), np.zeros_like(c.F0))
        m.tauz = pyo.Param(m.I, initialize={g: float(tauz[gi[g]]) for g in goods}, mutable=True)
        m.taum = pyo.Param(m.I, initialize={g: float(taum[gi[g]]) for g in goods}, mutable=True)
        m.tauf = pyo.Param(m.HJ, initialize={(h, j): float(tauf[hi[h], gi[j]]) for h, j in pairs}, mutable=True)
        m.taud = pyo.Param(initialize=float(sum(c.td_acc.values())), mutable=True)
        m.tauc = pyo.Param(initialize=float(sum(c.tc_acc.values())), mutable=True)
        ff = {h: float(c.FF0[hi[h]]) for h in factors}
        u0 = 0.0
        if cl.labour == "fixed_real_wage":
            u0 = ff[lab] * cl.unemployment_rate / (1.0 - cl.unemployment_rate)
            ff[lab] += u0  # the labour force: the employed of the SAM and the unemployed
        m.FF = pyo.Param(m.H, initialize=ff, mutable=True)
        m.K = pyo.Param(m.I, initialize={j: float(c.F0[hi[cap], gi[j]]) for j in goods}, mutable=True)
        m.pWe = pyo.Param(m.I, initialize=dict.fromkeys(goods, 1.0), mutable=True)
        m.pWm = pyo.Param(m.I, initialize=dict.fromkeys(goods, 1.0), mutable=True)
        m.Sf_bar = pyo.Param(initialize=c.Sf0, mutable=True)
        m.R_bar = pyo.Param(initialize=c.R0, mutable=True)
        m.eps_bar = pyo.Param(initialize=1.0, mutable=True)
        m.wbar = pyo.Param(initialize=1.0, mutable=True)
        # -- variables at the benchmark
        pos = (1e-10, None)

        def gvar(values: np.ndarray, bounds: Any = pos) -> Any:
            return pyo.Var(m.I, initialize={g: float(values[gi[g]]) for g in goods}, bounds=bounds)

        m.Y, m.Z, m.Q, m.D = gvar(c.Y0), gvar(c.Z0), gvar(c.Q0), gvar(c.D0)
        m.Xp = gvar(c.Xp0, (0.0, None))
        m.Xg, m.Xv = gvar(c.Xg0, (None, None)), gvar(c.Xv0, (None, None))
        m.E = pyo.Var(m.IE, initialize={g: float(c.E0[gi[g]]) for g in m.IE}, bounds=pos)
        m.M = pyo.Var(m.IM, initialize={g: float(c.M0[gi[g]]) for g in m.IM}, bounds=pos)
        m.F = pyo.Var(m.HJ, initialize={(h, j): float(c.F0[hi[h], gi[j]]) for h, j in pairs}, bounds=pos)
        one = dict.fromkeys(goods, 1.0)
        m.py, m.pz, m.pq, m.pd = (pyo.Var(m.I, initialize=one, bounds=pos) for _ in range(4))
        m.pe = pyo.Var(m.IE, initialize=1.0, bounds=pos)
        m.pm = pyo.Var(m.IM, initialize=1.0, bounds=pos)
        m.pf = pyo.Var(m.H, initialize=1.0, bounds=pos)  # factor price (gross, at the benchmark tax)
        m.pk = pyo.Var(m.I, initialize=1.0, bounds=pos)  # sector rent of capital (sector-specific closure)
        m.eps = pyo.Var(initialize=1.0, bounds=pos)
        m.Sf = pyo.Var(initialize=c.Sf0)
        m.Sp, m.Sg = pyo.Var(initialize=c.Sp0), pyo.Var(initialize=c.Sg0)
        m.T, m.TR = pyo.Var(initialize=c.T0), pyo.Var(initialize=c.TR0)
        m.YH = pyo.Var(initialize=c.YH0, bounds=pos)
        m.C = pyo.Var(initialize=c.YH0 - c.Sp0 - c.YH0 * float(sum(c.td_acc.values())))
        m.U = pyo.Var(initialize=u0, bounds=(0.0, None))  # unemployment (fixed real wage)
        m.CPI = pyo.Var(initialize=1.0, bounds=pos)

        tauf0 = {h: float(self.tauf0[hi[h]]) for h in factors}

        def wage(mm: Any, h: str, j: str) -> Any:
            """Gross price of factor h paid by sector j: the same net return everywhere."""
            if specific and h == cap:
                return mm.pk[j]
            return mm.pf[h] * (1.0 - tauf0[h]) / (1.0 - mm.tauf[h, j])

        # -- production
        def prod_rule(mm: Any, j: str) -> Any:
            jj = gi[j]
            fs = [(h, self.beta[hi[h], jj]) for h in factors if (h, j) in mm.HJ]
            if self.rho_va is None:
                return mm.Y[j] == float(self.b[jj]) * pyo.prod(mm.F[h, j] ** float(bh) for h, bh in fs)
            r = float(self.rho_va[jj])
            return mm.Y[j] == float(self.b[jj]) * sum(float(bh) * mm.F[h, j] ** r for h, bh in fs) ** (1 / r)

        m.eq_prod = pyo.Constraint(m.I, rule=prod_rule)

        def fdem_rule(mm: Any, h: str, j: str) -> Any:
            jj = gi[j]
            if self.rho_va is None:
                return mm.F[h, j] * wage(mm, h, j) == float(self.beta[hi[h], jj]) * mm.py[j] * mm.Y[j]
            r = float(self.rho_va[jj])
            coef = float(self.b[jj]) ** r * float(self.beta[hi[h], jj])
            return mm.F[h, j] == mm.Y[j] * (coef * mm.py[j] / wage(mm, h, j)) ** (1 / (1 - r))

        m.eq_fdem = pyo.Constraint(m.HJ, rule=fdem_rule)
        m.eq_cost = pyo.Constraint(
            m.I,
            rule=lambda mm, j: (
                mm.pz[j]
                == float(self.ay[gi[j]]) * mm.py[j]
                + sum(float(self.ax[gi[i], gi[j]]) * mm.pq[i] for i in goods if self.ax[gi[i], gi[j]] != 0)
            ),
        )
        m.eq_yz = pyo.Constraint(m.I, rule=lambda mm, j: mm.Y[j] == float(self.ay[gi[j]]) * mm.Z[j])

        # -- transformation (CET) and Armington
        def cet_rule(mm: Any, i: str) -> Any:
            ii = gi[i]
            if i in mm.IE:
                phi = float(self.phi[ii])
                inner = float(self.xi_e[ii]) * mm.E[i] ** phi + float(self.xi_d[ii]) * mm.D[i] ** phi
                return mm.Z[i] == float(self.theta[ii]) * inner ** (1 / phi)
            return mm.D[i] == (1 + mm.tauz[i]) * mm.Z[i]

        m.eq_cet = pyo.Constraint(m.I, rule=cet_rule)

        def dsup_rule(mm: Any, i: str) -> Any:
            ii = gi[i]
            if i in mm.IE:
                phi = float(self.phi[ii])
                k = float(self.theta[ii]) ** phi * float(self.xi_d[ii])
                return mm.D[i] == (k * (1 + mm.tauz[i]) * mm.pz[i] / mm.pd[i]) ** (1 / (1 - phi)) * mm.Z[i]
            return mm.pd[i] == mm.pz[i]

        m.eq_dsup = pyo.Constraint(m.I, rule=dsup_rule)

        def esup_rule(mm: Any, i: str) -> Any:
            ii = gi[i]
            phi = float(self.phi[ii])
            k = float(self.theta[ii]) ** phi * float(self.xi_e[ii])
            return mm.E[i] == (k * (1 + mm.tauz[i]) * mm.pz[i] / mm.pe[i]) ** (1 / (1 - phi)) * mm.Z[i]

        m.eq_esup = pyo.Constraint(m.IE, rule=esup_rule)
        m.eq_pe = pyo.Constraint(m.IE, rule=lambda mm, i: mm.pe[i] == mm.eps * mm.pWe[i])
        m.eq_pm = pyo.Constraint(m.IM, rule=lambda mm, i: mm.pm[i] == mm.eps * mm.pWm[i])

        def arm_rule(mm: Any, i: str) -> Any:
            ii = gi[i]
            if i in mm.IM:
                eta = float(self.eta[ii])
                inner = float(self.delta_m[ii]) * mm.M[i] ** eta + float(self.delta_d[ii]) * mm.D[i] ** eta
                return mm.Q[i] == float(self.gamma[ii]) * inner ** (1 / eta)
            return mm.Q[i] == mm.D[i]

        m.eq_arm = pyo.Constraint(m.I, rule=arm_rule)

        def ddem_rule(mm: Any, i: str) -> Any:
            ii = gi[i]
            if i in mm.IM:
                eta = float(self.eta[ii])
                k = float(self.gamma[ii]) ** eta * float(self.delta_d[ii])
                return mm.D[i] == (k * mm.pq[i] / mm.pd[i]) ** (1 / (1 - eta)) * mm.Q[i]
            return mm.pq[i] == mm.pd[i]

        m.eq_ddem = pyo.Constraint(m.I, rule=ddem_rule)

        def mdem_rule(mm: Any, i: str) -> Any:
            ii = gi[i]
            eta = float(self.eta[ii])
            k = float(self.gamma[ii]) ** eta * float(self.delta_m[ii])
            return mm.M[i] == (k * mm.pq[i] / ((1 + mm.taum[i]) * mm.pm[i])) ** (1 / (1 - eta)) * mm.Q[i]

        m.eq_mdem = pyo.Constraint(m.IM, rule=mdem_rule)

        # -- institutions
        omega = {h: float(c.omega[hi[h]]) for h in factors}

        def net_factor_income(mm: Any, share: Any) -> Any:
            return sum(share(h) * (1 - mm.tauf[h, j]) * wage(mm, h, j) * mm.F[h, j] for h, j in pairs)

        m.eq_yh = pyo.Constraint(expr=m.YH == net_factor_income(m, lambda h: 1 - omega[h]) + m.TR + m.eps * m.R_bar)
        m.eq_sp = pyo.Constraint(expr=m.Sp == float(c.ssp) * m.YH)
        m.eq_c = pyo.Constraint(expr=m.C == m.YH * (1 - m.taud) - m.Sp)
        if self.household == "cobb_douglas":
            m.eq_xp = pyo.Constraint(
                m.I, rule=lambda mm, i: mm.Xp[i] * (1 + mm.tauc) * mm.pq[i] == float(c.alpha[gi[i]]) * mm.C
            )
        else:  # linear expenditure system; committed quantities in model units
            beta = {g: float(self.les_beta[gi[g]]) for g in goods}
            gamma = {g: float(self.les_gamma[gi[g]]) / self.scale for g in goods}

            def les(mm: Any, i: Any) -> Any:
                committed = sum((1 + mm.tauc) * mm.pq[j] * gamma[j] for j in goods)
                return (mm.Xp[i] - gamma[i]) * (1 + mm.tauc) * mm.pq[i] == beta[i] * (mm.C - committed)

            m.eq_xp = pyo.Constraint(m.I, rule=les)
        revenue = (
            sum(m.tauz[j] * m.pz[j] * m.Z[j] for j in goods)
            + sum(m.taum[i] * m.pm[i] * m.M[i] for i in m.IM)
            + sum(m.tauf[h, j] * wage(m, h, j) * m.F[h, j] for h, j in pairs)
            + m.taud * m.YH
            + m.tauc / (1 + m.tauc) * m.C
        )
        m.eq_t = pyo.Constraint(expr=m.T == revenue)
        m.eq_sg = pyo.Constraint(expr=m.Sg == float(c.ssg) * m.T)
        m.eq_tr = pyo.Constraint(expr=m.TR == float(c.s_tr) * m.T)
        m.eq_xg = pyo.Constraint(
            m.I, rule=lambda mm, i: mm.Xg[i] * mm.pq[i] == float(c.mu[gi[i]]) * (mm.T - mm.Sg - mm.TR)
        )
        m.eq_xv = pyo.Constraint(
            m.I, rule=lambda mm, i: mm.Xv[i] * mm.pq[i] == float(c.lam[gi[i]]) * (mm.Sp + mm.Sg + mm.eps * mm.Sf)
        )
        paid_abroad = net_factor_income(m, lambda h: omega[h]) if any(omega.values()) else 0.0
        m.eq_bop = pyo.Constraint(
            expr=(sum(m.pWe[i] * m.E[i] for i in m.IE) + m.Sf + m.R_bar) * m.eps
            == sum(m.pWm[i] * m.M[i] for i in m.IM) * m.eps + paid_abroad
        )
        m.eq_cpi = pyo.Constraint(expr=m.CPI == sum(float(c.cw[gi[i]]) * m.pq[i] for i in goods))

        # -- markets (the first good's is left out: Walras' law)
        def market_rule(mm: Any, i: str) -> Any:
            if i == goods[0]:
                return pyo.Constraint.Skip
            inter = sum(float(self.ax[gi[i], gi[j]]) * mm.Z[j] for j in goods if self.ax[gi[i], gi[j]] != 0)
            return mm.Q[i] == mm.Xp[i] + mm.Xg[i] + mm.Xv[i] + inter

        m.eq_market = pyo.Constraint(m.I, rule=market_rule)

        def fmarket_rule(mm: Any, h: str) -> Any:
            users = [j for hh, j in pairs if hh == h]
            if specific and h == cap:
                return pyo.Constraint.Skip
            unemployed = mm.U if (h == lab and cl.labour == "fixed_real_wage") else 0.0
            return sum(mm.F[h, j] for j in users) + unemployed == mm.FF[h]

        m.eq_fmarket = pyo.Constraint(m.H, rule=fmarket_rule)
        # -- closures by fixing variables
        if specific:
            for j in goods:
                if (cap, j) in m.HJ:
                    m.F[cap, j].fix(float(c.F0[hi[cap], gi[j]]))
                else:
                    m.pk[j].fix(1.0)
            m.pf[cap].fix(1.0)  # unused: capital is paid its sector rents
        else:
            for j in goods:
                m.pk[j].fix(1.0)  # unused: capital earns one net return
        if cl.labour == "fixed_real_wage":
            m.eq_real_wage = pyo.Constraint(expr=m.pf[lab] == m.wbar * m.CPI)
        else:
            m.U.fix(0.0)
        if cl.foreign == "fixed_foreign_savings":
            m.Sf.fix(c.Sf0)  # set from the policy's foreign savings at each solve
        else:
            m.eq_eps = pyo.Constraint(expr=m.eps == m.eps_bar)
        num = self.numeraire
        if num in factors:
            m.pf[num].fix(self.numeraire_price)
        elif num == "CPI":
            m.eq_numeraire = pyo.Constraint(expr=m.CPI == self.numeraire_price)
        else:
            m.eps.fix(self.numeraire_price)
        m.objective = pyo.Objective(expr=0.0)
        return m

    # ------------------------------------------------------------------ solving
    def _apply(self, m: Any, policy: Policy | None) -> None:
        """Set the policy's parameters on a copy of the model (rates replace the benchmark's)."""
        c = self.calibration
        goods, factors = set(c.goods), set(c.factors)
        if policy is None:
            policy = Policy(name="benchmark")
        unknown = sorted(policy.goods_named() - goods)
        if unknown:
            raise LabelError(
                f"policy {policy.name!r} names unknown good(s) {unknown}; goods of the SAM are e.g. {list(c.goods)[:8]}"
            )
        bad_f = sorted((set(policy.factor_tax_rate) | set(policy.endowment_change)) - factors)
        if bad_f:
            raise LabelError(f"policy {policy.name!r} names unknown factor(s) {bad_f}; factors are {list(c.factors)}")
        for g, r in policy.tariff_rate.items():
            if g not in m.IM and r != 0:
                raise ValidationError(f"policy {policy.name!r}: good {g!r} imports nothing, a tariff has no base")
            m.taum[g] = r
        for g, r in policy.production_tax_rate.items():
            m.tauz[g] = r
        for h, rates in policy.factor_tax_rate.items():
            for g, r in rates.items():
                if (h, g) in m.HJ:
                    m.tauf[h, g] = r
                elif r != 0:
                    raise ValidationError(
                        f"policy {policy.name!r}: sector {g!r} uses no {h!r}, a tax on it has no base"
                    )
        if policy.direct_tax_rate is not None:
            m.taud = policy.direct_tax_rate
        if policy.consumption_tax_rate is not None:
            m.tauc = policy.consumption_tax_rate
        for h, dv in policy.endowment_change.items():
            new = float(pyo_value(m.FF[h])) + dv / self.scale
            if not new > 0:
                raise ValidationError(f"policy {policy.name!r}: the endowment of {h!r} would be {new:.6g} <= 0")
            m.FF[h] = new
        cap = self.closure.capital_factor
        if policy.capital_stock_change and self.closure.capital != "sector_specific":
            raise ValidationError(
                f"policy {policy.name!r} changes sector capital stocks: use Closure(capital='sector_specific'), "
                "or change the capital endowment (endowment_change) with mobile capital"
            )
        for g, dv in policy.capital_stock_change.items():
            if (cap, g) not in m.HJ:
                raise ValidationError(f"policy {policy.name!r}: sector {g!r} uses no capital in the SAM")
            new = float(pyo_value(m.F[cap, g])) + dv / self.scale
            if not new > 0:
                raise ValidationError(f"policy {policy.name!r}: the capital stock of {g!r} would be {new:.6g} <= 0")
            m.F[cap, g].fix(new)
            m.K[g] = new
        for g, p in policy.world_export_price.items():
            m.pWe[g] = p
        for g, p in policy.world_import_price.items():
            m.pWm[g] = p
        if policy.foreign_savings is not None:
            if self.closure.foreign != "fixed_foreign_savings":
                raise ValidationError("foreign savings adjust under a fixed exchange rate: they cannot be set")
            m.Sf.fix(policy.foreign_savings / self.scale)

    def check_square(self, m: Any | None = None) -> None:
        """Refuse a model that is not a square, structurally non-singular system (before solving).

        Counts the free variables and the active equations, and computes the
        structural rank of their incidence matrix (:func:`scipy.sparse.csgraph.structural_rank`).

        Raises
        ------
        ValidationError
            The counts differ (names what is missing) or the system is structurally singular.
        """
        import pyomo.environ as pyo
        import scipy.sparse as sp
        from pyomo.core.expr.visitor import identify_variables
        from scipy.sparse.csgraph import structural_rank

        m = self.pyomo if m is None else m
        cons = [con for con in m.component_data_objects(pyo.Constraint, active=True)]
        free = [v for v in m.component_data_objects(pyo.Var, active=True) if not v.fixed]
        if len(cons) != len(free):
            raise ValidationError(
                f"the closure does not give a square system: {len(cons)} equations for {len(free)} free variables; "
                "fix or free variables (Closure) so that they match"
            )
        col = {id(v): k for k, v in enumerate(free)}
        rows, cols = [], []
        for r, con in enumerate(cons):
            for v in identify_variables(con.body, include_fixed=False):
                if id(v) in col:
                    rows.append(r)
                    cols.append(col[id(v)])
        inc = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(cons), len(free)))
        rank = int(structural_rank(inc))
        if rank < len(cons):
            raise ValidationError(
                f"the system is structurally singular (structural rank {rank} of {len(cons)}): some equations do not "
                "determine the variables they should; check the closure"
            )

    def solve(
        self,
        policy: Policy | None = None,
        *,
        solver: str = "ripopt",
        start: CGEResult | None = None,
        tol: float = 1e-7,
        options: Mapping[str, Any] | None = None,
        steps: int = 16,
    ) -> CGEResult:
        """Solve the model under a policy (``None``: the benchmark) and re-check the solution.

        Parameters
        ----------
        policy
            The :class:`~iomodel.cge.Policy`.
        solver
            A Pyomo solver name: ``"ripopt"`` (default: an interior-point NLP
            solver that installs with pip, package ``pyomo-ripopt``), or e.g.
            ``"ipopt"`` where installed.
        start
            A previous result to start from (default: the benchmark).
        tol
            Largest scaled residual the independent numpy check accepts.
        options
            Options passed to the solver.
        steps
            Largest number of continuation steps: when the direct solve fails,
            the policy is applied in 2, 4, ... equal steps (each solve starting
            from the last) up to this number; ``1`` turns continuation off.
            ``result.info["steps"]`` says how many were needed, and
            ``result.info["iterations"]`` the solver's iterations summed over
            every attempt (None where the solver's log does not print them).

        Raises
        ------
        SolverError
            The solver is missing, does not converge, or its solution fails
            the residual check (the worst equations are named).
        """
        import pyomo.environ as pyo

        m = self.pyomo.clone()
        self._apply(m, policy)
        if start is not None:
            gpos = {g: k for k, g in enumerate(self.calibration.goods)}
            hpos = {h: k for k, h in enumerate(self.calibration.factors)}
            for name, arr in start.values.items():
                comp = getattr(m, name, None)
                if comp is None or not isinstance(comp, pyo.Var):
                    continue
                k = 1.0 / self.scale if name in _QUANTITIES else 1.0
                if comp.is_indexed():
                    for idx in comp.index_set():
                        pos = (
                            (hpos[idx[0]], gpos[idx[1]]) if isinstance(idx, tuple) else (hpos.get(idx, gpos.get(idx)),)
                        )
                        if not comp[idx].fixed:
                            comp[idx].set_value(float(np.asarray(arr)[pos]) * k, skip_validation=True)
                elif not comp.fixed:
                    comp.set_value(float(arr) * k, skip_validation=True)
        self.check_square(m)
        if solver == "ripopt":
            import pyomo_ripopt  # noqa: F401  # registers the solver with Pyomo
        opt = pyo.SolverFactory(solver)
        if opt is None or not opt.available(exception_flag=False):
            raise SolverError(f"NLP solver {solver!r} is not available; install pyomo-ripopt or name another solver")
        for key, val in (options or {}).items():
            opt.options[key] = val
        name = getattr(policy, "name", "benchmark")
        iterations: list[int | None] = []
        outcome = self._attempt(opt, m, tol, iterations)
        n_steps = 1
        if isinstance(outcome, str) and policy is not None and steps > 1:
            # continuation: move the policy parameters from the benchmark to their targets in equal steps,
            # each solve starting from the last; more steps until it goes through or ``steps`` is reached
            target = _policy_state(m)
            bench = _policy_state(self.pyomo)
            n_steps = 2
            while isinstance(outcome, str) and n_steps <= steps:
                m = self.pyomo.clone()
                self._apply(m, policy)
                for k in range(1, n_steps + 1):
                    _set_state(m, bench, target, k / n_steps)
                    outcome = self._attempt(opt, m, tol, iterations)
                    if isinstance(outcome, str):
                        break
                if isinstance(outcome, str):
                    n_steps *= 2
        if isinstance(outcome, str):
            hint = "; try another start, a larger ``steps`` or another solver"
            if self.closure.labour == "fixed_real_wage":
                hint += " (with a fixed real wage, employment cannot exceed the labour force: raise unemployment_rate)"
            raise SolverError(f"{solver} did not solve the CGE model under policy {name!r}: {outcome}{hint}")
        values, params, term, worst = outcome
        return CGEResult(
            model=self,
            policy=policy or Policy(name="benchmark"),
            values=values,
            params=params,
            info={
                "solver": solver,
                "termination": term,
                "max_residual": float(worst[0][1]) if worst else 0.0,
                "steps": n_steps,
                "iterations": sum(iterations) if iterations and None not in iterations else None,
            },
        )

    def _attempt(self, opt: Any, m: Any, tol: float, iterations: list[int | None]) -> Any:
        """One solve of ``m``; the solution (values, params, termination, worst residuals) or why it failed.

        The solver's iteration count, read from its log where it prints one
        (ripopt and Ipopt do), is appended to ``iterations`` (None if not found).
        """
        with tempfile.TemporaryDirectory(prefix="iomodel-cge-") as tmp:
            log = os.path.join(tmp, "solver.log")
            try:
                results = opt.solve(m, load_solutions=False, logfile=log)
            except TypeError:  # a solver interface without a log file
                results = opt.solve(m, load_solutions=False)
            text = ""
            if os.path.exists(log):
                with open(log, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
        iterations.append(_iteration_count(text))
        term = str(results.solver.termination_condition)
        if term not in ("optimal", "locallyOptimal", "feasible"):
            return f"termination {term}"
        # ripopt ends a converged run with a warning status ("search direction becomes too small");
        # the independent residual check below decides whether the solution is accepted
        quiet = logging.getLogger("pyomo.core")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            m.solutions.load_from(results)
        finally:
            quiet.setLevel(level)
        values = _values(m)
        for q in _QUANTITIES:
            values[q] = values[q] * self.scale
        params = _params(m)
        params["FF"] = params["FF"] * self.scale
        params["R"] = params["R"] * self.scale
        res = self.residuals(values, params)
        worst = sorted(res.items(), key=lambda kv: -kv[1])[:5]
        if worst and worst[0][1] > tol:
            return "the solution fails the independent check: largest scaled residuals " + ", ".join(
                f"{k} {v:.2e}" for k, v in worst
            )
        return values, params, term, worst

    # ------------------------------------------------------------------ the independent check
    def residuals(self, v: Mapping[str, Any], p: Mapping[str, Any]) -> dict[str, float]:
        """Largest scaled residual of each block of equations, evaluated with numpy (not with Pyomo).

        ``v`` are the values of a solution (:attr:`CGEResult.values`), ``p`` the
        policy parameters it was solved with (:attr:`CGEResult.params`). Each
        residual is divided by the larger of its two sides, so 1e-9 means nine
        correct digits.
        """
        c = self.calibration
        n = len(c.goods)
        cap = c.factors.index(self.closure.capital_factor)
        lab = c.factors.index(self.closure.labour_factor)
        specific = self.closure.capital == "sector_specific"
        has_f = c.F0 > 0
        F, pf, py, pz, pq, pd = v["F"], v["pf"], v["py"], v["pz"], v["pq"], v["pd"]
        w = pf[:, None] * (1 - self.tauf0)[:, None] / (1 - p["tauf"])
        if specific:
            w[cap] = v["pk"]
        out: dict[str, float] = {}
        # values near zero (e.g. transfers of a SAM without any) are compared with the size of the economy
        floor = 1e-9 * float(c.Z0.sum())

        def put(name: str, lhs: Any, rhs: Any, mask: Any = None) -> None:
            lhs, rhs = np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float)
            scale = np.maximum(np.maximum(np.abs(lhs), np.abs(rhs)), floor)
            with np.errstate(invalid="ignore"):
                r = np.abs(lhs - rhs) / scale
            if mask is not None:
                r = r[mask]
            # a non-finite side is a failure, never a pass (nan compares false with any tolerance)
            r = np.where(np.isfinite(r), r, np.inf)
            out[name] = float(r.max()) if r.size else 0.0

        Y, Z = v["Y"], v["Z"]
        logF = np.log(np.where(has_f, F, 1.0))
        if self.rho_va is None:
            put("production", Y, self.b * np.exp((np.where(has_f, self.beta, 0.0) * logF).sum(axis=0)))
            put("factor demand", F * w, self.beta * py[None, :] * Y[None, :], has_f)
        else:
            rho = self.rho_va
            inner = (np.where(has_f, self.beta * np.where(has_f, F, 1.0) ** rho[None, :], 0.0)).sum(axis=0)
            put("production", Y, self.b * inner ** (1 / rho))
            coef = self.b[None, :] ** rho[None, :] * self.beta
            put("factor demand", F, Y[None, :] * (coef * py[None, :] / w) ** (1 / (1 - rho[None, :])), has_f)
        put("unit cost", pz, self.ay * py + self.ax.T @ pq)
        put("value added", Y, self.ay * Z)
        E, D, M, Q = v["E"], v["D"], v["M"], v["Q"]
        tz, tm = p["tauz"], p["taum"]
        he, hm = self.has_e, self.has_m
        phi, eta = self.phi, self.eta
        cet = self.theta * (self.xi_e * np.where(he, E, 1.0) ** phi + self.xi_d * D**phi) ** (1 / phi)
        put("transformation", np.where(he, Z, D), np.where(he, cet, (1 + tz) * Z))
        k_d = self.theta**phi * self.xi_d
        put(
            "domestic supply",
            np.where(he, D, pd),
            np.where(he, (k_d * (1 + tz) * pz / pd) ** (1 / (1 - phi)) * Z, pz),
        )
        k_e = np.where(he, self.theta**phi * self.xi_e, 1.0)  # goods not exported are masked out below
        put("export supply", E, (k_e * (1 + tz) * pz / np.where(he, v["pe"], 1.0)) ** (1 / (1 - phi)) * Z, he)
        put("export price", v["pe"], v["eps"] * p["pWe"], he)
        put("import price", v["pm"], v["eps"] * p["pWm"], hm)
        arm = self.gamma * (self.delta_m * np.where(hm, M, 1.0) ** eta + self.delta_d * D**eta) ** (1 / eta)
        put("Armington", Q, np.where(hm, arm, D))
        k_dd = self.gamma**eta * self.delta_d
        put("domestic demand", np.where(hm, D, pq), np.where(hm, (k_dd * pq / pd) ** (1 / (1 - eta)) * Q, pd))
        k_m = np.where(hm, self.gamma**eta * self.delta_m, 1.0)  # goods not imported are masked out below
        pm = np.where(hm, v["pm"], 1.0)
        put("import demand", M, (k_m * pq / ((1 + tm) * pm)) ** (1 / (1 - eta)) * Q, hm)
        net = (1 - p["tauf"]) * w * F
        income = float(((1 - c.omega)[:, None] * net).sum())
        put("household income", v["YH"], income + v["TR"] + v["eps"] * p["R"])
        put("private saving", v["Sp"], c.ssp * v["YH"])
        put("spending", v["C"], v["YH"] * (1 - p["taud"]) - v["Sp"])
        cp = (1 + p["tauc"]) * pq
        put(
            "household demand",
            v["Xp"] * cp,
            cp * self.les_gamma + self.les_beta * (v["C"] - float(cp @ self.les_gamma)),
        )
        revenue = (
            float((tz * pz * Z).sum())
            + float((tm * pm * M)[hm].sum())
            + float((p["tauf"] * w * F).sum())
            + p["taud"] * v["YH"]
            + p["tauc"] / (1 + p["tauc"]) * v["C"]
        )
        put("tax revenue", v["T"], revenue)
        put("government saving", v["Sg"], c.ssg * v["T"])
        put("transfers", v["TR"], c.s_tr * v["T"])
        put("government demand", v["Xg"] * pq, c.mu * (v["T"] - v["Sg"] - v["TR"]))
        put("investment demand", v["Xv"] * pq, c.lam * (v["Sp"] + v["Sg"] + v["eps"] * v["Sf"]))
        put(
            "balance of payments",
            (float((p["pWe"] * E)[he].sum()) + v["Sf"] + p["R"]) * v["eps"],
            float((p["pWm"] * M)[hm].sum()) * v["eps"] + float((c.omega[:, None] * net).sum()),
        )
        put("consumer price index", v["CPI"], float(c.cw @ pq))
        demand = v["Xp"] + v["Xg"] + v["Xv"] + self.ax @ Z
        if n > 1:
            put("goods markets", Q[1:], demand[1:])
        fm = F.sum(axis=1)
        supply = p["FF"].copy()
        if self.closure.labour == "fixed_real_wage":
            fm[lab] += v["U"]
            put("real wage", pf[lab], p["wbar"] * v["CPI"])
        mask = np.ones(len(c.factors), dtype=bool)
        if specific:
            mask[cap] = False
        put("factor markets", fm, supply, mask)
        return out

    def walras_residual(self, v: Mapping[str, Any]) -> float:
        """Scaled residual of the market-clearing equation left out (the first good's): 0 by Walras' law."""
        demand = v["Xp"][0] + v["Xg"][0] + v["Xv"][0] + float(self.ax[0] @ v["Z"])
        return float(abs(v["Q"][0] - demand) / max(abs(v["Q"][0]), abs(demand), 1e-12))


def pyo_value(x: Any) -> float:
    """The numeric value of a Pyomo parameter or expression."""
    import pyomo.environ as pyo

    return float(pyo.value(x))


def _values(m: Any) -> dict[str, Any]:
    """A solution as numpy arrays over all goods (0 where a good has no such flow) and factors."""
    import pyomo.environ as pyo

    goods, factors = list(m.I), list(m.H)
    out: dict[str, Any] = {}
    for name in ("Y", "Z", "Q", "D", "Xp", "Xg", "Xv", "py", "pz", "pq", "pd", "pk"):
        comp = getattr(m, name)
        out[name] = np.array([pyo.value(comp[g]) for g in goods])
    for name, subset in (("E", m.IE), ("M", m.IM), ("pe", m.IE), ("pm", m.IM)):
        comp = getattr(m, name)
        out[name] = np.array([pyo.value(comp[g]) if g in subset else 0.0 for g in goods])
    out["F"] = np.array([[pyo.value(m.F[h, j]) if (h, j) in m.HJ else 0.0 for j in goods] for h in factors])
    out["pf"] = np.array([pyo.value(m.pf[h]) for h in factors])
    for name in ("eps", "Sf", "Sp", "Sg", "T", "TR", "YH", "C", "U", "CPI"):
        out[name] = float(pyo.value(getattr(m, name)))
    return out


def _params(m: Any) -> dict[str, Any]:
    """The policy parameters a model was solved with, as numpy arrays."""
    import pyomo.environ as pyo

    goods, factors = list(m.I), list(m.H)
    return {
        "tauz": np.array([pyo.value(m.tauz[g]) for g in goods]),
        "taum": np.array([pyo.value(m.taum[g]) for g in goods]),
        "tauf": np.array([[pyo.value(m.tauf[h, j]) if (h, j) in m.HJ else 0.0 for j in goods] for h in factors]),
        "taud": float(pyo.value(m.taud)),
        "tauc": float(pyo.value(m.tauc)),
        "FF": np.array([pyo.value(m.FF[h]) for h in factors]),
        "pWe": np.array([pyo.value(m.pWe[g]) for g in goods]),
        "pWm": np.array([pyo.value(m.pWm[g]) for g in goods]),
        "R": float(pyo.value(m.R_bar)),
        "wbar": float(pyo.value(m.wbar)),
    }


def _policy_state(m: Any) -> dict[tuple[str, Any], float]:
    """Every mutable parameter and fixed variable of a model: what a policy may change."""
    import pyomo.environ as pyo

    state: dict[tuple[str, Any], float] = {}
    for p in m.component_objects(pyo.Param, active=True):
        if p.mutable:
            for idx in p:
                state[(p.local_name, idx)] = float(pyo.value(p[idx]))
    for v in m.component_objects(pyo.Var, active=True):
        for idx in v:
            if v[idx].fixed:
                state[(v.local_name, idx)] = float(pyo.value(v[idx]))
    return state


def _set_state(
    m: Any, bench: Mapping[tuple[str, Any], float], target: Mapping[tuple[str, Any], float], t: float
) -> None:
    """Put a model's policy parameters a share ``t`` of the way from the benchmark to their targets."""
    for (name, idx), goal in target.items():
        start = bench.get((name, idx), goal)
        comp = getattr(m, name)[idx]
        value = start + t * (goal - start)
        if hasattr(comp, "fix"):
            comp.fix(value)
        else:
            comp.set_value(value)


_ITERATIONS = (
    re.compile(r"^iterations:\s*(\d+)\s*$", re.M),  # ripopt's diagnostics
    re.compile(r"after (\d+) iterations"),  # ripopt's closing line
    re.compile(r"^Number of Iterations\.+:\s*(\d+)", re.M),  # Ipopt
)


def _iteration_count(log: str) -> int | None:
    """The iteration count a solver printed in its log, or None."""
    for pattern in _ITERATIONS:
        found = pattern.findall(log)
        if found:
            return int(found[-1])
    return None
