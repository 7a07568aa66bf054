"""An editable table of rows (one typed editor per cell), with add and remove buttons."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    make: Callable[[], QWidget]  # an editor with value()/set_value()/edited
    tip: str = ""
    stretch: int = 0


class RowsEditor(QWidget):
    """Rows of editors laid out as a grid table; ``values()`` is a list of dicts."""

    edited = Signal()

    def __init__(
        self,
        columns: Sequence[Column],
        new_row: Callable[[], dict[str, Any]],
        add_text: str = "&Add",
        empty_text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.new_row = new_row
        self._rows: list[dict[str, QWidget]] = []
        self._removers: list[QToolButton] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(4)
        for c, col in enumerate(self.columns):
            head = QLabel(f"<b>{col.header}</b>")
            head.setToolTip(col.tip)
            self._grid.addWidget(head, 0, c)
            if col.stretch:
                self._grid.setColumnStretch(c, col.stretch)
        outer.addLayout(self._grid)
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("emptyRows")
        self.empty.setVisible(bool(empty_text))
        outer.addWidget(self.empty)
        self.add_button = QPushButton(add_text)
        self.add_button.clicked.connect(self._add_clicked)
        outer.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)

    # --- rows ------------------------------------------------------------------------------
    def _append_row(self) -> dict[str, QWidget]:
        r = len(self._rows) + 1
        editors: dict[str, QWidget] = {}
        for c, col in enumerate(self.columns):
            ed = col.make()
            ed.setToolTip(col.tip)
            ed.setAccessibleName(f"{col.header} (row {r})")
            ed.edited.connect(self.edited.emit)  # type: ignore[attr-defined]
            self._grid.addWidget(ed, r, c)
            editors[col.key] = ed
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip("Remove this row")
        remove.setAccessibleName(f"Remove row {r}")
        remove.clicked.connect(lambda _c=False, b=remove: self._remove(self._removers.index(b)))
        self._grid.addWidget(remove, r, len(self.columns))
        self._rows.append(editors)
        self._removers.append(remove)
        self.empty.setVisible(not self._rows and bool(self.empty.text()))
        chain = self.focus_widgets()
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)
        return editors

    def _drop_last(self) -> None:
        editors = self._rows.pop()
        remove = self._removers.pop()
        for w in (*editors.values(), remove):
            self._grid.removeWidget(w)
            w.hide()
            w.deleteLater()
        self.empty.setVisible(not self._rows and bool(self.empty.text()))

    def _add_clicked(self) -> None:
        editors = self._append_row()
        for key, value in self.new_row().items():
            editors[key].set_value(value)  # type: ignore[attr-defined]
        editors[self.columns[0].key].setFocus()
        self.edited.emit()

    def _remove(self, index: int) -> None:
        values = self.values()
        del values[index]
        self.set_values(values)
        self.edited.emit()

    # --- values ----------------------------------------------------------------------------
    def values(self) -> list[dict[str, Any]]:
        return [{k: ed.value() for k, ed in row.items()} for row in self._rows]  # type: ignore[attr-defined]

    def set_values(self, rows: Sequence[dict[str, Any]]) -> None:
        while len(self._rows) > len(rows):
            self._drop_last()
        while len(self._rows) < len(rows):
            self._append_row()
        for editors, values in zip(self._rows, rows, strict=True):
            for key, value in values.items():
                ed = editors[key]
                ed.blockSignals(True)
                try:
                    ed.set_value(value)  # type: ignore[attr-defined]
                finally:
                    ed.blockSignals(False)

    def editors(self, row: int) -> dict[str, QWidget]:
        return self._rows[row]

    def row_count(self) -> int:
        return len(self._rows)

    def focus_widgets(self) -> list[QWidget]:
        out: list[QWidget] = []
        for editors, remove in zip(self._rows, self._removers, strict=True):
            out += [*editors.values(), remove]
        return [*out, self.add_button]
