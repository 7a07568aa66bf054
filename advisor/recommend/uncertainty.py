"""Horizon totals, sensitivity (tornado) and Monte Carlo over the uncertain inputs (numpy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from advisor.capability.model import Calibration
from advisor.cost import trends
from advisor.cost.inputs import CostInputs
from advisor.cost.options import Option
from advisor.scenario.model import Scenario

F = NDArray[np.float64]


@dataclass(frozen=True)
class Driver:
    """An uncertain input: its label, and low / base / high as multipliers or rates."""

    key: str
    label: str
    low: float
    base: float
    high: float
    kind: str  # "multiplier", "api_decline", "capability", "gpu_decline", "discount", "perf"
    basis: str
    source: str = ""


def drivers(scenario: Scenario, inputs: CostInputs, cal: Calibration) -> list[Driver]:
    """The uncertain inputs and their ranges (sourced where a source exists)."""
    v = inputs.values

    def ratio(key: str) -> tuple[float, float]:
        a = v[key]
        return (a.low / a.value if a.value else 1.0, a.high / a.value if a.value else 1.0)

    elec_lo, elec_hi = ratio("electricity_price_usd_per_kwh")
    comp_lo, comp_hi = ratio("compliance_review_usd_per_year")
    sw_lo, sw_hi = ratio("engineer_hours_per_model_switch")
    out = [
        Driver(
            "volume",
            "Request volume",
            0.5,
            1.0,
            2.0,
            "multiplier",
            "assumption",
            "forecasts of new LLM workloads are often off by 2x either way",
        ),
        Driver(
            "api_price",
            "API list price decline per year (same model)",
            v["api_list_price_decline_per_year"].low,
            v["api_list_price_decline_per_year"].value,
            v["api_list_price_decline_per_year"].high,
            "api_decline",
            v["api_list_price_decline_per_year"].basis,
            v["api_list_price_decline_per_year"].source,
        ),
        *(
            [
                Driver(
                    "capability",
                    "Price decline of a capability level (by switching models)",
                    v["capability_price_decline_per_year"].low,
                    v["capability_price_decline_per_year"].value,
                    v["capability_price_decline_per_year"].high,
                    "capability",
                    v["capability_price_decline_per_year"].basis,
                    v["capability_price_decline_per_year"].source,
                )
            ]
            if scenario.preferences.follow_capability_trend
            else []
        ),
        Driver(
            "discount",
            "Discount rate (cost of capital)",
            v["discount_rate_per_year"].low,
            v["discount_rate_per_year"].value,
            v["discount_rate_per_year"].high,
            "discount",
            v["discount_rate_per_year"].basis,
            v["discount_rate_per_year"].source,
        ),
        Driver(
            "gpu_rental_price",
            "GPU rental price decline per year",
            v["gpu_rental_price_decline_per_year"].low,
            v["gpu_rental_price_decline_per_year"].value,
            v["gpu_rental_price_decline_per_year"].high,
            "gpu_decline",
            v["gpu_rental_price_decline_per_year"].basis,
            v["gpu_rental_price_decline_per_year"].source,
        ),
        Driver(
            "perf",
            "Serving throughput vs estimate",
            math_exp(cal.throughput_error_p10),
            1.0,
            math_exp(cal.throughput_error_p90),
            "perf",
            "derived",
            "calibration errors against published measurements",
        ),
        Driver(
            "gpu_purchase_price",
            "GPU purchase price",
            0.8,
            1.0,
            1.3,
            "multiplier",
            "assumption",
            "street prices vary with supply and volume discounts",
        ),
        Driver(
            "electricity",
            "Electricity price",
            elec_lo,
            1.0,
            elec_hi,
            "multiplier",
            v["electricity_price_usd_per_kwh"].basis,
            v["electricity_price_usd_per_kwh"].source,
        ),
        Driver(
            "people_cost",
            "Loaded cost of people",
            0.8,
            1.0,
            1.25,
            "multiplier",
            "assumption",
            "salary surveys spread about this much within a region",
        ),
        Driver(
            "share_of_time",
            "Share of people's time on the deployment",
            0.5,
            1.0,
            1.5,
            "multiplier",
            "assumption",
            "the source argument's one third is an estimate",
        ),
        Driver(
            "compliance",
            "Security and compliance review",
            comp_lo,
            1.0,
            comp_hi,
            "multiplier",
            v["compliance_review_usd_per_year"].basis,
            v["compliance_review_usd_per_year"].source,
        ),
        Driver(
            "switch_hours",
            "Effort per model switch",
            sw_lo,
            1.0,
            sw_hi,
            "multiplier",
            v["engineer_hours_per_model_switch"].basis,
            v["engineer_hours_per_model_switch"].source,
        ),
    ]
    return out


def math_exp(x: float) -> float:
    return float(np.exp(x))


class Horizon:
    """Vectorised horizon totals of options under draws of the drivers.

    Totals are net present values at the ``discount`` driver's rate (ranking, break-even,
    tornado and Monte Carlo all read them); ``discounted=False`` gives the plain sums.
    """

    def __init__(
        self,
        scenario: Scenario,
        options: Sequence[Option],
        drv: Sequence[Driver],
        bridging_api_monthly: float,
        refresh_months: float = 0.0,
    ) -> None:
        self.scenario = scenario
        self.options = list(options)
        self.drivers = {d.key: d for d in drv}
        h = scenario.preferences.horizon_months
        self.months = h
        self.t = np.arange(h, dtype=np.float64)
        self.vol_t = (1.0 + scenario.workload.monthly_growth) ** self.t
        self.hiring = min(float(scenario.team.hiring_months), float(h))
        self.live = (self.t >= self.hiring).astype(np.float64)
        self.bridging = bridging_api_monthly
        # Months between model switches when the buyer follows the capability-level trend
        # (0 = keeps its models: only list-price trends apply).
        self.refresh = refresh_months if scenario.preferences.follow_capability_trend else 0.0

    def _rate(self, draws: dict[str, F], key: str, n: int) -> F:
        if key in draws:
            return draws[key]
        d = self.drivers.get(key)
        return np.full(n, d.base if d is not None else 0.0)

    def totals(self, draws: dict[str, F], discounted: bool = True) -> F:
        """Horizon totals, shape (n_draws, n_options).

        Each cost line is its month-1 amount times its drivers' multipliers times a sum over the
        months of volume growth, price trend and discount factor, so the work is
        O(draws x lines x months) in numpy.
        """
        n = len(next(iter(draws.values())))
        h = self.months
        out = np.zeros((n, len(self.options)))
        disc = (
            trends.discount_path(h, self._rate(draws, "discount", n))
            if discounted
            else np.ones((n, h))
        )
        if disc.shape[0] != n:
            disc = np.broadcast_to(disc, (n, h))
        live, pre = self.live[None, :], 1.0 - self.live[None, :]
        vol_t = self.vol_t[None, :]
        api_path = trends.price_path(h, self._rate(draws, "api_price", n))
        switch = (
            trends.switching_path(h, self._rate(draws, "capability", n), self.refresh)
            if self.refresh > 0
            else np.ones((1, h))
        )
        api_w = api_path * switch * vol_t * disc
        api_all = api_w.sum(axis=1)
        api_live = (api_w * live).sum(axis=1)
        api_pre = (api_w * pre).sum(axis=1)
        v_all, v_live = (vol_t * disc).sum(axis=1), (vol_t * disc * live).sum(axis=1)
        n_all, n_live = disc.sum(axis=1), (disc * live).sum(axis=1)
        end = trends.discount_at(h, self._rate(draws, "discount", n)) if discounted else 1.0
        go_live = (
            trends.discount_at(self.hiring, self._rate(draws, "discount", n)) if discounted else 1.0
        )
        vol, perf = draws["volume"], draws["perf"]
        gpu_price_live: F | None = None  # (draws, months), made once when a rented fleet needs it
        for j, opt in enumerate(self.options):
            build = opt.kind in ("rented", "owned", "hybrid")
            installed = opt.offer is None and opt.fleet is not None
            total = np.zeros(n)
            installed_factor = np.ones(n)
            if installed and opt.fleet is not None:
                # Installed hardware (sized for the horizon's volume) grows replica by replica
                # when more volume or less throughput needs it, and never shrinks.
                fleet, v = opt.fleet, opt.sized_for_volume
                base_units = fleet.units(v)
                grown = np.asarray(fleet.units_array(v * (vol / perf)), dtype=np.float64)
                grown /= base_units
                installed_factor = np.maximum(grown, 1.0)
            for line in opt.lines:
                m = np.full(n, line.monthly)
                for d in line.drivers:
                    if d not in ("volume", "api_price", "gpu_rental_price", "perf"):
                        m = m * draws[d]
                if line.component == "api_tokens":
                    total += m * vol * (api_live if build else api_all)
                elif line.scaling == "units" and not installed and opt.fleet is not None:
                    # Rented fleets are billed replica by replica (and instance by instance)
                    # as the month's volume, this draw's volume and throughput require; a buyer
                    # who follows the capability trend serves it with ever smaller models.
                    if gpu_price_live is None:
                        gpu_price_live = (
                            trends.price_path(h, self._rate(draws, "gpu_rental_price", n))
                            * switch
                            * live
                            * disc
                        )
                    total += m * self._fleet_sums(opt, vol / perf, gpu_price_live)
                elif line.scaling == "linear":
                    total += m * vol * (v_live if build else v_all)
                elif line.scaling == "units" and installed and line.upfront_usd > 0:
                    # Bought at go-live: the price then, less the book value still left at the
                    # horizon's end (straight-line; undiscounted this is the depreciation).
                    lived = max(h - self.hiring, 0.0)
                    book = max(line.upfront_usd - line.monthly * lived, 0.0)
                    scale = m / line.monthly if line.monthly else np.ones(n)
                    total += scale * installed_factor * (line.upfront_usd * go_live - book * end)
                elif line.scaling == "units" and installed:
                    total += m * installed_factor * n_live
                elif line.scaling == "units":
                    total += m * vol / perf * (v_live if build else v_all)
                elif build and line.component != "people":
                    total += m * n_live
                else:
                    total += m * n_all
            if build and self.hiring > 0:
                total += self.bridging * vol * api_pre
            out[:, j] = total
        return out

    def _fleet_sums(self, opt: Option, load: F, price_live: F) -> F:
        """Per draw: sum over months of billed replicas (relative to today) x GPU price x live."""
        assert opt.fleet is not None
        x = load[:, None] * self.vol_t[None, :]
        units = np.asarray(opt.fleet.units_array(x), dtype=np.float64)
        units *= price_live
        return np.asarray(units.sum(axis=1), dtype=np.float64) / opt.fleet.units(1.0)

    def base_draws(self, n: int = 1) -> dict[str, F]:
        return {k: np.full(n, d.base) for k, d in self.drivers.items()}

    def sample(self, n: int, seed: int) -> dict[str, F]:
        """Triangular draws between each driver's low, base and high (lognormal for perf)."""
        rng = np.random.default_rng(seed)
        out: dict[str, F] = {}
        for k, d in self.drivers.items():
            if d.kind == "discount":
                # The cost of capital is the buyer's choice, not an uncertain outcome: the
                # simulated ranges use the chosen rate (the tornado still moves it).
                out[k] = np.full(n, d.base)
            elif d.kind == "perf":
                lo, hi = np.log(d.low), np.log(d.high)
                sigma = max((hi - lo) / 2.563, 1e-6)
                out[k] = np.exp(rng.normal((lo + hi) / 2.0, sigma, n))
            elif d.kind == "multiplier" and 0 < d.low < d.base < d.high:
                # Factors such as "half to double the volume" are symmetric on a log scale:
                # drawn there, the median future is the base case, not above it.
                lo, mid, hi = np.log(d.low), np.log(d.base), np.log(d.high)
                out[k] = np.exp(rng.triangular(lo, mid, hi, n))
            elif d.low < d.base < d.high or d.low < d.high:
                lo, hi = min(d.low, d.base), max(d.high, d.base)
                out[k] = rng.triangular(lo, d.base, hi, n) if hi > lo else np.full(n, d.base)
            else:
                out[k] = np.full(n, d.base)
        return out
