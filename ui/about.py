"""The About box: versions, libraries, the catalog file and where its data comes from."""

from __future__ import annotations

import html
import platform
import sqlite3
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from advisor.__about__ import __app_name__, __version__
from advisor.catalog.price_data import provenance_lines
from advisor.catalog.seeds import SEED_KINDS
from advisor.paths import catalog_path
from ui.models.catalog_tables import own_values

# (label, table) in the order a buyer reads them; the API models come from genai-prices.
_KINDS = (
    ("API models and prices", "api_models"),
    ("Open-weight models", SEED_KINDS["model"].table),
    ("Quality scores", SEED_KINDS["score"].table),
    ("GPUs", SEED_KINDS["gpu"].table),
    ("Cloud GPU offers", SEED_KINDS["cloud"].table),
    ("Staffing benchmarks", SEED_KINDS["staff"].table),
    ("API extras (batch, limits)", SEED_KINDS["api_extra"].table),
    ("Performance measurements", SEED_KINDS["perf"].table),
    ("Task requirements", SEED_KINDS["task"].table),
    ("Assumptions", SEED_KINDS["assumption"].table),
    ("Calibration", SEED_KINDS["calibration"].table),
)

LICENCE_NOTE = (
    f"{__app_name__} is free software under the MIT licence, provided as is, without warranty. "
    "API prices come from the genai-prices project (MIT licence); every other figure is cited "
    "with its public source and as-of date in the catalog and in the reports. Prices and "
    "specifications change: check the figures that decide your case with your vendors."
)


def package_version(*names: str) -> str:
    """The installed version of the first distribution found, or 'not installed'."""
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def versions() -> list[tuple[str, str]]:
    """The app's and its main libraries' versions, read without importing the libraries."""
    return [
        (__app_name__, __version__),
        ("Python", f"{platform.python_version()} ({sys.implementation.name})"),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
        ("pyqtgraph", package_version("pyqtgraph")),
        ("WeasyPrint", package_version("weasyprint")),
        ("genai-prices", package_version("genai-prices")),
        ("Platform", platform.platform(terse=True)),
    ]


@dataclass(frozen=True)
class KindSummary:
    label: str
    count: int
    sources: int
    newest: str  # of the reviewed records (imported ones are dated apart)
    reviewed: bool = True  # False for the API prices, which come from genai-prices


@dataclass(frozen=True)
class CatalogSummary:
    path: Path
    kinds: tuple[KindSummary, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()
    overrides: int = 0
    problem: str = ""

    @property
    def newest(self) -> str:
        """'Data as of': the newest date of the reviewed data (API and imported prices apart)."""
        return max((k.newest for k in self.kinds if k.newest and k.reviewed), default="")


def summarise_catalog(path: Path) -> CatalogSummary:
    """Counts, distinct sources and newest as-of per kind, read-only (never builds or repairs)."""
    if not path.is_file():
        return CatalogSummary(path, problem="not built yet (it is built on first use)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            kinds = []
            for label, table in _KINDS:
                reviewed = table != "api_models"
                newest_of = "max(as_of)"
                if reviewed:
                    newest_of = "max(CASE WHEN basis IS NOT 'imported' THEN as_of END)"
                count, sources, newest = conn.execute(
                    f"SELECT count(*), count(DISTINCT source), {newest_of} FROM [{table}]"
                ).fetchone()
                kinds.append(KindSummary(label, int(count), int(sources), newest or "", reviewed))
            meta = tuple(conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall())
            overrides = int(conn.execute("SELECT count(*) FROM overrides").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return CatalogSummary(path, problem=f"cannot be read ({exc}); it is repaired on next use")
    return CatalogSummary(path, tuple(kinds), meta, overrides)


class AboutDialog(QDialog):
    """Name, version, library versions, the catalog file and a summary of its sources."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {__app_name__}")
        self.setObjectName("AboutDialog")
        self.versions = versions()
        self.summary = summarise_catalog(catalog_path())
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(12)

        title = QLabel(f"<h2>{__app_name__} {__version__}</h2>")
        title.setObjectName("title")
        layout.addWidget(title)
        tagline = QLabel(
            "Buy LLM capability through APIs, or build it on rented or owned GPUs? "
            "A sourced cost-and-capability advisor."
        )
        tagline.setWordWrap(True)
        layout.addWidget(tagline)

        runs_on = QGroupBox("Versions")
        grid = QGridLayout(runs_on)
        grid.setHorizontalSpacing(16)
        for row, (name, version) in enumerate(self.versions[1:]):
            grid.addWidget(QLabel(name), row, 0)
            value = QLabel(version)
            value.setObjectName(f"version_{name}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)
        layout.addWidget(runs_on)

        data = QGroupBox("Catalog")
        data_layout = QVBoxLayout(data)
        where = QLabel(f"File: {self.summary.path}")
        where.setObjectName("catalog_path")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        data_layout.addWidget(where)
        if self.summary.problem:
            problem = QLabel(f"The catalog is {self.summary.problem}.")
            problem.setObjectName("catalog_problem")
            problem.setWordWrap(True)
            data_layout.addWidget(problem)
        else:
            meta = dict(self.summary.meta)
            lines = provenance_lines(self.summary.newest, meta)
            overview = QLabel(
                ".<br>".join(html.escape(line) for line in lines)
                + f".<br>You have {html.escape(own_values(self.summary.overrides))}."
            )
            overview.setObjectName("catalog_overview")
            overview.setWordWrap(True)
            data_layout.addWidget(overview)
            table = QGridLayout()
            table.setHorizontalSpacing(16)
            table.setVerticalSpacing(2)
            for col, head in enumerate(("Kind", "Records", "Sources", "Newest as of")):
                label = QLabel(f"<b>{head}</b>")
                if col in (1, 2):
                    label.setAlignment(Qt.AlignmentFlag.AlignRight)
                table.addWidget(label, 0, col)
            for row, kind in enumerate(self.summary.kinds, start=1):
                table.addWidget(QLabel(kind.label), row, 0)
                for col, text in ((1, f"{kind.count:,}"), (2, f"{kind.sources:,}")):
                    cell = QLabel(text)
                    cell.setAlignment(Qt.AlignmentFlag.AlignRight)
                    table.addWidget(cell, row, col)
                table.addWidget(QLabel(kind.newest or "–"), row, 3)
            table.setColumnStretch(0, 1)
            data_layout.addLayout(table)
        layout.addWidget(data)

        licence = QLabel(LICENCE_NOTE)
        licence.setObjectName("licence")
        licence.setWordWrap(True)
        layout.addWidget(licence)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip("Copy the versions and catalog details, e.g. for a bug report")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Wrapped labels make the minimum height hint too small: size from the full hint.
        width = max(560, self.sizeHint().width())
        height = max(self.sizeHint().height(), layout.totalHeightForWidth(width))
        self.setMinimumSize(width - 40, height)
        self.resize(width, height)

    def details(self) -> str:
        """The versions and catalog summary as plain text."""
        lines = [f"{name}: {version}" for name, version in self.versions]
        lines.append(f"Catalog: {self.summary.path}")
        if self.summary.problem:
            lines.append(f"  {self.summary.problem}")
        if not self.summary.problem:
            meta = dict(self.summary.meta)
            lines += [f"  {line}" for line in provenance_lines(self.summary.newest, meta)]
        for kind in self.summary.kinds:
            lines.append(f"  {kind.label}: {kind.count} (newest {kind.newest or '-'})")
        lines += [f"  {key}: {value}" for key, value in self.summary.meta]
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())
