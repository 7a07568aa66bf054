"""The answer in one sentence: vendor, model and where it runs, then the costs."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.paths import bundled_path
from advisor.recommend import evaluate
from advisor.recommend.summary import NO_ANSWER, answer_text, summary_sentence
from advisor.scenario import load_scenario

EXAMPLES = bundled_path("resources") / "examples"


@pytest.fixture(scope="module")
def evaluations(catalog):  # type: ignore[no-untyped-def]
    out = {}
    for path in sorted(EXAMPLES.glob("*.json")):
        scenario = load_scenario(path)
        prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=200)
        out[path.stem] = evaluate(dataclasses.replace(scenario, preferences=prefs), catalog)
    return out


def _as_if(ev, option):  # type: ignore[no-untyped-def]
    return dataclasses.replace(ev, recommendation=option)


def test_an_api_answer_names_the_vendor_the_model_and_the_api(evaluations) -> None:  # type: ignore[no-untyped-def]
    ev = evaluations["online-retailer-chatbot"]
    rec = ev.recommendation
    assert rec.kind == "api"
    sentence = summary_sentence(ev)
    for route in rec.routes:
        assert route.vendor and route.vendor in sentence
        assert route.model_name in sentence
    assert "API" in sentence
    assert sentence.endswith(
        f"about ${rec.monthly_cost_usd:,.0f} a month, ${rec.horizon_cost_usd:,.0f} over "
        f"{ev.horizon_months} months."
    )


def test_an_own_gpu_answer_says_which_gpus_and_that_they_run_in_house(evaluations) -> None:  # type: ignore[no-untyped-def]
    ev = evaluations["bank-on-premises"]
    cap = ev.recommendation.capacity
    sentence = summary_sentence(ev)
    assert f"{cap.total_gpus} × {cap.gpu_name}" in sentence
    assert "your own data centre" in sentence
    assert ev.recommendation.routes[0].model_name in sentence


def test_a_rented_answer_names_the_cloud_it_runs_in(evaluations) -> None:  # type: ignore[no-untyped-def]
    for ev in evaluations.values():
        rented = next((o for o in ev.options if o.kind == "rented"), None)
        if rented is None:
            continue
        text = answer_text(_as_if(ev, rented))
        assert f"rented from {rented.capacity.provider}" in text
        assert rented.capacity.gpu_name in text
        return
    pytest.fail("no example has a rented option")


def test_a_hybrid_answer_splits_the_tasks_between_self_hosted_and_api(evaluations) -> None:  # type: ignore[no-untyped-def]
    ev = evaluations["online-retailer-chatbot"]
    hybrid = next(o for o in ev.options if o.kind == "hybrid")
    text = answer_text(_as_if(ev, hybrid))
    hosted = [r for r in hybrid.routes if r.self_hosted]
    bought = [r for r in hybrid.routes if not r.self_hosted]
    assert text.startswith("Self-host " + hosted[0].model_name)
    assert f"through {bought[0].vendor}'s API for" in text
    assert "Hybrid" not in text  # the kind is said in words, not repeated from the name


def test_without_an_allowed_option_the_sentence_says_so(evaluations) -> None:  # type: ignore[no-untyped-def]
    ev = _as_if(evaluations["bank-on-premises"], None)
    assert summary_sentence(ev) == NO_ANSWER
    assert answer_text(ev) == ""
