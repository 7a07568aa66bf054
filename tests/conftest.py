"""Shared fixtures: per-user folders in a temporary place, and a catalog built once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.catalog.snapshot import Catalog


@pytest.fixture(scope="session", autouse=True)
def _user_dirs_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No test ever reads or writes the real per-user data, config or catalog."""
    root = tmp_path_factory.mktemp("user")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADVISOR_DATA_DIR", str(root / "data"))
        mp.setenv("ADVISOR_CONFIG_DIR", str(root / "config"))
        mp.setenv("ADVISOR_CATALOG", str(root / "data" / "catalog.sqlite"))
        yield root


@pytest.fixture(scope="session")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog built from the bundled seeds and genai-prices, once per session. Do not modify
    it: use ``fresh_catalog_path`` for a copy of your own."""
    from advisor.catalog.db import ensure_catalog

    path = tmp_path_factory.mktemp("catalog") / "catalog.sqlite"
    status = ensure_catalog(path)
    assert status.built, status
    return path


@pytest.fixture
def fresh_catalog_path(catalog_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the session catalog, which ``$ADVISOR_CATALOG`` points at."""
    path = tmp_path / "catalog" / "catalog.sqlite"
    path.parent.mkdir()
    shutil.copyfile(catalog_file, path)
    monkeypatch.setenv("ADVISOR_CATALOG", str(path))
    return path


@pytest.fixture(scope="session")
def catalog(catalog_file: Path) -> Catalog:
    """The loaded (immutable) snapshot of the session catalog."""
    from advisor.catalog.snapshot import load_catalog

    return load_catalog(catalog_file)
