"""The results page's risk register and exclusions tabs."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import EXAMPLES
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from advisor.recommend.evaluate import evaluate
from advisor.scenario import load_scenario
from ui.results.deployability import DeployabilityTabs, ExclusionsModel, RiskRegisterModel


@pytest.fixture(scope="module")
def evaluation(catalog):  # type: ignore[no-untyped-def]
    scenario = load_scenario(EXAMPLES / "eu-insurer-claims.json")
    prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=300)
    return evaluate(dataclasses.replace(scenario, preferences=prefs), catalog)


def test_models_pass_the_qt_model_tester(qtmodeltester, evaluation) -> None:
    risks, excluded = RiskRegisterModel(), ExclusionsModel()
    risks.set_rows(evaluation.risk_register)
    excluded.set_rows(evaluation.exclusions)
    qtmodeltester.check(risks)
    qtmodeltester.check(excluded)
    assert excluded.rowCount() == len(evaluation.exclusions)


def test_tabs_count_and_show_the_reasons(qtbot, evaluation) -> None:
    tabs = DeployabilityTabs(QWidget())
    qtbot.addWidget(tabs)
    tabs.set_evaluation(evaluation)
    assert tabs.tabText(1) == f"Risk register ({len(evaluation.risk_register)})"
    assert tabs.tabText(2) == f"Excluded ({len(evaluation.exclusions)})"
    why = [tabs.excluded.index(r, 3).data() for r in range(tabs.excluded.rowCount())]
    assert any("No Datacenter Deployment" in w for w in why)
    # Options are shown by rank, like the options table.
    ranks = tabs.risks.index(0, 6).data()
    assert ranks.startswith("#")
    assert tabs.risks.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    tabs.set_evaluation(None)
    assert tabs.risks.rowCount() == 0 and tabs.tabText(2) == "Excluded (0)"


def test_the_wizard_sets_domicile_users_and_where_bought_gpus_run(qtbot, example) -> None:
    window = example
    workload, hardware = window.wizard.workload, window.wizard.hardware
    workload.editor_for("workload.organisation_domicile").set_value("eu")
    assert window.state.scenario.workload.organisation_domicile == "eu"
    users = workload.editor_for("workload.monthly_active_users")
    users.check.setChecked(False)
    users.number.setValue(800_000_000)
    assert window.state.scenario.workload.monthly_active_users == 800_000_000
    hardware.editor_for("hardware.deployment").set_value("workstation")
    hardware.editor_for("hardware.accept_consumer_gpu_risk").setChecked(True)
    hw = window.state.scenario.hardware
    assert hw.deployment == "workstation" and hw.accept_consumer_gpu_risk
