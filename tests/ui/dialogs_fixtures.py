"""Helpers for the dialog tests: a recorder for shown errors, an in-memory keyring, a real PDF."""

from __future__ import annotations

from dataclasses import dataclass, field

from mail_support import MemoryKeyring, make_pdf_bytes
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class Shown:
    level: str
    title: str
    message: str


@dataclass
class ErrorRecorder:
    """Stands in for ``ui.errors.presenter``: records messages instead of opening boxes."""

    shown: list[Shown] = field(default_factory=list)

    def __call__(self, parent: QWidget | None, level: str, title: str, message: str) -> None:
        self.shown.append(Shown(level, title, message))

    @property
    def messages(self) -> list[str]:
        return [s.message for s in self.shown]


__all__ = ["ErrorRecorder", "MemoryKeyring", "Shown", "make_pdf_bytes"]
