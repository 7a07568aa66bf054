"""Start the desktop app: ``advisor-gui [SCENARIO]`` or ``advisor-gui --self-test``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from advisor.__about__ import __app_id__, __app_name__, __version__

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("advisor.ui")
ICON = Path(__file__).resolve().parent / "resources" / "icon.svg"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="advisor-gui", description=f"{__app_name__} desktop app")
    p.add_argument("scenario", nargs="?", type=Path, help="a scenario file to open")
    p.add_argument(
        "--self-test",
        action="store_true",
        help="walk every page offscreen with an example, write a PDF, exit 0 if all worked",
    )
    p.add_argument("--screenshots", type=Path, metavar="DIR", help="with --self-test: save PNGs")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    # Test hooks (hidden): rename the draft after start, and a faster autosave.
    p.add_argument("--test-set-name", help=argparse.SUPPRESS)
    p.add_argument("--autosave-ms", type=int, help=argparse.SUPPRESS)
    args, _qt_args = p.parse_known_args(argv)
    return args


def setup_logging() -> None:
    from advisor.paths import user_data_dir

    root = logging.getLogger("advisor")
    if any(getattr(h, "_advisor_gui", False) for h in root.handlers):
        return
    try:
        path = user_data_dir() / "logs" / "gui.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
    handler._advisor_gui = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)


_headless_self_test = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Uncaught exceptions become a logged, plain message box, never a traceback.

    In ``--self-test`` nobody can close a message box, so the error is printed and the run ends
    with exit code 1 instead.
    """
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    from PySide6.QtWidgets import QApplication

    if _headless_self_test:
        log.error("uncaught exception in the self-test", exc_info=(exc_type, exc, tb))
        print(f"FAIL uncaught {exc_type.__name__}: {exc}", file=sys.stderr, flush=True)
        QApplication.exit(1)
        return

    from ui.errors import show_error

    log.error("uncaught exception", exc_info=(exc_type, exc, tb))
    try:
        show_error(QApplication.activeWindow(), "Unexpected error", exc)
    except Exception:  # noqa: BLE001 - the last line of defence must not raise
        sys.__excepthook__(exc_type, exc, tb)


def make_app() -> object:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName(__app_name__)
    app.setApplicationDisplayName(__app_name__)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("LLM Sourcing Advisor")
    app.setDesktopFileName(__app_id__)
    app.setWindowIcon(QIcon(str(ICON)))
    return app


def launch(args: argparse.Namespace) -> MainWindow:
    """Create and show the main window the way ``main`` does (tests call this in-process)."""
    from PySide6.QtCore import QTimer

    from ui.main_window import MainWindow

    window = MainWindow(autosave_ms=args.autosave_ms)
    if args.self_test:
        window.resize(1200, 860)
    window.show()
    if args.scenario is not None:
        window.open_path(args.scenario, ask=False)
    if not args.self_test:
        # Whatever file the app was started with (a double-click passes one), a draft left by
        # a crash is offered back; it is never dropped unseen.
        window.offer_restore()
    if args.test_set_name:
        name = args.test_set_name

        def rename() -> None:
            s = window.state.scenario
            window.state.set_scenario(dataclasses.replace(s, name=name))
            window.wizard.welcome.load_from_state()

        QTimer.singleShot(0, rename)
    return window


def main(argv: list[str] | None = None) -> int:
    global _headless_self_test
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _headless_self_test = True
    app = make_app()
    setup_logging()
    sys.excepthook = excepthook
    window = launch(args)
    if args.self_test:
        from PySide6.QtCore import QTimer

        from ui.selftest import run_self_test

        QTimer.singleShot(0, lambda: app.exit(run_self_test(window, args.screenshots)))  # type: ignore[attr-defined]
    code = int(app.exec())  # type: ignore[attr-defined]
    from PySide6.QtCore import QThreadPool

    # Background work (catalog load, a report) must end before the interpreter tears down.
    QThreadPool.globalInstance().waitForDone(10_000)
    return code


if __name__ == "__main__":
    sys.exit(main())
