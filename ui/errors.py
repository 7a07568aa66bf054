"""Errors shown to the user from one place: a plain message box, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from advisor.errors import InputError

log = logging.getLogger("advisor.ui")

# Tests replace this to capture messages instead of showing modal boxes.
Presenter = Callable[[QWidget | None, str, str, str], None]


def _box(parent: QWidget | None, level: str, title: str, message: str) -> None:
    icon = {
        "error": QMessageBox.Icon.Critical,
        "warning": QMessageBox.Icon.Warning,
        "info": QMessageBox.Icon.Information,
    }[level]
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    box.exec()


presenter: Presenter = _box


def describe(exc: BaseException) -> str:
    """A one-paragraph description of an exception for a user (no traceback)."""
    if isinstance(exc, InputError):
        return "\n".join(f"• {p.field}: {p.message}" for p in exc.problems) or str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"Something went wrong: {type(exc).__name__}: {exc}"


def show_error(parent: QWidget | None, title: str, exc_or_message: BaseException | str) -> None:
    """Show an error to the user; unexpected exceptions are also logged with their traceback."""
    if isinstance(exc_or_message, BaseException):
        if not isinstance(exc_or_message, InputError | OSError):
            log.error("unexpected error", exc_info=exc_or_message)
        message = describe(exc_or_message)
    else:
        message = exc_or_message
    presenter(parent, "error", title, message)


def show_warning(parent: QWidget | None, title: str, message: str) -> None:
    presenter(parent, "warning", title, message)


def show_info(parent: QWidget | None, title: str, message: str) -> None:
    presenter(parent, "info", title, message)
