"""Hand the report to the desktop: open the draft in the mail app, or show the PDF in its folder."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from advisor.mail.errors import MailError
from advisor.mail.message import ReportEmail, bare_address

log = logging.getLogger(__name__)

Which = Callable[[str], str | None]


def current_platform() -> str:
    """``"windows"``, ``"macos"`` or ``"linux"`` (any other Unix counts as Linux here)."""
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


def open_draft_command(
    draft: Path | str,
    mail: ReportEmail | None = None,
    *,
    platform: str | None = None,
    which: Which = shutil.which,
) -> list[str]:
    """The command that opens a draft in the user's mail program.

    On Linux, ``xdg-email`` (when installed) composes a new message with the PDF attached in
    the preferred mail program; otherwise the ``.eml`` draft is opened with its handler, which
    Outlook shows as an editable draft thanks to ``X-Unsent: 1``.

    Args:
        draft: The ``.eml`` draft (see :func:`~advisor.mail.message.write_draft`).
        mail: The email it holds; lets ``xdg-email`` fill in recipients, subject and body.
        platform: ``"linux"``, ``"windows"`` or ``"macos"``; ``None`` for this machine.
        which: Finds a program on PATH (tests pass a fake).

    Returns:
        The command as an argument list.
    """
    platform = platform or current_platform()
    path = str(Path(draft).resolve())
    if platform == "windows":
        return ["explorer", path]
    if platform == "macos":
        return ["open", path]
    if mail is not None and which("xdg-email"):
        command = ["xdg-email", "--utf8", "--subject", mail.subject, "--body", mail.body]
        for address in mail.cc:
            command += ["--cc", bare_address(address)]
        command += ["--attach", str(mail.pdf.resolve())]
        command += [bare_address(address) for address in mail.to]
        return command
    return ["xdg-open", path]


def reveal_command(path: Path | str, *, platform: str | None = None) -> list[str]:
    """The command that shows a file in the system's file manager.

    Args:
        path: The file (usually the PDF report).
        platform: ``"linux"``, ``"windows"`` or ``"macos"``; ``None`` for this machine.

    Returns:
        ``xdg-open <folder>`` on Linux, ``explorer /select,<file>`` on Windows,
        ``open -R <file>`` on macOS.
    """
    platform = platform or current_platform()
    target = Path(path).resolve()
    if platform == "windows":
        return ["explorer", f"/select,{target}"]
    if platform == "macos":
        return ["open", "-R", str(target)]
    return ["xdg-open", str(target.parent)]


def run_command(command: list[str], field: str = "mail_app") -> subprocess.Popen[bytes]:
    """Start a desktop command without waiting for it (the mail app may stay open for hours).

    Args:
        command: The argument list (from :func:`open_draft_command` or :func:`reveal_command`).
        field: The field a failure names.

    Returns:
        The started process; it is reaped in the background.

    Raises:
        MailError: The program cannot be started.
    """
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # The mail app outlives us, and our Ctrl+C (the flag is ignored on Windows).
            start_new_session=current_platform() != "windows",
        )
    except OSError as exc:
        raise MailError.of(
            field, f"{command[0]} cannot be started ({exc.strerror or exc})"
        ) from None
    log.info("started %s", command[0])
    threading.Thread(target=process.wait, name=f"reap-{command[0]}", daemon=True).start()
    return process


def open_draft(draft: Path | str, mail: ReportEmail | None = None) -> list[str]:
    """Open the draft in the user's mail program.

    Args:
        draft: The ``.eml`` draft, which stays on disk whatever happens.
        mail: The email it holds (used by ``xdg-email`` on Linux).

    Returns:
        The command that was started.

    Raises:
        MailError: No program could be started (field ``mail_app``).
    """
    command = open_draft_command(draft, mail)
    run_command(command, "mail_app")
    return command


def reveal(path: Path | str) -> list[str]:
    """Show the file in its folder.

    Args:
        path: The file.

    Returns:
        The command that was started.

    Raises:
        MailError: The file is gone, or the file manager cannot be started (field ``pdf``).
    """
    if not Path(path).exists():
        raise MailError.of("pdf", f"there is no file at {path}")
    command = reveal_command(path)
    run_command(command, "pdf")
    return command
