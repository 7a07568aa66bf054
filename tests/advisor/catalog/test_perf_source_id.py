"""Serving measurements name their source and arrivals, also in catalogs built before either."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import sqlite_utils

from advisor.catalog import db as catalog_db
from advisor.catalog.check import check_catalog
from advisor.catalog.snapshot import Catalog, load_catalog, with_records


def test_every_serving_measurement_names_its_independent_source(catalog: Catalog) -> None:
    missing = [p.id for p in catalog.perf if not p.source_id]
    assert missing == []
    # Leave-one-source-out validation needs many sources, not one source split many ways.
    assert len({p.source_id for p in catalog.perf}) >= 15


def test_a_catalog_built_before_source_id_and_arrivals_gains_the_columns_and_values(
    fresh_catalog_path: Path,
) -> None:
    conn = sqlite_utils.Database(fresh_catalog_path)
    conn["perf_measurements"].transform(drop={"source_id", "arrivals"})  # type: ignore[union-attr]
    conn.execute(
        "DELETE FROM _sqlite_migrations WHERE name IN ('m004_perf_source_id', 'm005_perf_arrivals')"
    )
    conn.execute("UPDATE meta SET value = 'older' WHERE key = 'seeds_fingerprint'")
    conn.conn.commit()
    conn.close()
    table = sqlite_utils.Database(fresh_catalog_path)["perf_measurements"]
    assert "source_id" not in table.columns_dict  # type: ignore[union-attr]

    status = catalog_db.ensure_catalog(fresh_catalog_path)

    assert not status.repaired
    perf = load_catalog(fresh_catalog_path, ensure=False).perf
    assert perf and all(p.source_id for p in perf)
    assert {p.arrivals for p in perf} == {None, "burst", "steady", "static"}


def test_an_unknown_arrival_pattern_is_reported_by_the_catalog_check(catalog: Catalog) -> None:
    bad = dataclasses.replace(catalog.perf[0], arrivals="sometimes")

    result = check_catalog(with_records(catalog, perf=[bad, *catalog.perf[1:]]))

    assert not result["ok"]
    assert any(bad.id in p and "arrivals" in p for p in result["problems"])
