"""The ranked options as a Qt table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from advisor.recommend.result import Evaluation, OptionView

KIND_LABELS = {"api": "Buy (API)", "rented": "Rent GPUs", "owned": "Own GPUs", "hybrid": "Hybrid"}

Index = QModelIndex | QPersistentModelIndex


def _gpus(o: OptionView) -> str:
    c = o.capacity
    return f"{c.total_gpus} × {c.gpu_name}" if c else "—"


def _util(o: OptionView) -> str:
    return f"{o.capacity.utilisation:.0%}" if o.capacity else "—"


COLUMNS: list[tuple[str, Any, Any, str]] = [
    # header, display, sort key, tooltip
    ("#", lambda o: str(o.rank), lambda o: o.rank, "Rank: cheapest allowed option first"),
    ("Option", lambda o: o.name, lambda o: o.name, "How the capability is obtained"),
    ("Kind", lambda o: KIND_LABELS.get(o.kind, o.kind), lambda o: o.kind, "Buy, rent, own or mix"),
    (
        "Monthly",
        lambda o: f"${o.monthly_cost_usd:,.0f}",
        lambda o: float(o.monthly_cost_usd),
        "Cost in the first full month, USD",
    ),
    (
        "Over horizon",
        lambda o: f"${o.horizon_cost_usd:,.0f}",
        lambda o: float(o.horizon_cost_usd),
        "Total cost over the planning horizon, with growth and price trends, USD",
    ),
    (
        "$ / M tokens",
        lambda o: f"${o.cost_per_million_tokens_usd:,.2f}",
        lambda o: float(o.cost_per_million_tokens_usd),
        "All-in cost per million tokens processed",
    ),
    ("GPUs", _gpus, lambda o: o.capacity.total_gpus if o.capacity else 0, "GPUs a build needs"),
    ("Use", _util, lambda o: o.capacity.utilisation if o.capacity else 0.0, "GPU utilisation"),
    (
        "Latency",
        lambda o: "meets" if o.meets_latency else "misses",
        lambda o: o.meets_latency,
        "Whether the latency targets are met at peak",
    ),
]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class OptionsModel(QAbstractTableModel):
    """Rows are the options of one Evaluation, in rank order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._options: tuple[OptionView, ...] = ()

    def set_evaluation(self, ev: Evaluation | None) -> None:
        self.beginResetModel()
        self._options = ev.options if ev is not None else ()
        self.endResetModel()

    def option(self, row: int) -> OptionView:
        return self._options[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._options)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._options)):
            return None
        o = self._options[index.row()]
        header, show, key, _tip = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return show(o)
        if role == SORT_ROLE:
            return key(o)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if header in ("Option", "Kind", "GPUs"):
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [o.name]
            if not o.allowed:
                lines.append(f"Not allowed: {o.not_allowed_reason}")
            lines += [f"Risk: {r}" for r in o.risks]
            lines += list(o.notes)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not o.allowed:
                return QColor("#888888")
            if header == "Latency" and not o.meets_latency:
                return QColor("#b3261e")
        if role == Qt.ItemDataRole.FontRole and o.rank == 1:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not (0 <= section < len(COLUMNS)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][3]
        return None
