r"""The solution of a CGE model: labelled results, welfare, a summary.

:class:`CGEResult` is what :meth:`iomodel.cge.StandardCGE.solve` returns. Its
:meth:`~CGEResult.to_dataset` is an :class:`xarray.Dataset` over ``sector``
(goods), ``factor`` and ``tax`` with units; :meth:`~CGEResult.welfare` the
household's utility and the equivalent variation at benchmark prices
(Hosoe, Gasawa & Hashimoto 2010, ch. 6; formula sheet, docs/methods.md 7.4):

.. math::

    EV = e(p^0, U^1) - e(p^0, U^0) = \Big(\frac{U^1}{U^0} - 1\Big)
    \Big(C^0 - \sum_i (1+\tau^{c0}) p^{q0}_i \gamma_i\Big),
    \qquad U = \textstyle\prod_i (X^p_i - \gamma_i)^{\beta_i},

with :math:`C^0` the households' benchmark spending at consumer prices; for
Cobb-Douglas demand :math:`\gamma = 0` and :math:`\beta = \alpha`, and the
last factor is :math:`C^0` (the expenditure function of the linear
expenditure system is :math:`e(p, U) = \sum_i p_i\gamma_i + U\prod_i
(p_i/\beta_i)^{\beta_i}`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import dims
from .policy import Policy

__all__ = ["CGEResult"]

INDEX = "index (benchmark = 1)"


@dataclass(frozen=True)
class CGEResult:
    """A solved CGE model (see the module docstring).

    Attributes
    ----------
    model
        The :class:`~iomodel.cge.StandardCGE` solved.
    policy
        The :class:`~iomodel.cge.Policy` it was solved under.
    values
        The solution as numpy arrays over goods and factors (model variable names).
    params
        The policy parameters the model was solved with.
    info
        Solver, termination, continuation steps, solver iterations and the
        largest scaled residual of the independent check.
    """

    model: Any
    policy: Policy
    values: dict[str, Any] = field(repr=False)
    params: dict[str, Any] = field(repr=False)
    info: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ measures
    @property
    def walras_residual(self) -> float:
        """Scaled residual of the market-clearing equation the model leaves out (0 by Walras' law)."""
        return float(self.model.walras_residual(self.values))

    def utility(self) -> float:
        r"""Household utility, :math:`\prod_i (X^p_i - \gamma_i)^{\beta_i}` (Cobb-Douglas: :math:`\gamma = 0`)."""
        return self._utility(self.values["Xp"])

    def _utility(self, xp: Any) -> float:
        m = self.model
        mask = m.les_beta > 0
        return float(np.exp((m.les_beta[mask] * np.log((xp - m.les_gamma)[mask])).sum()))

    def welfare(self) -> dict[str, float]:
        """Utility and the equivalent variation ``ev`` in the SAM's money unit at benchmark prices.

        Returns
        -------
        dict
            ``utility``, ``utility_benchmark``, ``utility_change`` (relative) and ``ev``.
        """
        m, c = self.model, self.model.calibration
        u1, u0 = self.utility(), self._utility(c.Xp0)
        tauc0 = float(sum(c.tc_acc.values()))
        supernumerary = (1 + tauc0) * float((c.Xp0 - m.les_gamma).sum())  # benchmark prices pq = 1
        return {
            "utility": u1,
            "utility_benchmark": u0,
            "utility_change": u1 / u0 - 1.0,
            "ev": (u1 / u0 - 1.0) * supernumerary,
        }

    def revenue_by_tax(self) -> pd.Series:
        """Government revenue by tax account of the SAM (the account's share of each rate kept as calibrated)."""
        m, c, v, p = self.model, self.model.calibration, self.values, self.params
        out: dict[str, float] = {}
        w = v["pf"][:, None] * (1 - m.tauf0)[:, None] / (1 - p["tauf"])
        if m.closure.capital == "sector_specific":
            w[c.factors.index(m.closure.capital_factor)] = v["pk"]

        def split(accounts: dict[str, Any], total_now: Any, base: Any) -> None:
            total0 = sum(accounts.values(), 0.0 * np.asarray(total_now))
            for k, r0 in accounts.items():
                with np.errstate(divide="ignore", invalid="ignore"):
                    share = np.where(np.abs(total0) > 0, np.asarray(r0) / np.where(total0 != 0, total0, 1.0), 0.0)
                if not np.any(np.abs(total0) > 0) and k == next(iter(accounts)):
                    share = np.ones_like(np.asarray(total0, dtype=float))
                out[k] = float(np.sum(share * np.asarray(total_now) * base))

        split(c.tz_acc, p["tauz"], v["pz"] * v["Z"])
        split(c.tm_acc, p["taum"], v["pm"] * v["M"])
        split(c.tf_acc, p["tauf"], w * v["F"])
        split({k: np.float64(r) for k, r in c.td_acc.items()}, np.float64(p["taud"]), v["YH"])
        split({k: np.float64(r) for k, r in c.tc_acc.items()}, np.float64(p["tauc"]), v["C"] / (1 + p["tauc"]))
        return pd.Series(out, name="revenue")

    def gdp(self) -> dict[str, float]:
        """GDP at market prices (expenditure side), nominal and real (benchmark prices)."""
        c, v, p = self.model.calibration, self.values, self.params
        tc0 = float(sum(c.tc_acc.values()))
        nominal = (
            float(((1 + p["tauc"]) * v["pq"] * v["Xp"]).sum())
            + float((v["pq"] * (v["Xg"] + v["Xv"])).sum())
            + v["eps"] * float((p["pWe"] * v["E"]).sum() - (p["pWm"] * v["M"]).sum())
        )
        real = float(((1 + tc0) * v["Xp"]).sum() + (v["Xg"] + v["Xv"]).sum() + v["E"].sum() - v["M"].sum())
        return {"nominal": nominal, "real": real}

    # ------------------------------------------------------------------ labelled output
    def to_dataset(self) -> xr.Dataset:
        """Prices, quantities, factor returns, the exchange rate, GDP, revenue by tax, employment, welfare.

        Welfare (``utility``, ``ev``) is both a scalar variable and, as before,
        an attribute.
        """
        m, c, v = self.model, self.model.calibration, self.values
        unit = c.unit or "SAM money unit"
        qty = f"{unit} at benchmark prices"
        sec = (dims.SECTOR,)
        data: dict[str, Any] = {}
        for name, long in (
            ("pq", "price of the composite (Armington) good"),
            ("pd", "price of the domestic good"),
            ("pz", "producer price of output"),
            ("py", "price of value added"),
            ("pe", "export price in local currency (0: no exports)"),
            ("pm", "import price in local currency (0: no imports)"),
        ):
            data[name] = (sec, v[name], {"units": INDEX, "long_name": long})
        for name, long in (
            ("Z", "output"),
            ("Y", "value added (composite factor)"),
            ("D", "domestic sales"),
            ("E", "exports"),
            ("M", "imports"),
            ("Q", "composite good (domestic use)"),
            ("Xp", "household consumption"),
            ("Xg", "government consumption"),
            ("Xv", "investment demand"),
        ):
            data[name] = (sec, v[name], {"units": qty, "long_name": long})
        data["factor_use"] = ((dims.FACTOR, dims.SECTOR), v["F"], {"units": qty, "long_name": "factor use"})
        data["factor_price"] = ((dims.FACTOR,), v["pf"], {"units": INDEX, "long_name": "factor price"})
        data["capital_rent"] = (sec, v["pk"], {"units": INDEX, "long_name": "sector rent of capital (specific)"})
        rev = self.revenue_by_tax()
        data["revenue"] = ((dims.TAX,), rev.to_numpy(), {"units": unit, "long_name": "government revenue by tax"})
        g = self.gdp()
        scal = {
            "exchange_rate": (v["eps"], INDEX, "exchange rate (local currency per foreign currency)"),
            "gdp_nominal": (g["nominal"], unit, "GDP at market prices"),
            "gdp_real": (g["real"], qty, "GDP at market prices, benchmark prices"),
            "household_income": (v["YH"], unit, "household income"),
            "government_revenue": (v["T"], unit, "government revenue, all taxes"),
            "foreign_savings": (v["Sf"], "foreign currency", "foreign savings"),
            "consumer_price_index": (v["CPI"], INDEX, "consumer price index"),
            "unemployment": (v["U"], qty, "unemployed labour (fixed real wage closure)"),
        }
        w = self.welfare()
        # welfare as variables too (not only attrs), so that a sweep or Monte Carlo run keeps it per point
        scal["utility"] = (w["utility"], "utility index (household utility function of the SAM)", "household utility")
        scal["ev"] = (w["ev"], unit, "equivalent variation at benchmark consumer prices")
        for name, (val, u, long) in scal.items():
            data[name] = ((), float(val), {"units": u, "long_name": long})
        attrs = {
            "model": "standard CGE (Hosoe, Gasawa & Hashimoto 2010, ch. 6) with the extensions of docs/cge.md",
            "sam": str(getattr(m.sam, "name", "")),
            "unit": unit,
            "policy": self.policy.name,
            "policy_toml": self.policy.to_toml(),
            "closure_labour": m.closure.labour,
            "closure_capital": m.closure.capital,
            "closure_foreign": m.closure.foreign,
            "numeraire": f"{m.numeraire} = {m.numeraire_price}",
            "utility": w["utility"],
            "ev": w["ev"],
            "solver": str(self.info.get("solver", "")),
            "max_residual": float(self.info.get("max_residual", np.nan)),
            "walras_residual": self.walras_residual,
        }
        return xr.Dataset(
            data,
            coords={dims.SECTOR: list(c.goods), dims.FACTOR: list(c.factors), dims.TAX: rev.index.tolist()},
            attrs=attrs,
        )

    def summary(self) -> pd.DataFrame:
        """Headline results with units: GDP, welfare, prices, revenue, employment."""
        c, v = self.model.calibration, self.values
        unit = c.unit or "SAM money unit"
        g, w = self.gdp(), self.welfare()
        rows = [
            ("GDP at market prices, real", g["real"], f"{unit} at benchmark prices"),
            ("GDP at market prices, nominal", g["nominal"], unit),
            ("equivalent variation", w["ev"], f"{unit} at benchmark prices"),
            ("utility change", w["utility_change"], "relative"),
            ("exchange rate", v["eps"], INDEX),
            ("consumer price index", v["CPI"], INDEX),
            ("government revenue", v["T"], unit),
            ("unemployment", v["U"], f"{unit} of labour at benchmark prices"),
        ]
        return pd.DataFrame(rows, columns=["item", "value", "unit"]).set_index("item")

    def plot(self, top: int = 15) -> Any:
        """Figure: relative change of output by sector (the largest movers)."""
        import matplotlib.pyplot as plt

        c = self.model.calibration
        change = pd.Series(self.values["Z"] / c.Z0 - 1.0, index=list(c.goods))
        show = change.reindex(change.abs().sort_values(ascending=False).index[:top])[::-1]
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(show) + 1.5))
        ax.barh([str(i) for i in show.index], show.to_numpy() * 100, color="#3b6ea5")
        ax.set_xlabel("change of output, % of the benchmark")
        ax.set_title(f"CGE: {self.policy.name}", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        return fig
