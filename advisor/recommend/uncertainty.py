"""Horizon totals, sensitivity (tornado) and Monte Carlo over the uncertain inputs (numpy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from advisor.capability.model import Calibration
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
    kind: str  # "multiplier" (scales lines), "api_decline", "gpu_decline", "perf"
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
            "API price decline per year",
            v["api_price_decline_per_year"].low,
            v["api_price_decline_per_year"].value,
            v["api_price_decline_per_year"].high,
            "api_decline",
            v["api_price_decline_per_year"].basis,
            v["api_price_decline_per_year"].source,
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
    """Vectorised horizon totals of options under draws of the drivers."""

    def __init__(
        self,
        scenario: Scenario,
        options: Sequence[Option],
        drv: Sequence[Driver],
        bridging_api_monthly: float,
    ) -> None:
        self.scenario = scenario
        self.options = list(options)
        self.drivers = {d.key: d for d in drv}
        h = scenario.preferences.horizon_months
        self.t = np.arange(h, dtype=np.float64)
        self.vol_t = (1.0 + scenario.workload.monthly_growth) ** self.t
        self.hiring = min(float(scenario.team.hiring_months), float(h))
        self.live = (self.t >= self.hiring).astype(np.float64)
        self.bridging = bridging_api_monthly

    def _decline_sums(self, rate: F, mask: F) -> F:
        """Per draw: sum over the masked months of volume growth x price factor."""
        r = np.clip(rate, 0.0, 0.99)[:, None]
        factor = (1.0 - r) ** (self.t[None, :] / 12.0) * (self.vol_t * mask)[None, :]
        return np.asarray(factor.sum(axis=1), dtype=np.float64)

    def _fleet_sums(self, opt: Option, load: F, price_live: F) -> F:
        """Per draw: sum over months of billed replicas (relative to today) x GPU price x live."""
        assert opt.fleet is not None
        x = load[:, None] * self.vol_t[None, :]
        units = np.asarray(opt.fleet.units_array(x), dtype=np.float64)
        units *= price_live
        return np.asarray(units.sum(axis=1), dtype=np.float64) / opt.fleet.units(1.0)

    def totals(self, draws: dict[str, F]) -> F:
        """Horizon totals, shape (n_draws, n_options).

        Each cost line is its month-1 amount times its drivers' multipliers times a sum over the
        months of volume growth and price trend, so the work is O(draws x lines).
        """
        n = len(next(iter(draws.values())))
        out = np.zeros((n, len(self.options)))
        ones = np.ones_like(self.t)
        live, pre = self.live, 1.0 - self.live
        api_all = self._decline_sums(draws["api_price"], ones)
        api_live = self._decline_sums(draws["api_price"], live)
        api_pre = self._decline_sums(draws["api_price"], pre)
        v_all, v_live = float(self.vol_t.sum()), float((self.vol_t * live).sum())
        n_all, n_live = float(len(self.t)), float(live.sum())
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
                    # as the month's volume, this draw's volume and throughput require.
                    if gpu_price_live is None:
                        r = np.clip(draws["gpu_rental_price"], 0.0, 0.99)[:, None]
                        gpu_price_live = (1.0 - r) ** (self.t[None, :] / 12.0) * self.live
                    total += m * self._fleet_sums(opt, vol / perf, gpu_price_live)
                elif line.scaling == "linear":
                    total += m * vol * (v_live if build else v_all)
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

    def base_draws(self, n: int = 1) -> dict[str, F]:
        return {k: np.full(n, d.base) for k, d in self.drivers.items()}

    def sample(self, n: int, seed: int) -> dict[str, F]:
        """Triangular draws between each driver's low, base and high (lognormal for perf)."""
        rng = np.random.default_rng(seed)
        out: dict[str, F] = {}
        for k, d in self.drivers.items():
            if d.kind == "perf":
                lo, hi = np.log(d.low), np.log(d.high)
                sigma = max((hi - lo) / 2.563, 1e-6)
                out[k] = np.exp(rng.normal((lo + hi) / 2.0, sigma, n))
            elif d.low < d.base < d.high or d.low < d.high:
                lo, hi = min(d.low, d.base), max(d.high, d.base)
                out[k] = rng.triangular(lo, d.base, hi, n) if hi > lo else np.full(n, d.base)
            else:
                out[k] = np.full(n, d.base)
        return out
