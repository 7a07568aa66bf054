"""A field: its editor, its unit and, under them, the engine's message about it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from advisor.errors import Problem

ERROR_STYLE = "color: #b3261e;"
WARNING_STYLE = "color: #8a5a00;"


class MessageLabel(QLabel):
    """A wrapped, selectable message that hides itself when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldMessage")
        self.setWordWrap(True)
        self.hide()

    def set_messages(self, errors: Sequence[str], warnings: Sequence[str] = ()) -> None:
        lines = [f"⚠ {m}" for m in errors] + [f"ⓘ {m}" for m in warnings]
        self.setText("\n".join(lines))
        self.setStyleSheet(ERROR_STYLE if errors else WARNING_STYLE)
        self.setVisible(bool(lines))


class FieldRow(QWidget):
    """An editor followed by its unit, with an inline message line below."""

    def __init__(
        self,
        editor: QWidget,
        unit: str = "",
        parent: QWidget | None = None,
        *,
        expand: bool = False,
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        # Text (names, notes) takes the row's width; numbers keep their compact size.
        line.addWidget(editor, 1 if expand else 0)
        self.unit = QLabel(unit)
        self.unit.setObjectName("fieldUnit")
        if unit:
            line.addWidget(self.unit)
        if not expand:
            line.addStretch(1)
        outer.addLayout(line)
        self.message = MessageLabel(self)
        outer.addWidget(self.message)
        self.setFocusProxy(editor)

    def set_problems(self, problems: Sequence[tuple[Problem, str]]) -> None:
        """Show problems, each with the text to show (which may add a row prefix)."""
        self.message.set_messages(
            [text for p, text in problems if p.severity == "error"],
            [text for p, text in problems if p.severity != "error"],
        )

    @property
    def message_text(self) -> str:
        return self.message.text() if self.message.isVisible() else ""
