"""The risk register and what the constraints left out, as Qt table models and one panel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView, QTabWidget, QWidget

from advisor.constraints.exclusion import Exclusion
from advisor.cost.risk import Level, Risk
from advisor.recommend.result import Evaluation
from advisor.report.deployability import KIND_LABELS

Index = QModelIndex | QPersistentModelIndex
Row = TypeVar("Row")
SEVERITY_COLOURS = {Level.HIGH: QColor("#b3261e"), Level.MEDIUM: QColor("#8a5a00")}


class _RowsModel(QAbstractTableModel, Generic[Row]):
    """A read-only table of records, one column per (header, text of a record)."""

    columns: Sequence[tuple[str, Callable[[Any], str]]] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()][1](row)
        return self.extra(row, index.column(), role)

    def extra(self, row: Row, column: int, role: int) -> Any:
        return None


class RiskRegisterModel(_RowsModel[Risk]):
    """The structured risks: category, severity, likelihood, impact, risk, mitigation, options."""

    columns = (
        ("Category", lambda r: r.category.label),
        ("Severity", lambda r: r.severity.label),
        ("Likelihood", lambda r: r.likelihood.label),
        ("Impact", lambda r: r.impact.label),
        ("Risk", lambda r: r.text),
        ("Mitigation", lambda r: r.mitigation),
        ("Options", lambda r: "; ".join(r.options)),  # shown as ranks, see data()
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ranks: dict[str, int] = {}

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The options column shows ranks (as in the options table); the tooltip names them.
        if index.isValid() and index.column() == 6 and role == Qt.ItemDataRole.DisplayRole:
            row = self.rows[index.row()]
            ranks = sorted(self.ranks[n] for n in row.options if n in self.ranks)
            return ", ".join(f"#{k}" for k in ranks) or "all"
        return super().data(index, role)

    def extra(self, row: Risk, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return SEVERITY_COLOURS.get(row.severity)
        return None


class ExclusionsModel(_RowsModel[Exclusion]):
    """What the scenario's rules left out: rule, kind, which, why."""

    columns = (
        ("Rule", lambda x: x.rule.label),
        ("What", lambda x: KIND_LABELS.get(x.kind, x.kind)),
        ("Which", lambda x: x.name),
        ("Why", lambda x: x.reason),
    )


def _table(
    model: QAbstractTableModel, name: str, stretch: Sequence[int], fixed: dict[int, int]
) -> QTableView:
    """A wrapped, read-only table: short columns fit their text, long ones share the width."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.verticalHeader().hide()
    # Rows follow the wrapped text as columns change width.
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setAlternatingRowColors(True)
    view.setWordWrap(True)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    head = view.horizontalHeader()
    head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for col in stretch:
        head.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
    for col, width in fixed.items():
        head.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        head.resizeSection(col, width)
    return view


class DeployabilityTabs(QTabWidget):
    """Tabs below the options table: the charts, the risk register and what was excluded."""

    def __init__(self, charts: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.risks = RiskRegisterModel(self)
        self.excluded = ExclusionsModel(self)
        self.risk_view = _table(self.risks, "Risk register", (4, 5), {6: 110})
        self.excluded_view = _table(self.excluded, "Excluded options and offers", (3,), {2: 300})
        # No frame around the pages: the tab bar already costs height on a 720-pixel screen.
        self.setDocumentMode(True)
        self.addTab(charts, "Charts")
        self.addTab(self.risk_view, "Risk register")
        self.addTab(self.excluded_view, "Excluded")

    def set_evaluation(self, ev: Evaluation | None) -> None:
        self.risks.ranks = {o.name: o.rank for o in ev.options} if ev else {}
        self.risks.set_rows(ev.risk_register if ev else ())
        self.excluded.set_rows(ev.exclusions if ev else ())
        self.setTabText(1, f"Risk register ({self.risks.rowCount()})")
        self.setTabText(2, f"Excluded ({self.excluded.rowCount()})")
