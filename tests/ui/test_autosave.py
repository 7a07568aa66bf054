"""Crash recovery: the draft is autosaved, survives kill -9, and is offered back on start."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ui.autosave import read_draft

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def test_autosave_writes_only_changed_drafts_and_a_clean_exit_removes_it(example) -> None:
    window = example
    saver = window.autosaver
    assert not saver.save_if_changed()  # a freshly opened example is not a draft
    window.state.set_scenario(dataclasses.replace(window.state.scenario, name="Draft"))
    assert saver.save_if_changed()
    assert read_draft(saver.path).scenario.name == "Draft"
    assert not saver.save_if_changed()
    window.state.mark_dirty(False)
    window.close()
    assert not saver.path.exists()


def test_a_corrupt_autosave_is_set_aside_not_fatal(user_dirs) -> None:
    from ui.autosave import autosave_path

    path = autosave_path()
    path.write_text("{not json")
    assert read_draft(path) is None
    assert not path.exists() and path.with_suffix(".corrupt.json").exists()


@pytest.mark.slow
def test_a_killed_app_offers_its_draft_back_on_the_next_start(
    qtbot, user_dirs, catalog_file, dialogs
) -> None:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        ADVISOR_DATA_DIR=os.environ["ADVISOR_DATA_DIR"],
        ADVISOR_CONFIG_DIR=os.environ["ADVISOR_CONFIG_DIR"],
        ADVISOR_CATALOG=str(catalog_file),
    )
    autosave = Path(env["ADVISOR_DATA_DIR"]) / "autosave.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.app", "--test-set-name", "Killed draft", "--autosave-ms", "200"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        qtbot.waitUntil(autosave.exists, timeout=30_000)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert read_draft(autosave).scenario.name == "Killed draft"

    from ui.app import launch, parse_args

    dialogs.restore_answer = True
    window = launch(parse_args([]))
    qtbot.addWidget(window)
    assert "restore" in dialogs.asked
    assert window.state.scenario.name == "Killed draft"
    assert window.state.dirty  # restored work still needs saving
    assert window.wizard.welcome.editor_for("name").text() == "Killed draft"
    window.state.mark_dirty(False)
    window.close()
    assert not autosave.exists()


def test_declining_the_restore_offer_discards_the_draft(qtbot, example, dialogs) -> None:
    window = example
    window.state.set_scenario(dataclasses.replace(window.state.scenario, name="Old draft"))
    window.autosaver.save_if_changed()
    dialogs.restore_answer = False
    assert not window.offer_restore()
    assert not window.autosaver.path.exists()


def _leave_a_draft(name: str) -> Path:
    """A draft on disk, as a session killed mid-edit leaves it."""
    import json
    import time

    from advisor.scenario import Scenario, dump_scenario
    from ui.autosave import autosave_path

    path = autosave_path()
    body = json.loads(dump_scenario(Scenario(name=name)))
    path.write_text(json.dumps({"saved_at": time.time(), "source": None, "scenario": body}))
    return path


def test_starting_with_a_file_still_offers_the_crash_draft(
    qtbot, user_dirs, catalog_file, dialogs, monkeypatch
) -> None:
    from ui.app import launch, parse_args

    monkeypatch.setenv("ADVISOR_CATALOG", str(catalog_file))
    _leave_a_draft("Unsaved work")
    dialogs.restore_answer = True
    window = launch(parse_args([str(EXAMPLES / "online-retailer-chatbot.json")]))
    qtbot.addWidget(window)
    assert "restore" in dialogs.asked
    assert window.state.scenario.name == "Unsaved work"
    window.state.mark_dirty(False)
    window.close()


def test_a_draft_that_was_never_offered_survives_closing_the_window(
    qtbot, user_dirs, catalog, dialogs
) -> None:
    from ui.main_window import MainWindow

    draft = _leave_a_draft("Unsaved work")
    window = MainWindow(catalog=catalog, autosave_ms=3_600_000)
    qtbot.addWidget(window)
    window.open_example(EXAMPLES / "online-retailer-chatbot.json")
    window.state.set_scenario(dataclasses.replace(window.state.scenario, name="Other edit"))
    assert not window.autosaver.save_if_changed()  # the earlier draft is not overwritten
    window.state.mark_dirty(False)
    window.close()
    assert "restore" not in dialogs.asked
    assert read_draft(draft).scenario.name == "Unsaved work"


def test_a_name_with_a_lone_surrogate_can_be_saved_and_autosaved(
    example, tmp_path, dialogs
) -> None:
    import json

    from advisor.scenario import load_scenario

    window = example
    source = tmp_path / "odd.json"
    data = json.loads((EXAMPLES / "online-retailer-chatbot.json").read_text())
    data["name"] = "Plan \ud800 B"
    source.write_text(json.dumps(data))  # ensure_ascii: the file holds the "\ud800" escape
    assert window.open_path(source, ask=False)
    assert window.state.scenario.name == "Plan \ud800 B"
    window.state.set_scenario(dataclasses.replace(window.state.scenario, notes="edited"))
    assert window.autosaver.save_if_changed()
    assert read_draft(window.autosaver.path).scenario.name == "Plan \ud800 B"
    target = tmp_path / "saved.json"
    dialogs.save_answer = target
    assert window.save_as()
    assert load_scenario(target).name == "Plan \ud800 B"
