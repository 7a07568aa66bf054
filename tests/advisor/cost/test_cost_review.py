"""Review of the cost engine: cases a sceptical buyer checks by hand."""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal

import pytest

from advisor.cost.inputs import resolve
from advisor.cost.options import HOURS_PER_MONTH, Fleet
from advisor.paths import bundled_path
from advisor.recommend.evaluate import candidate_options
from advisor.scenario import Hardware, OwnedGpu, Scenario, load_scenario

EXAMPLES = bundled_path("resources") / "examples"


def test_fleet_bills_whole_instances_of_several_gpus():
    # Two one-GPU replicas (one for the peak, one spare) on a 4-GPU instance: one instance.
    fleet = Fleet(1.0, 1, 1, 1.0, 24.0, False, 0.5, instance_gpus=4)
    assert fleet.units(1.0) == pytest.approx(4.0)
    # Five replicas need two 4-GPU instances, billed as eight GPUs.
    fleet = Fleet(1.0, 1, 1, 1.0, 24.0, False, 3.5, instance_gpus=4)
    assert fleet.units(1.0) == pytest.approx(8.0)


@pytest.mark.parametrize("provider", ["lambda", "coreweave", "oci"])
def test_a_rented_option_never_costs_less_than_one_whole_instance(catalog, provider):
    scenario = Scenario(hardware=Hardware(cloud_providers=(provider,), buying_allowed=False))
    rented = [o for o in candidate_options(scenario, catalog).options if o.offer is not None]
    assert rented
    for o in rented:
        instance_month = float(o.offer.on_demand_usd_per_hour) * HOURS_PER_MONTH
        assert o.component("gpu_rental") >= instance_month - 1e-6, (o.name, o.offer.instance)
        # Billed GPUs come in whole instances at the peak.
        billed_at_peak = math.ceil(o.sized.total_gpus / o.offer.gpu_count) * o.offer.gpu_count
        assert o.fleet.units(1.0) * o.sized.gpus_per_replica <= billed_at_peak + 1e-9


def test_a_cheap_per_gpu_rate_on_a_big_instance_does_not_win_a_small_deployment(catalog):
    # On Lambda, a 4 x A6000 instance is USD 1.09 per GPU-hour but must be rented whole
    # (USD 4.36 an hour); two one-GPU replicas on A10s (USD 1.29 each) cost less.
    scenario = Scenario(hardware=Hardware(cloud_providers=("lambda",), buying_allowed=False))
    rented = [o for o in candidate_options(scenario, catalog).options if o.kind == "rented"]
    best = min(rented, key=lambda o: o.monthly)
    billed = best.component("gpu_rental")
    whole = math.ceil(best.sized.total_gpus / best.offer.gpu_count)
    assert billed >= whole * float(best.offer.on_demand_usd_per_hour) * HOURS_PER_MONTH - 1e-6


def test_a_user_entered_value_gets_a_range_around_it_not_the_catalog_range(catalog):
    hw = Hardware(electricity_usd_per_kwh=Decimal("0.30"))
    inputs = resolve(Scenario(hardware=hw), catalog)
    a = inputs.values["electricity_price_usd_per_kwh"]
    assert a.value == pytest.approx(0.30)
    assert a.low < a.value < a.high
    # The same relative spread as the catalog's sourced figure.
    cat = catalog.assumption("electricity_price_usd_per_kwh")
    assert a.high / a.value == pytest.approx(float(cat.high) / float(cat.value))


def test_already_owned_gpus_in_service_pay_hardware_support(catalog):
    scenario = load_scenario(EXAMPLES / "bank-on-premises.json")
    inputs = resolve(scenario, catalog)
    owned = [o for o in candidate_options(scenario, catalog).options if o.kind == "owned"]
    assert owned
    for o in owned:
        assert o.purchased_gpus == 0 and o.owned_gpus_used > 0
        price = float(o.gpu.purchase_price_usd)
        expected = o.sized.total_gpus * price * inputs["hardware_support_fraction_per_year"] / 12.0
        assert o.component("hardware_support") == pytest.approx(expected)


def test_hardware_support_counts_owned_and_bought_gpus_alike(catalog):
    hw = Hardware(owned=(OwnedGpu("rtx-4090-24gb", 1, 0.0),), renting_allowed=False)
    scenario = dataclasses.replace(Scenario(), hardware=hw)
    inputs = resolve(scenario, catalog)
    for o in candidate_options(scenario, catalog).options:
        if o.kind != "owned":
            continue
        price = float(o.gpu.purchase_price_usd)
        gpus = o.owned_gpus_used + o.purchased_gpus
        assert gpus == o.sized.total_gpus
        assert o.component("hardware_support") == pytest.approx(
            gpus * price * inputs["hardware_support_fraction_per_year"] / 12.0
        )
