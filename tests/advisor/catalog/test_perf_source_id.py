"""Serving measurements name their independent source, also in catalogs built before the field."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from advisor.catalog import db as catalog_db
from advisor.catalog.snapshot import Catalog, load_catalog


def test_every_serving_measurement_names_its_independent_source(catalog: Catalog) -> None:
    missing = [p.id for p in catalog.perf if not p.source_id]
    assert missing == []
    # Leave-one-source-out validation needs many sources, not one source split many ways.
    assert len({p.source_id for p in catalog.perf}) >= 15


def test_a_catalog_built_before_source_id_gains_the_column_and_its_values(
    fresh_catalog_path: Path,
) -> None:
    conn = sqlite_utils.Database(fresh_catalog_path)
    conn["perf_measurements"].transform(drop={"source_id"})  # type: ignore[union-attr]
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_perf_source_id'")
    conn.execute("UPDATE meta SET value = 'older' WHERE key = 'seeds_fingerprint'")
    conn.conn.commit()
    conn.close()
    table = sqlite_utils.Database(fresh_catalog_path)["perf_measurements"]
    assert "source_id" not in table.columns_dict  # type: ignore[union-attr]

    status = catalog_db.ensure_catalog(fresh_catalog_path)

    assert not status.repaired
    perf = load_catalog(fresh_catalog_path, ensure=False).perf
    assert perf and all(p.source_id for p in perf)
