"""Fixtures for the capability tests: private user folders and one catalog per session.

Everything here is self-contained (it does not rely on the root tests/conftest.py): the catalog is
built once per session from the bundled seeds into a temporary folder, and ADVISOR_CATALOG,
ADVISOR_DATA_DIR and ADVISOR_CONFIG_DIR point at temporary paths for every capability test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.capability.model import Calibration
from advisor.catalog.db import build_fresh
from advisor.catalog.snapshot import Catalog, load_catalog


@pytest.fixture(scope="session", autouse=True)
def cap_catalog_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Temporary user folders, and the catalog file built once in them."""
    root = tmp_path_factory.mktemp("capability")
    path = root / "data" / "catalog.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADVISOR_DATA_DIR", str(root / "data"))
        mp.setenv("ADVISOR_CONFIG_DIR", str(root / "config"))
        mp.setenv("ADVISOR_CATALOG", str(path))
        path.parent.mkdir(parents=True)
        build_fresh(path)
        yield path


@pytest.fixture(scope="session")
def capcat(cap_catalog_path: Path) -> Catalog:
    """The loaded (immutable) catalog snapshot."""
    return load_catalog(cap_catalog_path)


@pytest.fixture(scope="session")
def capcal(capcat: Catalog) -> Calibration:
    """The catalog's fitted efficiency factors (what `advisor estimate` uses)."""
    return Calibration.from_catalog(capcat)


@pytest.fixture(scope="session")
def defcal() -> Calibration:
    """The built-in default factors: the hand-checked numbers in these tests use these."""
    return Calibration()
