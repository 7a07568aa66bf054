"""Terms added to options, options ruled out by a rate limit, and warnings for dropped inputs."""

from __future__ import annotations

import dataclasses

from advisor.capability.model import Calibration
from advisor.catalog.deploy_records import RateLimit
from advisor.catalog.snapshot import Catalog, with_records
from advisor.constraints import ExclusionRule, annotate_options, apply_constraints
from advisor.constraints.ratelimits import peak_load
from advisor.cost import inputs as cost_inputs
from advisor.cost.options import Context, Option, TaskRoute
from advisor.recommend.evaluate import candidate_options
from advisor.scenario import Hardware, OwnedGpu, Preferences, Scenario, TaskShare, Workload
from advisor.scenario.io import scenario_from_dict

FAST = Preferences(monte_carlo_draws=500)


def _api_option(model: str, share: float = 1.0) -> Option:
    route = TaskRoute("chat", share, f"api:{model}", model, False, 0.001)
    return Option(kind="api", name=f"Buy: {model}", lines=(), routes=(route,))


def _context(scenario: Scenario, catalog: Catalog) -> Context:
    return Context(
        scenario, catalog, cost_inputs.resolve(scenario, catalog), Calibration.from_catalog(catalog)
    )


def _tier(rank: int, tpm: int, top: bool) -> RateLimit:
    return RateLimit(
        source="test",
        as_of="2026-12-06",
        id=f"openai-test-{rank}",
        provider="openai",
        models=("gpt-4o-mini",),
        tier=f"Tier {rank}",
        rank=rank,
        tpm=tpm,
        tpm_counts="total",
        qualification=f"${rank * 100} paid",
        top_tier=top,
    )


def test_an_option_whose_load_exceeds_the_top_tier_is_ruled_out_with_the_reason(
    catalog: Catalog,
) -> None:
    scenario = Scenario(workload=Workload(tasks=(TaskShare("chat", 1.0),)), preferences=FAST)
    load = peak_load(scenario, 1.0).total_tpm
    # Two tasks at half each pass the filter; one model serving both does not.
    tiers = (_tier(1, int(load * 0.3), False), _tier(2, int(load * 0.7), True))
    cat = with_records(catalog, rate_limits=tiers)
    plan = apply_constraints(scenario, cat)
    options, ruled_out = annotate_options(
        [_api_option("openai/gpt-4o-mini")], plan, _context(plan.scenario, plan.catalog)
    )
    assert not options[0].allowed
    assert options[0].not_allowed_reason.startswith("rate limit:")
    assert "exceeds the highest published tier (Tier 2" in options[0].not_allowed_reason
    assert ruled_out and ruled_out[0].rule is ExclusionRule.RATE_LIMIT


def test_an_option_that_needs_a_higher_tier_says_which_and_how_it_is_reached(
    catalog: Catalog,
) -> None:
    scenario = Scenario(workload=Workload(tasks=(TaskShare("chat", 1.0),)), preferences=FAST)
    load = peak_load(scenario, 1.0).total_tpm
    tiers = (_tier(1, int(load * 0.5), False), _tier(2, int(load * 2), True))
    plan = apply_constraints(scenario, with_records(catalog, rate_limits=tiers))
    options, ruled_out = annotate_options(
        [_api_option("openai/gpt-4o-mini")], plan, _context(plan.scenario, plan.catalog)
    )
    assert options[0].allowed and not ruled_out
    assert any("needs Tier 2 ($200 paid) or higher" in n for n in options[0].notes)


def test_self_hosted_options_carry_their_licence_terms(catalog: Catalog) -> None:
    scenario = Scenario(preferences=FAST)
    cands = candidate_options(scenario, catalog)
    built = [o for o in cands.options if o.sized is not None]
    assert built
    for o in built:
        assert o.sized is not None
        lic = cands.plan.licences[o.sized.model] if cands.plan else None
        assert lic is not None
        assert any(n.startswith(f"Licence {lic.name}") for n in o.notes), o.name


def test_owned_gpus_that_cannot_carry_the_load_are_not_dropped_silently(catalog: Catalog) -> None:
    # 2 owned H100s, 8 % a month growth, buying not allowed: no owned option can exist.
    scenario = Scenario(
        workload=Workload(requests_per_day=200_000.0, monthly_growth=0.08),
        hardware=Hardware(owned=(OwnedGpu("h100-sxm-80gb", 2),), buying_allowed=False),
        preferences=FAST,
    )
    cands = candidate_options(scenario, catalog)
    assert not any(o.owned_gpus_used for o in cands.options)
    warning = next(w for w in cands.warnings if "your 2 x NVIDIA H100" in w)
    assert "buying GPUs is not allowed" in warning and "8% monthly growth" in warning


def test_a_scenario_file_without_requests_per_day_warns_about_the_default(
    catalog: Catalog,
) -> None:
    data = {
        "workload": {"tasks": [{"task": "chat", "share": 1.0}], "input_tokens_per_request": 500},
        "preferences": {"monte_carlo_draws": 500},
    }
    scenario = scenario_from_dict(data)
    warnings = candidate_options(scenario, catalog).warnings
    assert (
        "workload.requests_per_day is not in the scenario file: evaluated with the default "
        "10,000." in warnings
    )
    assert not any("input_tokens_per_request" in w for w in warnings)


def test_a_complete_scenario_has_no_default_warnings(catalog: Catalog) -> None:
    scenario = dataclasses.replace(Scenario(preferences=FAST), defaulted=())
    assert not any(
        "not in the scenario file" in w for w in candidate_options(scenario, catalog).warnings
    )


def test_excluded_offers_are_summarised_in_the_warnings(catalog: Catalog) -> None:
    scenario = Scenario(workload=Workload(data_residency="eu"), preferences=FAST)
    warnings = candidate_options(scenario, catalog).warnings
    assert any("cloud offers" in w and "exclusions list says which and why" in w for w in warnings)


def test_bought_gpus_that_arrive_after_the_hiring_months_are_warned_about(
    catalog: Catalog,
) -> None:
    scenario = Scenario(
        workload=Workload(requests_per_day=50_000.0),
        hardware=Hardware(renting_allowed=False),
        preferences=FAST,
    )
    cands = candidate_options(scenario, catalog)
    bought = [o for o in cands.options if o.purchased_gpus]
    assert bought
    assert any("weeks to arrive, longer than the 0 months of hiring" in w for w in cands.warnings)
    assert any("GPU purchase lead time" in n for o in bought for n in o.notes)


def test_on_premises_data_lists_the_api_and_rented_options_as_excluded(catalog: Catalog) -> None:
    scenario = Scenario(
        workload=Workload(data_residency="on_premises"),
        hardware=Hardware(owned=(OwnedGpu("a100-sxm-80gb", 8),)),
        preferences=FAST,
    )
    cands = candidate_options(scenario, catalog)
    ruled = {x.item: x for x in cands.exclusions if x.kind == "option"}
    for o in cands.options:
        if o.kind in ("api", "rented"):
            assert not o.allowed and ruled[o.name].rule is ExclusionRule.RESIDENCY
            assert "premises" in ruled[o.name].reason


def test_a_defaulted_field_set_after_loading_is_not_reported(catalog: Catalog) -> None:
    scenario = scenario_from_dict({"workload": {"tasks": [{"task": "chat", "share": 1.0}]}})
    edited = dataclasses.replace(
        scenario, workload=dataclasses.replace(scenario.workload, requests_per_day=2_000.0)
    )
    warnings = candidate_options(edited, catalog).warnings
    assert not any(w.startswith("workload.requests_per_day") for w in warnings)
