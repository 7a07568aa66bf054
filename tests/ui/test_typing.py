"""Keystroke-level data entry: every number and money field keeps exactly what was typed.

A buyer types key by key, pastes, selects all and types over, or deletes a digit in the
middle; in English, German and French locales (group separators ",", "." and a narrow
no-break space). The values are deliberately not round: 12345 once became 12,354 while
typing because the page re-showed the spin box and it re-inserted its group separator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.widgets.editors import NumberEdit, OptionalNumber

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
LOCALES = ("en_US", "de_DE", "fr_FR")


@dataclass(frozen=True)
class Field:
    """One numeric field: where it is, what to type (in "C" notation) and what it must hold."""

    page: int
    name: str
    find: Callable[[Any], NumberEdit]
    typed: str
    stored: float
    read: Callable[[Any], Any]


def _bound(path: str) -> Callable[[Any], NumberEdit]:
    def find(page: Any) -> NumberEdit:
        editor = page.editor_for(path)
        return editor.number if isinstance(editor, OptionalNumber) else editor

    return find


def _cell(rows: str, row: int, key: str) -> Callable[[Any], NumberEdit]:
    def find(page: Any) -> NumberEdit:
        table = getattr(page, rows)
        if table.row_count() <= row:
            table.add_button.click()
            QApplication.processEvents()  # a new row's editors are shown by a queued call
        editor = table.editors(row)[key]
        return editor.number if isinstance(editor, OptionalNumber) else editor

    return find


def _at(path: str) -> Callable[[Any], Any]:
    def read(scenario: Any) -> Any:
        for part in path.split("."):
            scenario = scenario[int(part)] if part.isdigit() else getattr(scenario, part)
        return scenario

    return read


def _plain(path: str, typed: str, stored: float, page: int) -> Field:
    return Field(page, path, _bound(path), typed, stored, _at(path))


W, T, H = 1, 2, 3
FIELDS = [
    _plain("workload.requests_per_day", "12345", 12345, W),
    _plain("workload.input_tokens_per_request", "164384", 164384, W),
    _plain("workload.output_tokens_per_request", "4321", 4321, W),
    _plain("workload.context_tokens", "16384", 16384, W),
    _plain("workload.monthly_growth", "2.5", 0.025, W),
    _plain("workload.reasoning_output_multiplier", "3.7", 3.7, W),
    _plain("workload.peak_to_average", "12.3", 12.3, W),
    _plain("workload.peak_hours_per_day", "6.5", 6.5, W),
    _plain("workload.ttft_ms_target", "1234", 1234, W),
    _plain("workload.tokens_per_s_per_user_target", "17.5", 17.5, W),
    _plain("workload.cached_input_share", "37.5", 0.375, W),
    _plain("workload.batch_share", "12.5", 0.125, W),
    _plain("workload.monthly_active_users", "2345678", 2345678, W),
    Field(W, "workload.tasks[0].share", _cell("tasks", 0, "share"), "62.5", 0.625,
          _at("workload.tasks.0.share")),
    _plain("team.api_share_of_time", "12.5", 0.125, T),
    _plain("team.hiring_months", "4.5", 4.5, T),
    _plain("team.maintenance_hours_per_month", "173", 173, T),
    Field(T, "team.roles[0].count", _cell("roles", 0, "count"), "2.5", 2.5,
          _at("team.roles.0.count")),
    Field(T, "team.roles[0].share_of_time", _cell("roles", 0, "share_of_time"), "62.5", 0.625,
          _at("team.roles.0.share_of_time")),
    Field(T, "team.roles[0].monthly_cost_usd", _cell("roles", 0, "monthly_cost_usd"), "18765",
          18765, _at("team.roles.0.monthly_cost_usd")),
    Field(H, "hardware.owned[0].count", _cell("owned", 0, "count"), "13", 13,
          _at("hardware.owned.0.count")),
    Field(H, "hardware.owned[0].age_years", _cell("owned", 0, "age_years"), "2.5", 2.5,
          _at("hardware.owned.0.age_years")),
    _plain("hardware.electricity_usd_per_kwh", "0.1375", 0.1375, H),
    _plain("hardware.pue", "1.37", 1.37, H),
    _plain("hardware.colocation_usd_per_kw_month", "1735", 1735, H),
    _plain("hardware.amortisation_years", "4.5", 4.5, H),
    _plain("preferences.horizon_months", "37", 37, H),
    _plain("preferences.usd_per_currency_unit", "1.1734", 1.1734, H),
]  # fmt: skip


@pytest.fixture(scope="module", params=LOCALES)
def locale(request: pytest.FixtureRequest) -> Iterator[QLocale]:
    before = QLocale()
    loc = QLocale(request.param)
    QLocale.setDefault(loc)
    yield loc
    QLocale.setDefault(before)


@pytest.fixture(scope="module")
def built_window(locale: QLocale, qapp: Any, catalog: Any) -> Iterator[Any]:
    """One main window per locale (building one per test would take most of the time)."""
    from ui.main_window import MainWindow

    w = MainWindow(catalog=catalog, autosave_ms=3_600_000)
    w.show()
    QTest.qWaitForWindowExposed(w)
    yield w
    w.state.mark_dirty(False)
    w.close()
    w.deleteLater()


@pytest.fixture
def app_window(built_window: Any) -> Any:
    """The locale's window with the retailer example freshly loaded."""
    built_window.state.mark_dirty(False)
    built_window.open_example(EXAMPLES / "online-retailer-chatbot.json")
    return built_window


def _localised(typed: str, loc: QLocale) -> str:
    """What a user of ``loc`` types for ``typed`` (no group separators: they are not typed)."""
    return typed.replace(".", loc.decimalPoint())


def _digits(text: str, loc: QLocale) -> str:
    return text.replace(loc.groupSeparator(), "")


def _open(window: Any, field: Field) -> NumberEdit:
    window.go_to(field.page)
    assert window.wizard.currentId() == field.page
    editor = field.find(window.wizard.currentPage())
    holder = editor.parentWidget()
    if isinstance(holder, OptionalNumber) and holder.check.isChecked():
        holder.check.click()  # use my own figure rather than the default
    assert editor.isEnabled() and editor.isVisible()
    editor.setFocus()
    QTest.keyClick(editor.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    return editor


def _finish(editor: NumberEdit) -> None:
    QTest.keyClick(editor.lineEdit(), Qt.Key.Key_Tab)  # leave the field as a user would


def _assert_holds(window: Any, editor: NumberEdit, field: Field) -> None:
    assert editor.value() == pytest.approx(field.stored, abs=1e-9)
    assert float(field.read(window.state.scenario)) == pytest.approx(field.stored, abs=1e-9)


FIELD_IDS = [f.name for f in FIELDS]


@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_typing_key_by_key_keeps_every_digit_in_place(
    app_window: Any, locale: QLocale, field: Field
) -> None:
    editor = _open(app_window, field)
    line = editor.lineEdit()
    typed = _localised(field.typed, locale)
    for n, ch in enumerate(typed, 1):
        QTest.keyClicks(line, ch)
        assert _digits(line.text(), locale) == typed[:n], f"after typing {typed[:n]!r}"
        assert line.cursorPosition() == len(line.text())
    _finish(editor)
    _assert_holds(app_window, editor, field)
    # Once left, the field shows the number in the locale's own notation.
    shown = locale.toString(field.stored * editor.factor, "f", editor.decimals())
    assert line.text() == shown


@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_pasting_a_number_with_group_separators_keeps_it(
    app_window: Any, locale: QLocale, field: Field
) -> None:
    editor = _open(app_window, field)
    pasted = locale.toString(field.stored * editor.factor, "f", editor.decimals())
    QApplication.clipboard().setText(pasted)
    QTest.keyClick(editor.lineEdit(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    _finish(editor)
    _assert_holds(app_window, editor, field)


@pytest.mark.parametrize("field", FIELDS, ids=FIELD_IDS)
def test_deleting_a_digit_in_the_middle_keeps_the_others(
    app_window: Any, locale: QLocale, field: Field
) -> None:
    editor = _open(app_window, field)
    line = editor.lineEdit()
    typed = _localised(field.typed, locale)
    cut = 1  # a stray digit in the whole part keeps the decimals within the box's limit
    QTest.keyClicks(line, typed[:cut] + "8" + typed[cut:])  # one stray digit
    QTest.keyClick(line, Qt.Key.Key_Home)
    for _ in range(cut + 1):
        QTest.keyClick(line, Qt.Key.Key_Right)
    QTest.keyClick(line, Qt.Key.Key_Backspace)
    assert _digits(line.text(), locale) == typed
    _finish(editor)
    _assert_holds(app_window, editor, field)


@pytest.mark.parametrize("field", FIELDS[:4], ids=FIELD_IDS[:4])
def test_typing_over_a_formatted_number_replaces_it(
    app_window: Any, locale: QLocale, field: Field
) -> None:
    editor = _open(app_window, field)
    line = editor.lineEdit()
    QTest.keyClicks(line, "98765")
    _finish(editor)
    assert locale.groupSeparator() in line.text()  # "98,765" / "98.765" / "98 765"
    editor.setFocus()
    QTest.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    for ch in _localised(field.typed, locale):
        QTest.keyClick(line, ch)
    _finish(editor)
    _assert_holds(app_window, editor, field)


def test_the_table_covers_every_number_field_of_every_page(app_window: Any) -> None:
    """A new number field must be added to FIELDS, so it gets typed into too."""
    listed: set[int] = set()
    for field in FIELDS:
        page = app_window.wizard.page(field.page)
        listed.add(id(field.find(page)))
    for page_id in (W, T, H):
        page = app_window.wizard.page(page_id)
        for editor in page.findChildren(NumberEdit):
            if not editor.isVisibleTo(page):
                continue  # a removed table row waiting to be deleted
            assert id(editor) in listed or not _in_first_row(editor), editor.accessibleName()


def _in_first_row(editor: NumberEdit) -> bool:
    # Table rows beyond the first repeat the first row's editors.
    name = editor.accessibleName() or editor.parentWidget().accessibleName()
    return "(row " not in name or "(row 1)" in name


def test_a_number_box_keeps_what_is_typed_while_its_wizard_page_is_re_shown(qtbot: Any) -> None:
    """Any page may still flip between complete and incomplete while a user types (a share
    that makes the total 100 %); QWizard then hides and re-shows the page's widgets."""
    from PySide6.QtWidgets import QVBoxLayout, QWizard, QWizardPage

    wizard = QWizard()
    page = QWizardPage()
    box = NumberEdit(maximum=1e11)
    QVBoxLayout(page).addWidget(box)
    wizard.addPage(page)
    wizard.addPage(QWizardPage())
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    box.set_value(70_000)
    box.valueChanged.connect(lambda _v: page.completeChanged.emit())
    box.setFocus()
    line = box.lineEdit()
    QTest.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(line, "1234567")
    assert line.text().replace(QLocale().groupSeparator(), "") == "1234567"
    assert box.value() == 1234567


def test_money_typed_in_euros_is_stored_in_us_dollars(app_window: Any, locale: QLocale) -> None:
    """With the scenario in EUR, money boxes show and take euros; the file keeps dollars."""
    from advisor.currency import exchange_rate

    window = app_window
    window.go_to(H)
    page = window.wizard.currentPage()
    page.editor_for("preferences.currency").set_value("EUR")  # as if picked in the list
    rate = exchange_rate("EUR").usd_per_unit
    field = next(f for f in FIELDS if f.name == "hardware.electricity_usd_per_kwh")
    editor = _open(window, field)
    assert "EUR per kWh" in editor.parentWidget().unit.text()
    for ch in _localised("0.1375", locale):
        QTest.keyClick(editor.lineEdit(), ch)
    _finish(editor)
    stored = window.state.scenario.hardware.electricity_usd_per_kwh
    assert float(stored) == pytest.approx(0.1375 * float(rate), rel=1e-9)
    assert editor.lineEdit().text() == locale.toString(0.1375, "f", 4)
    page.editor_for("preferences.currency").set_value("USD")
