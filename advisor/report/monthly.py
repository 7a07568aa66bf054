"""Each option's cost lines month by month over the horizon, rebuilt from an Evaluation.

The engine reports each option's cost per component at today's volume and its horizon total
(advisor.recommend.uncertainty.Horizon.totals at the base values). This module spreads those
components over the months with the same rules, so that the spreadsheet export can show (and
recompute with formulas) where the horizon total comes from:

- API tokens grow with volume and fall with the API price trend;
- GPU rental grows with volume and falls with the GPU rental price trend;
- egress and the load share of power grow with volume;
- installed hardware (depreciation, support, colocation, idle power) is flat;
- every other cost of a build is flat from go-live; people are paid from month one;
- a build that first has to hire pays the cheapest API route until it goes live ("bridging").

An Evaluation gives power as one component, while the engine keeps an idle share (flat) and a
load share (growing with volume). The split is recovered from the option's horizon total; the
series then add up to the engine's total up to the rounding of the components to cents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.recommend.result import Evaluation, OptionView
    from advisor.scenario.model import Scenario

BUILD_KINDS = ("rented", "owned", "hybrid")
BRIDGING = "api_bridging"

# How a line moves from month to month: the factor rows it is multiplied by.
RULE_FACTORS = {
    "api": ("volume", "api_price"),
    "api_live": ("volume", "api_price", "live"),
    "api_bridging": ("volume", "api_price", "not_live"),
    "gpu_live": ("fleet", "gpu_price", "live"),
    "volume": ("volume",),
    "volume_live": ("volume", "live"),
    "flat": (),
    "flat_live": ("live",),
}
RULE_TEXT = {
    "api": "grows with volume, falls with API prices",
    "api_live": "grows with volume, falls with API prices; from go-live",
    "api_bridging": "API spend until go-live (grows with volume, falls with API prices)",
    "gpu_live": "replicas billed as volume grows, falls with GPU rental prices; from go-live",
    "volume": "grows with volume",
    "volume_live": "grows with volume; from go-live",
    "flat": "flat",
    "flat_live": "flat from go-live",
}


@dataclass(frozen=True)
class Drivers:
    """The month-to-month drivers of a scenario's horizon."""

    months: int
    monthly_growth: float
    api_decline_per_year: float
    gpu_decline_per_year: float
    hiring_months: float
    capability_decline_per_year: float = 0.0
    refresh_months: float = 0.0  # 0 = the buyer keeps its models (no capability-level steps)

    def _switch(self, t: int) -> float:
        if self.refresh_months <= 0:
            return 1.0
        r = min(max(self.capability_decline_per_year, 0.0), 0.99)
        stepped = math.floor(t / self.refresh_months) * self.refresh_months
        return float((1.0 - r) ** (stepped / 12.0))

    def factor(self, name: str, t: int) -> float:
        """The value of one factor row in month ``t`` (0 = the first month)."""
        live = 1.0 if t >= self.hiring_months else 0.0
        if name == "volume":
            return float((1.0 + self.monthly_growth) ** t)
        if name == "api_price":
            r = min(max(self.api_decline_per_year, -1.0), 0.99)
            return float((1.0 - r) ** (t / 12.0)) * self._switch(t)
        if name == "gpu_price":
            r = min(max(self.gpu_decline_per_year, 0.0), 0.99)
            return float((1.0 - r) ** (t / 12.0)) * self._switch(t)
        if name == "live":
            return live
        if name == "not_live":
            return 1.0 - live
        if name == "fleet":
            return 1.0  # per option: see OptionView.fleet_factor and series(..., fleet=...)
        raise ValueError(f"unknown factor {name!r}")

    def series(self, factors: tuple[str, ...], fleet: tuple[float, ...] = ()) -> tuple[float, ...]:
        """The product of the factor rows, month by month (``fleet``: the option's own row)."""
        out = []
        for t in range(self.months):
            value = 1.0
            for name in factors:
                if name == "fleet" and fleet:
                    value *= fleet[t]
                else:
                    value *= self.factor(name, t)
            out.append(value)
        return tuple(out)


@dataclass(frozen=True)
class MonthlyLine:
    """One cost line: its month-one amount (today's volume), how it moves, and every month."""

    component: str
    label: str
    base_usd: float
    rule: str
    values: tuple[float, ...]

    @property
    def total(self) -> float:
        return sum(self.values)


@dataclass(frozen=True)
class OptionMonths:
    option: OptionView
    lines: tuple[MonthlyLine, ...]

    @property
    def totals(self) -> tuple[float, ...]:
        return tuple(sum(col) for col in zip(*(ln.values for ln in self.lines), strict=True))

    @property
    def total(self) -> float:
        return sum(ln.total for ln in self.lines)


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _input_value(ev: Evaluation, key: str, default: float) -> float:
    for item in ev.inputs:
        if item.key == key:
            match = _NUMBER.match(item.value.strip())
            if match:
                return float(match.group())
    return default


def drivers(ev: Evaluation, scenario: Scenario) -> Drivers:
    """The horizon drivers the engine used for this evaluation.

    Args:
        ev: The evaluation (its inputs carry the price trends actually used).
        scenario: The scenario it was made from (growth, hiring time).

    Returns:
        Months, monthly growth, API and GPU price declines per year, hiring months.
    """
    return Drivers(
        months=ev.horizon_months,
        monthly_growth=scenario.workload.monthly_growth,
        api_decline_per_year=_input_value(ev, "api_list_price_decline_per_year", 0.0),
        gpu_decline_per_year=_input_value(ev, "gpu_rental_price_decline_per_year", 0.0),
        hiring_months=min(float(scenario.team.hiring_months), float(ev.horizon_months)),
        capability_decline_per_year=_input_value(ev, "capability_price_decline_per_year", 0.0),
        refresh_months=_input_value(ev, "model_refresh_interval_months", 0.0)
        if scenario.preferences.follow_capability_trend
        else 0.0,
    )


def bridging_usd(ev: Evaluation) -> float:
    """Monthly API spend on the cheapest good-enough route per task (what bridges a hire)."""
    return sum(float(t.cheapest_api_monthly_usd or 0) for t in ev.task_fit)


def _rule(option: OptionView, component: str) -> str:
    build = option.kind in BUILD_KINDS
    installed = option.capacity is not None and option.capacity.provider is None
    if component == "api_tokens":
        return "api_live" if build else "api"
    if component == "gpu_rental":
        return "gpu_live"
    if component == "egress":
        return "volume_live" if build else "volume"
    if component in ("gpu_capital", "hardware_support", "colocation"):
        return "flat_live" if installed else "volume_live"
    if component == "people" or not build:
        return "flat"
    return "flat_live"


def option_months(option: OptionView, drv: Drivers, bridging: float = 0.0) -> OptionMonths:
    """Spread one option's cost components over the months of the horizon.

    Args:
        option: The option, as the Evaluation shows it.
        drv: The horizon drivers (see :func:`drivers`).
        bridging: Monthly API spend while a build is being staffed (see :func:`bridging_usd`).

    Returns:
        One line per component (power of installed hardware as an idle and a load line), plus
        a bridging line when the build goes live after month one.
    """
    lines: list[MonthlyLine] = []
    installed = option.capacity is not None and option.capacity.provider is None
    build = option.kind in BUILD_KINDS
    for part in option.parts:
        base = float(part.monthly_usd)
        if part.component == "power" and installed:
            idle, load = _power_split(option, drv, bridging, base)
            for label, amount, rule in (
                ("Power (idle, installed)", idle, "flat_live"),
                ("Power (load)", load, "volume_live"),
            ):
                values = tuple(
                    amount * f for f in drv.series(RULE_FACTORS[rule], option.fleet_factor)
                )
                lines.append(MonthlyLine("power", label, amount, rule, values))
            continue
        rule = _rule(option, part.component)
        values = tuple(base * f for f in drv.series(RULE_FACTORS[rule], option.fleet_factor))
        lines.append(MonthlyLine(part.component, part.label, base, rule, values))
    if build and drv.hiring_months > 0 and bridging > 0:
        values = tuple(bridging * f for f in drv.series(RULE_FACTORS["api_bridging"]))
        lines.append(
            MonthlyLine(BRIDGING, "API until go-live", bridging, "api_bridging", tuple(values))
        )
    return OptionMonths(option, tuple(lines))


def _power_split(
    option: OptionView, drv: Drivers, bridging: float, power: float
) -> tuple[float, float]:
    """Split installed power into its idle (flat) and load (volume) parts via the total."""
    live = drv.series(RULE_FACTORS["flat_live"])
    vol_live = drv.series(RULE_FACTORS["volume_live"])
    n_live, v_live = sum(live), sum(vol_live)
    if power <= 0 or abs(v_live - n_live) < 1e-9:
        return power, 0.0
    rest = 0.0
    for part in option.parts:
        if part.component != "power":
            rule = _rule(option, part.component)
            rest += float(part.monthly_usd) * sum(
                drv.series(RULE_FACTORS[rule], option.fleet_factor)
            )
    if option.kind in BUILD_KINDS and drv.hiring_months > 0:
        rest += bridging * sum(drv.series(RULE_FACTORS["api_bridging"]))
    # total = rest + idle * n_live + (power - idle) * v_live
    idle = (rest + power * v_live - float(option.horizon_cost_undiscounted_usd)) / (v_live - n_live)
    idle = min(max(idle, 0.0), power)
    return idle, power - idle


def all_months(ev: Evaluation, scenario: Scenario) -> tuple[Drivers, tuple[OptionMonths, ...]]:
    """Every option of an evaluation, month by month, with the drivers used."""
    drv = drivers(ev, scenario)
    # No public API may bridge the hiring months of data that must stay on premises.
    on_premises = scenario.workload.data_residency == "on_premises"
    bridging = 0.0 if on_premises else bridging_usd(ev)
    return drv, tuple(option_months(o, drv, bridging) for o in ev.options)
