"""A lock file beside the catalog: shared by readers and writers, exclusive for a repair.

SQLite already orders writers; this lock orders the one thing SQLite cannot see: replacing the
catalog file itself. A repair (moving a damaged file aside, putting a rebuilt one in its place)
holds the lock exclusively, so a command that writes an override either waits for the repair
and writes into the new file, or fails with a clear message; it never writes into the file that
is about to be replaced. The lock is released by the kernel when a process dies (``kill -9``).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from advisor.errors import InputError, Problem

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, repairs are not ordered
    fcntl = None  # type: ignore[assignment]

LOCK_TIMEOUT_S = 60.0
_held = threading.local()


def lock_path(path: Path) -> Path:
    """The lock file of the catalog at ``path``."""
    return path.with_name(path.name + ".lock")


def _holdings() -> dict[str, str]:
    if not hasattr(_held, "modes"):
        _held.modes = {}
    modes: dict[str, str] = _held.modes
    return modes


@contextlib.contextmanager
def catalog_lock(
    path: Path, *, exclusive: bool = False, timeout: float = LOCK_TIMEOUT_S
) -> Iterator[None]:
    """Hold the catalog's lock (shared, or exclusive for a repair) for the ``with`` block.

    Re-entrant within a thread: a shared request inside a held lock goes through at once.
    Where no lock file can be made (a read-only folder) nobody can repair or write either, so
    the block runs without one.

    Raises:
        InputError: the lock was not granted within ``timeout`` seconds (another process is
            repairing the catalog, or holds it while this one wants to repair it).
    """
    key = str(Path(path).absolute())
    modes = _holdings()
    held = modes.get(key)
    if held == "exclusive" or (held == "shared" and not exclusive):
        yield
        return
    if held == "shared" and exclusive:
        raise InputError(
            Problem(str(path), "error", "the catalog is in use here and cannot be repaired now")
        )
    if fcntl is None:  # pragma: no cover
        yield
        return
    try:
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        try:
            fd = os.open(lock_path(path), os.O_RDONLY)
        except OSError:
            yield  # read-only folder without a lock file: nothing can change the catalog
            return
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        Problem(
                            str(path),
                            "error",
                            "another process is repairing or rebuilding the catalog; "
                            "try again in a minute",
                        )
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        modes[key] = "exclusive" if exclusive else "shared"
        try:
            yield
        finally:
            modes.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
