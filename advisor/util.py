"""Small helpers shared across the engine: atomic file writes."""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove temp files of ``path`` (``.NAME.PID.*.tmp``) left by writers that died (kill -9).

    Returns:
        The files removed.
    """
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        return []
    path = Path(path)
    removed = []
    for name in glob.glob(glob.escape(str(path.parent / f".{path.name}.")) + "*.tmp"):
        leftover = Path(name)
        pid = leftover.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed.append(leftover)
    return removed


def _write_temp(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temp file beside ``path`` (flushed to disk); return its name.

    The temp file gets the mode of the file it will replace (mkstemp makes it 0600, and a
    replaced report or scenario must not silently become private), and carries this process's
    id in its name so a later writer can tell a leftover of a killed process from a live one.
    """
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a failure leaves the previous file intact."""
    atomic_write_many([(Path(path), data)])


def atomic_write_many(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files that belong together: all temp files first, then the renames.

    A failure while writing leaves every previous file intact; only the renames (microseconds
    apart) can be cut in between, never the writing of a file.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            temps.append((_write_temp(Path(path), data), Path(path)))
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
