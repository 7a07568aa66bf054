"""Long work off the GUI thread through one helper: run(op, on_success, on_failure)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progress = Signal(float, str)


class _Task(QRunnable):
    def __init__(self, op: Callable[..., Any], signals: _Signals, with_progress: bool) -> None:
        super().__init__()
        self.op = op
        self.signals = signals
        self.with_progress = with_progress
        self.setAutoDelete(True)

    def _emit(self, signal_name: str, *args: Any) -> None:
        # RuntimeError: the app quit while the work ran, so nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            getattr(self.signals, signal_name).emit(*args)

    def run(self) -> None:
        try:
            if self.with_progress:
                result = self.op(lambda f, msg="": self._emit("progress", float(f), str(msg)))
            else:
                result = self.op()
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread, never lost
            self._emit("failed", exc)
        else:
            self._emit("succeeded", result)


_live: set[_Signals] = set()


def run(
    op: Callable[..., Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[BaseException], None],
    on_progress: Callable[[float, str], None] | None = None,
    parent: QObject | None = None,
) -> _Signals:
    """Run ``op`` on the thread pool; callbacks run on the GUI thread.

    ``op`` must never touch widgets. When ``on_progress`` is given, ``op`` receives one argument:
    a ``progress(fraction, message)`` callable it may call from the worker thread.

    Returns:
        The signals object (tests can wait on ``succeeded``/``failed``).
    """
    signals = _Signals(parent)
    _live.add(signals)

    def done_ok(result: Any) -> None:
        _live.discard(signals)
        on_success(result)

    def done_err(exc: BaseException) -> None:
        _live.discard(signals)
        on_failure(exc)

    signals.succeeded.connect(done_ok)
    signals.failed.connect(done_err)
    if on_progress is not None:
        signals.progress.connect(on_progress)
    QThreadPool.globalInstance().start(_Task(op, signals, on_progress is not None))
    return signals
