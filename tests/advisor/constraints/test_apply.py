"""Each deployability rule leaves something out, with its reason; the EU insurer end to end."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog.deploy_check import hosting_for
from advisor.catalog.snapshot import Catalog
from advisor.constraints import ExclusionRule, apply_constraints
from advisor.paths import bundled_path
from advisor.recommend import evaluate
from advisor.scenario import Hardware, OwnedGpu, Preferences, Scenario, Workload, load_scenario

FAST = Preferences(monte_carlo_draws=500)
EU_INSURER = bundled_path("resources") / "examples" / "eu-insurer-claims.json"


def _scenario(**workload: object) -> Scenario:
    return Scenario(workload=Workload(**workload), preferences=FAST)  # type: ignore[arg-type]


def _excluded(plan, item: str):
    return next((x for x in plan.exclusions if x.item == item), None)


def test_eu_residency_excludes_an_offer_in_the_us_with_where_it_runs(catalog: Catalog) -> None:
    plan = apply_constraints(_scenario(data_residency="eu"), catalog)
    x = _excluded(plan, "aws-p5-48xlarge-us-east-1")
    assert x is not None and x.rule is ExclusionRule.RESIDENCY
    assert "runs in the US" in x.reason and "not the EU" in x.reason
    assert "aws-p5-48xlarge-us-east-1" not in {o.id for o in plan.catalog.cloud_offers}
    # An offer in Finland stays.
    assert "nebius-gpu-h100-sxm-1gpu-eu-north1" in {o.id for o in plan.catalog.cloud_offers}


def test_us_residency_excludes_the_eu_offer_and_a_global_pool(catalog: Catalog) -> None:
    plan = apply_constraints(_scenario(data_residency="us"), catalog)
    finland = _excluded(plan, "nebius-gpu-h100-sxm-1gpu-eu-north1")
    assert finland is not None and "runs in the EU" in finland.reason
    pool = _excluded(plan, "runpod-1x-h100-sxm-secure-global")
    assert pool is not None and "not pinned" in pool.reason


def test_eu_residency_excludes_an_api_model_with_no_eu_only_endpoint(catalog: Catalog) -> None:
    plan = apply_constraints(_scenario(data_residency="eu"), catalog)
    x = _excluded(plan, "anthropic/claude-opus-4-0")
    assert x is not None and x.rule is ExclusionRule.RESIDENCY
    assert "no endpoint processes the data only in the EU" in x.reason
    # The EU cross-Region profile is named, with the UK it may route to.
    assert "the EU or the UK" in x.reason
    # Gemini 2.5 Flash has an EU endpoint on Vertex AI and stays, with that endpoint.
    assert plan.endpoints["google/gemini-2.5-flash"].processing == ("eu",)


def test_confidential_data_excludes_community_hosts_but_internal_data_does_not(
    catalog: Catalog,
) -> None:
    community = "runpod-1x-h100-sxm-community-global"
    plan = apply_constraints(_scenario(data_sensitivity="confidential"), catalog)
    x = _excluded(plan, community)
    assert x is not None and x.rule is ExclusionRule.SENSITIVITY
    assert "individual community hosts" in x.reason
    assert (
        _excluded(apply_constraints(_scenario(data_sensitivity="internal"), catalog), community)
        is None
    )


def test_restricted_data_also_excludes_partner_data_centres(catalog: Catalog) -> None:
    plan = apply_constraints(_scenario(data_sensitivity="restricted"), catalog)
    x = _excluded(plan, "runpod-1x-h100-sxm-secure-global")
    assert x is not None and x.rule is ExclusionRule.SENSITIVITY
    assert "partner data centres" in x.reason


def test_consumer_gpus_are_left_out_of_a_data_centre_build_with_the_licence_clause(
    catalog: Catalog,
) -> None:
    plan = apply_constraints(_scenario(), catalog)
    x = _excluded(plan, "rtx-4090-24gb")
    assert x is not None and x.rule is ExclusionRule.HARDWARE_LICENCE
    assert "No Datacenter Deployment" in x.reason
    assert "rtx-4090-24gb" not in {g.id for g in plan.catalog.gpus}
    assert not any(o.gpu == "rtx-4090-24gb" for o in plan.catalog.cloud_offers)


def test_a_workstation_keeps_owned_consumer_cards_but_not_rented_ones(catalog: Catalog) -> None:
    scenario = dataclasses.replace(
        _scenario(),
        hardware=Hardware(owned=(OwnedGpu("rtx-4090-24gb", 2),), deployment="workstation"),
    )
    plan = apply_constraints(scenario, catalog)
    assert "rtx-4090-24gb" in {g.id for g in plan.catalog.gpus}
    assert plan.scenario.hardware.owned == scenario.hardware.owned
    rented = _excluded(plan, "runpod-1x-rtx4090-secure-global")
    assert rented is not None and rented.rule is ExclusionRule.HARDWARE_LICENCE


def test_owned_consumer_cards_in_a_data_centre_are_dropped_with_a_warning(catalog: Catalog) -> None:
    scenario = dataclasses.replace(
        _scenario(), hardware=Hardware(owned=(OwnedGpu("rtx-4090-24gb", 4),))
    )
    plan = apply_constraints(scenario, catalog)
    assert plan.scenario.hardware.owned == ()
    assert any(x.kind == "owned_gpus" for x in plan.exclusions)
    assert any("4 x NVIDIA GeForce RTX 4090" in w for w in plan.warnings)


def test_accepting_the_risk_keeps_consumer_cards(catalog: Catalog) -> None:
    scenario = dataclasses.replace(_scenario(), hardware=Hardware(accept_consumer_gpu_risk=True))
    plan = apply_constraints(scenario, catalog)
    assert _excluded(plan, "rtx-4090-24gb") is None
    assert any(o.gpu == "rtx-4090-24gb" for o in plan.catalog.cloud_offers)


def test_an_eu_company_gets_no_llama_4_under_its_licence(catalog: Catalog) -> None:
    plan = apply_constraints(_scenario(organisation_domicile="eu"), catalog)
    x = _excluded(plan, "llama-4-scout")
    assert x is not None and x.rule is ExclusionRule.MODEL_LICENCE
    assert "principal place of business" in x.reason
    assert (
        _excluded(
            apply_constraints(_scenario(organisation_domicile="us"), catalog), "llama-4-scout"
        )
        is None
    )


@pytest.mark.parametrize(
    ("users", "model", "excluded"),
    [
        (800e6, "llama-3.1-70b", True),  # Llama: 700M monthly active users
        (600e6, "llama-3.1-70b", False),
        (150e6, "qwen2.5-72b", True),  # Qwen licence: 100M
        (150e6, "qwen3-32b", False),  # Apache 2.0: no cap
    ],
)
def test_a_user_count_above_the_licence_cap_excludes_the_model(
    catalog: Catalog, users: float, model: str, excluded: bool
) -> None:
    plan = apply_constraints(_scenario(monthly_active_users=users), catalog)
    x = _excluded(plan, model)
    assert (x is not None) is excluded
    if x is not None:
        assert x.rule is ExclusionRule.MODEL_LICENCE and "monthly active users" in x.reason


def test_a_peak_above_the_highest_published_tier_excludes_the_api_model(catalog: Catalog) -> None:
    # 200,000 requests a day of 2,000 tokens at 3x peak: ~830,000 input tokens a minute,
    # above Anthropic's Tier 4 (400,000 input tokens a minute).
    plan = apply_constraints(_scenario(requests_per_day=200_000.0), catalog)
    x = _excluded(plan, "anthropic/claude-opus-4-0")
    assert x is not None and x.rule is ExclusionRule.RATE_LIMIT
    assert "Tier 4" in x.reason and "400,000 input TPM" in x.reason
    small = apply_constraints(_scenario(requests_per_day=1_000.0), catalog)
    assert _excluded(small, "anthropic/claude-opus-4-0") is None


def test_the_eu_insurer_gets_only_eu_deployable_options(catalog: Catalog) -> None:
    scenario = load_scenario(EU_INSURER)
    scenario = dataclasses.replace(scenario, preferences=FAST)
    ev = evaluate(scenario, catalog)
    allowed = [o for o in ev.options if o.allowed]
    assert allowed and ev.recommendation is not None
    gpu_class = {c.id: c.deployment_class for c in catalog.gpu_classes}
    for o in allowed:
        if o.capacity is not None:
            assert gpu_class[o.capacity.gpu] != "consumer", o.name
        if o.capacity is not None and o.capacity.provider is not None:
            offer = next(
                x
                for x in catalog.cloud_offers
                if x.provider == o.capacity.provider and x.instance == o.capacity.instance
            )
            hosting = hosting_for(catalog, offer.id)
            assert hosting is not None
            assert hosting.host_class != "community" and "eu" in hosting.jurisdictions, o.name
        for r in o.routes:
            if not r.self_hosted:
                assert any("data processed in the EU" in n for n in o.notes), o.name
    rules = {x.rule for x in ev.exclusions}
    assert {ExclusionRule.RESIDENCY, ExclusionRule.HARDWARE_LICENCE} <= rules
    community = [x for x in ev.exclusions if "community" in x.item]
    assert community and all(x.reason for x in community)


def test_cli_evaluate_json_lists_the_exclusions_and_the_register(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    import json

    from advisor.cli import main

    data = json.loads(EU_INSURER.read_text())
    data["preferences"]["monte_carlo_draws"] = 300
    path = tmp_path / "insurer.json"
    path.write_text(json.dumps(data))
    assert main(["evaluate", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = out["exclusions"]
    assert rows and {"kind", "item", "name", "rule", "reason", "source"} <= set(rows[0])
    assert any(r["rule"] == "hardware_licence" and r["item"] == "rtx-4090-24gb" for r in rows)
    assert all(r["reason"] for r in rows)
    assert out["risk_register"]


def test_restricted_data_needs_an_attestation_on_record(catalog: Catalog) -> None:
    # Nebius's trust centre lists SOC 2 and ISO 27001 as in progress: none is on record.
    plan = apply_constraints(_scenario(data_sensitivity="restricted"), catalog)
    x = _excluded(plan, "nebius-gpu-h100-sxm-1gpu-eu-north1")
    assert x is not None and x.rule is ExclusionRule.SENSITIVITY
    assert "no SOC 2 or ISO 27001 attestation on record" in x.reason
    assert _excluded(plan, "aws-p5-48xlarge-us-east-1") is None


def test_eu_residency_also_filters_hosted_open_weight_api_models(catalog: Catalog) -> None:
    # Hosted copies of open models carry their open model's scores (no "api:" score of their
    # own); they are options, so the residency rules must see them too.
    plan = apply_constraints(_scenario(data_residency="eu"), catalog)
    x = _excluded(plan, "novita/google/gemma-3-12b-it")
    assert x is not None and x.rule is ExclusionRule.RESIDENCY
    assert "novita/google/gemma-3-12b-it" not in plan.endpoints
