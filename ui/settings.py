"""GUI settings declared once (key, type, default), stored as JSON in the config folder."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.paths import user_config_dir
from advisor.util import atomic_write_text

log = logging.getLogger("advisor.ui")

MAX_RECENT = 8


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    help: str


SETTINGS = {
    s.key: s
    for s in (
        Setting("recent_files", list, [], "Scenario files opened or saved, newest first."),
        Setting("last_dir", str, "", "Folder of the last opened or saved scenario."),
        Setting("window_geometry", str, "", "Main window geometry (hex of Qt's saveGeometry)."),
        Setting("autosave_seconds", int, 5, "How often the draft is saved for crash recovery."),
    )
}


def settings_path() -> Path:
    return user_config_dir() / "gui-settings.json"


class Settings:
    """Typed access to the declared settings; a broken file falls back to the defaults."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_path()
        self._values: dict[str, Any] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable settings %s: %s", self.path, exc)
            data = {}
        if isinstance(data, dict):
            for key, value in data.items():
                s = SETTINGS.get(key)
                if s is not None and isinstance(value, s.type) and not isinstance(value, bool):
                    self._values[key] = value

    def get(self, key: str) -> Any:
        s = SETTINGS[key]
        value = self._values.get(key, s.default)
        return list(value) if isinstance(value, list) else value

    def set(self, key: str, value: Any) -> None:
        s = SETTINGS[key]
        if not isinstance(value, s.type):
            raise TypeError(f"setting {key} must be {s.type.__name__}")
        self._values[key] = value
        self.save()

    def save(self) -> None:
        try:
            atomic_write_text(self.path, json.dumps(self._values, indent=2) + "\n")
        except OSError as exc:  # settings are a convenience: never fatal
            log.warning("cannot save settings %s: %s", self.path, exc)

    # --- recent files ---------------------------------------------------------------------
    def recent_files(self) -> list[Path]:
        return [Path(p) for p in self.get("recent_files") if isinstance(p, str)]

    def add_recent(self, path: Path) -> None:
        text = str(Path(path).resolve())
        items = [p for p in self.get("recent_files") if p != text]
        self.set("recent_files", [text, *items][:MAX_RECENT])
        self.set("last_dir", str(Path(text).parent))

    def remove_recent(self, path: Path) -> None:
        text = str(Path(path).resolve())
        self.set("recent_files", [p for p in self.get("recent_files") if p != text])
