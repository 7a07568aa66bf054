"""Cost lines of the options, checked by hand like a price sheet."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.capability.model import Calibration
from advisor.cost.inputs import resolve
from advisor.cost.options import (
    HOURS_PER_MONTH,
    SECONDS_PER_MONTH,
    Context,
    Fleet,
    api_cost_per_request,
)
from advisor.recommend.evaluate import candidate_options
from advisor.scenario import Role, Scenario, Team, Workload


def ctx_for(scenario: Scenario, catalog) -> Context:
    return Context(scenario, catalog, resolve(scenario, catalog), Calibration.from_catalog(catalog))


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        # The source argument: an engineer and a researcher, USD 30K together, a third each.
        (
            (("ml_engineer", 1, "0.3333", "15000"), ("research_scientist", 1, "0.3333", "15000")),
            "9999.0000",
        ),
        ((("sre", 2, "0.5", "10000.50"),), "10000.5000"),
        ((("ml_engineer", 0, "1", "20000"),), "0.0000"),
    ],
)
def test_people_cost_is_count_times_loaded_cost_times_share(catalog, roles, expected):
    team = Team(roles=tuple(Role(r, c, float(s), Decimal(cost)) for r, c, s, cost in roles))
    inputs = resolve(Scenario(team=team), catalog)
    assert inputs.people_monthly_usd.quantize(Decimal("0.0001")) == Decimal(expected)


def test_catalog_people_cost_is_used_when_none_is_entered(catalog):
    team = Team(region="us", roles=(Role("sre", 1, 1.0),))
    staff = next(s for s in catalog.staff if s.role == "sre" and s.region == "us")
    assert resolve(Scenario(team=team), catalog).people_monthly_usd == staff.loaded_monthly_usd


def test_api_cost_per_request_matches_the_price_sheet(catalog):
    model = catalog.api_model("gpt-4o-mini", "openai")
    inp = float(model.standard.prices["input_mtok"][0])
    out = float(model.standard.prices["output_mtok"][0])
    cached = float(model.standard.prices["cache_read_mtok"][0])
    w = Workload(
        input_tokens_per_request=2000, output_tokens_per_request=500, cached_input_share=0.25
    )
    got, _ = api_cost_per_request(ctx_for(Scenario(workload=w), catalog), model)
    by_hand = (1500 * inp + 500 * cached + 500 * out) / 1e6
    assert got == pytest.approx(by_hand, rel=1e-12)


def test_reasoning_api_models_are_billed_for_extra_output_tokens(catalog):
    model = catalog.api_model("o4-mini", "openai")
    base = Workload(
        input_tokens_per_request=1000,
        output_tokens_per_request=200,
        reasoning_output_multiplier=1.0,
    )
    triple = dataclasses.replace(base, reasoning_output_multiplier=3.0)
    one, _ = api_cost_per_request(ctx_for(Scenario(workload=base), catalog), model)
    three, notes = api_cost_per_request(ctx_for(Scenario(workload=triple), catalog), model)
    out = float(model.standard.prices["output_mtok"][0])
    assert three - one == pytest.approx(2 * 200 * out / 1e6, rel=1e-9)
    assert any("reasoning" in n for n in notes)


def test_batch_share_uses_the_published_batch_price(catalog):
    model = catalog.api_model("gpt-4o-mini", "openai")
    batch = model.price_set("processing=batch")
    assert batch is not None
    w = Workload(input_tokens_per_request=1000, output_tokens_per_request=100, batch_share=1.0)
    got, _ = api_cost_per_request(ctx_for(Scenario(workload=w), catalog), model)
    by_hand = (
        1000 * float(batch.prices["input_mtok"][0]) + 100 * float(batch.prices["output_mtok"][0])
    ) / 1e6
    assert got == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize(
    ("avg", "cap", "p2a", "hours", "failover", "scale_down", "expected"),
    [
        (1.0, 1.0, 3.0, 8.0, 1, False, 4.0),  # peak 3 rps -> 3 replicas + 1 spare
        (1.0, 1.0, 3.0, 8.0, 0, True, 3.0 / 3 + 2 / 3 * 1),  # peak 3 for 8 h, then 0 -> 1
        (0.001, 10.0, 2.0, 12.0, 1, False, 2.0),  # at least one replica plus the spare
        (10.0, 3.0, 1.0, 24.0, 0, True, 4.0),  # flat load: ceil(10/3)
    ],
)
def test_fleet_counts_replicas_for_peak_and_scale_down(
    avg, cap, p2a, hours, failover, scale_down, expected
):
    fleet = Fleet(cap, 1, failover, p2a, hours, scale_down, avg)
    assert fleet.units(1.0) == pytest.approx(expected)


def test_rented_gpu_line_is_gpu_hours_times_the_offer_price(catalog):
    cands = candidate_options(Scenario(), catalog)
    rented = next(o for o in cands.options if o.kind == "rented")
    hours = rented.fleet.units(1.0) * rented.sized.gpus_per_replica * HOURS_PER_MONTH
    per_gpu_hour = float(rented.offer.on_demand_usd_per_hour) / rented.offer.gpu_count
    assert rented.component("gpu_rental") == pytest.approx(hours * per_gpu_hour)


def test_owned_power_is_tdp_times_load_times_pue_times_price(catalog):
    scenario = Scenario(
        hardware=dataclasses.replace(Scenario().hardware, renting_allowed=False),
    )
    cands = candidate_options(scenario, catalog)
    owned = next(o for o in cands.options if o.kind == "owned")
    inputs = cands.ctx.inputs
    gpus = owned.fleet.units(1.0) * owned.sized.gpus_per_replica
    kw = gpus * owned.gpu.tdp_w / 1000 * (1 + inputs["server_power_overhead_fraction"])
    idle = inputs["gpu_idle_power_fraction"]
    util = min(owned.sized.utilisation, 1.0)
    kwh = kw * (idle + (1 - idle) * util) * HOURS_PER_MONTH * inputs["pue"]
    assert owned.component("power") == pytest.approx(
        kwh * inputs["electricity_price_usd_per_kwh"], rel=1e-9
    )


def test_seconds_per_month_is_an_average_month():
    assert pytest.approx(365.25 / 12 * 86400) == SECONDS_PER_MONTH


@settings(max_examples=200, deadline=None)
@given(
    cap=st.floats(0.05, 10),
    tp=st.sampled_from([1, 2, 4, 8]),
    failover=st.integers(0, 2),
    p2a=st.floats(1, 10),
    hours=st.floats(0.5, 24),
    scale_down=st.booleans(),
    avg=st.floats(0.001, 50),
    instance=st.sampled_from([1, 2, 4, 8]),
    xs=st.lists(st.floats(0.01, 100), min_size=1, max_size=20),
)
def test_vectorised_fleet_counts_equal_the_scalar_ones(
    cap, tp, failover, p2a, hours, scale_down, avg, instance, xs
):
    fleet = Fleet(cap, tp, failover, p2a, hours, scale_down, avg, instance)
    assert fleet.units_array(np.array(xs)).tolist() == pytest.approx(
        [fleet.units(x) for x in xs], abs=1e-9
    )
