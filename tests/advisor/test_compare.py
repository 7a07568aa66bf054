"""Scenarios side by side: the inputs that differ and what each recommends."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.compare import compare, differing_inputs
from advisor.errors import InputError
from advisor.paths import bundled_path
from advisor.recommend.summary import summary_sentence
from advisor.scenario import load_scenario

EXAMPLES = bundled_path("resources") / "examples"


def _few_draws(scenario):  # type: ignore[no-untyped-def]
    prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=200)
    return dataclasses.replace(scenario, preferences=prefs)


@pytest.fixture(scope="module")
def today():  # type: ignore[no-untyped-def]
    return _few_draws(load_scenario(EXAMPLES / "online-retailer-chatbot.json"))


def _grown(s, factor: float):  # type: ignore[no-untyped-def]
    work = dataclasses.replace(s.workload, requests_per_day=s.workload.requests_per_day * factor)
    return dataclasses.replace(s, name=f"{s.name} x{factor:g}", workload=work)


def test_only_the_inputs_that_differ_are_listed_with_each_scenarios_value(today) -> None:  # type: ignore[no-untyped-def]
    diffs = differing_inputs([today, _grown(today, 3)])
    assert [d.field for d in diffs] == ["name", "workload.requests_per_day"]
    assert diffs[1].values == ("50000", "150000")


def test_a_table_row_present_in_one_scenario_only_shows_a_dash_in_the_other(today) -> None:  # type: ignore[no-untyped-def]
    bank = load_scenario(EXAMPLES / "bank-on-premises.json")
    diffs = {d.field: d.values for d in differing_inputs([today, bank])}
    assert diffs["hardware.owned[0].count"] == ("—", "16")
    assert "hardware.owned" not in diffs  # no "none | —" row next to the row's own fields
    assert "notes" not in diffs  # free text says nothing about the decision


def test_two_examples_compared_give_each_answer_cost_and_break_even(today, catalog) -> None:  # type: ignore[no-untyped-def]
    from advisor.recommend import evaluate

    bank = _few_draws(load_scenario(EXAMPLES / "bank-on-premises.json"))
    c = compare([("retailer", today), ("bank", bank)], catalog)
    assert not c.same_answer
    retailer_ev, bank_ev = evaluate(today, catalog), evaluate(bank, catalog)
    for result, ev in zip(c.results, (retailer_ev, bank_ev), strict=True):
        assert result.summary == summary_sentence(ev)
        assert result.monthly_cost_usd == ev.recommendation.monthly_cost_usd
        assert result.horizon_cost_usd == ev.recommendation.horizon_cost_usd
        assert result.break_even_monthly_tokens == ev.break_even.monthly_tokens
    data = c.to_json()
    assert [s["label"] for s in data["scenarios"]] == ["retailer", "bank"]
    assert data["scenarios"][1]["kind"] == "owned"


def test_the_same_answer_at_a_bit_more_volume_is_reported_as_the_same(today, catalog) -> None:  # type: ignore[no-untyped-def]
    c = compare([("today", today), ("more", _grown(today, 1.2))], catalog)
    assert c.same_answer
    assert c.results[1].monthly_cost_usd > c.results[0].monthly_cost_usd


def test_one_scenario_or_a_bad_one_is_an_input_error_naming_it(today, catalog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="at least two"):
        compare([("only", today)], catalog)
    bad = dataclasses.replace(today, workload=dataclasses.replace(today.workload, batch_share=2.0))
    with pytest.raises(InputError, match=r"bad: workload\.batch_share"):
        compare([("good", today), ("bad", bad)], catalog)
