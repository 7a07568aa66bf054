"""Step 1: start a new scenario, open a saved one or start from an example; name it."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from advisor.paths import bundled_path
from ui.widgets.editors import ChoiceEdit, NotesEdit, TextEdit
from ui.wizard.base import ScenarioPage
from ui.wizard.state import ScenarioState


def example_files() -> list[tuple[Path, str]]:
    """The bundled example scenarios with their names, for the start page and the menu."""
    out = []
    for path in sorted((bundled_path("resources") / "examples").glob("*.json")):
        try:
            name = json.loads(path.read_text(encoding="utf-8")).get("name") or path.stem
        except (OSError, ValueError, AttributeError):
            continue
        out.append((path, str(name)))
    return out


class WelcomePage(ScenarioPage):
    prefixes = ("name", "organisation", "notes")

    new_requested = Signal()
    open_requested = Signal()
    example_requested = Signal(Path)

    def __init__(self, state: ScenarioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.setTitle("Welcome")
        self.setSubTitle(
            "Should you buy LLM capability through an API or build it on GPUs? Describe your "
            "situation in four short steps and get a ranked, sourced answer."
        )
        lay = QVBoxLayout(self.body)

        start, start_form = self.group("Start")
        row = QHBoxLayout()
        self.new_button = QPushButton("&New scenario")
        self.new_button.setToolTip("Start again from the defaults")
        self.open_button = QPushButton("&Open a saved scenario…")
        self.open_button.setToolTip("Open a scenario file you saved earlier")
        row.addWidget(self.new_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        start_form.addRow(row)
        ex_row = QHBoxLayout()
        self.examples = ChoiceEdit([(str(p), name) for p, name in example_files()])
        self.examples.setToolTip("Worked examples from the product brief")
        self.example_button = QPushButton("Start from this e&xample")
        ex_label = QLabel("&Example:")
        ex_label.setBuddy(self.examples)
        ex_row.addWidget(ex_label)
        ex_row.addWidget(self.examples, 1)
        ex_row.addWidget(self.example_button)
        start_form.addRow(ex_row)
        self.new_button.clicked.connect(self.new_requested.emit)
        self.open_button.clicked.connect(self.open_requested.emit)
        self.example_button.clicked.connect(
            lambda: (
                self.examples.value() and self.example_requested.emit(Path(self.examples.value()))
            )
        )
        lay.addWidget(start)

        about, form = self.group("This scenario")
        self.add_field(
            form,
            "name",
            "Scenario &name:",
            TextEdit("e.g. Customer support chatbot"),
            tip="A short name; it heads the report and names the file.",
        )
        self.add_field(
            form,
            "organisation",
            "Or&ganisation:",
            TextEdit("optional"),
            tip="Who the analysis is for; shown on the report.",
        )
        self.add_field(
            form,
            "notes",
            "No&tes:",
            NotesEdit(),
            tip="Anything a reader of the report should know about this scenario.",
        )
        lay.addWidget(about)
        hint = QLabel(
            "Every input has a default you can accept; hover over a field to see what it means."
            " Your draft is saved automatically every few seconds."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        lay.addWidget(hint)
        lay.addStretch(1)

    def show_example(self, path: Path) -> None:
        """Point the Example box at the example just loaded (it used to keep the first one)."""
        for i in range(self.examples.count()):
            if Path(str(self.examples.itemData(i))).resolve() == path.resolve():
                self.examples.blockSignals(True)
                self.examples.setCurrentIndex(i)
                self.examples.blockSignals(False)
                return
