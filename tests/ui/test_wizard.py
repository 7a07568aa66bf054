"""Driving the wizard like a user: Next through every page, and odd input on each page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard


def next_button(window):  # type: ignore[no-untyped-def]
    return window.wizard.button(QWizard.WizardButton.NextButton)


def click_next(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    before = window.wizard.currentId()
    assert next_button(window).isEnabled(), window.wizard.currentPage().page_message.text()
    qtbot.mouseClick(next_button(window), Qt.MouseButton.LeftButton)
    assert window.wizard.currentId() == before + 1


def test_next_walks_every_page_to_ranked_results(qtbot, example, shown_errors) -> None:
    window = example
    titles = []
    for _ in range(4):
        titles.append(window.wizard.currentPage().title())
        click_next(qtbot, window)
    assert titles == ["Welcome", "Workload", "Team", "Hardware"]
    assert "Customer support chatbot" in window.wizard.review.summary.toPlainText()
    click_next(qtbot, window)
    results = window.wizard.results
    qtbot.waitUntil(lambda: window.live.is_current(), timeout=20_000)
    assert results.model.rowCount() == len(window.live.evaluation.options) > 1
    assert "Recommended" in results.headline.text()
    assert results.charts is not None
    assert next_button(window).isEnabled()
    click_next(qtbot, window)
    assert window.wizard.currentPage() is window.wizard.report
    assert shown_errors == []


def _set_share_of_first_task(page, value: float) -> None:  # type: ignore[no-untyped-def]
    page.tasks.editors(0)["share"].setValue(value)


@pytest.mark.parametrize(
    ("page", "path", "edit", "expected"),
    [
        (0, "name", lambda p: p.editor_for("name").setText("x" * 201), "longer than 200"),
        (1, "workload.tasks", lambda p: _set_share_of_first_task(p, 50), "not 100%"),
        (
            1,
            "workload.requests_per_day",
            lambda p: p.editor_for("workload.requests_per_day").setValue(0),
            "between 1 and 10 billion",
        ),
        (
            1,
            "workload.peak_hours_per_day",
            lambda p: p.editor_for("workload.peak_hours_per_day").setValue(20),
            "exceeds a day's requests",
        ),
        (
            2,
            "team.roles",
            lambda p: p.roles.editors(0)["share_of_time"].setValue(150),
            "Row 1, share of time: must be a share of time between 0 and 1",
        ),
        (
            2,
            "team.hiring_months",
            lambda p: p.editor_for("team.hiring_months").setValue(-2),
            "between 0 and 60",
        ),
        (
            3,
            "hardware.amortisation_years",
            lambda p: p.editor_for("hardware.amortisation_years").setValue(0.1),
            "between 0.5 and 15",
        ),
        (
            3,
            "hardware.pue",
            lambda p: (p.pue.check.setChecked(False), p.pue.number.setValue(5)),
            "between 1 and 3",
        ),
    ],
)
def test_invalid_input_disables_next_and_is_explained_next_to_the_field(
    qtbot, example, page, path, edit, expected
) -> None:
    window = example
    for _ in range(page):
        click_next(qtbot, window)
    current = window.wizard.currentPage()
    assert next_button(window).isEnabled()
    with qtbot.wait_signal(current.completeChanged):
        edit(current)
    assert not next_button(window).isEnabled()
    assert expected in current.message_for(path)
    assert current.findChild(type(current._rows[path].message), "fieldMessage") is not None
    # Undo brings Next back: nothing the user typed was thrown away meanwhile.
    window.state.set_scenario(window.state.scenario)  # no-op keeps state
    assert not current.isComplete()


def test_typing_a_number_updates_the_scenario_and_the_derived_volume(qtbot, example) -> None:
    window = example
    click_next(qtbot, window)
    page = window.wizard.workload
    box = page.editor_for("workload.requests_per_day")
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), "1000")
    assert window.state.scenario.workload.requests_per_day == 1000
    assert "30,438 requests" in page.volume.text()
    assert window.state.dirty


def test_adding_and_removing_task_rows_keeps_shares_checked(qtbot, example) -> None:
    window = example
    click_next(qtbot, window)
    page = window.wizard.workload
    qtbot.mouseClick(page.tasks.add_button, Qt.MouseButton.LeftButton)
    assert len(window.state.scenario.workload.tasks) == 3
    page.tasks.editors(2)["task"].set_value("chat")
    page.tasks.editors(2)["task"].edited.emit()
    assert "listed twice" in page.message_for("workload.tasks")
    assert not next_button(window).isEnabled()
    remove = page.tasks._removers[2]
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert len(window.state.scenario.workload.tasks) == 2
    assert next_button(window).isEnabled()


def test_optional_fields_use_the_catalog_default_until_unticked(qtbot, example) -> None:
    window = example
    for _ in range(3):
        click_next(qtbot, window)
    page = window.wizard.hardware
    assert window.state.scenario.hardware.pue is None
    assert page.pue.number.value() == pytest.approx(1.56)
    page.pue.check.setChecked(False)
    assert window.state.scenario.hardware.pue == pytest.approx(1.56)
    page.electricity.check.setChecked(False)
    page.electricity.number.setValue(0.2)
    assert str(window.state.scenario.hardware.electricity_usd_per_kwh) == "0.2"


def test_team_page_shows_the_catalog_cost_for_the_region(qtbot, example) -> None:
    window = example
    for _ in range(2):
        click_next(qtbot, window)
    page = window.wizard.team
    cost = page.roles.editors(0)["monthly_cost_usd"]
    uk = cost.check.text()
    page.region.set_value("us")
    assert cost.check.text() != uk
    assert cost.check.text().startswith("Catalog ($")


def test_every_input_has_a_tooltip_and_a_mnemonic_label(example) -> None:
    window = example
    for page in window.wizard.pages[:4]:
        for path, row in page._rows.items():
            assert row.editor.toolTip() or path.endswith(("tasks", "roles", "owned")), path
    from PySide6.QtWidgets import QLabel

    buddies = [
        lab for page in window.wizard.pages[:4] for lab in page.findChildren(QLabel) if lab.buddy()
    ]
    assert buddies and all("&" in lab.text() for lab in buddies)
