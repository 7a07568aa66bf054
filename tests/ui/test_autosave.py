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
