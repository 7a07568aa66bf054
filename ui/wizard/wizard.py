"""The QWizard holding the seven steps, with a step list on the side."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget, QWizard

from ui.results.live import LiveEvaluator
from ui.wizard.hardware import HardwarePage
from ui.wizard.report_page import ReportPage
from ui.wizard.results_page import ResultsPage
from ui.wizard.review import ReviewPage
from ui.wizard.state import ScenarioState
from ui.wizard.team import TeamPage
from ui.wizard.welcome import WelcomePage
from ui.wizard.workload import WorkloadPage

STEPS = ("Welcome", "Workload", "Team", "Hardware", "Review", "Results", "Report")


class AdvisorWizard(QWizard):
    """Embedded in the main window as its central widget (so it never closes itself)."""

    def __init__(
        self, state: ScenarioState, live: LiveEvaluator, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Widget)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.setOption(QWizard.WizardOption.NoDefaultButton, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, True)  # the manual, at this page
        self.setButtonLayout(
            [
                QWizard.WizardButton.HelpButton,
                QWizard.WizardButton.Stretch,
                QWizard.WizardButton.BackButton,
                QWizard.WizardButton.NextButton,
            ]
        )
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Back")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Next >")
        self.welcome = WelcomePage(state)
        self.workload = WorkloadPage(state)
        self.team = TeamPage(state)
        self.hardware = HardwarePage(state)
        self.review = ReviewPage(state)
        self.results = ResultsPage(live)
        self.report = ReportPage(state, live)
        self.pages = [
            self.welcome,
            self.workload,
            self.team,
            self.hardware,
            self.review,
            self.results,
            self.report,
        ]
        for page in self.pages:
            self.addPage(page)
        self.steps = QListWidget()
        self.steps.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.steps.setFixedWidth(150)
        self.steps.setObjectName("steps")
        self.steps.setStyleSheet(
            "QListWidget#steps { border: none; background: transparent; font-size: 11pt; }"
            "QListWidget#steps::item { padding: 6px 8px; }"
            "QListWidget#steps::item:selected { background: #dce8f5; color: #0b3d6b;"
            " border-radius: 4px; font-weight: bold; }"
        )
        for i, name in enumerate(STEPS, 1):
            QListWidgetItem(f"{i}. {name}", self.steps)
        self.setSideWidget(self.steps)
        self.currentIdChanged.connect(self._step_changed)
        self._step_changed(self.currentId())

    def _step_changed(self, page_id: int) -> None:
        if 0 <= page_id < self.steps.count():
            self.steps.setCurrentRow(page_id)

    def go_to_start(self) -> None:
        self.restart()

    def done(self, result: int) -> None:
        # Embedded: Escape or a stray accept must not hide the wizard.
        return
