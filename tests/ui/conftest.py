"""GUI test fixtures: offscreen Qt, captured error messages, replaced dialogs, a ready window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Per-test data and config folders (the catalog stays the session's)."""
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture(autouse=True)
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Messages the app would show, instead of modal boxes."""
    from ui import errors

    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(errors, "presenter", lambda _p, level, t, m: shown.append((level, t, m)))
    return shown


class FakeDialogs:
    """Answers for the main window's questions; tests set them per case."""

    def __init__(self) -> None:
        self.unsaved_answer = "discard"
        self.restore_answer = False
        self.open_answer: Path | None = None
        self.save_answer: Path | None = None
        self.asked: list[str] = []


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> FakeDialogs:
    from ui.main_window import Dialogs
    from ui.wizard.report_page import ReportDialogs

    fake = FakeDialogs()

    def unsaved(_parent: object, _name: str) -> str:
        fake.asked.append("unsaved")
        return fake.unsaved_answer

    def restore(_parent: object, _draft: object) -> bool:
        fake.asked.append("restore")
        return fake.restore_answer

    def open_path(_parent: object, _start: str) -> Path | None:
        fake.asked.append("open")
        return fake.open_answer

    def save_path(_parent: object, _suggested: str) -> Path | None:
        fake.asked.append("save")
        return fake.save_answer

    monkeypatch.setattr(Dialogs, "unsaved_changes", staticmethod(unsaved))
    monkeypatch.setattr(Dialogs, "restore_draft", staticmethod(restore))
    monkeypatch.setattr(Dialogs, "open_path", staticmethod(open_path))
    monkeypatch.setattr(Dialogs, "save_path", staticmethod(save_path))
    fake.opened_urls = []  # type: ignore[attr-defined]
    monkeypatch.setattr(
        ReportDialogs,
        "open_url",
        staticmethod(lambda url: fake.opened_urls.append(url) or True),  # type: ignore[attr-defined]
    )
    monkeypatch.setattr(
        ReportDialogs,
        "save_path",
        staticmethod(lambda _p, _t, suggested, _f: fake.save_answer or suggested),
    )
    return fake


@pytest.fixture
def window(qtbot, catalog) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The real main window with the session catalog already loaded."""
    from ui.main_window import MainWindow

    w = MainWindow(catalog=catalog, autosave_ms=3_600_000)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.state.mark_dirty(False)
    w.close()


@pytest.fixture
def example(window):  # type: ignore[no-untyped-def]
    """The window with the online-retailer example loaded."""
    window.open_example(EXAMPLES / "online-retailer-chatbot.json")
    return window
