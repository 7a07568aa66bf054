"""The risk register comes from the records behind each option, with likelihood and impact."""

from __future__ import annotations

import dataclasses

from advisor.catalog.snapshot import Catalog
from advisor.constraints.register import severity
from advisor.cost.risk import Level, RiskCategory
from advisor.recommend import evaluate
from advisor.scenario import Hardware, Preferences, Scenario, Workload

FAST = Preferences(monte_carlo_draws=300)


def test_severity_is_a_risk_matrix_not_the_higher_of_the_two() -> None:
    assert severity(Level.LOW, Level.HIGH) is Level.MEDIUM
    assert severity(Level.MEDIUM, Level.HIGH) is Level.HIGH
    assert severity(Level.LOW, Level.MEDIUM) is Level.LOW


def test_accepted_consumer_cards_appear_as_a_hardware_risk_citing_the_driver_licence(
    catalog: Catalog,
) -> None:
    scenario = Scenario(
        workload=Workload(requests_per_day=3_000.0),
        hardware=Hardware(accept_consumer_gpu_risk=True),
        preferences=FAST,
    )
    # Force a consumer card to be the only GPU a build can use.
    cat = dataclasses.replace(
        catalog,
        gpus=tuple(g for g in catalog.gpus if g.id == "rtx-4090-24gb"),
        cloud_offers=tuple(o for o in catalog.cloud_offers if o.gpu == "rtx-4090-24gb"),
    )
    ev = evaluate(scenario, cat)
    hw = [r for r in ev.risk_register if r.category is RiskCategory.HARDWARE]
    assert hw, [r.text for r in ev.risk_register]
    risk = hw[0]
    assert "No Datacenter Deployment" in risk.text
    assert risk.likelihood is Level.HIGH and risk.impact is Level.HIGH and risk.mitigation
    assert risk.source.endswith("geforce-license/")
    names = {o.name for o in ev.options if o.capacity and o.capacity.gpu == "rtx-4090-24gb"}
    assert set(risk.options) <= names and risk.options


def test_every_register_entry_names_options_and_a_mitigation(catalog: Catalog) -> None:
    scenario = Scenario(
        workload=Workload(data_sensitivity="confidential", data_residency="eu"), preferences=FAST
    )
    ev = evaluate(scenario, catalog)
    assert ev.risk_register
    names = {o.name for o in ev.options if o.allowed}
    for r in ev.risk_register:
        assert r.mitigation and r.options and set(r.options) <= names
    data = ev.to_json()["risk_register"]
    assert {"category", "likelihood", "impact", "mitigation", "options"} <= set(data[0])
    assert data[0]["likelihood"] in ("low", "medium", "high")
