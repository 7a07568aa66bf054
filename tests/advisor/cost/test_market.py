"""The API market the engine chooses from: deprecated models, hosted open weights, per-request
pricing of long-context tiers, Google's batch discount and published API latency."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.capability import quality
from advisor.capability.model import Calibration
from advisor.catalog.records import ApiExtra
from advisor.catalog.snapshot import Catalog, with_records
from advisor.cost import inputs as cost_inputs
from advisor.cost.market import api_latency_notes, extra_matches
from advisor.cost.options import Context, api_candidates, api_cost_per_request
from advisor.recommend.evaluate import candidate_options
from advisor.scenario import Preferences, Scenario, TaskShare, Workload


def ctx_for(catalog: Catalog, scenario: Scenario) -> Context:
    return Context(
        scenario, catalog, cost_inputs.resolve(scenario, catalog), Calibration.from_catalog(catalog)
    )


def test_deprecated_api_models_are_left_out_unless_the_user_asks(catalog: Catalog) -> None:
    base = Scenario()
    default = {m.id for m in api_candidates(ctx_for(catalog, base))}
    asked = Scenario(preferences=Preferences(include_deprecated_api_models=True))
    included = {m.id for m in api_candidates(ctx_for(catalog, asked))}
    deprecated = {m.id for m in catalog.api_models if m.deprecated}
    assert "google/gemini-2.0-flash" in deprecated
    assert not default & deprecated
    assert "google/gemini-2.0-flash" in included


def test_no_deprecated_model_is_recommended_by_default(catalog: Catalog) -> None:
    cands = candidate_options(Scenario(preferences=Preferences(monte_carlo_draws=200)), catalog)
    deprecated = {f"api:{m.id}" for m in catalog.api_models if m.deprecated}
    for option in cands.options:
        assert not {r.model for r in option.routes} & deprecated, option.name


def test_a_hosted_open_weight_model_carries_its_open_models_scores(catalog: Catalog) -> None:
    hosted = quality.fit(catalog, "api:groq/llama-3.3-70b-versatile", "rag_qa")
    own = quality.fit(catalog, "llama-3.3-70b", "rag_qa")
    assert hosted.benchmark == own.benchmark and hosted.score == own.score
    # Served at FP8 (the id says so): the fp8 quality penalty applies, as on your own GPUs.
    fp8 = quality.fit(catalog, "api:cloudflare/@cf/meta/llama-3.3-70b-instruct-fp8-fast", "rag_qa")
    assert fp8.score == pytest.approx(quality.fit(catalog, "llama-3.3-70b", "rag_qa", "fp8").score)


def test_hosted_open_weight_apis_are_candidates(catalog: Catalog) -> None:
    ids = {m.id for m in api_candidates(ctx_for(catalog, Scenario()))}
    assert {"together/openai/gpt-oss-120b", "groq/llama-3.3-70b-versatile"} <= ids
    assert len(ids) >= 60


def test_a_long_prompt_is_priced_per_request_below_the_long_context_tier(catalog: Catalog) -> None:
    # 150K tokens a request is below Gemini 2.5 Pro's 200K tier; a month of them is far above.
    w = Workload(input_tokens_per_request=150_000, output_tokens_per_request=300)
    ctx = ctx_for(catalog, Scenario(workload=w))
    model = catalog.api_model("google/gemini-2.5-pro")
    (in_base, _), (out_base, _) = (
        model.standard.prices["input_mtok"],
        model.standard.prices["output_mtok"],
    )
    expected = (150_000 * float(in_base) + 300 * float(out_base)) / 1e6
    assert api_cost_per_request(ctx, model)[0] == pytest.approx(expected, rel=1e-12)


def test_googles_batch_discount_matches_gemini_models() -> None:
    assert extra_matches("gemini*", "gemini-1.5-pro")
    assert extra_matches("*", "anything")
    assert not extra_matches("gemini*", "gemma-3-27b-it")


def test_a_gemini_model_without_a_batch_price_gets_the_published_batch_discount(
    catalog: Catalog,
) -> None:
    model = catalog.api_model("google/gemini-1.5-pro")
    assert model.price_set("processing=batch") is None
    online = ctx_for(catalog, Scenario())
    batch = ctx_for(catalog, Scenario(workload=Workload(batch_share=1.0)))
    assert api_cost_per_request(batch, model)[0] == pytest.approx(
        0.5 * api_cost_per_request(online, model)[0]
    )


def test_api_latency_is_checked_where_published_and_said_not_checked_elsewhere(
    catalog: Catalog,
) -> None:
    flash_lite = catalog.api_model("google/gemini-2.5-flash-lite")
    other = catalog.api_model("openai/gpt-4.1-nano")
    slow_target = Scenario(workload=Workload(ttft_ms_target=100.0))
    notes = api_latency_notes(ctx_for(catalog, slow_target), [flash_lite, other])
    assert any("Flash Lite" in n and "misses the 100 ms target" in n for n in notes)
    assert any("not checked" in n and "4.1 nano" in n for n in notes)
    easy = Scenario(workload=Workload(ttft_ms_target=2_000.0))
    assert any(
        "meets the 2,000 ms" in n for n in api_latency_notes(ctx_for(catalog, easy), [flash_lite])
    )


def test_a_published_latency_record_is_matched_by_provider_and_model(catalog: Catalog) -> None:
    extra = ApiExtra(
        source="test",
        as_of="2026-01-01",
        id="x",
        provider="openai",
        model="gpt-4.1-nano",
        ttft_ms=500.0,
    )
    cat = with_records(catalog, api_extras=(*catalog.api_extras, extra))
    notes = api_latency_notes(
        ctx_for(cat, Scenario(workload=Workload(ttft_ms_target=400.0))),
        [cat.api_model("openai/gpt-4.1-nano")],
    )
    assert notes and "500 ms misses the 400 ms target" in notes[0]


def test_every_task_has_a_good_enough_api_model_among_many(catalog: Catalog) -> None:
    tasks = tuple(TaskShare(t, 1 / 7) for t in quality.task_names(catalog))
    ctx = ctx_for(catalog, Scenario(workload=dataclasses.replace(Workload(), tasks=tasks)))
    cands = api_candidates(ctx)
    for t in tasks:
        assert any(quality.fit(catalog, f"api:{m.id}", t.task).good_enough for m in cands), t.task
