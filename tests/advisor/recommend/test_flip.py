"""Decision tornado: the move of each input that changes the recommendation, found by bisection."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from advisor.paths import bundled_path
from advisor.recommend import evaluate
from advisor.recommend.flip import decision_flips
from advisor.recommend.uncertainty import Driver
from advisor.scenario import load_scenario

EXAMPLES = bundled_path("resources") / "examples"


def _driver(key: str, low: float, base: float, high: float, kind: str = "multiplier") -> Driver:
    return Driver(key, key.title(), low, base, high, kind, "assumption")


def _linear(costs: list[tuple[float, float, str]]):  # type: ignore[no-untyped-def]
    """Options costing ``a + b * draws[key]`` over the horizon."""

    def totals(draws: dict[str, np.ndarray]) -> np.ndarray:
        cols = [a + b * draws[key] for a, b, key in costs]
        return np.stack(cols, axis=1)

    return totals


def test_a_multiplier_flips_where_the_two_costs_cross() -> None:
    # A: 100 + 10x, B: 150 flat. Today (x = 1) A is cheaper; from x = 5 on, B is.
    totals = _linear([(100.0, 10.0, "volume"), (150.0, 0.0, "volume")])
    (flip,) = decision_flips(totals, [_driver("volume", 0.5, 1.0, 2.0)], ["A", "B"], [0, 1])
    assert flip.down.value is None and flip.down.new_choice is None
    assert flip.up.value == pytest.approx(5.0, rel=1e-6)
    assert flip.up.new_choice == "B"
    # Moves are counted in plausible moves: log(5) / log(2) doublings.
    assert flip.up.ranges == pytest.approx(math.log(5.0) / math.log(2.0), rel=1e-6)
    assert flip.nearest is flip.up
    assert flip.describe(flip.up) == "×5.00"


def test_a_yearly_rate_flips_where_the_costs_cross_in_its_own_units() -> None:
    # A: 100 - 50r, B: 80. Today (r = 0.5) A costs 75; below r = 0.4 B is cheaper.
    totals = _linear([(100.0, -50.0, "api_price"), (80.0, 0.0, "api_price")])
    d = _driver("api_price", 0.3, 0.5, 0.6, kind="api_decline")
    (flip,) = decision_flips(totals, [d], ["A", "B"], [0, 1])
    assert flip.up.value is None
    assert flip.down.value == pytest.approx(0.4, abs=1e-7)
    assert flip.down.ranges == pytest.approx(0.1 / 0.2, rel=1e-5)
    assert flip.describe(flip.down) == "from 50% to 40% a year"


def test_an_option_that_is_not_allowed_never_becomes_the_answer() -> None:
    totals = _linear([(100.0, 10.0, "volume"), (150.0, 0.0, "volume"), (1.0, 0.0, "volume")])
    (flip,) = decision_flips(totals, [_driver("volume", 0.5, 1.0, 2.0)], ["A", "B", "C"], [0, 1])
    assert flip.up.new_choice == "B"


def test_nothing_flips_within_the_search_limit_when_one_option_always_wins() -> None:
    totals = _linear([(100.0, 1.0, "volume"), (1e9, 0.0, "volume")])
    (flip,) = decision_flips(totals, [_driver("volume", 0.5, 1.0, 2.0)], ["A", "B"], [0, 1])
    assert flip.nearest is None
    assert flip.up.limit == pytest.approx(100.0) and flip.down.limit == pytest.approx(0.01)


def test_drivers_are_ordered_by_the_smallest_move_that_changes_the_decision() -> None:
    totals = _linear([(100.0, 10.0, "volume"), (115.0, 0.0, "volume"), (0.0, 0.0, "perf")])
    drivers = [_driver("perf", 0.9, 1.0, 1.4), _driver("volume", 0.5, 1.0, 2.0)]
    flips = decision_flips(totals, drivers, ["A", "B", "C"], [0, 1])
    assert [f.key for f in flips] == ["volume", "perf"]


def _bank(catalog, volume: float):  # type: ignore[no-untyped-def]
    scenario = load_scenario(EXAMPLES / "bank-on-premises.json")
    prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=200)
    work = dataclasses.replace(
        scenario.workload, requests_per_day=scenario.workload.requests_per_day * volume
    )
    return evaluate(dataclasses.replace(scenario, preferences=prefs, workload=work), catalog)


@pytest.fixture(scope="module")
def bank(catalog):  # type: ignore[no-untyped-def]
    return _bank(catalog, 1.0)


@pytest.fixture(scope="module", params=[1.0, 6.0], ids=["as-is", "6x-volume"])
def banks(request, catalog):  # type: ignore[no-untyped-def]
    """The bank as shipped (nothing flips within the search limits) and at six times its
    volume (a flip exists). Between them (e.g. 2.5x or 4x) two owned options on the same A100s
    cost within 1 % of each other and the cheaper one alternates with volume, so a flip found
    near the base can be undone again at the range's end."""
    return request.param, _bank(catalog, request.param)


def test_the_evaluation_carries_one_flip_per_uncertain_input(bank) -> None:  # type: ignore[no-untyped-def]
    assert {f.key for f in bank.decision_flips} == {b.key for b in bank.sensitivity}
    assert bank.to_json()["decision_flips"][0]["key"] == bank.decision_flips[0].key


def test_flips_agree_with_the_low_and_high_sensitivity_runs(banks) -> None:  # type: ignore[no-untyped-def]
    """Where the low or high value already changes the choice, the flip lies within the range;
    where a flip lies within the range, the low or high run changes the choice too."""
    volume, bank = banks
    rec = bank.recommendation.name
    by_key = {f.key: f for f in bank.decision_flips}
    checked = 0
    for bar in bank.sensitivity:
        flip = by_key[bar.key]
        for end_choice, point in ((bar.low_choice, flip.down), (bar.high_choice, flip.up)):
            if end_choice != rec:
                assert point.ranges is not None and point.ranges <= 1.0 + 1e-6, bar.key
                checked += 1
            elif point.ranges is not None and point.ranges < 1.0:
                pytest.fail(f"{bar.key}: flips at {point.ranges:.2f} ranges but not at the end")
    # As shipped, nothing changes the bank's answer within the search limits; at six times the
    # volume something does.
    assert any(f.nearest is not None for f in bank.decision_flips) == (volume > 1.0)
    assert checked == 0  # no low or high end of a range changes the answer in either case
