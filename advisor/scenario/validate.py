"""Semantic checks of a scenario: ranges, shares, known ids. Returns problems as data."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from advisor.bounds import text_problem
from advisor.catalog.snapshot import Catalog
from advisor.currency import CURRENCIES
from advisor.errors import NotFoundError, Problem
from advisor.scenario.defaults import deployability_problems
from advisor.scenario.model import (
    ENGINE_CHOICES,
    PRECISION_CHOICES,
    RENTAL_TERMS,
    RESIDENCY,
    SENSITIVITY,
    TASK_TYPES,
    Scenario,
)


def _range(
    out: list[Problem], path: str, value: float | None, lo: float, hi: float, what: str = ""
) -> None:
    if value is None:
        return
    if not lo <= value <= hi:
        out.append(Problem(path, "error", what or f"must be between {lo:g} and {hi:g}"))


# Limits that keep the work of one evaluation bounded (a report with 2,000 owned-GPU entries
# took over ten minutes; a million draws over 120 months needed 4 GB).
MAX_OWNED_ENTRIES = 50
MAX_ROLES = 50
MAX_LIST_ITEMS = 100
MAX_DRAW_MONTHS = 3_600_000  # Monte Carlo draws x horizon months (e.g. 100,000 x 36)
MAX_GROWTH_FACTOR = 1_000_000  # volume at the end of the horizon / volume now
MAX_SEED = 2**32 - 1


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text field of a scenario with its path (``team.roles[0].role``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            sub = f"{path}.{f.name}" if path else f.name
            yield from _strings(getattr(value, f.name), sub)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def _bounds(scenario: Scenario, catalog: Catalog | None) -> list[Problem]:
    """Checks that keep the work bounded and the text clean (see the limits above)."""
    p: list[Problem] = []
    for path, text in _strings(scenario, ""):
        reason = text_problem(text, multiline=path == "notes")
        if reason:
            p.append(Problem(path, "error", reason))
    h, w, pr = scenario.hardware, scenario.workload, scenario.preferences
    for path, items, most in (
        ("hardware.owned", h.owned, MAX_OWNED_ENTRIES),
        ("team.roles", scenario.team.roles, MAX_ROLES),
        ("workload.tasks", w.tasks, MAX_LIST_ITEMS),
        ("hardware.cloud_providers", h.cloud_providers, MAX_LIST_ITEMS),
        ("preferences.precisions", pr.precisions, MAX_LIST_ITEMS),
        ("preferences.api_providers", pr.api_providers, MAX_LIST_ITEMS),
    ):
        if len(items) > most:
            p.append(
                Problem(
                    path,
                    "error",
                    f"has {len(items):,} entries; at most {most} are modelled "
                    "(group identical ones: one entry per GPU model and age, with a count)"
                    if path == "hardware.owned"
                    else f"has {len(items):,} entries; at most {most} are modelled",
                )
            )
    if not 0 <= pr.seed <= MAX_SEED:
        p.append(Problem("preferences.seed", "error", f"must be between 0 and {MAX_SEED:,}"))
    months = pr.horizon_months
    if 1 <= months <= 120 and -0.5 <= w.monthly_growth <= 2.0:
        factor = (1.0 + w.monthly_growth) ** months
        if factor > MAX_GROWTH_FACTOR:
            p.append(
                Problem(
                    "workload.monthly_growth",
                    "error",
                    f"{w.monthly_growth:.0%} a month for {months} months multiplies the volume "
                    f"{factor:.2g}-fold; at most {MAX_GROWTH_FACTOR:,}-fold is modelled "
                    "(lower the growth or the horizon)",
                )
            )
    draws = pr.monte_carlo_draws
    if 1 <= months <= 120 and 100 <= draws <= 1_000_000 and draws * months > MAX_DRAW_MONTHS:
        p.append(
            Problem(
                "preferences.monte_carlo_draws",
                "error",
                f"{draws:,} draws over {months} months is too much work; at most "
                f"{MAX_DRAW_MONTHS // months:,} draws for this horizon "
                f"(draws x months up to {MAX_DRAW_MONTHS:,})",
            )
        )
    if catalog is not None:
        regions = {s.region for s in catalog.staff}
        if scenario.team.region not in regions:
            p.append(
                Problem(
                    "team.region",
                    "error",
                    f"unknown region {scenario.team.region!r}; known: {', '.join(sorted(regions))}",
                )
            )
    return p


def validate(scenario: Scenario, catalog: Catalog | None = None) -> list[Problem]:
    """Every problem of a scenario, each with its field path, severity and a plain message.

    Args:
        scenario: The scenario to check.
        catalog: When given, ids (GPUs, regions, providers) are checked against it.

    Returns:
        Problems; an empty list means the scenario can be evaluated. Warnings do not block.
    """
    p: list[Problem] = _bounds(scenario, catalog)
    region_known = not any(x.field == "team.region" for x in p)
    if len(scenario.name) > 200:
        p.append(Problem("name", "error", "is longer than 200 characters"))
    if len(scenario.organisation) > 200:
        p.append(Problem("organisation", "error", "is longer than 200 characters"))
    if len(scenario.notes) > 20_000:
        p.append(Problem("notes", "error", "is longer than 20,000 characters"))
    w = scenario.workload
    if not w.tasks:
        p.append(Problem("workload.tasks", "error", "add at least one kind of work"))
    seen = set()
    for i, t in enumerate(w.tasks):
        path = f"workload.tasks[{i}]"
        if t.task not in TASK_TYPES:
            p.append(Problem(f"{path}.task", "error", f"must be one of {', '.join(TASK_TYPES)}"))
        if t.task in seen:
            p.append(Problem(f"{path}.task", "error", f"{t.task} is listed twice"))
        seen.add(t.task)
        _range(p, f"{path}.share", t.share, 0.0, 1.0, "must be a share between 0 and 1")
    total = sum(t.share for t in w.tasks)
    if w.tasks and abs(total - 1.0) > 0.005:
        p.append(Problem("workload.tasks", "error", f"shares add up to {total:.0%}, not 100%"))
    _range(
        p,
        "workload.requests_per_day",
        w.requests_per_day,
        1,
        1e10,
        "must be between 1 and 10 billion requests a day",
    )
    _range(p, "workload.input_tokens_per_request", w.input_tokens_per_request, 1, 2_000_000)
    _range(p, "workload.output_tokens_per_request", w.output_tokens_per_request, 1, 200_000)
    _range(p, "workload.cached_input_share", w.cached_input_share, 0, 1)
    _range(p, "workload.batch_share", w.batch_share, 0, 1)
    _range(p, "workload.peak_to_average", w.peak_to_average, 1, 100)
    _range(p, "workload.peak_hours_per_day", w.peak_hours_per_day, 0.5, 24)
    if w.peak_to_average * w.peak_hours_per_day > 24.0001:
        p.append(
            Problem(
                "workload.peak_hours_per_day",
                "error",
                f"at {w.peak_to_average:g}x the average for {w.peak_hours_per_day:g} h, "
                "the peak alone exceeds a day's requests; lower one of them",
            )
        )
    _range(p, "workload.ttft_ms_target", w.ttft_ms_target, 50, 600_000)
    _range(p, "workload.tokens_per_s_per_user_target", w.tokens_per_s_per_user_target, 0.1, 2000)
    _range(p, "workload.monthly_growth", w.monthly_growth, -0.5, 2.0)
    _range(p, "workload.reasoning_output_multiplier", w.reasoning_output_multiplier, 1, 50)
    _range(p, "workload.context_tokens", w.context_tokens, 128, 10_000_000)
    if w.input_tokens_per_request + w.output_tokens_per_request > w.context_tokens:
        p.append(
            Problem(
                "workload.context_tokens",
                "error",
                "must hold at least one request's input and output tokens",
            )
        )
    if w.data_sensitivity not in SENSITIVITY:
        p.append(
            Problem(
                "workload.data_sensitivity", "error", f"must be one of {', '.join(SENSITIVITY)}"
            )
        )
    if w.data_residency not in RESIDENCY:
        p.append(
            Problem("workload.data_residency", "error", f"must be one of {', '.join(RESIDENCY)}")
        )
    p += deployability_problems(scenario)

    team = scenario.team
    if not team.roles:
        p.append(Problem("team.roles", "warning", "no people: a build would have nobody to run it"))
    for i, r in enumerate(team.roles):
        path = f"team.roles[{i}]"
        _range(p, f"{path}.count", r.count, 0, 1000)
        _range(
            p,
            f"{path}.share_of_time",
            r.share_of_time,
            0,
            1,
            "must be a share of time between 0 and 1",
        )
        if r.monthly_cost_usd is not None and not (Decimal(0) <= r.monthly_cost_usd <= 10**6):
            p.append(
                Problem(
                    f"{path}.monthly_cost_usd",
                    "error",
                    "must be between 0 and 1,000,000 USD a month",
                )
            )
        if (
            catalog is not None
            and region_known
            and r.monthly_cost_usd is None
            and not any(s.role == r.role and s.region == team.region for s in catalog.staff)
        ):
            known = ", ".join(sorted({s.role for s in catalog.staff if s.region == team.region}))
            p.append(
                Problem(
                    f"{path}.role",
                    "error",
                    f"no catalog cost for {r.role!r} in {team.region!r} (roles there: {known}); "
                    "pick one or enter a monthly cost",
                )
            )
    _range(p, "team.api_share_of_time", team.api_share_of_time, 0, 1)
    _range(p, "team.hiring_months", team.hiring_months, 0, 60)
    _range(p, "team.maintenance_hours_per_month", team.maintenance_hours_per_month, 0, 2000)

    h = scenario.hardware
    for i, o in enumerate(h.owned):
        path = f"hardware.owned[{i}]"
        _range(p, f"{path}.count", o.count, 1, 100_000)
        _range(p, f"{path}.age_years", o.age_years, 0, 20)
        if catalog is not None:
            try:
                catalog.gpu(o.gpu)
            except NotFoundError as exc:
                p.append(Problem(f"{path}.gpu", "error", exc.problems[0].message))
    if h.rental_term not in RENTAL_TERMS:
        p.append(
            Problem("hardware.rental_term", "error", f"must be one of {', '.join(RENTAL_TERMS)}")
        )
    if h.electricity_usd_per_kwh is not None and not (Decimal(0) <= h.electricity_usd_per_kwh <= 5):
        p.append(
            Problem(
                "hardware.electricity_usd_per_kwh", "error", "must be between 0 and 5 USD per kWh"
            )
        )
    _range(p, "hardware.pue", h.pue, 1.0, 3.0)
    if h.colocation_usd_per_kw_month is not None and not (
        Decimal(0) <= h.colocation_usd_per_kw_month <= 5000
    ):
        p.append(
            Problem(
                "hardware.colocation_usd_per_kw_month",
                "error",
                "must be between 0 and 5,000 USD per kW-month",
            )
        )
    _range(p, "hardware.amortisation_years", h.amortisation_years, 0.5, 15)
    if catalog is not None:
        providers = {o.provider for o in catalog.cloud_offers}
        for i, prov in enumerate(h.cloud_providers):
            if prov not in providers:
                p.append(
                    Problem(
                        f"hardware.cloud_providers[{i}]",
                        "error",
                        f"unknown provider {prov!r}; known: {', '.join(sorted(providers))}",
                    )
                )
    if not (h.renting_allowed or h.buying_allowed or h.owned):
        p.append(
            Problem(
                "hardware",
                "warning",
                "no GPUs owned and neither renting nor buying allowed: only APIs remain",
            )
        )

    pr = scenario.preferences
    _range(p, "preferences.horizon_months", pr.horizon_months, 1, 120)
    if pr.currency not in CURRENCIES:
        p.append(
            Problem("preferences.currency", "error", f"must be one of {', '.join(CURRENCIES)}")
        )
    if pr.usd_per_currency_unit is not None and not 0 < pr.usd_per_currency_unit < 1000:
        p.append(
            Problem("preferences.usd_per_currency_unit", "error", "must be above 0 and below 1000")
        )
    if pr.engine not in ENGINE_CHOICES:
        p.append(
            Problem("preferences.engine", "error", f"must be one of {', '.join(ENGINE_CHOICES)}")
        )
    if not pr.precisions:
        p.append(Problem("preferences.precisions", "error", "accept at least one precision"))
    for i, prec in enumerate(pr.precisions):
        if prec not in PRECISION_CHOICES:
            p.append(
                Problem(
                    f"preferences.precisions[{i}]",
                    "error",
                    f"must be one of {', '.join(PRECISION_CHOICES)}",
                )
            )
    _range(
        p,
        "preferences.api_list_price_decline_per_year",
        pr.api_list_price_decline_per_year,
        -1,
        0.99,
    )
    _range(
        p,
        "preferences.capability_price_decline_per_year",
        pr.capability_price_decline_per_year,
        0,
        0.99,
    )
    _range(p, "preferences.discount_rate_per_year", pr.discount_rate_per_year, 0, 0.5)
    _range(p, "preferences.gpu_price_decline_per_year", pr.gpu_price_decline_per_year, 0, 0.99)
    _range(p, "preferences.failover_replicas", pr.failover_replicas, 0, 100)
    _range(p, "preferences.monte_carlo_draws", pr.monte_carlo_draws, 100, 1_000_000)
    if catalog is not None:
        api_providers = {a.provider for a in catalog.api_models}
        for i, prov in enumerate(pr.api_providers):
            if prov not in api_providers:
                p.append(
                    Problem(
                        f"preferences.api_providers[{i}]", "error", f"unknown API provider {prov!r}"
                    )
                )
    return p
