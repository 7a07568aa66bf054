"""Tools > Update prices: download current API and cloud GPU prices, with progress and Cancel."""

from __future__ import annotations

import html
import threading
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from advisor.catalog import db as catalog_db
from advisor.catalog import price_data, update
from advisor.errors import InputError
from advisor.paths import catalog_path as default_catalog_path
from ui import worker
from ui.errors import show_error


def _current_sources(path: Path) -> list[str]:
    """Where the prices in the catalog file come from now (read-only; empty if not built)."""
    if not path.is_file():
        return []
    with catalog_db.open_db(path) as db:
        meta = catalog_db.meta(db)
    return [price_data.api_prices_text(meta), price_data.cloud_prices_text(meta)]


class UpdatePricesDialog(QDialog):
    """Downloads prices in the background (``ui.worker``), shows progress, can be cancelled.

    Signals:
        prices_updated: The catalog was re-imported with new prices.
    """

    prices_updated = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        catalog_path: Path | None = None,
        settings: update.UpdateSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Update prices")
        self.setObjectName("UpdatePricesDialog")
        self.catalog_path = Path(catalog_path) if catalog_path else default_catalog_path()
        self.settings = settings
        self.busy = False
        self._cancel = threading.Event()
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = QLabel(
            "Download the current API prices (genai-prices data) and cloud GPU prices (SkyPilot "
            "catalog) over HTTPS. Your own values are kept; if anything goes wrong, nothing "
            "changes."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.sources = QLabel()
        self.sources.setObjectName("sources")
        self.sources.setWordWrap(True)
        self.sources.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sources)
        self.where = QLabel()
        self.where.setObjectName("where")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.update_button = QPushButton("Update")
        self.update_button.setDefault(True)
        self.update_button.clicked.connect(self.start)
        buttons.addButton(self.update_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self._show_sources()
        self.resize(620, self.sizeHint().height())

    def _show_sources(self) -> None:
        lines = _current_sources(self.catalog_path)
        self.sources.setText(
            "<b>Now</b><br>" + "<br>".join(html.escape(line) for line in lines)
            if lines
            else "The catalog is not built yet."
        )
        try:
            settings = self.settings or update.UpdateSettings.load()
        except InputError as exc:
            self.where.setText(html.escape(str(exc)))
            return
        self.where.setText(
            f"<b>From</b><br>{html.escape(settings.api_url)}<br>"
            f"{html.escape(settings.cloud_csv_url('<cloud>'))} for "
            f"{html.escape(', '.join(settings.clouds))}<br>"
            f"<small>Change these in {html.escape(str(update.UpdateSettings.path()))}</small>"
        )

    # --- the work -------------------------------------------------------------------------
    def start(self) -> Any:
        """Start the download in the background.

        Returns:
            The worker's signals (tests wait on them), or None when already running.
        """
        if self.busy:
            return None
        self.busy = True
        self._cancel.clear()
        self.update_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText("Connecting…")
        path, settings, cancelled = self.catalog_path, self.settings, self._cancel.is_set

        def op(progress: Any) -> update.UpdateResult:
            return update.update_prices(path, settings, progress=progress, cancelled=cancelled)

        return worker.run(op, self._done, self._failed, self._progress, parent=self)

    def cancel(self) -> None:
        if self.busy:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")

    def _progress(self, fraction: float, message: str) -> None:
        if shiboken6.isValid(self):
            self.progress.setValue(round(fraction * 1000))
            self.status.setText(message)

    def _finish(self) -> None:
        self.busy = False
        self.update_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _done(self, result: update.UpdateResult) -> None:
        if not shiboken6.isValid(self):
            return
        self._finish()
        self.progress.setValue(1000)
        self.status.setText(
            f"Updated {result.api_models:,} API models and {result.cloud_offers:,} cloud GPU "
            f"offers ({result.cloud_imported:,} from SkyPilot); kept "
            f"{result.overrides_kept:,} value(s) of your own."
        )
        self._show_sources()
        self.prices_updated.emit()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._finish()
        self.progress.setValue(0)
        if isinstance(exc, update.UpdateCancelled):
            self.status.setText("Cancelled; nothing was changed.")
            return
        self.status.setText("The prices were not updated; the catalog is as it was.")
        show_error(self, "Prices not updated", exc)

    def reject(self) -> None:
        if self.busy:  # Escape or the window's close button while downloading: cancel first
            self.cancel()
            return
        super().reject()
