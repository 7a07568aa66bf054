"""GUI speed: cold start to the first wizard page, and input change to results updated."""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STARTUP = """
import time, sys
t0 = float(sys.argv[1])
from ui.app import launch, make_app, parse_args
app = make_app()
w = launch(parse_args([]))
app.processEvents()
assert w.wizard.currentPage().isVisible()
print(time.time() - t0, flush=True)
import os
os._exit(0)  # the catalog may still be loading in the background: do not wait for it
"""


def cold_start(runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", STARTUP, repr(time.time())],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=dict(os.environ),
            check=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def update_latency(changes: int = 8) -> float:
    from PySide6.QtCore import QEventLoop, QTimer

    from advisor.catalog.snapshot import load_catalog
    from advisor.scenario import load_scenario
    from ui.app import make_app
    from ui.main_window import MainWindow

    make_app()
    window = MainWindow(catalog=load_catalog())
    window.load(load_scenario(ROOT / "resources/examples/online-retailer-chatbot.json"), None)
    loop = QEventLoop()

    def wait_current() -> None:
        while not window.live.is_current():
            QTimer.singleShot(1, loop.quit)
            loop.exec()

    wait_current()
    times = []
    for i in range(changes):
        s = window.state.scenario
        w = dataclasses.replace(s.workload, requests_per_day=40_000 + 1_000 * i)
        # Changes a user makes one at a time (not a typing burst): no debounce delay.
        QTimer.singleShot(300, loop.quit)
        loop.exec()
        t0 = time.perf_counter()
        window.state.set_scenario(dataclasses.replace(s, workload=w))
        wait_current()
        times.append(time.perf_counter() - t0)
    window.state.mark_dirty(False)
    window.close()
    return statistics.median(times)


def main() -> None:
    env_catalog = os.environ.get("ADVISOR_CATALOG")
    if not env_catalog:
        print("note: using the per-user catalog (set ADVISOR_CATALOG to choose one)")
    start = cold_start()
    print(f"cold start to first wizard page (median of 5): {start * 1000:.0f} ms (goal < 1000)")
    latency = update_latency()
    print(f"input change to results updated (median of 8): {latency * 1000:.0f} ms (goal < 150)")


if __name__ == "__main__":
    main()
