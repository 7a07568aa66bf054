"""The app's compare view: two shipped examples side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from advisor.recommend.summary import summary_sentence

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
PAIR = [EXAMPLES / "online-retailer-chatbot.json", EXAMPLES / "bank-on-premises.json"]


def test_tools_compare_shows_two_examples_side_by_side(
    window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, catalog: Any
) -> None:
    from advisor.recommend import evaluate
    from advisor.scenario import load_scenario
    from ui.compare_view import CompareDialogs

    monkeypatch.setattr(CompareDialogs, "pick_scenarios", staticmethod(lambda _p, _s: PAIR))
    window.act_compare.trigger()
    view = window.compare_view
    qtbot.waitUntil(lambda: view.comparison is not None, timeout=60_000)
    assert [view.table.horizontalHeaderItem(i).text() for i in range(2)] == [p.stem for p in PAIR]
    for column, path in enumerate(PAIR):
        ev = evaluate(load_scenario(path), catalog)
        assert view.cell("The answer", column) == summary_sentence(ev)
    assert view.cell("workload.data_residency", 0) == "any"
    assert view.cell("workload.data_residency", 1) == "on_premises"
    assert view.verdict.text().startswith("The answer changes")


def test_comparing_a_single_scenario_explains_that_two_are_needed(
    window: Any, monkeypatch: pytest.MonkeyPatch, shown_errors: list[tuple[str, str, str]]
) -> None:
    from ui.compare_view import CompareDialogs

    monkeypatch.setattr(CompareDialogs, "pick_scenarios", staticmethod(lambda _p, _s: PAIR[:1]))
    window.act_compare.trigger()
    assert shown_errors and "at least two" in shown_errors[-1][2]
