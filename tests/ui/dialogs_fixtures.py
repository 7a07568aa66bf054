"""Helpers for the dialog tests: a recorder for shown errors, an in-memory keyring, a real PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from pypdf import PdfWriter
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


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so tests never touch the real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None


def make_pdf_bytes() -> bytes:
    """A tiny but real one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
