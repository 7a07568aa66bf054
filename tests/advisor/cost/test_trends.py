"""Month-by-month multipliers: price trends, model switching steps and discount factors."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.cost import trends


def test_a_flat_price_stays_at_one_every_month() -> None:
    assert np.all(trends.price_path(36, 0.0) == 1.0)


def test_a_price_falling_half_a_year_is_half_after_twelve_months() -> None:
    path = trends.price_path(25, 0.5)[0]
    assert path[0] == 1.0
    assert path[12] == pytest.approx(0.5)
    assert path[24] == pytest.approx(0.25)


def test_a_negative_decline_is_a_price_rise() -> None:
    assert trends.price_path(13, -0.5)[0][12] == pytest.approx(1.5)


def test_capability_prices_fall_only_at_each_switch() -> None:
    path = trends.switching_path(13, 0.9, 6.0)[0]
    assert np.all(path[:6] == 1.0)
    assert np.all(path[6:12] == pytest.approx(0.1**0.5))
    assert path[12] == pytest.approx(0.1)


def test_discounting_at_ten_percent_makes_a_dollar_in_a_year_worth_1_over_1_1() -> None:
    d = trends.discount_path(13, 0.10)[0]
    assert d[0] == 1.0
    assert d[12] == pytest.approx(1 / 1.1)
    assert trends.discount_at(12, 0.10)[0] == pytest.approx(1 / 1.1)


def test_rates_per_draw_give_one_row_per_draw() -> None:
    assert trends.price_path(10, np.array([0.0, 0.3, 0.9])).shape == (3, 10)
