"""Compare saved scenarios side by side: what each recommends, and the inputs that differ."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from advisor.catalog.snapshot import Catalog
from advisor.compare import Comparison, compare
from advisor.report.format import tokens_words, usd
from advisor.scenario import load_scenario
from ui import worker
from ui.errors import show_error

FILE_FILTER = "Scenarios (*.json);;All files (*)"


class CompareDialogs:
    """The file question the compare view asks; tests replace it."""

    @staticmethod
    def pick_scenarios(parent: QWidget, start: str) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(
            parent, "Choose two or more scenarios to compare", start, FILE_FILTER
        )
        return [Path(n) for n in names]


def comparison_rows(c: Comparison) -> list[tuple[str, list[str]]]:
    """Row label and one cell per scenario: the results first, then the inputs that differ."""
    rows: list[tuple[str, list[str]]] = [("Scenario", [r.scenario_name for r in c.results])]
    rows.append(("The answer", [r.summary for r in c.results]))
    rows.append(("Monthly cost", [usd(r.monthly_cost_usd) for r in c.results]))
    rows.append(
        (
            "Cost over the horizon",
            [f"{usd(r.horizon_cost_usd)} over {r.horizon_months} months" for r in c.results],
        )
    )
    rows.append(("Tokens a month", [tokens_words(r.monthly_tokens) for r in c.results]))
    rows.append(
        (
            "Break-even volume",
            [
                f"{tokens_words(r.break_even_monthly_tokens)} tokens a month"
                if r.break_even_monthly_tokens
                else r.break_even_reason
                for r in c.results
            ],
        )
    )
    rows += [(d.field, list(d.values)) for d in c.differences]
    return rows


class CompareView(QDialog):
    """Two or more saved scenarios in columns; evaluated off the GUI thread."""

    compared = Signal()  # the table is filled (tests wait on it)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare scenarios")
        self.catalog = catalog
        self.comparison: Comparison | None = None
        lay = QVBoxLayout(self)
        self.verdict = QLabel("Choose two or more saved scenarios.")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.verdict)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setAccessibleName("Scenarios compared")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.choose = QPushButton("&Choose scenarios…")
        buttons.addButton(self.choose, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.choose.clicked.connect(self.choose_files)
        lay.addWidget(buttons)
        self.resize(1100, 640)

    def choose_files(self) -> None:
        paths = CompareDialogs.pick_scenarios(self, "")
        if paths:
            self.compare_files(paths)

    def compare_files(self, paths: Sequence[Path]) -> None:
        """Load and evaluate ``paths`` in the background, then fill the table."""
        if len(paths) < 2:
            show_error(self, "Compare scenarios", "Choose at least two scenarios to compare.")
            return
        self.verdict.setText("Evaluating " + ", ".join(p.name for p in paths) + "…")
        catalog = self.catalog

        def op() -> Comparison:
            scenarios = [(p.stem, load_scenario(p)) for p in paths]
            return compare(scenarios, catalog)

        worker.run(op, self.show_comparison, self._failed, parent=self)

    def _failed(self, exc: BaseException) -> None:
        self.verdict.setText("The comparison failed.")
        show_error(self, "Cannot compare the scenarios", exc)

    def show_comparison(self, c: Comparison) -> None:
        from advisor.compare_cli import verdict

        self.comparison = c
        self.verdict.setText(verdict(c))
        rows = comparison_rows(c)
        self.table.clear()
        self.table.setColumnCount(len(c.results))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels([r.label for r in c.results])
        self.table.setVerticalHeaderLabels([label for label, _cells in rows])
        for i, (_label, cells) in enumerate(rows):
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, j, item)
        self.compared.emit()

    def cell(self, row_label: str, column: int) -> Any:
        """The text in the row named ``row_label`` (tests and the self-test read it)."""
        for i in range(self.table.rowCount()):
            head = self.table.verticalHeaderItem(i)
            if head is not None and head.text() == row_label:
                item = self.table.item(i, column)
                return item.text() if item else None
        return None
