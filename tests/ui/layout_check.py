"""Screenshots every wizard page at a screen size and lists what does not fit.

Used by ``test_layouts.py`` in-process, and as a script in a subprocess for the 200 % scale
(``QT_SCALE_FACTOR`` must be set before Qt starts):
``python tests/ui/layout_check.py OUT_DIR CATALOG WIDTHxHEIGHT...``; prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
SIZES = ((1280, 720), (1366, 768), (1920, 1080))
MIN_RESULT_ROWS = 5


def _settle(app: Any, window: Any, seconds: float = 0.05) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()


def wait_for_results(app: Any, window: Any, timeout: float = 30.0) -> None:
    live = window.live
    end = time.monotonic() + timeout
    while time.monotonic() < end and not (live.evaluation is not None and live.is_current()):
        app.processEvents()
        time.sleep(0.01)


def page_problems(page: Any) -> list[str]:
    """What a user could not see or reach on ``page``: sideways scrolling and cut text."""
    from PySide6.QtWidgets import (
        QAbstractSpinBox,
        QCheckBox,
        QLabel,
        QLineEdit,
        QPushButton,
        QScrollArea,
        QTableView,
    )

    out: list[str] = []
    for area in page.findChildren(QScrollArea):
        if area.isVisible() and area.horizontalScrollBar().isVisible():
            out.append(f"scrolls sideways ({area.objectName() or type(area).__name__})")
    for w in page.findChildren(QLineEdit):
        if not w.isVisible() or isinstance(w.parentWidget(), QAbstractSpinBox):
            continue
        need = w.fontMetrics().horizontalAdvance(w.text()) + 12
        if w.width() < need:
            out.append(f"text box cut: {w.accessibleName() or w.text()!r} {w.width()}<{need}")
    for sb in page.findChildren(QAbstractSpinBox):
        if sb.isVisible() and sb.width() < sb.minimumSizeHint().width():
            out.append(f"number box cut: {sb.accessibleName()!r}")
    for label in page.findChildren(QLabel):
        if not label.isVisible() or label.wordWrap() or not label.text():
            continue
        if label.width() < label.minimumSizeHint().width():
            out.append(f"label cut: {label.text()[:40]!r} {label.width()}")
    for button in (*page.findChildren(QPushButton), *page.findChildren(QCheckBox)):
        if button.isVisible() and button.width() < button.minimumSizeHint().width():
            out.append(f"button cut: {button.text()!r}")
    for table in page.findChildren(QTableView):
        if not table.isVisible() or table.model() is None:
            continue
        rows = min(MIN_RESULT_ROWS, table.model().rowCount())
        need = rows * table.verticalHeader().defaultSectionSize()
        if table.viewport().height() < need:
            out.append(f"table shows fewer than {rows} rows ({table.viewport().height()}px)")
    return out


def check(app: Any, window: Any, sizes: Any, out_dir: Path, tag: str = "") -> dict[str, Any]:
    """Screenshot each page at each size; return the problems and the file names."""
    window.open_example(EXAMPLES / "online-retailer-chatbot.json")
    wait_for_results(app, window)
    report: dict[str, Any] = {"problems": {}, "shots": []}
    for width, height in sizes:
        window.resize(width, height)
        for page_id in range(len(window.wizard.pages)):
            window.go_to(page_id)
            if page_id == window.wizard.currentId() and page_id >= 5:
                wait_for_results(app, window)
            _settle(app, window)
            page = window.wizard.currentPage()
            name = f"{tag}{width}x{height}-{page_id}-{type(page).__name__}"
            problems = page_problems(page)
            if window.width() > width or window.height() > height:
                problems.append(f"window needs {window.width()}x{window.height()}")
            if window.wizard.currentId() != page_id:
                problems.append("could not reach the page")
            path = out_dir / f"{name}.png"
            window.grab().save(str(path))
            report["shots"].append(path.name)
            if problems:
                report["problems"][name] = problems
        window.go_to(0)
    return report


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out_dir, catalog_path = Path(argv[0]), Path(argv[1])
    sizes = [tuple(int(x) for x in s.split("x")) for s in argv[2:]]
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from advisor.catalog.snapshot import load_catalog
    from ui.main_window import MainWindow

    window = MainWindow(catalog=load_catalog(catalog_path), autosave_ms=3_600_000)
    window.show()
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    report = check(app, window, sizes, out_dir, tag=f"scale{scale}-")
    report["device_pixel_ratio"] = window.devicePixelRatio()
    window.state.mark_dirty(False)
    window.close()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main(sys.argv[1:]))
