"""The monthly series rebuilt from an Evaluation add up to the engine's horizon totals."""

from __future__ import annotations

import pytest

from advisor.report.monthly import all_months

from .conftest import EXAMPLE_NAMES, Examples


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_monthly_cost_lines_add_up_to_the_engines_horizon_total(
    examples: Examples, name: str
) -> None:
    scenario, ev = examples.scenario_and_evaluation(name)
    drv, months = all_months(ev, scenario)
    assert drv.months == ev.horizon_months
    for m in months:
        assert len(m.totals) == ev.horizon_months
        # Components are rounded to cents before they reach the Evaluation: a few cents a
        # month over the horizon is all the difference there may be.
        assert m.total == pytest.approx(
            float(m.option.horizon_cost_undiscounted_usd), abs=0.05 * drv.months
        )


def test_a_build_that_must_hire_first_pays_the_api_until_it_goes_live(examples: Examples) -> None:
    scenario, ev = examples.scenario_and_evaluation("online-retailer-chatbot")
    assert scenario.team.hiring_months == 3
    _, months = all_months(ev, scenario)
    build = next(m for m in months if m.option.kind == "rented")
    bridging = next(line for line in build.lines if line.component == "api_bridging")
    rental = next(line for line in build.lines if line.component == "gpu_rental")
    assert all(v > 0 for v in bridging.values[:3]) and not any(bridging.values[3:])
    assert not any(rental.values[:3]) and all(v > 0 for v in rental.values[3:])
