"""A full run to a PDF through the report page, then the spreadsheet and the desktop hand-offs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard


@pytest.mark.slow
def test_full_run_writes_a_pdf_then_opens_reveals_and_exports(
    qtbot, example, tmp_path, dialogs, shown_errors
) -> None:
    window = example
    nxt = window.wizard.button(QWizard.WizardButton.NextButton)
    for _ in range(5):
        qtbot.mouseClick(nxt, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: nxt.isEnabled(), timeout=20_000)
    qtbot.mouseClick(nxt, Qt.MouseButton.LeftButton)
    page = window.wizard.report
    assert window.wizard.currentPage() is page
    assert page.path_edit.text().endswith("customer-support-chatbot.pdf")
    pdf = tmp_path / "out" / "report.pdf"
    page.path_edit.setText(str(pdf))
    progress: list[int] = []
    page.progress.valueChanged.connect(progress.append)
    with qtbot.wait_signal(page.pdf_written, timeout=60_000):
        qtbot.mouseClick(page.generate, Qt.MouseButton.LeftButton)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert progress[-1] == 100 and len(progress) > 2
    assert page.open_button.isEnabled()
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.reveal_button, Qt.MouseButton.LeftButton)
    assert [u.toLocalFile() for u in dialogs.opened_urls] == [str(pdf), str(pdf.parent)]
    xlsx = tmp_path / "out" / "numbers.xlsx"
    dialogs.save_answer = xlsx
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.xlsx_button.isEnabled, timeout=30_000)
    assert shown_errors == []
    assert xlsx.read_bytes()[:2] == b"PK"


def test_a_failing_report_is_shown_as_a_message_not_a_crash(
    qtbot, example, monkeypatch, tmp_path, shown_errors
) -> None:
    import advisor.report

    def boom(*_a, **_k):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(advisor.report, "write_pdf", boom)
    page = example.wizard.report
    page.path_edit.setText(str(tmp_path / "r.pdf"))
    with qtbot.wait_signal(page.report_failed, timeout=30_000):
        page.start()
    assert "No space left" in page.message.text()
    assert shown_errors and shown_errors[0][1] == "Cannot write the report"
    assert page.generate.isEnabled()
