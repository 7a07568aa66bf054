"""Break-even, crossover and ranking rest on the same horizon totals, so they never disagree."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.catalog.snapshot import Catalog
from advisor.recommend import evaluate
from advisor.recommend.result import Evaluation
from advisor.scenario import Preferences, Scenario, TaskShare, Team, Workload

TASK_MIXES = (
    (TaskShare("rag_qa", 1.0),),
    (TaskShare("extraction", 0.5), TaskShare("summarisation", 0.5)),
    (TaskShare("chat", 0.7), TaskShare("extraction", 0.3)),
)


def _pair(ev: Evaluation) -> tuple[float, float] | None:
    be = ev.break_even
    build = next((o for o in ev.options if o.name == be.build_option), None)
    buy = next((o for o in ev.options if o.name == be.buy_option), None)
    if build is None or buy is None:
        return None
    return float(build.horizon_cost_usd), float(buy.horizon_cost_usd)


def assert_consistent(ev: Evaluation) -> None:
    """The break-even statement agrees with the horizon totals the ranking used."""
    pair = _pair(ev)
    if pair is None:
        return
    build, buy = pair
    if abs(build - buy) < 1.0:  # a tie to the cent: either statement is true
        return
    be = ev.break_even
    if be.monthly_tokens is not None:
        at_or_below_today = be.monthly_tokens <= be.current_monthly_tokens * (1 + 1e-9)
        assert at_or_below_today == (build < buy), (be, build, buy)
    elif be.reason.startswith("never within the horizon"):
        assert build > buy, (be, build, buy)
    elif be.reason.startswith("building is cheaper"):
        assert build < buy, (be, build, buy)
    if build < buy and ev.recommendation is not None:
        # The rationale never claims the API is cheaper when the table says otherwise.
        assert not any("API stays cheaper" in line for line in ev.rationale)


scenarios = st.builds(
    lambda rpd, out, growth, hiring, months, rate, list_decline, follow, mix, share: Scenario(
        workload=Workload(
            tasks=mix,
            requests_per_day=rpd,
            output_tokens_per_request=out,
            monthly_growth=growth,
        ),
        team=Team(hiring_months=hiring),
        preferences=Preferences(
            horizon_months=months,
            discount_rate_per_year=rate,
            api_list_price_decline_per_year=list_decline,
            follow_capability_trend=follow,
            monte_carlo_draws=100,
        ),
    ),
    rpd=st.floats(100, 5e7),
    out=st.sampled_from((100.0, 300.0, 1000.0)),
    growth=st.sampled_from((0.0, 0.02, 0.08)),
    hiring=st.sampled_from((0.0, 3.0)),
    months=st.sampled_from((12, 36, 60)),
    rate=st.sampled_from((0.0, 0.08, 0.15)),
    list_decline=st.sampled_from((-0.3, 0.0, 0.5)),
    follow=st.booleans(),
    mix=st.sampled_from(TASK_MIXES),
    share=st.just(1.0),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_break_even_and_ranking_never_contradict_each_other(
    catalog: Catalog, scenario: Scenario
) -> None:
    assert_consistent(evaluate(scenario, catalog))


@pytest.mark.parametrize("list_decline", [0.0, 0.9])
def test_at_100_billion_tokens_a_month_recommendation_and_break_even_agree(
    catalog: Catalog, list_decline: float
) -> None:
    # 100B tokens a month: 2,300 tokens a request.
    rpd = 100e9 / 2_300 / 30.4375
    scenario = Scenario(
        workload=Workload(requests_per_day=rpd),
        preferences=Preferences(
            api_list_price_decline_per_year=list_decline, monte_carlo_draws=200
        ),
    )
    ev = evaluate(scenario, catalog)
    assert_consistent(ev)
    rec = ev.recommendation
    assert rec is not None
    pair = _pair(ev)
    assert pair is not None
    build, buy = pair
    if rec.kind in ("rented", "owned"):
        assert build <= buy
        assert ev.break_even.monthly_tokens is not None
        assert ev.break_even.monthly_tokens <= ev.monthly_tokens
    elif rec.kind == "api":
        assert buy <= build
        be = ev.break_even.monthly_tokens
        assert be is None or be > ev.monthly_tokens


def test_discounting_lowers_the_horizon_total_and_the_plain_sum_is_shown_too(
    catalog: Catalog,
) -> None:
    plain = evaluate(Scenario(preferences=Preferences(discount_rate_per_year=0.0)), catalog)
    npv = evaluate(Scenario(preferences=Preferences(discount_rate_per_year=0.1)), catalog)
    for a, b in zip(plain.options, npv.options, strict=False):
        if a.name == b.name:
            assert float(a.horizon_cost_usd) == pytest.approx(
                float(a.horizon_cost_undiscounted_usd), abs=1
            )
            assert b.horizon_cost_usd < b.horizon_cost_undiscounted_usd


def test_the_headline_lies_within_its_own_simulated_range_or_says_where(catalog: Catalog) -> None:
    ev = evaluate(Scenario(preferences=Preferences(monte_carlo_draws=2_000)), catalog)
    for r in ev.uncertainty.ranges:
        assert r.p10 <= r.p50 <= r.p90
        view = next(o for o in ev.options if o.name == r.option)
        assert r.base == view.horizon_cost_usd


def test_a_flat_or_falling_capability_trend_moves_api_and_rented_costs_alike(
    catalog: Catalog,
) -> None:
    keep = Scenario(preferences=Preferences(monte_carlo_draws=100))
    follow = dataclasses.replace(
        keep, preferences=dataclasses.replace(keep.preferences, follow_capability_trend=True)
    )
    a, b = evaluate(keep, catalog), evaluate(follow, catalog)
    api_a = next(o for o in a.options if o.kind == "api")
    api_b = next(o for o in b.options if o.kind == "api")
    # Following the trend makes tokens cheaper later but costs switching effort every refresh.
    assert any(p.component == "switching" for p in api_b.parts)
    assert not any(p.component == "switching" for p in api_a.parts)
    rented_a = [o for o in a.options if o.kind == "rented"]
    rented_b = {o.name: o for o in b.options if o.kind == "rented"}
    for o in rented_a:
        if o.name in rented_b:
            gpu = next(p for p in o.parts if p.component == "gpu_rental")
            assert gpu.monthly_usd > 0
            assert rented_b[o.name].horizon_cost_usd < o.horizon_cost_usd
