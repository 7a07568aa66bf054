"""Resolve a scenario's cost inputs: the user's figures where given, sourced defaults otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from advisor.catalog.snapshot import Catalog
from advisor.errors import InputError, Problem
from advisor.scenario.model import Scenario


@dataclass(frozen=True)
class Assumed:
    """One input value with where it came from, and its plausible range."""

    key: str
    label: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    as_of: str
    basis: str  # published | derived | assumption | user


@dataclass(frozen=True)
class CostInputs:
    """Every number the cost engine uses besides prices and sizing, each with its origin."""

    values: dict[str, Assumed]
    people_monthly_usd: Decimal
    people_detail: tuple[
        tuple[str, float, float, Decimal, str], ...
    ]  # role, count, share, cost, src
    hourly_rate_usd: Decimal

    def __getitem__(self, key: str) -> float:
        return self.values[key].value


_CATALOG_KEYS = {
    "electricity_price_usd_per_kwh": "Electricity price",
    "pue": "Data-centre PUE",
    "colocation_usd_per_kw_month": "Colocation per kW-month",
    "storage_usd_per_gb_month": "Storage per GB-month",
    "egress_usd_per_gb": "Egress per GB",
    "gpu_resale_value_after_3y": "GPU resale value after 3 years",
    "hardware_support_fraction_per_year": "Hardware support per year (share of price)",
    "gpu_server_overhead_fraction": "Server, CPU and network on top of GPU price",
    "engineer_hours_per_model_switch": "Engineer-hours per model switch",
    "model_refresh_interval_months": "Months between better open models",
    "compliance_review_usd_per_year": "Security and compliance review per year",
    "api_list_price_decline_per_year": "API list price decline per year (same model)",
    "capability_price_decline_per_year": "Price decline per year of a capability level",
    "discount_rate_per_year": "Discount rate (cost of capital)",
    "gpu_rental_price_decline_per_year": "GPU rental price decline per year",
    "gpu_idle_power_fraction": "Idle GPU power (share of TDP)",
    "server_power_overhead_fraction": "Server power on top of GPUs",
    "weight_copies_stored": "Copies of model weights stored",
}
# Newer defaults: used when the catalog has them (an older or hand-made catalog may not).
_OPTIONAL_KEYS = {
    "colocation_min_usd_per_month": "Smallest colocation (one cabinet) per month",
    "oncall_fte": "People time of a 24x7 on-call rotation",
    "oncall_fleet_gpus": "Fleet size that needs 24x7 on-call",
}


OVERRIDE_SOURCE = "your override in the catalog"
USER_SOURCES = ("entered by the user", OVERRIDE_SOURCE)


def resolve(scenario: Scenario, catalog: Catalog) -> CostInputs:
    """Merge the scenario's own figures over the catalog's sourced defaults.

    Raises:
        InputError: when a default the engine needs is missing from the catalog.
    """
    values: dict[str, Assumed] = {}
    for key, label in {**_CATALOG_KEYS, **_OPTIONAL_KEYS}.items():
        a = catalog.assumption(key)
        if a is None and key in _OPTIONAL_KEYS:
            continue
        if a is None:
            raise InputError(Problem(f"catalog.assumptions.{key}", "error", "missing default"))
        low = float(a.low) if a.low is not None else float(a.value)
        high = float(a.high) if a.high is not None else float(a.value)
        source, basis = a.source, a.basis
        if "value" in a.overridden:
            # The user's own figure (a catalog override): never credit it to the published one.
            source, basis = OVERRIDE_SOURCE, "user"
            if not low <= float(a.value) <= high:
                low, high = min(low, float(a.value)), max(high, float(a.value))
        values[key] = Assumed(
            key, label, float(a.value), low, high, a.unit or "", source, a.as_of, basis
        )
    h, pr = scenario.hardware, scenario.preferences

    def user(key: str, value: float | Decimal | None) -> None:
        if value is not None:
            old = values[key]
            # The catalog's range is about its own figure: keep its relative spread around the
            # user's figure, so that low <= value <= high still holds.
            v = float(value)
            low, high = (v * old.low / old.value, v * old.high / old.value) if old.value else (v, v)
            values[key] = Assumed(
                key,
                old.label,
                v,
                min(low, v),
                max(high, v),
                old.unit,
                "entered by the user",
                "",
                "user",
            )

    user("electricity_price_usd_per_kwh", h.electricity_usd_per_kwh)
    user("pue", h.pue)
    user("colocation_usd_per_kw_month", h.colocation_usd_per_kw_month)
    user("api_list_price_decline_per_year", pr.api_list_price_decline_per_year)
    user("capability_price_decline_per_year", pr.capability_price_decline_per_year)
    user("discount_rate_per_year", pr.discount_rate_per_year)
    user("gpu_rental_price_decline_per_year", pr.gpu_price_decline_per_year)

    team = scenario.team
    detail = []
    total = Decimal(0)
    for r in team.roles:
        if r.monthly_cost_usd is not None:
            cost, src = r.monthly_cost_usd, "entered by the user"
        else:
            staff = next(
                (s for s in catalog.staff if s.role == r.role and s.region == team.region), None
            )
            if staff is None:
                raise InputError(
                    Problem(
                        f"team.roles.{r.role}",
                        "error",
                        f"no catalog cost for {r.role} in {team.region}",
                    )
                )
            cost, src = staff.loaded_monthly_usd, staff.source
            if "loaded_monthly_usd" in staff.overridden:
                src = OVERRIDE_SOURCE
        share = Decimal(str(r.share_of_time)) * Decimal(str(r.count))
        total += cost * share
        detail.append((r.role, r.count, r.share_of_time, cost, src))
    # An hour of the team's time: loaded monthly cost over ~160 working hours.
    people = [d for d in detail if d[1] > 0]
    if people:
        monthly = sum((d[3] * Decimal(str(d[1])) for d in people), Decimal(0))
        heads = sum((Decimal(str(d[1])) for d in people), Decimal(0))
        hourly = monthly / heads / Decimal(160)
    else:
        costs = [s.loaded_monthly_usd for s in catalog.staff if s.region == team.region] or [
            s.loaded_monthly_usd for s in catalog.staff
        ]
        hourly = max(costs) / Decimal(160)
    return CostInputs(values, total, tuple(detail), hourly)
