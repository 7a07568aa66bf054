"""Browse the catalog (prices, models, GPUs, offers, staffing, scores), override prices, update."""

from __future__ import annotations

import datetime as dt
import html
import logging
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from advisor.catalog import db as catalog_db
from advisor.catalog import price_data
from advisor.catalog.overrides import apply_overrides, remove_override
from advisor.catalog.snapshot import Catalog, load_catalog
from advisor.errors import InputError, Problem
from advisor.paths import catalog_path as default_catalog_path
from ui import worker
from ui.errors import show_error
from ui.models.catalog_tables import (
    ASSUMPTION_BACKGROUND,
    OVERRIDE_COLOUR,
    TABLES,
    CatalogFilterProxy,
    CatalogTableModel,
    TableSpec,
    own_values,
    published_values,
)

log = logging.getLogger("advisor.ui")

_MAX_COLUMN_WIDTH = 260


def _reimport_api_prices(path: Path) -> tuple[dict[str, int], int]:
    """Worker op: re-import the API prices from genai-prices, keeping the user's overrides."""
    return catalog_db.update_api_prices(path)


def _age(date_text: str, today: dt.date | None = None) -> str:
    """'today', '1 day old', '12 days old', or '' for an unreadable date."""
    try:
        day = dt.date.fromisoformat(date_text[:10])
    except ValueError:
        return ""
    days = ((today or dt.date.today()) - day).days
    if days <= 0:
        return "today"
    return "1 day old" if days == 1 else f"{days:,} days old"


class CatalogBrowser(QDialog):
    """The catalog in searchable tabs; price and cost cells take the user's own values.

    Signals:
        catalog_changed: An override was stored or removed, or the API prices were re-imported.
    """

    catalog_changed = Signal()

    def __init__(self, parent: QWidget | None = None, catalog_path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Catalog")
        self.setObjectName("CatalogBrowser")
        self.catalog_path = Path(catalog_path) if catalog_path else default_catalog_path()
        self.catalog: Catalog | None = None
        self.busy = False
        self.models: dict[str, CatalogTableModel] = {}
        self.proxies: dict[str, CatalogFilterProxy] = {}
        self.views: dict[str, QTableView] = {}
        self._build()
        self.reload()
        self.resize(1180, 680)

    # --- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(8)

        top = QHBoxLayout()
        self.age_label = QLabel()
        self.age_label.setObjectName("age_label")
        self.age_label.setWordWrap(True)
        self.age_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.age_label, 1)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # busy: genai-prices gives no progress to report
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        top.addWidget(self.busy_bar)
        self.update_button = QPushButton("Re-import prices")
        self.update_button.setToolTip(
            "Re-import the API prices from the last download or the bundled genai-prices data "
            "(Tools > Update prices downloads current ones); your own prices are kept"
        )
        self.update_button.clicked.connect(self.update_prices)
        top.addWidget(self.update_button)
        layout.addLayout(top)

        search_row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(
            "Filter: type words to find, e.g. 'anthropic sonnet' or 'h100'"
        )
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        search_row.addWidget(self.search, 1)
        layout.addLayout(search_row)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for spec in TABLES:
            self._add_tab(spec)
        layout.addWidget(self.tabs, 1)

        legend = QLabel(
            "Double-click a price or cost to enter your own (e.g. a negotiated price); it is kept "
            f"when prices are updated. <span style='color:{OVERRIDE_COLOUR.name()};"
            "font-weight:bold'>Blue bold</span> values are yours (hover for the published value). "
            f"<span style='background:{ASSUMPTION_BACKGROUND.name()};color:#3d2c00'>"
            "&nbsp;Shaded rows&nbsp;</span> are assumptions, not published figures."
        )
        legend.setWordWrap(True)
        legend.setObjectName("legend")
        layout.addWidget(legend)

        bottom = QHBoxLayout()
        self.reset_button = QPushButton("Reset to published value")
        self.reset_button.setEnabled(False)
        self.reset_button.clicked.connect(self.reset_current)
        bottom.addWidget(self.reset_button)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.tabs.currentChanged.connect(lambda _: self._update_reset_button())

    def _add_tab(self, spec: TableSpec) -> None:
        model = CatalogTableModel(spec, parent=self)
        if any(c.field for c in spec.columns):
            model.editor = self.store_override
        proxy = CatalogFilterProxy(self)
        proxy.setSourceModel(model)
        view = QTableView()
        view.setObjectName(f"table_{spec.key}")
        view.setModel(proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the catalog's order at first
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.horizontalHeader().setResizeContentsPrecision(120)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(lambda pos, k=spec.key: self._menu(k, pos))
        view.selectionModel().currentChanged.connect(lambda *_: self._update_reset_button())
        reset = QAction("Reset to published value", view)
        reset.setShortcut(QKeySequence.StandardKey.Delete)
        reset.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        reset.triggered.connect(self.reset_current)
        view.addAction(reset)
        self.models[spec.key] = model
        self.proxies[spec.key] = proxy
        self.views[spec.key] = view
        self.tabs.addTab(view, spec.title)

    # --- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Load the catalog (building it when missing) and refill every table."""
        try:
            status = catalog_db.ensure_catalog(self.catalog_path)
            for notice in status.notices:
                log.info(notice)
            self.catalog = load_catalog(self.catalog_path, ensure=False)
            with catalog_db.open_db(self.catalog_path) as db:
                published = published_values(db)
        except Exception as exc:  # noqa: BLE001 - a broken catalog must not break the app
            show_error(self, "Catalog not loaded", exc)
            return
        for spec in TABLES:
            self.models[spec.key].set_records(spec.records(self.catalog), published)
        for n, spec in enumerate(TABLES):
            self._fit_columns(self.views[spec.key])
            self._retitle(n, spec)
        self._update_header()
        self._update_reset_button()

    def _fit_columns(self, view: QTableView) -> None:
        view.resizeColumnsToContents()
        header = view.horizontalHeader()
        for section in range(header.count()):
            if header.sectionSize(section) > _MAX_COLUMN_WIDTH:
                header.resizeSection(section, _MAX_COLUMN_WIDTH)

    def _retitle(self, tab: int, spec: TableSpec) -> None:
        total = self.models[spec.key].rowCount()
        shown = self.proxies[spec.key].rowCount()
        count = f"{total:,}" if shown == total else f"{shown:,} of {total:,}"
        self.tabs.setTabText(tab, f"{spec.title} ({count})")

    def _update_header(self) -> None:
        if self.catalog is None:
            return
        meta = self.catalog.meta
        as_of = self.catalog.as_of
        imported = meta.get("api_imported_at", "")
        overrides = sum(len(r.overridden) for spec in TABLES for r in spec.records(self.catalog))
        age = _age(as_of)
        parts = [f"<b>Data as of {as_of or 'unknown'}</b>" + (f" ({age})" if age else "")]
        imported_age = _age(imported)
        parts.append(
            html.escape(price_data.api_prices_text(meta))
            + f"; imported {imported[:10] or 'never'}"
            + (f" ({imported_age})" if imported_age else "")
        )
        parts.append(html.escape(price_data.cloud_prices_text(meta)))
        parts.append(own_values(overrides))
        self.age_label.setText(" · ".join(parts))
        self.age_label.setToolTip(f"Catalog file: {self.catalog_path}")

    # --- filter -----------------------------------------------------------------------------
    def _filter(self, text: str) -> None:
        for n, spec in enumerate(TABLES):
            self.proxies[spec.key].set_search(text)
            self._retitle(n, spec)

    def current_key(self) -> str:
        return TABLES[self.tabs.currentIndex()].key

    def show_table(self, key: str) -> QTableView:
        """Switch to a tab by its key (``api``, ``model``, ``gpu``, ``cloud``, ``staff``...)."""
        self.tabs.setCurrentIndex(next(n for n, s in enumerate(TABLES) if s.key == key))
        return self.views[key]

    # --- overrides --------------------------------------------------------------------------
    def store_override(self, kind: str, record_id: str, field: str, text: str) -> bool:
        """Store the user's own value for one price or cost (the model's editor).

        A bad value is shown with the engine's reason; the catalog stays as it was.

        Returns:
            True when the value was stored.
        """
        if self.busy:
            return False
        row = {"kind": kind, "record_id": record_id, "field": field, "value": text}
        try:
            with catalog_db.open_db(self.catalog_path) as db:
                apply_overrides(db, [row])
        except InputError as exc:
            label = self._column_label(kind, field)
            # The engine names the row and field of an import file; here the cell is the field.
            problems = [Problem(label, p.severity, p.message) for p in exc.problems]
            show_error(self, "Value not stored", InputError(*problems))
            return False
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            show_error(self, "Value not stored", exc)
            return False
        self._reload_record(kind, record_id)
        self.status.setText(
            f"Stored your value for {record_id} ({self._column_label(kind, field)})."
        )
        self.catalog_changed.emit()
        return True

    def reset_current(self) -> None:
        """Remove the user's value in the current cell, going back to the published one."""
        key = self.current_key()
        view = self.views[key]
        index = self.proxies[key].mapToSource(view.currentIndex())
        model = self.models[key]
        if self.busy or not index.isValid() or not model.is_overridden(index):
            return
        record_id = model.record(index.row()).id
        field = model.field_at(index)
        assert field is not None
        self.reset_override(key, record_id, field)

    def reset_override(self, kind: str, record_id: str, field: str) -> bool:
        """Remove one override; returns True when there was one."""
        try:
            with catalog_db.open_db(self.catalog_path) as db:
                removed = remove_override(db, kind, record_id, field)
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            show_error(self, "Value not reset", exc)
            return False
        if removed:
            self._reload_record(kind, record_id)
            self.status.setText(
                f"{record_id} ({self._column_label(kind, field)}) is back to the published value."
            )
            self.catalog_changed.emit()
        return removed

    def _column_label(self, kind: str, field: str) -> str:
        model = self.models[kind]
        column = model.column_of(field)
        return model.columns[column].header if column >= 0 else field

    def _reload_record(self, kind: str, record_id: str) -> None:
        try:
            self.catalog = load_catalog(self.catalog_path, ensure=False)
            with catalog_db.open_db(self.catalog_path) as db:
                published = published_values(db)
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            show_error(self, "Catalog not reloaded", exc)
            return
        spec = next(s for s in TABLES if s.key == kind)
        record = next((r for r in spec.records(self.catalog) if r.id == record_id), None)
        if record is not None:
            self.models[kind].replace_record(record, published)
            # Your values are bold, hence a little wider than the published ones.
            for column, col in enumerate(self.models[kind].columns):
                if col.field:
                    self.views[kind].resizeColumnToContents(column)
        self._update_header()
        self._update_reset_button()

    def _update_reset_button(self) -> None:
        key = self.current_key()
        index = self.proxies[key].mapToSource(self.views[key].currentIndex())
        self.reset_button.setEnabled(not self.busy and self.models[key].is_overridden(index))

    def _menu(self, key: str, pos: QPoint) -> None:
        view = self.views[key]
        proxy_index = view.indexAt(pos)
        if not proxy_index.isValid():
            return
        view.setCurrentIndex(proxy_index)
        index = self.proxies[key].mapToSource(proxy_index)
        model = self.models[key]
        menu = QMenu(view)
        edit = menu.addAction("Enter your own value…")
        edit.setEnabled(bool(model.flags(index) & Qt.ItemFlag.ItemIsEditable))
        edit.triggered.connect(lambda: view.edit(proxy_index))
        reset = menu.addAction("Reset to published value")
        reset.setEnabled(not self.busy and model.is_overridden(index))
        reset.triggered.connect(self.reset_current)
        menu.popup(view.viewport().mapToGlobal(pos))

    # --- update from genai-prices ---------------------------------------------------------
    def update_prices(self) -> Any:
        """Re-import the API prices in the background, keeping overrides, then reload.

        Returns:
            The worker's signals (tests wait on ``succeeded``/``failed``), or None when busy.
        """
        if self.busy:
            return None
        self._set_busy(True)
        self.status.setText("Re-importing API prices from genai-prices…")
        path = self.catalog_path
        return worker.run(lambda: _reimport_api_prices(path), self._updated, self._update_failed)

    def _updated(self, result: tuple[dict[str, int], int]) -> None:
        if not shiboken6.isValid(self):
            return
        counts, kept = result
        self._set_busy(False)
        self.reload()
        version = self.catalog.meta.get("genai_prices_version", "?") if self.catalog else "?"
        self.status.setText(
            f"Re-imported {counts.get('api_models', 0):,} API models from genai-prices "
            f"{version}; kept {own_values(kept).replace('no values', '0 values')}."
        )
        self.catalog_changed.emit()

    def _update_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False)
        self.status.setText("The prices were not updated; the catalog is as it was.")
        show_error(self, "Prices not updated", exc)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_bar.setVisible(busy)
        self.update_button.setEnabled(not busy)
        for model in self.models.values():
            model.read_only = busy
        self._update_reset_button()

    def index_of(self, kind: str, record_id: str, field: str) -> QModelIndex:
        """The view index of one cell (for tests and for jumping to a value)."""
        model = self.models[kind]
        source = model.index(model.row_of(record_id), model.column_of(field))
        return self.proxies[kind].mapFromSource(source)
