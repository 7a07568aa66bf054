"""Step 7: write the PDF report in the background, then open, reveal, export or email it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from advisor.paths import user_data_dir
from ui import worker
from ui.errors import describe, show_error
from ui.results.live import LiveEvaluator
from ui.wizard.state import ScenarioState


class ReportDialogs:
    """Dialogs and desktop hand-offs of the report page; tests replace these."""

    @staticmethod
    def save_path(parent: QWidget, title: str, suggested: Path, filter_: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), filter_)
        return Path(name) if name else None

    @staticmethod
    def open_url(url: QUrl) -> bool:
        return QDesktopServices.openUrl(url)


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60] or "report"


def default_report_path(name: str) -> Path:
    """Reports go to the user's Documents folder, where people look for them; a data folder
    moved with ADVISOR_DATA_DIR (a portable install, the tests) keeps them beside the rest."""
    if os.environ.get("ADVISOR_DATA_DIR"):
        folder = user_data_dir() / "reports"
    else:
        import platformdirs

        folder = Path(platformdirs.user_documents_dir()) / "LLM Sourcing Advisor"
    return folder / f"{slug(name)}.pdf"


def _evaluate(scenario: Any, catalog: Any) -> Any:
    from advisor.recommend.evaluate import evaluate

    return evaluate(scenario, catalog)


class ReportPage(QWizardPage):
    pdf_written = Signal(Path)
    xlsx_written = Signal(Path)
    report_failed = Signal(str)

    def __init__(
        self, state: ScenarioState, live: LiveEvaluator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.live = live
        self.pdf_path: Path | None = None
        self.evaluation: Any = None
        self._busy = False
        self.setTitle("Report")
        self.setSubTitle(
            "A PDF for colleagues and management: the recommendation, the numbers behind it, "
            "and the source and date of every price and spec used."
        )
        lay = QVBoxLayout(self)
        where = QHBoxLayout()
        label = QLabel("Save &to:")
        self.path_edit = QLineEdit()
        self.path_edit.setToolTip("Where the PDF report is written")
        label.setBuddy(self.path_edit)
        self.browse = QPushButton("C&hoose…")
        self.browse.clicked.connect(self._choose)
        where.addWidget(label)
        where.addWidget(self.path_edit, 1)
        where.addWidget(self.browse)
        lay.addLayout(where)

        self.generate = QPushButton("&Generate PDF report")
        self.generate.setDefault(False)
        self.generate.clicked.connect(self.start)
        lay.addWidget(self.generate)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setAccessibleName("Report progress")
        lay.addWidget(self.progress)
        self.message = QLabel("Not generated yet.")
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # paths and errors are user text
        self.message.setWordWrap(True)
        lay.addWidget(self.message)

        after = QHBoxLayout()
        self.open_button = QPushButton("&Open PDF")
        self.reveal_button = QPushButton("Show in &folder")
        self.xlsx_button = QPushButton("Export &spreadsheet…")
        self.email_button = QPushButton("&Email…")
        self.open_button.setToolTip("Open the report in your PDF viewer")
        self.reveal_button.setToolTip("Open the folder that holds the report")
        self.xlsx_button.setToolTip("The options, costs and inputs as an Excel workbook")
        self.email_button.setToolTip("Send the report by email")
        for b in (self.open_button, self.reveal_button, self.xlsx_button, self.email_button):
            b.setEnabled(False)
            after.addWidget(b)
        after.addStretch(1)
        lay.addLayout(after)
        lay.addStretch(1)
        self.open_button.clicked.connect(self.open_pdf)
        self.reveal_button.clicked.connect(self.reveal)
        self.xlsx_button.clicked.connect(self.export_xlsx)
        self.email_button.clicked.connect(self.email)
        state.scenario_changed.connect(self._scenario_changed)

    def initializePage(self) -> None:
        if not self.path_edit.text():
            self.path_edit.setText(str(default_report_path(self.state.scenario.name)))

    def _scenario_changed(self) -> None:
        if self.pdf_path is not None and not self._busy:
            self.message.setText("The scenario changed since this report; generate it again.")

    def _choose(self) -> None:
        path = ReportDialogs.save_path(
            self, "Save the report as", Path(self.path_edit.text()), "PDF (*.pdf)"
        )
        if path is not None:
            self.path_edit.setText(str(path.with_suffix(".pdf")))

    # --- generating ---------------------------------------------------------------------
    def start(self) -> None:
        """Write the PDF to the chosen path in the background."""
        if self._busy:
            return
        if self.state.errors():
            show_error(self, "Cannot write the report", "Fix the problems in the inputs first.")
            return
        text = self.path_edit.text().strip()
        path = Path(text).expanduser() if text else default_report_path(self.state.scenario.name)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        self.path_edit.setText(str(path))
        scenario, catalog = self.state.scenario, self.state.catalog
        if catalog is None:
            show_error(self, "Cannot write the report", "The catalog is still loading.")
            return
        current = self.live.evaluation if self.live.is_current() else None

        def op(progress: Any) -> Any:
            from advisor.report import write_pdf

            progress(0.02, "Evaluating the scenario…")
            ev = current if current is not None else _evaluate(scenario, catalog)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_pdf(ev, scenario, path, progress=progress)
            return ev

        self._busy = True
        self.generate.setEnabled(False)
        self.progress.setValue(0)
        self.message.setText("Writing the report…")
        worker.run(
            op,
            lambda ev: self._done(path, ev),
            self._failed,
            on_progress=self._progress,
            parent=self,
        )

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))
        if message:
            self.message.setText(message)

    def _done(self, path: Path, ev: Any) -> None:
        self._busy = False
        self.generate.setEnabled(True)
        self.pdf_path = path
        self.evaluation = ev
        self.progress.setValue(100)
        self.message.setText(f"Report written to {path}")
        for b in (self.open_button, self.reveal_button, self.xlsx_button, self.email_button):
            b.setEnabled(True)
        self.pdf_written.emit(path)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.generate.setEnabled(True)
        self.progress.setValue(0)
        if isinstance(exc, ImportError):
            text = "The report module is not available in this build."
        else:
            text = describe(exc)
        self.message.setText(f"The report could not be written: {text}")
        self.report_failed.emit(text)
        show_error(
            self, "Cannot write the report", exc if not isinstance(exc, ImportError) else text
        )

    # --- after ----------------------------------------------------------------------------
    def open_pdf(self) -> None:
        if self.pdf_path is not None and not ReportDialogs.open_url(
            QUrl.fromLocalFile(str(self.pdf_path))
        ):
            show_error(self, "Cannot open the report", f"No PDF viewer opened {self.pdf_path}.")

    def reveal(self) -> None:
        if self.pdf_path is not None and not ReportDialogs.open_url(
            QUrl.fromLocalFile(str(self.pdf_path.parent))
        ):
            show_error(self, "Cannot show the folder", f"Could not open {self.pdf_path.parent}.")

    def export_xlsx(self) -> None:
        if self.evaluation is None or self.pdf_path is None:
            return
        path = ReportDialogs.save_path(
            self, "Export the spreadsheet", self.pdf_path.with_suffix(".xlsx"), "Excel (*.xlsx)"
        )
        if path is None:
            return
        path = path.with_suffix(".xlsx")
        ev, scenario = self.evaluation, self.state.scenario

        def op() -> Path:
            from advisor.report import write_xlsx

            write_xlsx(ev, scenario, path)
            return path

        self.xlsx_button.setEnabled(False)
        self.message.setText("Writing the spreadsheet…")

        def ok(p: Path) -> None:
            self.xlsx_button.setEnabled(True)
            self.message.setText(f"Spreadsheet written to {p}")
            self.xlsx_written.emit(p)

        def fail(exc: BaseException) -> None:
            self.xlsx_button.setEnabled(True)
            self.message.setText("The spreadsheet could not be written.")
            show_error(self, "Cannot export the spreadsheet", exc)

        worker.run(op, ok, fail, parent=self)

    def email(self) -> None:
        if self.pdf_path is None:
            return
        try:
            from ui.email_dialog import EmailDialog
        except ImportError as exc:
            show_error(self, "Email is not available", f"The email dialog is missing ({exc}).")
            return
        try:
            EmailDialog(self.pdf_path, self.evaluation, self).exec()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            show_error(self, "Cannot send the report", exc)
