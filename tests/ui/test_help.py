"""The manual: reachable from every page with F1 and the Help button, at that page's section."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard

from advisor.scenario.fields import field_docs
from ui.help import GLOSSARY, PAGE_ANCHORS, manual_html


def test_f1_on_every_page_opens_the_manual_at_that_pages_section(example: Any, qtbot: Any) -> None:
    window = example
    qtbot.waitUntil(window.live.is_current, timeout=30_000)  # the results page needs them
    for page_id, anchor in enumerate(PAGE_ANCHORS):
        window.go_to(page_id)
        assert window.wizard.currentId() == page_id
        focus = window.focusWidget() or window
        QTest.keyClick(focus, Qt.Key.Key_F1)
        dialog = window.help_dialog
        assert dialog is not None and dialog.isVisible(), page_id
        assert dialog.anchor == anchor
        dialog.close()


def test_the_wizards_help_button_opens_the_manual(example: Any) -> None:
    window = example
    window.go_to(2)
    window.wizard.button(QWizard.WizardButton.HelpButton).click()
    assert window.help_dialog.isVisible() and window.help_dialog.anchor == "team"


def test_the_manual_explains_every_field_chart_and_term() -> None:
    html = manual_html()
    for d in field_docs():
        assert f"<code>{d.path}</code>" in html
    for anchor in (*PAGE_ANCHORS, "method", "charts", "sources", "glossary", "fields"):
        assert f"<a name='{anchor}'></a>" in html
    for chart in ("Cost breakdown", "Crossover", "What changes the answer", "Uncertainty"):
        assert f"<h3>{chart}</h3>" in html
    assert all(term.split(" (")[0] in html for term, _ in GLOSSARY)
