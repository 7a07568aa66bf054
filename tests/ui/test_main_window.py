"""Files around the wizard: save, open, recent files, unsaved changes, errors in one place."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

from conftest import EXAMPLES

from advisor.scenario import load_scenario
from ui.settings import Settings


def rename(window, name: str) -> None:  # type: ignore[no-untyped-def]
    window.state.set_scenario(dataclasses.replace(window.state.scenario, name=name))


def test_save_as_then_open_round_trips_and_remembers_recent(example, tmp_path, dialogs) -> None:
    window = example
    rename(window, "Round trip")
    assert window.isWindowModified()
    target = tmp_path / "saved"
    dialogs.save_answer = target
    assert window.act_save_as.isEnabled()
    window.act_save_as.trigger()
    saved = target.with_suffix(".json")
    assert load_scenario(saved).name == "Round trip"
    assert not window.state.dirty and not window.isWindowModified()
    assert Settings().recent_files()[0] == saved.resolve()
    window.new_scenario()
    assert window.state.scenario.name == "New scenario"
    dialogs.open_answer = saved
    window.act_open.trigger()
    assert window.state.scenario.name == "Round trip"
    assert window.state.path == saved
    assert window.wizard.welcome.editor_for("name").text() == "Round trip"


def test_unsaved_changes_prompt_can_cancel_save_or_discard(example, tmp_path, dialogs) -> None:
    window = example
    rename(window, "Edited")
    dialogs.unsaved_answer = "cancel"
    window.new_scenario()
    assert window.state.scenario.name == "Edited"
    dialogs.unsaved_answer = "save"
    dialogs.save_answer = tmp_path / "kept.json"
    window.new_scenario()
    assert load_scenario(tmp_path / "kept.json").name == "Edited"
    assert window.state.scenario.name == "New scenario"
    rename(window, "Thrown away")
    dialogs.unsaved_answer = "discard"
    window.new_scenario()
    assert window.state.scenario.name == "New scenario"
    assert dialogs.asked.count("unsaved") == 3


def test_closing_with_unsaved_changes_can_be_cancelled(example, dialogs) -> None:
    window = example
    rename(window, "Not yet")
    dialogs.unsaved_answer = "cancel"
    assert not window.close()
    assert window.isVisible()


def test_a_malformed_file_is_named_in_one_message_and_nothing_is_lost(
    example, tmp_path, shown_errors
) -> None:
    window = example
    rename(window, "Precious draft")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"workload": {"requests_per_day": "lots"}, "nme": 1}))
    window.state.mark_dirty(False)
    assert not window.open_path(bad)
    (_level, title, message) = shown_errors[-1]
    assert title == "Cannot open bad.json"
    assert "workload.requests_per_day" in message and "nme: unknown field" in message
    assert window.state.scenario.name == "Precious draft"
    assert not window.open_path(tmp_path / "missing.json")
    assert "no such file" in shown_errors[-1][2]


def test_uncaught_exceptions_are_shown_and_logged_not_printed(shown_errors, caplog) -> None:
    from ui.app import excepthook

    try:
        raise RuntimeError("kaboom")
    except RuntimeError as exc:
        excepthook(type(exc), exc, exc.__traceback__)
    assert shown_errors == [
        ("error", "Unexpected error", "Something went wrong: RuntimeError: kaboom")
    ]
    assert any(r.exc_info for r in caplog.records)


def test_missing_dialog_modules_show_an_error_instead_of_crashing(
    window, monkeypatch, shown_errors
) -> None:
    monkeypatch.setitem(sys.modules, "ui.catalog_browser", None)
    monkeypatch.setitem(sys.modules, "ui.about", None)
    window.act_catalog.trigger()
    window.act_about.trigger()
    assert [t for _l, t, _m in shown_errors] == [
        "Catalog browser unavailable",
        "About unavailable",
    ]


def test_examples_menu_lists_every_bundled_example(window) -> None:
    names = [a.text() for a in window.examples_menu.actions()]
    assert len(names) == len(list(EXAMPLES.glob("*.json")))
    assert "Customer support chatbot" in names


def test_the_engine_never_imports_qt() -> None:
    code = (
        "import sys, advisor, advisor.recommend.evaluate, advisor.scenario; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
