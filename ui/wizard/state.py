"""The one scenario the wizard edits, with its file, its catalog and its current problems."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from advisor.catalog.snapshot import Catalog
from advisor.errors import Problem
from advisor.scenario import Scenario, validate


def get_path(obj: Any, path: str) -> Any:
    """``get_path(scenario, "workload.requests_per_day")``."""
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def set_path(obj: Any, path: str, value: Any) -> Any:
    """A copy of a frozen dataclass tree with one dotted field replaced."""
    head, _, rest = path.partition(".")
    if not rest:
        return dataclasses.replace(obj, **{head: value})
    return dataclasses.replace(obj, **{head: set_path(getattr(obj, head), rest, value)})


def belongs(path: str, prefix: str) -> bool:
    """Whether a problem's field path lies under ``prefix`` ("" matches everything)."""
    return (
        not prefix
        or path == prefix
        or path.startswith(prefix + ".")
        or path.startswith(prefix + "[")
    )


_ROW = re.compile(r"^\[(\d+)\]\.?(.*)$")


def describe_under(path: str, prefix: str, message: str) -> str:
    """The message to show next to the widget for ``prefix``: row numbers count from 1."""
    rest = path[len(prefix) :] if path.startswith(prefix) else path
    m = _ROW.match(rest)
    if m:
        field = m.group(2).replace("_", " ")
        where = f"Row {int(m.group(1)) + 1}" + (f", {field}" if field else "")
        return f"{where}: {message}"
    return message


class ScenarioState(QObject):
    """Holds the plain Scenario; every page writes through ``set_scenario``."""

    scenario_changed = Signal()  # any change, typed or loaded
    scenario_replaced = Signal()  # a different scenario was loaded: editors must reload
    problems_changed = Signal()
    catalog_changed = Signal()
    file_changed = Signal()  # path or dirty flag

    def __init__(self, scenario: Scenario | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scenario = scenario or Scenario()
        self._catalog: Catalog | None = None
        self._problems: list[Problem] = validate(self._scenario, None)
        self.path: Path | None = None
        self.dirty = False
        self.revision = 0

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def catalog(self) -> Catalog | None:
        return self._catalog

    @property
    def problems(self) -> list[Problem]:
        return self._problems

    def errors(self) -> list[Problem]:
        return [p for p in self._problems if p.severity == "error"]

    def problems_under(self, prefixes: Iterable[str]) -> list[Problem]:
        prefixes = tuple(prefixes)
        return [p for p in self._problems if any(belongs(p.field, x) for x in prefixes)]

    def set_scenario(self, scenario: Scenario, *, replaced: bool = False) -> None:
        """Record an edit (``replaced=False``) or a newly loaded scenario."""
        if scenario == self._scenario and not replaced:
            return
        self._scenario = scenario
        self.revision += 1
        self._revalidate()
        if replaced:
            self.scenario_replaced.emit()
        else:
            self.mark_dirty(True)
        self.scenario_changed.emit()

    def load(self, scenario: Scenario, path: Path | None, *, dirty: bool = False) -> None:
        """Replace the scenario with one from a file (``path``) or a template (``None``)."""
        self.path = path
        self.dirty = dirty
        self.set_scenario(scenario, replaced=True)
        self.file_changed.emit()

    def mark_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.file_changed.emit()

    def saved_as(self, path: Path) -> None:
        self.path = path
        self.dirty = False
        self.file_changed.emit()

    def set_catalog(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._revalidate()
        self.catalog_changed.emit()
        self.scenario_changed.emit()

    def _revalidate(self) -> None:
        try:
            self._problems = validate(self._scenario, self._catalog)
        except Exception as exc:  # noqa: BLE001 - a validation bug must not take the app down
            self._problems = [Problem("scenario", "error", f"cannot check the scenario: {exc}")]
        self.problems_changed.emit()
