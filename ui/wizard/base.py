"""The base of every input page: declared fields bound to scenario paths, inline problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from advisor.errors import Problem
from advisor.scenario import Scenario
from ui.widgets.fields import FieldRow, MessageLabel
from ui.wizard.state import ScenarioState, belongs, describe_under, get_path, set_path


class StepPage(QWizardPage):
    """A wizard page that tells the wizard about completeness only when it changes.

    QWizard answers every ``completeChanged`` (from any page, current or not) by hiding and
    re-showing the current page's widgets (its anti-flicker widget). A spin box being typed
    into reformats its text on show, which used to insert a group separator mid-typing and
    leave the cursor one digit early (12345 became 12,354). Pages call ``announce_complete``
    instead of emitting ``completeChanged`` themselves.
    """

    _told_complete: bool | None = None

    def announce_complete(self) -> None:
        complete = self.isComplete()
        if complete != self._told_complete:
            self._told_complete = complete
            self.completeChanged.emit()


class ScenarioPage(StepPage):
    """A page that edits the part of the scenario under ``prefixes``.

    Subclasses call ``add_field`` for plain fields and override ``load_extra``/``collect_extra``
    for tables. ``isComplete`` is true when the engine reports no error under the prefixes.
    """

    prefixes: tuple[str, ...] = ()

    def __init__(self, state: ScenarioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._bound: list[tuple[str, Any]] = []
        self._rows: dict[str, FieldRow] = {}
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        scroll.setWidget(self.body)
        outer.addWidget(scroll)
        self.page_message = MessageLabel()
        outer.addWidget(self.page_message)
        state.scenario_replaced.connect(self.load_from_state)
        state.problems_changed.connect(self.show_problems)
        state.catalog_changed.connect(self._catalog_changed)

    # --- building ----------------------------------------------------------------------------
    @staticmethod
    def group(title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(6)
        return box, form

    def add_field(
        self,
        form: QFormLayout,
        path: str,
        label: str,
        editor: QWidget,
        unit: str = "",
        tip: str = "",
        *,
        bind: bool = True,
    ) -> FieldRow:
        """Add ``editor`` for ``path`` with a mnemonic label, unit, tooltip and message line."""
        from ui.widgets.editors import NotesEdit, OptionalNumber, TextEdit

        if isinstance(editor, OptionalNumber):
            editor.set_unit(unit)  # the unit belongs to the number, before the default box
            unit = ""
        row = FieldRow(editor, unit, expand=isinstance(editor, (TextEdit, NotesEdit)))
        lab = QLabel(label)
        if label:
            lab.setBuddy(editor)
        lab.setToolTip(tip)
        editor.setToolTip(tip)
        editor.setAccessibleName(label.replace("&", ""))
        editor.setAccessibleDescription(tip)
        form.addRow(lab, row)
        self._rows[path] = row
        if bind:
            self._bound.append((path, editor))
            editor.edited.connect(self._edited)  # type: ignore[attr-defined]
        return row

    def register(self, path: str, row: FieldRow) -> None:
        """Show problems under ``path`` in ``row`` (for tables and compound editors)."""
        self._rows[path] = row

    # --- scenario <-> editors ----------------------------------------------------------------
    def _edited(self) -> None:
        if self._loading:
            return
        try:
            scenario = self.collect(self.state.scenario)
        except (TypeError, ValueError) as exc:  # defensive: a bad editor value is a message
            self.page_message.set_messages([f"cannot use this value: {exc}"])
            return
        self.state.set_scenario(scenario)
        self.after_edit()

    def collect(self, scenario: Scenario) -> Scenario:
        for path, editor in self._bound:
            scenario = set_path(scenario, path, editor.value())
        return self.collect_extra(scenario)

    def load_from_state(self) -> None:
        self._loading = True
        try:
            s = self.state.scenario
            for path, editor in self._bound:
                editor.blockSignals(True)
                try:
                    editor.set_value(get_path(s, path))
                finally:
                    editor.blockSignals(False)
            self.load_extra(s)
        finally:
            self._loading = False
        self.after_edit()
        self.show_problems()

    def collect_extra(self, scenario: Scenario) -> Scenario:
        return scenario

    def load_extra(self, scenario: Scenario) -> None:
        pass

    def after_edit(self) -> None:
        """Refresh derived labels (totals, defaults) after any change."""

    def refresh(self) -> None:
        """Refill catalog-backed choices and reload the editors (catalog or currency changed)."""
        self._catalog_changed()

    def _catalog_changed(self) -> None:
        self._loading = True
        try:
            self.catalog_changed()
        finally:
            self._loading = False
        self.load_from_state()

    def catalog_changed(self) -> None:
        """Fill catalog-backed choices (GPUs, regions, providers)."""

    # --- problems ----------------------------------------------------------------------------
    def page_problems(self) -> list[Problem]:
        return self.state.problems_under(self.prefixes)

    def show_problems(self) -> None:
        by_row: dict[str, list[tuple[Problem, str]]] = {k: [] for k in self._rows}
        loose: list[Problem] = []
        for p in self.page_problems():
            keys = [k for k in self._rows if belongs(p.field, k)]
            if keys:
                key = max(keys, key=len)
                by_row[key].append((p, describe_under(p.field, key, p.message)))
            else:
                loose.append(p)
        for key, row in self._rows.items():
            row.set_problems(by_row[key])
        self.page_message.set_messages(
            [f"{p.field}: {p.message}" for p in loose if p.severity == "error"],
            [p.message for p in loose if p.severity != "error"],
        )
        self.announce_complete()

    def isComplete(self) -> bool:
        return not any(p.severity == "error" for p in self.page_problems())

    def initializePage(self) -> None:
        self.load_from_state()

    def message_for(self, path: str) -> str:
        """The inline message shown for ``path`` (tests and the self-test read it)."""
        row = self._rows.get(path)
        return row.message_text if row else ""

    def editor_for(self, path: str) -> Any:
        return self._rows[path].editor


class Columns(QWidget):
    """Columns of group boxes side by side, stacked into one column when the page is narrow.

    A form that does not fit side by side would otherwise scroll sideways and hide its labels.
    """

    def __init__(self, *widgets: Sequence[QWidget]) -> None:
        super().__init__()
        self._lay = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._columns: list[QWidget] = []
        for column in widgets:
            holder = QWidget()
            col = QVBoxLayout(holder)
            col.setContentsMargins(0, 0, 0, 0)
            for w in column:
                col.addWidget(w)
            col.addStretch(1)
            self._lay.addWidget(holder, 1)
            self._columns.append(holder)

    def side_by_side_width(self) -> int:
        """The narrowest width at which the columns still fit next to each other."""
        spacing = self._lay.spacing() * max(0, len(self._columns) - 1)
        return sum(c.minimumSizeHint().width() for c in self._columns) + spacing

    def stacked(self) -> bool:
        return self._lay.direction() == QBoxLayout.Direction.TopToBottom

    def fit(self, width: int) -> None:
        wanted = (
            QBoxLayout.Direction.LeftToRight
            if width >= self.side_by_side_width()
            else QBoxLayout.Direction.TopToBottom
        )
        if wanted != self._lay.direction():
            self._lay.setDirection(wanted)

    def minimumSizeHint(self) -> QSize:
        # As narrow as the widest column: the rest is reached by stacking, not scrolling.
        hint = super().minimumSizeHint()
        widest = max((c.minimumSizeHint().width() for c in self._columns), default=0)
        return QSize(widest, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.fit(event.size().width())
        super().resizeEvent(event)


def columns(*widgets: Sequence[QWidget]) -> Columns:
    """Lay out columns of group boxes side by side (stacked when the page is narrow)."""
    return Columns(*widgets)
