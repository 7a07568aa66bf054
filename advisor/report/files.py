"""Output files of the report and the export: checked before any work, replaced atomically."""

from __future__ import annotations

import os
from pathlib import Path

from advisor.errors import InputError, Problem
from advisor.util import atomic_write_many


def check_writable(path: Path | str, what: str = "output") -> Path:
    """Refuse, before any work, a path whose folder is missing or not writable.

    Args:
        path: The file to be written.
        what: What it is, for the message ("PDF", "workbook").

    Returns:
        The path, with ``~`` expanded.

    Raises:
        InputError: naming the path and the reason (the CLI exits 2 on it).
    """
    path = Path(path).expanduser()
    folder = path.parent
    if path.is_dir():
        reason = f"is a folder; give a file name for the {what}"
    elif not folder.is_dir():
        reason = f"cannot write the {what}: folder {folder} does not exist"
    elif not os.access(folder, os.W_OK | os.X_OK):
        reason = f"cannot write the {what}: no permission to write in {folder}"
    elif path.exists() and not os.access(path, os.W_OK):
        reason = f"cannot write the {what}: the file is read-only"
    else:
        return path
    raise InputError(Problem(str(path), "error", reason))


def write_atomically(path: Path, data: bytes, *also: tuple[Path, bytes]) -> None:
    """Replace ``path`` with ``data`` (and the ``also`` files with theirs) through temporary
    files; a failure leaves them as they were, and files written together (a PDF and its HTML)
    are renamed into place only once all are written.

    Raises:
        InputError: a file cannot be written (disk full, permissions changed meanwhile).
    """
    try:
        atomic_write_many([(path, data), *also])
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(Problem(str(path), "error", f"cannot write: {reason}")) from None
