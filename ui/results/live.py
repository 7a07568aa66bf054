"""Re-evaluate the scenario in the background after each change; stale results are dropped."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from advisor.recommend.result import Evaluation
from ui import worker
from ui.errors import describe
from ui.wizard.state import ScenarioState

DEBOUNCE_MS = 150


def _evaluate(scenario: Any, catalog: Any) -> Evaluation:
    from advisor.recommend.evaluate import evaluate  # numpy and friends: off the start-up path

    return evaluate(scenario, catalog)


class LiveEvaluator(QObject):
    """Keeps ``evaluation`` in step with the state.

    An isolated change starts at once; changes arriving within ``DEBOUNCE_MS`` of each other
    (typing) are coalesced into one run after the burst. At most one run is in flight; a
    result is shown only if the scenario did not change while it was computed.
    """

    evaluation_changed = Signal(object)  # Evaluation or None
    status_changed = Signal(str)  # "computing", "ready", "invalid", "failed", "waiting"

    def __init__(self, state: ScenarioState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.evaluation: Evaluation | None = None
        self.revision = -1  # the state revision ``evaluation`` belongs to
        self.status = "waiting"
        self.message = ""
        self._running = False
        self._last_change = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start)
        state.scenario_changed.connect(self.schedule)

    def _set_status(self, status: str, message: str = "") -> None:
        self.status = status
        self.message = message
        self.status_changed.emit(status)

    def schedule(self) -> None:
        now = time.monotonic()
        burst = (now - self._last_change) * 1000 < DEBOUNCE_MS
        self._last_change = now
        if self._running:
            return  # the finished run notices the newer revision and starts again
        self._timer.start(DEBOUNCE_MS if burst else 0)

    def is_current(self) -> bool:
        return self.evaluation is not None and self.revision == self.state.revision

    def _start(self) -> None:
        if self._running:
            return
        state = self.state
        if state.catalog is None:
            self._set_status("waiting", "Loading the catalog…")
            return
        errors = state.errors()
        if errors:
            self.evaluation = None
            self.revision = state.revision
            self._set_status("invalid", f"Fix {len(errors)} problem(s) in the inputs first.")
            self.evaluation_changed.emit(None)
            return
        revision, scenario, catalog = state.revision, state.scenario, state.catalog
        self._running = True
        self._set_status("computing", "Computing…")
        worker.run(
            lambda: _evaluate(scenario, catalog),
            lambda ev: self._done(revision, ev, None),
            lambda exc: self._done(revision, None, exc),
            parent=self,
        )

    def _done(self, revision: int, ev: Evaluation | None, exc: BaseException | None) -> None:
        self._running = False
        if revision != self.state.revision:
            self._start()  # stale: the user changed something meanwhile
            return
        self.revision = revision
        self.evaluation = ev
        if exc is not None:
            self._set_status("failed", describe(exc))
        else:
            self._set_status("ready", "")
        self.evaluation_changed.emit(ev)
