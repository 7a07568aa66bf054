"""The catalog browser: searchable tables, user overrides of prices and costs, price updates."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from dialogs_fixtures import ErrorRecorder
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from advisor.catalog import db as catalog_db
from advisor.catalog.overrides import apply_overrides, list_overrides
from advisor.catalog.snapshot import Catalog, load_catalog
from ui import errors
from ui.catalog_browser import CatalogBrowser
from ui.models.catalog_tables import (
    ASSUMPTION_BACKGROUND,
    OVERRIDE_COLOUR,
    TABLES,
    CatalogFilterProxy,
    CatalogTableModel,
    format_money,
)

API_ID = "anthropic/claude-sonnet-4-0"  # published input price $3, output $15 per million


@pytest.fixture
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> ErrorRecorder:
    recorder = ErrorRecorder()
    monkeypatch.setattr(errors, "presenter", recorder)
    return recorder


@pytest.fixture
def browser(
    qtbot, fresh_catalog_path: Path, shown_errors: ErrorRecorder
) -> Iterator[CatalogBrowser]:
    dialog = CatalogBrowser(catalog_path=fresh_catalog_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog


@pytest.fixture(scope="module")
def shared_browser(qapp, catalog_file: Path, tmp_path_factory) -> Iterator[CatalogBrowser]:
    """One browser for the tests that only look (building one takes half a second)."""
    path = tmp_path_factory.mktemp("shared") / "catalog.sqlite"
    shutil.copyfile(catalog_file, path)
    dialog = CatalogBrowser(catalog_path=path)
    dialog.show()
    yield dialog
    dialog.close()
    dialog.deleteLater()


def overrides_in(path: Path) -> list[dict[str, str]]:
    with catalog_db.open_db(path) as db:
        return list_overrides(db)


def cell_text(browser: CatalogBrowser, kind: str, record_id: str, field: str) -> str:
    return str(browser.index_of(kind, record_id, field).data())


# --- models ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", TABLES, ids=[s.key for s in TABLES])
def test_every_table_model_passes_the_qt_model_tester(
    qtmodeltester, catalog: Catalog, spec
) -> None:
    # The API table has thousands of rows; the tester walks every cell, so give it a slice
    # that still holds tiered, cached and missing prices.
    records = list(spec.records(catalog))[:300]
    model = CatalogTableModel(spec, records, {})
    model.editor = lambda *args: False
    qtmodeltester.check(model, force_py=True)
    proxy = CatalogFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("a")
    proxy.sort(2, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy, force_py=True)


def test_money_keeps_every_published_digit_of_small_token_prices() -> None:
    assert format_money(Decimal("0.0375")) == "0.0375"
    assert format_money(Decimal("3")) == "3.00"
    assert format_money(Decimal("35000")) == "35,000.00"


# --- showing ---------------------------------------------------------------------------------


def test_every_kind_has_a_tab_with_its_row_count(
    shared_browser: CatalogBrowser, catalog: Catalog
) -> None:
    titles = [shared_browser.tabs.tabText(n) for n in range(shared_browser.tabs.count())]
    assert titles == [
        f"API prices ({len(catalog.api_models):,})",
        f"Open models ({len(catalog.models)})",
        f"GPUs ({len(catalog.gpus)})",
        f"Cloud offers ({len(catalog.cloud_offers)})",
        f"Staffing ({len(catalog.staff)})",
        f"Quality scores ({len(catalog.scores)})",
    ]


def test_header_says_how_old_the_data_is(shared_browser: CatalogBrowser, catalog: Catalog) -> None:
    text = shared_browser.age_label.text()
    assert f"Data as of {catalog.as_of}" in text
    assert f"genai-prices {catalog.meta['genai_prices_version']}" in text
    assert f"imported {catalog.meta['api_imported_at'][:10]}" in text


def test_filter_keeps_rows_holding_every_typed_word(qtbot, shared_browser: CatalogBrowser) -> None:
    qtbot.keyClicks(shared_browser.search, "anthropic sonnet")
    proxy = shared_browser.proxies["api"]
    assert 0 < proxy.rowCount() < shared_browser.models["api"].rowCount()
    model = shared_browser.models["api"]
    for row in range(proxy.rowCount()):
        source_row = proxy.mapToSource(proxy.index(row, 0)).row()
        assert "sonnet" in str(proxy.index(row, 1).data()).lower()
        assert "anthropic" in model.search_text(source_row)
    assert "Anthropic" in {proxy.index(row, 0).data() for row in range(proxy.rowCount())}
    assert f"{proxy.rowCount()} of" in shared_browser.tabs.tabText(0)
    shared_browser.search.clear()
    assert proxy.rowCount() == shared_browser.models["api"].rowCount()


def test_numbers_sort_as_numbers_with_empty_cells_first(shared_browser: CatalogBrowser) -> None:
    view = shared_browser.show_table("gpu")
    column = shared_browser.models["gpu"].column_of("purchase_price_usd")
    view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    proxy = shared_browser.proxies["gpu"]
    values = [proxy.index(r, column).data() for r in range(proxy.rowCount())]
    prices = [Decimal(v.replace(",", "")) for v in values if v != "–"]
    assert values[0] == "–"
    assert prices == sorted(prices)
    assert prices[-1] >= Decimal(30000)


def test_assumption_rows_are_shaded_and_labelled(
    shared_browser: CatalogBrowser, catalog: Catalog
) -> None:
    model = shared_browser.models["staff"]
    basis_column = next(n for n, c in enumerate(model.columns) if c.fmt == "basis")
    assumed = [n for n, s in enumerate(catalog.staff) if s.basis == "assumption"]
    published = [n for n, s in enumerate(catalog.staff) if s.basis != "assumption"]
    assert assumed and published
    for row in assumed:
        assert model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) == ASSUMPTION_BACKGROUND
        assert model.index(row, basis_column).data() == "⚠ assumption"
    for row in published:
        assert model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is None


# --- overrides -------------------------------------------------------------------------------


def test_typing_a_price_stores_an_override_shown_in_another_colour(
    qtbot, browser: CatalogBrowser, fresh_catalog_path: Path
) -> None:
    view = browser.show_table("api")
    qtbot.keyClicks(browser.search, "claude sonnet 4")
    index = browser.index_of("api", API_ID, "input_mtok")
    assert index.isValid()
    view.scrollTo(index)
    with qtbot.waitSignal(browser.catalog_changed):
        where = view.visualRect(index).center()
        # QTest's double click alone does not set the pressed cell, a real one starts with a click.
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        assert view.state() == QAbstractItemView.State.EditingState
        [editor] = view.viewport().findChildren(QLineEdit)
        assert editor.text() == "3"
        editor.selectAll()
        qtbot.keyClicks(editor, "2.5")
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    [stored] = overrides_in(fresh_catalog_path)
    assert (stored["kind"], stored["record_id"], stored["field"], stored["value"]) == (
        "api",
        API_ID,
        "input_mtok",
        "2.5",
    )
    index = browser.index_of("api", API_ID, "input_mtok")
    assert index.data() == "2.50"
    assert index.data(Qt.ItemDataRole.ForegroundRole) == OVERRIDE_COLOUR
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Published value: $3.00 per million tokens" in tip
    # The engine prices with it from now on.
    model = load_catalog(fresh_catalog_path, ensure=False).api_model(API_ID)
    assert model.standard.prices["input_mtok"][0] == Decimal("2.5")
    assert "1 value of your own" in browser.age_label.text()


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("gpu", "purchase_price_usd"),
        ("cloud", "on_demand_usd_per_hour"),
        ("staff", "loaded_monthly_usd"),
        ("api", "output_mtok"),
    ],
)
def test_each_price_and_cost_column_takes_your_own_value(
    qtbot, browser: CatalogBrowser, fresh_catalog_path: Path, kind: str, field: str
) -> None:
    model = browser.models[kind]
    record_id = model.record(0).id
    index = browser.index_of(kind, record_id, field)
    assert index.flags() & Qt.ItemFlag.ItemIsEditable
    with qtbot.waitSignal(browser.catalog_changed):
        assert browser.proxies[kind].setData(index, "1234.5")
    assert [(o["record_id"], o["field"], o["value"]) for o in overrides_in(fresh_catalog_path)] == [
        (record_id, field, "1234.5")
    ]
    assert cell_text(browser, kind, record_id, field) == "1,234.50"


def test_other_cells_cannot_be_edited(shared_browser: CatalogBrowser) -> None:
    model = shared_browser.models["gpu"]
    memory = next(n for n, c in enumerate(model.columns) if c.header.startswith("Memory"))
    assert not model.flags(model.index(0, memory)) & Qt.ItemFlag.ItemIsEditable
    scores = shared_browser.models["score"]
    assert not any(
        scores.flags(scores.index(0, c)) & Qt.ItemFlag.ItemIsEditable
        for c in range(scores.columnCount())
    )


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("-3", "must not be negative"), ("cheap", "is not a number")],
)
def test_a_bad_value_shows_the_engine_reason_and_changes_nothing(
    qtbot,
    browser: CatalogBrowser,
    fresh_catalog_path: Path,
    shown_errors: ErrorRecorder,
    typed: str,
    reason: str,
) -> None:
    index = browser.index_of("api", API_ID, "input_mtok")
    with qtbot.assertNotEmitted(browser.catalog_changed):
        assert not browser.proxies["api"].setData(index, typed)
    [shown] = shown_errors.shown
    assert shown.level == "error"
    assert "Input $/M" in shown.message and reason in shown.message
    assert overrides_in(fresh_catalog_path) == []
    assert browser.index_of("api", API_ID, "input_mtok").data() == "3.00"


def test_reset_to_published_value_removes_the_override(
    qtbot, browser: CatalogBrowser, fresh_catalog_path: Path
) -> None:
    view = browser.show_table("gpu")
    record_id = browser.models["gpu"].record(0).id
    published = cell_text(browser, "gpu", record_id, "purchase_price_usd")
    browser.proxies["gpu"].setData(browser.index_of("gpu", record_id, "purchase_price_usd"), "99")
    assert not browser.reset_button.isEnabled()  # nothing selected yet
    view.setCurrentIndex(browser.index_of("gpu", record_id, "purchase_price_usd"))
    assert browser.reset_button.isEnabled()
    with qtbot.waitSignal(browser.catalog_changed):
        qtbot.mouseClick(browser.reset_button, Qt.MouseButton.LeftButton)
    assert overrides_in(fresh_catalog_path) == []
    index = browser.index_of("gpu", record_id, "purchase_price_usd")
    assert index.data() == published
    assert index.data(Qt.ItemDataRole.ForegroundRole) != OVERRIDE_COLOUR
    assert not browser.reset_button.isEnabled()


def test_overrides_made_elsewhere_show_with_their_published_value(
    qtbot, fresh_catalog_path: Path, shown_errors: ErrorRecorder, catalog: Catalog
) -> None:
    staff = catalog.staff[0]
    with catalog_db.open_db(fresh_catalog_path) as db:
        apply_overrides(
            db,
            [
                {
                    "kind": "staff",
                    "record_id": staff.id,
                    "field": "loaded_monthly_usd",
                    "value": "10000",
                }
            ],
        )
    dialog = CatalogBrowser(catalog_path=fresh_catalog_path)
    qtbot.addWidget(dialog)
    index = dialog.index_of("staff", staff.id, "loaded_monthly_usd")
    assert index.data() == "10,000.00"
    assert f"Published value: {format_money(staff.loaded_monthly_usd)}" in index.data(
        Qt.ItemDataRole.ToolTipRole
    )


# --- updating prices ------------------------------------------------------------------------


def test_update_prices_reimports_in_the_background_and_keeps_overrides(
    qtbot, browser: CatalogBrowser, fresh_catalog_path: Path, catalog: Catalog
) -> None:
    browser.proxies["api"].setData(browser.index_of("api", API_ID, "input_mtok"), "2.5")
    with catalog_db.open_db(fresh_catalog_path) as db:
        # As if the last import was long ago and lost some models.
        db.execute("DELETE FROM api_models WHERE provider = 'openai'")
        db["meta"].upsert(
            {"key": "api_imported_at", "value": "2020-01-01T00:00:00+00:00"}, pk="key"
        )
    browser.reload()
    assert "imported 2020-01-01" in browser.age_label.text()
    with qtbot.waitSignal(browser.catalog_changed, timeout=20_000):
        qtbot.mouseClick(browser.update_button, Qt.MouseButton.LeftButton)
        assert browser.busy_bar.isVisible()
        assert not browser.update_button.isEnabled()
    assert not browser.busy_bar.isVisible()
    assert browser.update_button.isEnabled()
    assert browser.models["api"].rowCount() == len(catalog.api_models)
    assert "imported 2020" not in browser.age_label.text()
    assert "kept 1 value of your own" in browser.status.text()
    assert browser.index_of("api", API_ID, "input_mtok").data() == "2.50"
    assert len(overrides_in(fresh_catalog_path)) == 1


def test_a_failed_update_is_shown_and_leaves_the_catalog_as_it_was(
    qtbot,
    browser: CatalogBrowser,
    shown_errors: ErrorRecorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(catalog_db, "fill", broken)
    rows = browser.models["api"].rowCount()
    with qtbot.assertNotEmitted(browser.catalog_changed):
        browser.update_prices()
        qtbot.waitUntil(lambda: bool(shown_errors.shown))
    assert "No space left on device" in shown_errors.messages[0]
    assert browser.models["api"].rowCount() == rows
    assert browser.update_button.isEnabled()
