"""Fixtures for the report tests: a catalog built once, examples evaluated once, WeasyPrint's log.

Standalone on purpose: the per-user folders and the catalog live in this session's temporary
folder whatever other conftest files provide. Every example is evaluated at most once per
session (with few Monte Carlo draws) and rendered to PDF at most once.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from advisor.paths import bundled_path

EXAMPLES = bundled_path("resources") / "examples"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.json"))
DRAWS = 200


class _Records(logging.Handler):
    """Keeps every record WeasyPrint logs at WARNING or above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session", autouse=True)
def weasyprint_records() -> Iterator[_Records]:
    """Collect WeasyPrint's warnings and errors for the whole session (see ``weasyprint_log``)."""
    handler = _Records()
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)


@dataclass
class WeasyPrintLog:
    """The WeasyPrint records of one test; a test that provokes some calls ``expect()``."""

    handler: _Records
    start: int
    expected: bool = False

    @property
    def records(self) -> list[logging.LogRecord]:
        return self.handler.records[self.start :]

    def expect(self) -> list[logging.LogRecord]:
        self.expected = True
        return self.records


def _messages(records: list[logging.LogRecord]) -> str:
    return "; ".join(f"{r.levelname}: {r.getMessage()}" for r in records)


@pytest.fixture(autouse=True)
def weasyprint_log(weasyprint_records: _Records) -> Iterator[WeasyPrintLog]:
    """Fail the test when WeasyPrint logged a warning or error during it (unless expected)."""
    log = WeasyPrintLog(weasyprint_records, len(weasyprint_records.records))
    yield log
    if log.records and not log.expected:
        pytest.fail(f"WeasyPrint logged: {_messages(log.records)}")


@pytest.fixture(scope="session", autouse=True)
def report_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Per-user folders and the catalog in a temporary folder; the catalog built once."""
    from advisor.catalog.db import ensure_catalog

    root = tmp_path_factory.mktemp("report-env")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADVISOR_DATA_DIR", str(root / "data"))
        mp.setenv("ADVISOR_CONFIG_DIR", str(root / "config"))
        mp.setenv("ADVISOR_CATALOG", str(root / "data" / "catalog.sqlite"))
        (root / "data").mkdir()
        ensure_catalog(root / "data" / "catalog.sqlite")
        yield root


@pytest.fixture(scope="session")
def report_catalog(report_env: Path) -> Any:
    from advisor.catalog.snapshot import load_catalog

    return load_catalog(report_env / "data" / "catalog.sqlite")


def few_draws(scenario: Any) -> Any:
    """The scenario with few Monte Carlo draws (fast; the ranges stay meaningful)."""
    prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=DRAWS)
    return dataclasses.replace(scenario, preferences=prefs)


@dataclass
class Rendered:
    html: str
    pdf: bytes
    path: Path
    info: Any
    progress: list[tuple[float, str]]


@dataclass
class Examples:
    """Each example scenario evaluated and rendered at most once per session, on demand."""

    catalog: Any
    folder: Path
    handler: _Records
    evaluated: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    rendered: dict[str, Rendered] = field(default_factory=dict)

    def scenario_and_evaluation(self, name: str) -> tuple[Any, Any]:
        if name not in self.evaluated:
            from advisor.recommend import evaluate
            from advisor.scenario import load_scenario

            scenario = few_draws(load_scenario(EXAMPLES / f"{name}.json"))
            self.evaluated[name] = (scenario, evaluate(scenario, self.catalog))
        return self.evaluated[name]

    def render(self, name: str) -> Rendered:
        """The example's PDF (and the HTML rendered), failing on any WeasyPrint warning."""
        if name not in self.rendered:
            from advisor.report import write_pdf

            scenario, ev = self.scenario_and_evaluation(name)
            start = len(self.handler.records)
            path = self.folder / f"{name}.pdf"
            html_path = self.folder / f"{name}.html"
            steps: list[tuple[float, str]] = []
            info = write_pdf(ev, scenario, path, html_path, lambda f, m: steps.append((f, m)))
            new = self.handler.records[start:]
            assert not new, f"WeasyPrint logged while rendering {name}: {_messages(new)}"
            self.rendered[name] = Rendered(
                html_path.read_text(encoding="utf-8"), path.read_bytes(), path, info, steps
            )
        return self.rendered[name]


@pytest.fixture(scope="session")
def examples(
    report_catalog: Any, tmp_path_factory: pytest.TempPathFactory, weasyprint_records: _Records
) -> Examples:
    return Examples(report_catalog, tmp_path_factory.mktemp("reports"), weasyprint_records)


@pytest.fixture(scope="session")
def evaluate_scenario(report_catalog: Any) -> Callable[[Any], Any]:
    """Evaluate a scenario made by a test (not an example) with few draws."""
    from advisor.recommend import evaluate

    def run(scenario: Any) -> Any:
        return evaluate(few_draws(scenario), report_catalog)

    return run
