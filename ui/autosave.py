"""Crash recovery: the draft scenario saved every few seconds, offered back after a crash."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from advisor.bounds import escape_surrogates
from advisor.errors import InputError
from advisor.paths import user_data_dir
from advisor.scenario import Scenario, dump_scenario, scenario_from_dict
from advisor.util import atomic_write_text
from ui.wizard.state import ScenarioState

log = logging.getLogger("advisor.ui")


def autosave_path() -> Path:
    return user_data_dir() / "autosave.json"


@dataclass(frozen=True)
class Draft:
    scenario: Scenario
    saved_at: float
    source: Path | None  # the file the draft was edited from, if any


def read_draft(path: Path | None = None) -> Draft | None:
    """The draft left by a session that did not exit cleanly; a corrupt one is set aside."""
    path = path or autosave_path()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        scenario = scenario_from_dict(data["scenario"])
        source = Path(data["source"]) if data.get("source") else None
        return Draft(scenario, float(data.get("saved_at", 0)), source)
    except (OSError, ValueError, KeyError, TypeError, InputError) as exc:
        log.warning("unusable autosave %s: %s", path, exc)
        with contextlib.suppress(OSError):
            path.replace(path.with_suffix(".corrupt.json"))
        return None


class Autosaver(QObject):
    """Writes the state's scenario when it changed since the last write."""

    def __init__(
        self,
        state: ScenarioState,
        interval_ms: int = 5000,
        path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.path = path or autosave_path()
        self._saved_revision = state.revision
        # A draft already on disk belongs to an earlier session that did not exit cleanly: it
        # is neither overwritten nor removed until it has been offered back (offer_restore).
        self.protected = self.path.exists()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_if_changed)
        self.timer.start()

    def release(self) -> None:
        """The earlier draft was offered (or found unusable): this session may replace it."""
        self.protected = False

    def save_if_changed(self) -> bool:
        if self.protected:
            return False
        if self.state.revision == self._saved_revision or not self.state.dirty:
            return False
        body = json.loads(dump_scenario(self.state.scenario))
        data = {
            "saved_at": time.time(),
            "source": str(self.state.path) if self.state.path else None,
            "scenario": body,
        }
        try:
            text = json.dumps(data, indent=2, ensure_ascii=False)
            # A lone surrogate in a name (opened from a "\\ud800" escape) stays an escape.
            atomic_write_text(self.path, escape_surrogates(text) + "\n")
        except OSError as exc:
            log.warning("autosave failed: %s", exc)
            return False
        self._saved_revision = self.state.revision
        return True

    def discard(self) -> None:
        """Called on a clean exit or after an explicit save: nothing left to recover."""
        self._saved_revision = self.state.revision
        if self.protected:
            log.info("keeping the earlier draft %s: it has not been offered yet", self.path)
            return
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove autosave: %s", exc)

    def stop(self) -> None:
        self.timer.stop()
