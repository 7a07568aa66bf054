"""The main window: the wizard, file handling (open, save, recent, autosave) and menus."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from advisor.__about__ import __app_name__
from advisor.catalog.snapshot import Catalog
from advisor.errors import InputError
from advisor.scenario import Scenario, load_scenario, save_scenario
from ui import worker
from ui.autosave import Autosaver, Draft, read_draft
from ui.errors import show_error
from ui.money import CurrencyFollower
from ui.results.live import LiveEvaluator
from ui.settings import Settings
from ui.wizard.state import ScenarioState
from ui.wizard.welcome import example_files
from ui.wizard.wizard import AdvisorWizard

log = logging.getLogger("advisor.ui")
FILE_FILTER = "Scenario files (*.json);;All files (*)"


class Dialogs:
    """Every question the main window asks; tests replace these attributes."""

    @staticmethod
    def open_path(parent: QWidget, start: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Open a scenario", start, FILE_FILTER)
        return Path(name) if name else None

    @staticmethod
    def save_path(parent: QWidget, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, "Save the scenario", suggested, FILE_FILTER)
        return Path(name) if name else None

    @staticmethod
    def unsaved_changes(parent: QWidget, name: str) -> str:
        """Return "save", "discard" or "cancel"."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"Save the changes to “{name}” before continuing?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            parent,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard",
        }.get(QMessageBox.StandardButton(answer), "cancel")

    @staticmethod
    def restore_draft(parent: QWidget | None, draft: Draft) -> bool:
        when = dt.datetime.fromtimestamp(draft.saved_at).strftime("%Y-%m-%d %H:%M")
        answer = QMessageBox.question(
            parent,
            "Restore your draft?",
            f"The app did not close normally last time. Restore the draft “{draft.scenario.name}”"
            f" saved at {when}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes


def _load_catalog() -> Catalog:
    from advisor.catalog.snapshot import load_catalog

    return load_catalog()


class MainWindow(QMainWindow):
    catalog_loaded = Signal()

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        settings: Settings | None = None,
        autosave_ms: int | None = None,
        load_catalog: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.state = ScenarioState(parent=self)
        self.live = LiveEvaluator(self.state, self)
        self.wizard = AdvisorWizard(self.state, self.live, self)
        # Money boxes, unit labels and amounts in the scenario's currency (USD, EUR or GBP).
        self.currency = CurrencyFollower(self.state, list(self.wizard.pages))
        self.help_dialog: Any = None  # ui.help.HelpDialog, made on first use
        self.compare_view: Any = None  # ui.compare_view.CompareView, made on first use
        self.setCentralWidget(self.wizard)
        interval = autosave_ms or max(1, int(self.settings.get("autosave_seconds"))) * 1000
        self.autosaver = Autosaver(self.state, interval, parent=self)
        self._build_menus()
        self._build_status()
        self.state.file_changed.connect(self._update_title)
        self.live.evaluation_changed.connect(self._update_status)
        self.live.status_changed.connect(lambda _s: self._update_status(self.live.evaluation))
        w = self.wizard.welcome
        w.new_requested.connect(self.new_scenario)
        w.open_requested.connect(self.open_dialog)
        w.example_requested.connect(self.open_example)
        self.wizard.welcome.load_from_state()
        self._update_title()
        geometry = self.settings.get("window_geometry")
        if not (geometry and self.restoreGeometry(QByteArray.fromHex(geometry.encode()))):
            self.resize(1180, 820)
        if catalog is not None:
            self.set_catalog(catalog)
        elif load_catalog:
            self.catalog_status.setText("Loading the catalog…")
            worker.run(_load_catalog, self.set_catalog, self._catalog_failed, parent=self)

    # --- building -------------------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.triggered.connect(lambda _checked=False: slot())
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.act_new = self._action(
            "&New scenario", self.new_scenario, QKeySequence.StandardKey.New
        )
        self.act_open = self._action("&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.act_save = self._action("&Save", self.save, QKeySequence.StandardKey.Save)
        self.act_save_as = self._action("Save &as…", self.save_as, QKeySequence.StandardKey.SaveAs)
        self.act_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        file.addAction(self.act_new)
        file.addAction(self.act_open)
        self.recent_menu = file.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu = file.addMenu("Open e&xample")
        for path, name in example_files():
            self.examples_menu.addAction(name).triggered.connect(
                lambda _c=False, p=path: self.open_example(p)
            )
        file.addSeparator()
        file.addAction(self.act_save)
        file.addAction(self.act_save_as)
        file.addSeparator()
        file.addAction(self.act_quit)
        tools = bar.addMenu("&Tools")
        self.act_catalog = self._action("&Catalog browser…", self.show_catalog, "Ctrl+K")
        tools.addAction(self.act_catalog)
        self.act_update_prices = self._action("Update &prices…", self.show_update_prices)
        tools.addAction(self.act_update_prices)
        self.act_report = self._action(
            "Go to the &report", lambda: self.go_to(len(self.wizard.pages) - 1), "Ctrl+R"
        )
        tools.addAction(self.act_report)
        self.act_compare = self._action("Co&mpare scenarios…", self.show_compare, "Ctrl+M")
        tools.addAction(self.act_compare)
        help_ = bar.addMenu("&Help")
        self.act_help = self._action(
            "&Manual", self.show_help, QKeySequence.StandardKey.HelpContents, "The manual (F1)"
        )
        help_.addAction(self.act_help)
        self.wizard.helpRequested.connect(self.show_help)
        self.act_about = self._action(f"&About {__app_name__}", self.show_about)
        help_.addAction(self.act_about)

    def _build_status(self) -> None:
        self.live_status = QLabel()
        self.live_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.catalog_status = QLabel()
        self.statusBar().addWidget(self.live_status, 1)
        self.statusBar().addPermanentWidget(self.catalog_status)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for i, path in enumerate(files, 1):
            act = self.recent_menu.addAction(f"&{i} {path.name}  —  {path.parent}")
            act.triggered.connect(lambda _c=False, p=path: self.open_path(p))

    # --- status ---------------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.state.path.name if self.state.path else self.state.scenario.name
        self.setWindowTitle(f"{name}[*] — {__app_name__}")
        self.setWindowModified(self.state.dirty)

    def _update_status(self, ev: Any) -> None:
        if self.live.status == "computing":
            self.live_status.setText("Updating the recommendation…")
        elif ev is not None and ev.recommendation is not None:
            from advisor.recommend.summary import summary_sentence

            self.live_status.setText(f"Recommended now: {summary_sentence(ev)}")
        else:
            self.live_status.setText(self.live.message)

    # --- catalog --------------------------------------------------------------------------
    def set_catalog(self, catalog: Catalog) -> None:
        self.state.set_catalog(catalog)
        as_of = catalog.meta.get("seeds_as_of") or catalog.as_of
        self.catalog_status.setText(f"Data as of {as_of}" if as_of else "Catalog loaded")
        self.catalog_loaded.emit()

    def _catalog_failed(self, exc: BaseException) -> None:
        self.catalog_status.setText("Catalog unavailable")
        show_error(self, "Cannot load the catalog", exc)

    # --- files ----------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False means the user cancelled."""
        if not self.state.dirty:
            return True
        answer = Dialogs.unsaved_changes(self, self.state.scenario.name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def go_to(self, page: int) -> None:
        """Move the wizard to ``page`` the way a user would (Next only while pages allow)."""
        while self.wizard.currentId() > page:
            self.wizard.back()
        while self.wizard.currentId() < page:
            before = self.wizard.currentId()
            if not self.wizard.currentPage().isComplete():
                break
            self.wizard.next()
            if self.wizard.currentId() == before:
                break

    def load(self, scenario: Scenario, path: Path | None, *, dirty: bool = False) -> None:
        self.state.load(scenario, path, dirty=dirty)
        self.wizard.restart()

    def new_scenario(self) -> None:
        if self.maybe_save():
            self.load(Scenario(), None)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = self.settings.get("last_dir") or str(Path.home())
        path = Dialogs.open_path(self, start)
        if path is not None:
            self.open_path(path, ask=False)

    def open_path(self, path: Path, *, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            show_error(self, f"Cannot open {Path(path).name}", exc)
            if not Path(path).exists():
                self.settings.remove_recent(path)
            return False
        self.load(scenario, Path(path))
        self.settings.add_recent(Path(path))
        return True

    def open_example(self, path: Path) -> None:
        """Start from an example: a copy, so Save asks where to put it."""
        if not self.maybe_save():
            return
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            show_error(self, "Cannot open the example", exc)
            return
        self.load(scenario, None)
        self.wizard.welcome.show_example(path)

    def save(self) -> bool:
        if self.state.path is None:
            return self.save_as()
        return self._write(self.state.path)

    def save_as(self) -> bool:
        from ui.wizard.report_page import slug

        start = self.settings.get("last_dir") or str(Path.home())
        suggested = str(Path(start) / f"{slug(self.state.scenario.name)}.json")
        path = Dialogs.save_path(self, suggested)
        if path is None:
            return False
        if path.suffix == "":
            path = path.with_suffix(".json")
        return self._write(path)

    def _write(self, path: Path) -> bool:
        try:
            save_scenario(self.state.scenario, path)
        except InputError as exc:
            show_error(self, "Cannot save the scenario", exc)
            return False
        self.state.saved_as(path)
        self.settings.add_recent(path)
        self.autosaver.discard()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    # --- crash recovery -------------------------------------------------------------------
    def offer_restore(self) -> bool:
        """After an unclean exit, offer the autosaved draft back. True when restored."""
        draft = read_draft(self.autosaver.path)
        self.autosaver.release()  # offered now (or set aside as unusable)
        if draft is None:
            return False
        if Dialogs.restore_draft(self, draft):
            self.load(draft.scenario, draft.source, dirty=True)
            return True
        self.autosaver.discard()
        return False

    # --- other windows ----------------------------------------------------------------------
    def show_catalog(self) -> None:
        try:
            from ui.catalog_browser import CatalogBrowser
        except ImportError as exc:
            show_error(
                self, "Catalog browser unavailable", f"It is missing from this build ({exc})."
            )
            return
        try:
            CatalogBrowser(self).exec()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            show_error(self, "Catalog browser", exc)

    def show_update_prices(self) -> None:
        """Tools > Update prices: download prices, then reload the catalog when they changed."""
        from ui.update_prices import UpdatePricesDialog

        dialog = UpdatePricesDialog(self)
        dialog.prices_updated.connect(self.reload_catalog)
        dialog.exec()

    def reload_catalog(self) -> None:
        self.catalog_status.setText("Loading the catalog…")
        worker.run(_load_catalog, self.set_catalog, self._catalog_failed, parent=self)

    def show_help(self) -> None:
        """The manual, at the section of the page being shown."""
        from ui.help import HelpDialog, anchor_for_page

        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show_section(anchor_for_page(self.wizard.currentId()))

    def show_compare(self) -> None:
        """Open the compare view and ask for two or more saved scenarios."""
        from ui.compare_view import CompareView

        if self.state.catalog is None:
            return
        self.compare_view = CompareView(self.state.catalog, self)
        self.compare_view.show()
        self.compare_view.choose_files()

    def show_about(self) -> None:
        try:
            from ui.about import AboutDialog
        except ImportError as exc:
            show_error(self, "About unavailable", f"It is missing from this build ({exc}).")
            return
        try:
            AboutDialog(self).exec()
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            show_error(self, "About", exc)

    # --- closing --------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.autosaver.stop()
        self.autosaver.discard()
        self.settings.set("window_geometry", bytes(self.saveGeometry().toHex().data()).decode())
        event.accept()
