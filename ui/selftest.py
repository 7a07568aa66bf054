"""``advisor-gui --self-test``: drive the real window through every page and write a PDF."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWizard

from advisor.paths import bundled_path
from ui.main_window import MainWindow

EXAMPLE = "online-retailer-chatbot.json"


def wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    """Run the event loop until ``predicate`` holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not predicate():
        if time.monotonic() > deadline:
            return False
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return True


class _Run:
    def __init__(self, window: MainWindow, shots: Path | None) -> None:
        self.window = window
        self.shots = shots
        self.failures = 0
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)

    def step(self, ok: bool, what: str) -> bool:
        print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.failures += 1
        return ok

    def shot(self, name: str) -> None:
        if self.shots is None:
            return
        wait_for(lambda: False, 0.15)  # let layouts and charts settle
        path = self.shots / f"{name}.png"
        self.step(self.window.grab().save(str(path)), f"screenshot {path}")


def run_self_test(window: MainWindow, shots: Path | None) -> int:
    """Walk every wizard page with an example, write a PDF; 0 only if all of it worked."""
    import sys

    from ui import errors

    def print_error(_parent: object, level: str, title: str, message: str) -> None:
        # Offscreen, a modal box would wait forever: report on stderr instead.
        print(f"{level}: {title}: {message}", file=sys.stderr, flush=True)

    errors.presenter = print_error
    r = _Run(window, shots)
    wiz = window.wizard
    next_button = wiz.button(QWizard.WizardButton.NextButton)
    t0 = time.monotonic()
    if not r.step(wait_for(lambda: window.state.catalog is not None, 300), "catalog loaded"):
        return 1
    example = bundled_path("resources") / "examples" / EXAMPLE
    window.open_example(example)
    r.step(window.state.scenario.name != "New scenario", f"example {EXAMPLE} loaded")
    names = ["welcome", "workload", "team", "hardware", "review"]
    for i, name in enumerate(names):
        page = wiz.currentPage()
        r.step(wiz.currentId() == i, f"page {i + 1} {name} shown")
        r.shot(f"{i + 1:02d}-{name}")
        if not r.step(page.isComplete() and next_button.isEnabled(), f"page {name} is valid"):
            return 1
        next_button.click()
    r.step(wiz.currentPage() is wiz.results, "page 6 results shown")
    ok = wait_for(lambda: window.live.is_current(), 120)
    ev = window.live.evaluation
    if not r.step(ok and ev is not None, "results computed"):
        print(f"     {window.live.message}")
        return 1
    r.step(wiz.results.model.rowCount() == len(ev.options) > 0, f"{len(ev.options)} options ranked")
    r.step(wiz.results.charts is not None, "charts drawn")
    r.shot("06-results")
    for tab in range(1, wiz.results.charts.count()):
        wiz.results.charts.setCurrentIndex(tab)
        r.shot(f"06-results-{tab + 1}")
    wiz.results.charts.setCurrentIndex(0)
    next_button.click()
    report = wiz.report
    r.step(wiz.currentPage() is report, "page 7 report shown")
    with tempfile.TemporaryDirectory(prefix="advisor-selftest-") as tmp:
        pdf = Path(tmp) / "self-test-report.pdf"
        report.path_edit.setText(str(pdf))
        outcome: list[str] = []
        report.pdf_written.connect(lambda _p: outcome.append("ok"))
        report.report_failed.connect(outcome.append)
        report.generate.click()
        done = wait_for(lambda: bool(outcome), 300)
        good = done and outcome[0] == "ok" and pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
        if not r.step(good, "PDF report written"):
            print(f"     {outcome[0] if outcome else 'timed out'}")
        else:
            r.step(True, f"PDF is {pdf.stat().st_size:,} bytes")
            if shots is not None:
                # Keep the PDF next to the screenshots so a smoke test can check the file itself.
                shutil.copyfile(pdf, Path(shots) / "self-test-report.pdf")
        r.shot("07-report")
    window.autosaver.discard()
    status = "passed" if r.failures == 0 else f"failed ({r.failures} step(s))"
    print(f"self-test {status} in {time.monotonic() - t0:.1f} s", flush=True)
    return 0 if r.failures == 0 else 1
