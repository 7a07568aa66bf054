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


def test_chart_axes_read_as_money_and_tokens_a_month(qtbot) -> None:
    from ui.results.charts import money_axis, volume_axis

    money = money_axis("left")
    assert money.tickStrings([0.0, 5_000.0, 1_500_000.0], 1.0, 1.0) == ["$0", "$5.00k", "$1.50M"]
    volume = volume_axis("bottom")
    volume.setLogMode(True)
    # Log ticks at powers of ten only over a wide range: no stacked 2·10⁴/5·10⁴ labels.
    (major,) = volume.tickValues(6.0, 12.0, 800.0)
    assert major[1] == [6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]
    assert volume.tickStrings([6.0, 9.0], 1.0, 1.0) == ["1M", "1G"]


def test_series_labels_do_not_repeat_the_kind() -> None:
    from ui.results.charts import series_label

    assert series_label("hybrid", "Hybrid: Qwen2.5 7B on 3 x L4") == "Hybrid: Qwen2.5 7B on 3 x L4"
    assert series_label("rented", "Qwen3 8B on 4 x L40S") == "Rent: Qwen3 8B on 4 x L40S"
    assert series_label("api", "Buy: cheapest API") == "Buy: cheapest API"


def test_the_decision_tornado_draws_each_flip_and_names_the_new_answer(qtbot, catalog) -> None:
    import pyqtgraph as pg

    from ui.results.charts import ChartsPanel

    ev = evaluate(load_scenario(EXAMPLES / "online-retailer-chatbot.json"), catalog)
    panel = ChartsPanel()
    qtbot.addWidget(panel)
    panel.set_evaluation(ev)
    points = [p for f in ev.decision_flips for p in (f.down, f.up) if p.new_choice is not None]
    assert points  # the retailer's answer changes with request volume
    bars = [i for i in panel.tornado.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    assert len(bars) == len(points)
    note = panel.legends[panel.tornado].note
    for p in points:
        assert p.new_choice in note
    unchanged = [f.label for f in ev.decision_flips if f.nearest is None]
    assert all(label in note for label in unchanged)


def test_the_headline_says_the_answer_first(qtbot, example) -> None:
    from html import escape

    from advisor.recommend.summary import summary_sentence

    window = example
    qtbot.waitUntil(window.live.is_current, timeout=20_000)
    window.go_to(5)
    headline = window.wizard.results.headline.text()
    assert escape(summary_sentence(window.live.evaluation)) in headline
    ev = window.live.evaluation
    assert ev is not None and ev.recommendation is not None and ev.recommendation.routes
    vendor = ev.recommendation.routes[0].vendor
    assert vendor and escape(vendor) in headline  # the answer names its vendor
