"""The results page: the options table model, the charts and the live re-evaluation."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import EXAMPLES

from advisor.recommend.evaluate import evaluate
from advisor.scenario import load_scenario
from ui.results.table_model import OptionsModel


@pytest.fixture(scope="module")
def evaluation(catalog):  # type: ignore[no-untyped-def]
    return evaluate(load_scenario(EXAMPLES / "online-retailer-chatbot.json"), catalog)


def test_options_model_passes_the_qt_model_tester(qtmodeltester, evaluation) -> None:
    model = OptionsModel()
    model.set_evaluation(evaluation)
    qtmodeltester.check(model)
    assert model.rowCount() == len(evaluation.options)
    assert model.index(0, 0).data() == "1"
    model.set_evaluation(None)
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_charts_draw_an_evaluation_and_clear_for_none(qtbot, evaluation) -> None:
    from ui.results.charts import ChartsPanel

    panel = ChartsPanel()
    qtbot.addWidget(panel)
    panel.set_evaluation(evaluation)
    assert panel.breakdown.getPlotItem().listDataItems() or panel.breakdown.getPlotItem().items
    assert len(panel.crossover.getPlotItem().listDataItems()) == len(evaluation.crossover.series)
    panel.set_evaluation(None)
    assert panel.crossover.getPlotItem().listDataItems() == []


def test_changing_an_input_recomputes_in_the_background(qtbot, example) -> None:
    window = example
    live = window.live
    qtbot.waitUntil(live.is_current, timeout=20_000)
    before = live.evaluation.monthly_requests
    s = window.state.scenario
    with qtbot.wait_signal(live.evaluation_changed, timeout=20_000):
        window.state.set_scenario(
            dataclasses.replace(s, workload=dataclasses.replace(s.workload, requests_per_day=5000))
        )
    qtbot.waitUntil(live.is_current, timeout=20_000)
    assert live.evaluation.monthly_requests == pytest.approx(before / 10)


def test_results_of_a_stale_scenario_are_dropped(qtbot, example) -> None:
    window = example
    live = window.live
    qtbot.waitUntil(live.is_current, timeout=20_000)
    s = window.state.scenario
    for rpd in (1000, 2000, 3000, 4000):
        window.state.set_scenario(
            dataclasses.replace(s, workload=dataclasses.replace(s.workload, requests_per_day=rpd))
        )
    qtbot.waitUntil(live.is_current, timeout=30_000)
    assert live.revision == window.state.revision
    assert live.evaluation.monthly_requests == pytest.approx(window.state.scenario.monthly_requests)


def test_invalid_input_clears_the_results_with_a_reason(qtbot, example) -> None:
    window = example
    s = window.state.scenario
    with qtbot.wait_signal(window.live.evaluation_changed, timeout=20_000) as blocker:
        window.state.set_scenario(
            dataclasses.replace(s, workload=dataclasses.replace(s.workload, requests_per_day=0))
        )
    assert blocker.args == [None]
    assert window.live.status == "invalid"
    assert "Fix 1 problem" in window.live.message
