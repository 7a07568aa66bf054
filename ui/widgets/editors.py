"""Typed editors with one protocol: ``value()``, ``set_value(v)`` and an ``edited`` signal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)


class NumberEdit(QDoubleSpinBox):
    """A number shown scaled (``factor=100`` shows a share as a percentage).

    The allowed range is deliberately wider than the engine's so that the engine's own
    validation, shown next to the field, explains what is wrong instead of the box refusing.
    """

    edited = Signal()

    def __init__(
        self,
        *,
        minimum: float = 0.0,
        maximum: float = 1e12,
        decimals: int = 0,
        step: float = 1.0,
        factor: float = 1.0,
        integer: bool = False,
        group: bool = True,
        money: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Money is typed in the display currency; the scenario keeps US dollars (ui.money).
        self.money = money
        if money:
            from ui.money import money_factor

            factor = money_factor()
        self.factor = factor
        self.integer = integer
        self._exact: float | None = None
        self._shown = 0.0
        self.setDecimals(decimals)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        self.setGroupSeparatorShown(group)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.setMinimumWidth(110)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # no accidental wheel edits
        self.valueChanged.connect(lambda _v: self.edited.emit())

    def wheelEvent(self, event: Any) -> None:
        # Scrolling a long page must not change the number under the pointer.
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def showEvent(self, event: QShowEvent) -> None:
        # QAbstractSpinBox rewrites its text on every show (group separators, rounding). When
        # a parent is hidden and re-shown while the user is typing here (QWizard does that on
        # completeChanged), that rewrite would move digits under the cursor. Keep the text
        # being typed and its cursor; the box formats it when editing finishes.
        edit = self.lineEdit()
        typing = edit.isModified()
        text, cursor = edit.text(), edit.cursorPosition()
        super().showEvent(event)
        if typing and edit.text() != text:
            blocked = edit.blockSignals(True)
            edit.setText(text)
            edit.setCursorPosition(cursor)
            edit.setModified(True)
            edit.blockSignals(blocked)

    def value(self) -> Any:  # type: ignore[override]
        shown = super().value()
        untouched = self._exact is not None and shown == self._shown
        # Untouched: keep the file's full precision rather than the box's rounding.
        v = self._exact if untouched else shown / self.factor
        return round(v) if self.integer else round(v, 10)

    def set_value(self, v: float | None) -> None:
        self._exact = float(v or 0.0)
        self.setValue(self._exact * self.factor)
        self._shown = super().value()


class OptionalNumber(QWidget):
    """A number that may be left to a default ("catalog default", "no target").

    While the default is ticked the disabled box shows the default value, so unticking it
    starts the user from that figure.
    """

    edited = Signal()

    def __init__(
        self, default_text: str, number: NumberEdit, unit: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.number = number
        self.default_value: float | None = None
        self.check = QCheckBox(default_text)
        self.unit = QLabel(unit)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.number)
        lay.addWidget(self.unit)
        lay.addSpacing(8)
        lay.addWidget(self.check)
        self.unit.setVisible(bool(unit))
        self.check.toggled.connect(self._toggled)
        self.number.edited.connect(self._number_edited)
        self.setFocusProxy(self.number)

    def set_unit(self, unit: str) -> None:
        self.unit.setText(unit)
        self.unit.setVisible(bool(unit))

    def _number_edited(self) -> None:
        if not self.check.isChecked():
            self.edited.emit()

    def _toggled(self, on: bool) -> None:
        self.number.setEnabled(not on)
        if on and self.default_value is not None:
            self.number.blockSignals(True)
            self.number.set_value(self.default_value)
            self.number.blockSignals(False)
        self.edited.emit()

    def set_default(self, text: str, value: float | None = None) -> None:
        self.check.setText(text)
        self.default_value = value
        if self.check.isChecked() and value is not None:
            self.number.blockSignals(True)
            self.number.set_value(value)
            self.number.blockSignals(False)

    def set_default_text(self, text: str) -> None:
        self.set_default(text, self.default_value)

    def value(self) -> Any:
        return None if self.check.isChecked() else self.number.value()

    def set_value(self, v: float | None) -> None:
        self.check.blockSignals(True)
        self.check.setChecked(v is None)
        self.check.blockSignals(False)
        self.number.setEnabled(v is not None)
        self.number.blockSignals(True)
        if v is not None:
            self.number.set_value(float(v))
        elif self.default_value is not None:
            self.number.set_value(self.default_value)
        self.number.blockSignals(False)


class ChoiceEdit(QComboBox):
    """A choice among (value, label) pairs; an unknown value from a file is kept and shown."""

    edited = Signal()

    def __init__(self, items: Iterable[tuple[str, str]] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.set_items(items)
        self.currentIndexChanged.connect(lambda _i: self.edited.emit())

    def set_items(self, items: Iterable[tuple[str, str]]) -> None:
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        for value, label in items:
            self.addItem(label, value)
        self.blockSignals(False)
        if current is not None:
            self.set_value(current)

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, v: str) -> None:
        idx = self.findData(v)
        if idx < 0:
            self.addItem(f"{v} (unknown)", v)
            idx = self.count() - 1
        if idx != self.currentIndex():
            self.setCurrentIndex(idx)


class CheckEdit(QCheckBox):
    edited = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.toggled.connect(lambda _b: self.edited.emit())

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, v: bool) -> None:
        self.setChecked(bool(v))


class TextEdit(QLineEdit):
    edited = Signal()

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.textChanged.connect(lambda _t: self.edited.emit())

    def value(self) -> str:
        return self.text()

    def set_value(self, v: str) -> None:
        if v != self.text():
            self.setText(v)


class NotesEdit(QPlainTextEdit):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setMaximumHeight(90)
        self.textChanged.connect(self.edited.emit)

    def value(self) -> str:
        return self.toPlainText()

    def set_value(self, v: str) -> None:
        if v != self.toPlainText():
            self.setPlainText(v)


class MultiCheck(QWidget):
    """Pick several ids. With ``any_text``, an "any" box stands for the empty tuple."""

    edited = Signal()

    def __init__(
        self, items: Sequence[tuple[str, str]] = (), any_text: str = "", columns: int = 4
    ) -> None:
        super().__init__()
        self.columns = columns
        self.any = QCheckBox(any_text) if any_text else None
        self._boxes: dict[str, QCheckBox] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        if self.any is not None:
            self._grid.addWidget(self.any, 0, 0, 1, columns)
            self.any.toggled.connect(self._any_toggled)
        self.set_items(items)

    def set_items(self, items: Sequence[tuple[str, str]]) -> None:
        current = self.value() if self._boxes else None
        for box in self._boxes.values():
            self._grid.removeWidget(box)
            box.deleteLater()
        self._boxes = {}
        first = 1 if self.any is not None else 0
        for i, (value, label) in enumerate(items):
            box = QCheckBox(label)
            box.toggled.connect(lambda _b: self.edited.emit())
            self._grid.addWidget(box, first + i // self.columns, i % self.columns)
            self._boxes[value] = box
        if current is not None:
            self.set_value(current)

    def _any_toggled(self, on: bool) -> None:
        for box in self._boxes.values():
            box.setEnabled(not on)
        self.edited.emit()

    def value(self) -> tuple[str, ...]:
        if self.any is not None and self.any.isChecked():
            return ()
        return tuple(v for v, box in self._boxes.items() if box.isChecked())

    def set_value(self, values: Sequence[str]) -> None:
        values = tuple(values)
        for v in values:
            if v not in self._boxes:
                # Keep an unknown id from a file visible so its validation message makes sense.
                box = QCheckBox(f"{v} (unknown)")
                box.toggled.connect(lambda _b: self.edited.emit())
                n = len(self._boxes)
                first = 1 if self.any is not None else 0
                self._grid.addWidget(box, first + n // self.columns, n % self.columns)
                self._boxes[v] = box
        for v, box in self._boxes.items():
            box.blockSignals(True)
            box.setChecked(v in values)
            box.blockSignals(False)
        if self.any is not None:
            self.any.blockSignals(True)
            self.any.setChecked(not values)
            self.any.blockSignals(False)
            for box in self._boxes.values():
                box.setEnabled(bool(values))
