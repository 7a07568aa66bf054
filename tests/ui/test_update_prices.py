"""Tools > Update prices: a real download from loopback HTTPS, off the GUI thread, cancellable."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from price_server import MIRROR, Certs, PriceServer, Reply, make_certs, mirror_routes
from PySide6.QtCore import Qt

from advisor.catalog import update
from advisor.catalog.snapshot import load_catalog
from ui.update_prices import UpdatePricesDialog

MODIFIED = "Wed, 02 Dec 2026 10:00:00 GMT"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("price-certs"))


@pytest.fixture
def server(certs: Certs) -> Iterator[PriceServer]:
    with PriceServer(certs, mirror_routes(last_modified=MODIFIED)) as running:
        yield running


@pytest.fixture
def dialog(
    qtbot, server: PriceServer, certs: Certs, fresh_catalog_path: Path
) -> UpdatePricesDialog:  # type: ignore[no-untyped-def]
    settings = update.UpdateSettings(ca_file=str(certs.ca_file)).from_mirror(server.base)
    dlg = UpdatePricesDialog(catalog_path=fresh_catalog_path, settings=settings)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_update_downloads_in_the_background_with_progress_and_reloads(
    qtbot, dialog: UpdatePricesDialog, server: PriceServer, fresh_catalog_path: Path, tmp_path: Path
) -> None:
    assert "genai-prices" in dialog.sources.text() and "bundled package" in dialog.sources.text()
    assert server.url("data.json") in dialog.where.text()
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.prices_updated, timeout=30_000):
        qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
        assert dialog.busy and not dialog.update_button.isEnabled()
        assert dialog.cancel_button.isEnabled() and not dialog.close_button.isEnabled()
    assert values and values == sorted(values) and values[-1] == 1000
    assert len(values) >= 4  # one step per file at least: it moved, it did not jump to the end
    assert dialog.status.text().startswith("Updated ")
    assert (
        "downloaded" in dialog.sources.text() and server.url("data.json") in dialog.sources.text()
    )
    assert dialog.update_button.isEnabled() and dialog.close_button.isEnabled()
    assert load_catalog(fresh_catalog_path, ensure=False).meta["api_data_date"] == "2026-12-02"
    dialog.grab().save(str(tmp_path / "update-prices.png"))


def test_cancel_stops_the_download_and_changes_nothing(
    qtbot, dialog: UpdatePricesDialog, server: PriceServer, fresh_catalog_path: Path
) -> None:
    body = (MIRROR / "data.json").read_bytes()
    server.routes["/data.json"] = Reply(body, chunk_pause=0.2)
    before = fresh_catalog_path.read_bytes()
    with qtbot.assertNotEmitted(dialog.prices_updated, wait=200):
        dialog.start()
        qtbot.waitUntil(lambda: "MB" in dialog.status.text(), timeout=10_000)
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.status.text() == "Cancelled; nothing was changed."
    assert fresh_catalog_path.read_bytes() == before


def test_a_failed_download_is_shown_and_changes_nothing(
    qtbot,
    dialog: UpdatePricesDialog,
    server: PriceServer,
    fresh_catalog_path: Path,
    shown_errors: list[tuple[str, str, str]],
) -> None:
    del server.routes["/aws/vms.csv"]
    before = fresh_catalog_path.read_bytes()
    with qtbot.assertNotEmitted(dialog.prices_updated, wait=200):
        dialog.start()
        qtbot.waitUntil(lambda: bool(shown_errors), timeout=30_000)
    (_level, title, message) = shown_errors[0]
    assert title == "Prices not updated"
    assert "aws/vms.csv: the server answered HTTP 404" in message
    assert "the catalog is as it was" in dialog.status.text()
    assert fresh_catalog_path.read_bytes() == before


def test_the_tools_menu_opens_update_prices_and_reloads_the_catalog_after(
    qtbot, window, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import ui.update_prices as module

    opened: list[UpdatePricesDialog] = []

    def fake_exec(self: UpdatePricesDialog) -> int:
        opened.append(self)
        self.prices_updated.emit()  # as after a successful update
        return 0

    monkeypatch.setattr(module.UpdatePricesDialog, "exec", fake_exec)
    titles = [a.text() for a in window.menuBar().actions()]
    tools = window.menuBar().actions()[titles.index("&Tools")].menu()
    assert window.act_update_prices in tools.actions()
    with qtbot.waitSignal(window.catalog_loaded, timeout=30_000):
        window.act_update_prices.trigger()
    assert len(opened) == 1
