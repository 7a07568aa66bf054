"""The About box: versions, the catalog file and a summary of the data sources."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sys
from importlib import metadata
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from advisor.__about__ import __app_name__, __version__
from advisor.catalog.snapshot import Catalog
from ui.about import AboutDialog


def label(dialog: AboutDialog, name: str) -> str:
    found = dialog.findChild(QLabel, name)
    assert found is not None, name
    return found.text()


@pytest.fixture
def about(qtbot, fresh_catalog_path: Path) -> AboutDialog:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    return dialog


def test_shows_the_app_and_library_versions_without_importing_weasyprint(qtbot) -> None:
    weasyprint_loaded = "weasyprint" in sys.modules
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert f"{__app_name__} {__version__}" in label(dialog, "title")
    assert label(dialog, "version_Qt") == qVersion()
    assert label(dialog, "version_pyqtgraph") == metadata.version("pyqtgraph")
    assert label(dialog, "version_WeasyPrint") == metadata.version("weasyprint")
    assert label(dialog, "version_genai-prices") == metadata.version("genai-prices")
    assert label(dialog, "version_Python").startswith(".".join(map(str, sys.version_info[:2])))
    if not weasyprint_loaded:
        assert "weasyprint" not in sys.modules  # it loads Pango; only reports need it


def test_shows_where_the_catalog_lives_and_what_it_holds(
    about: AboutDialog, fresh_catalog_path: Path, catalog: Catalog
) -> None:
    assert str(fresh_catalog_path) in label(about, "catalog_path")
    overview = label(about, "catalog_overview")
    assert f"Data as of {catalog.as_of}" in overview
    assert f"genai-prices {catalog.meta['genai_prices_version']}" in overview
    assert "no values of your own" in overview
    counts = {k.label: k.count for k in about.summary.kinds}
    assert counts["API models and prices"] == len(catalog.api_models)
    assert counts["GPUs"] == len(catalog.gpus)
    assert counts["Open-weight models"] == len(catalog.models)
    assert counts["Cloud GPU offers"] == len(catalog.cloud_offers)
    assert counts["Staffing benchmarks"] == len(catalog.staff)
    assert counts["Quality scores"] == len(catalog.scores)
    assert about.summary.newest == catalog.as_of
    assert "MIT licence" in label(about, "licence")


def test_a_missing_catalog_is_described_and_not_built(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nowhere" / "catalog.sqlite"
    monkeypatch.setenv("ADVISOR_CATALOG", str(path))
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert "not built yet" in label(dialog, "catalog_problem")
    assert not path.exists()


def test_a_damaged_catalog_is_described_not_repaired(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "catalog.sqlite"
    path.write_bytes(b"not a database at all" * 10)
    monkeypatch.setenv("ADVISOR_CATALOG", str(path))
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert "cannot be read" in label(dialog, "catalog_problem")
    assert path.read_bytes() == b"not a database at all" * 10


def test_copy_details_puts_versions_and_catalog_on_the_clipboard(
    qtbot, about: AboutDialog, fresh_catalog_path: Path
) -> None:
    qtbot.mouseClick(about.copy_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert f"{__app_name__}: {__version__}" in text
    assert f"Qt: {qVersion()}" in text
    assert f"Catalog: {fresh_catalog_path}" in text
    assert "genai_prices_version" in text


def test_data_as_of_stays_the_reviewed_date_and_downloaded_prices_are_named_apart(
    qtbot, fresh_catalog_path: Path, catalog: Catalog
) -> None:
    """A download (dated after the seeds) changes the price lines, never 'Data as of'."""
    from advisor.catalog import db as catalog_db

    url = "https://prices.example/data.json"
    with catalog_db.open_db(fresh_catalog_path) as db:
        for key, value in {
            "api_data_source": url,
            "api_data_date": "2099-01-02",
            "api_data_fetched_at": "2099-01-03T04:05:06+00:00",
        }.items():
            db["meta"].upsert({"key": key, "value": value}, pk="key")
        db.execute("UPDATE api_models SET as_of = '2099-01-02'")
        db.execute(
            "UPDATE cloud_offers SET as_of = '2099-01-02', basis = 'imported' "
            "WHERE id = 'aws-p5-48xlarge-us-east-1'"
        )
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    overview = label(dialog, "catalog_overview")
    assert f"Data as of {catalog.as_of} (newest date in the reviewed catalog data)" in overview
    assert f"API prices: genai-prices data of 2099-01-02, downloaded 2099-01-03 from {url}" in (
        overview
    )
    assert "Cloud GPU prices: the reviewed catalog data" in overview
    assert dialog.summary.newest == catalog.as_of
    assert {k.label: k.newest for k in dialog.summary.kinds}["API models and prices"] == (
        "2099-01-02"
    )
    assert "API prices: genai-prices data of 2099-01-02" in dialog.details()
