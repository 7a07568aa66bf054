"""People and space that scale with a self-hosted fleet: 24x7 on-call, at least one cabinet."""

from __future__ import annotations

import pytest

from advisor.capability.model import Calibration
from advisor.catalog.snapshot import Catalog
from advisor.cost import inputs as cost_inputs
from advisor.cost.options import Context
from advisor.cost.people import colocation_monthly, oncall_line
from advisor.scenario import Hardware, Role, Scenario, Team


def ctx_for(catalog: Catalog, scenario: Scenario) -> Context:
    return Context(
        scenario, catalog, cost_inputs.resolve(scenario, catalog), Calibration.from_catalog(catalog)
    )


def test_a_small_fleet_needs_no_staffed_on_call(catalog: Catalog) -> None:
    assert oncall_line(ctx_for(catalog, Scenario()), 2) is None


def test_a_large_fleet_pays_for_two_on_call_people_less_the_teams_own_time(
    catalog: Catalog,
) -> None:
    ctx = ctx_for(catalog, Scenario())  # two people at 33 % each: 0.66 FTE
    line = oncall_line(ctx, 64)
    assert line is not None and line.component == "oncall"
    hourly = float(ctx.inputs.hourly_rate_usd)
    assert line.monthly == pytest.approx((2.0 - 0.66) * hourly * 160)


def test_a_team_already_on_the_deployment_full_time_adds_no_on_call(catalog: Catalog) -> None:
    team = Team(roles=(Role("ml_engineer", 2.0, 1.0),))
    assert oncall_line(ctx_for(catalog, Scenario(team=team)), 64) is None


def test_a_two_kilowatt_deployment_pays_at_least_one_cabinet(catalog: Catalog) -> None:
    ctx = ctx_for(catalog, Scenario())
    assert colocation_monthly(ctx, 2.0) == pytest.approx(ctx.inputs["colocation_min_usd_per_month"])
    big = colocation_monthly(ctx, 100.0)
    assert big == pytest.approx(100.0 * ctx.inputs["colocation_usd_per_kw_month"])


def test_your_own_data_centre_costs_no_colocation(catalog: Catalog) -> None:
    ctx = ctx_for(catalog, Scenario(hardware=Hardware(colocation_usd_per_kw_month=0)))
    assert colocation_monthly(ctx, 2.0) == 0.0
