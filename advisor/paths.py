"""Where bundled files (seeds, templates) and per-user files (catalog, settings) live."""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import platformdirs

from advisor.__about__ import __app_name__

_APP_DIR_NAME = "llm-sourcing-advisor"


def bundled(kind: str) -> Traversable:
    """Return a bundled data folder (``resources`` or ``templates``).

    In a source checkout or an editable install they are the top-level folders of the repository
    (recognised by their ``.bundled-marker`` file); after a normal install (wheel or frozen app)
    they ship inside the ``advisor`` package as ``advisor/_bundled/<kind>``.

    Args:
        kind: ``"resources"`` or ``"templates"``.

    Returns:
        A traversable folder usable with ``importlib.resources``.
    """
    if kind not in ("resources", "templates"):
        raise ValueError(f"unknown bundled folder {kind!r}")
    checkout = Path(__file__).resolve().parent.parent / kind
    if (checkout / ".bundled-marker").is_file():
        return checkout
    return resources.files("advisor") / "_bundled" / kind


def bundled_path(kind: str) -> Path:
    """The bundled folder as a filesystem path (our packages are never zipped)."""
    return Path(str(bundled(kind))).resolve()


def user_data_dir() -> Path:
    """The per-user data folder (catalog, autosave), created when missing."""
    override = os.environ.get("ADVISOR_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(_APP_DIR_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_config_dir() -> Path:
    """The per-user settings folder, created when missing."""
    override = os.environ.get("ADVISOR_CONFIG_DIR")
    path = Path(override) if override else Path(platformdirs.user_config_dir(_APP_DIR_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def catalog_path() -> Path:
    """The catalog file: ``$ADVISOR_CATALOG`` when set, else ``catalog.sqlite`` in the data dir."""
    override = os.environ.get("ADVISOR_CATALOG")
    if override:
        path = Path(override).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            from advisor.errors import InputError, Problem

            reason = exc.strerror or type(exc).__name__
            raise InputError(
                Problem("ADVISOR_CATALOG", "error", f"cannot use {path}: {reason}")
            ) from None
        return path
    return user_data_dir() / "catalog.sqlite"


__all__ = ["__app_name__", "bundled", "bundled_path", "catalog_path", "user_config_dir"]
