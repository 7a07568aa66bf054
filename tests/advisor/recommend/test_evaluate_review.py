"""Review of the recommendation: the numbers a sceptical buyer cross-checks."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pytest

from advisor.cost.inputs import resolve
from advisor.paths import bundled_path
from advisor.recommend import evaluate
from advisor.recommend.evaluate import candidate_options
from advisor.report.monthly import all_months
from advisor.scenario import load_scenario

EXAMPLES = bundled_path("resources") / "examples"


def fast(scenario):
    prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=300)
    return dataclasses.replace(scenario, preferences=prefs)


def test_a_hybrid_pays_the_build_team_and_the_api_integration(catalog):
    scenario = load_scenario(EXAMPLES / "source-argument.json")
    inputs = resolve(scenario, catalog)
    cands = candidate_options(scenario, catalog)
    api = next(o for o in cands.options if o.kind == "api")
    hybrids = [o for o in cands.options if o.kind == "hybrid"]
    assert hybrids
    build_people = float(inputs.people_monthly_usd)
    for h in hybrids:
        assert h.component("people") == pytest.approx(build_people + api.component("people"))


def test_no_public_api_bridges_the_hiring_months_when_data_must_stay_on_premises(catalog):
    scenario = load_scenario(EXAMPLES / "bank-on-premises.json")
    team = dataclasses.replace(scenario.team, hiring_months=3)
    scenario = fast(dataclasses.replace(scenario, team=team))
    cands = candidate_options(scenario, catalog)
    assert cands.bridging_api_monthly == 0.0
    ev = evaluate(scenario, catalog)
    _, months = all_months(ev, scenario)
    for m in months:
        assert not any(line.component == "api_bridging" for line in m.lines)
        assert m.total == pytest.approx(
            float(m.option.horizon_cost_undiscounted_usd), abs=0.05 * 36
        )


def test_the_high_end_of_a_user_entered_electricity_price_costs_more(catalog):
    scenario = load_scenario(EXAMPLES / "bank-on-premises.json")
    hw = dataclasses.replace(scenario.hardware, electricity_usd_per_kwh=Decimal("0.30"))
    ev = evaluate(fast(dataclasses.replace(scenario, hardware=hw)), catalog)
    bar = next(b for b in ev.sensitivity if b.key == "electricity")
    assert bar.low_input < 1.0 < bar.high_input
    assert bar.low_cost_usd < ev.recommendation.horizon_cost_usd < bar.high_cost_usd


def test_more_volume_adds_installed_gpus_replica_by_replica_not_in_proportion(catalog):
    # The bank's installed GPUs (one replica for the peak, one spare) run at low utilisation:
    # twice the volume needs one more replica, not twice the fleet. Plain sums (undiscounted):
    # bought hardware is then its straight-line depreciation.
    from advisor.capability.model import Calibration
    from advisor.recommend.uncertainty import Horizon, drivers

    scenario = fast(load_scenario(EXAMPLES / "bank-on-premises.json"))
    cands = candidate_options(scenario, catalog)
    owned = [o for o in cands.options if o.kind == "owned"]
    drv = drivers(scenario, cands.ctx.inputs, Calibration.from_catalog(catalog))
    horizon = Horizon(scenario, owned, drv, cands.bridging_api_monthly)
    draws = horizon.base_draws(2)
    draws["volume"] = np.array([1.0, 2.0])
    tot = horizon.totals(draws, discounted=False)
    months = scenario.preferences.horizon_months
    growth = sum((1.0 + scenario.workload.monthly_growth) ** t for t in range(months))
    for k, o in enumerate(owned):
        v = o.sized_for_volume
        ratio = o.fleet.units(2.0 * v) / o.fleet.units(v)
        assert ratio < 2.0
        installed = sum(ln.monthly for ln in o.lines if ln.scaling == "units")
        load = sum(ln.monthly for ln in o.lines if ln.scaling == "linear")
        expected = load * growth + installed * (ratio - 1.0) * months
        assert tot[1, k] - tot[0, k] == pytest.approx(expected, rel=1e-6)
