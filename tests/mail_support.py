"""Test helpers shared by the mail engine tests and the email dialog tests."""

from __future__ import annotations

import io
import socket
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from pypdf import PdfWriter

LOOPBACK = "127.0.0.1"


def make_pdf_bytes() -> bytes:
    """A tiny but real one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_report_pdf(tmp_path: Path) -> Path:
    """A tiny real PDF named like a report (with a space), in its own folder."""
    folder = tmp_path / "reports"
    folder.mkdir()
    path = folder / "LLM sourcing report.pdf"
    path.write_bytes(make_pdf_bytes())
    return path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


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
