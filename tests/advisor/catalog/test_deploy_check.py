"""`advisor catalog check` covers the deployability records: sources, dates and coverage."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from advisor.catalog.check import check_catalog
from advisor.catalog.snapshot import Catalog, with_records


def test_the_bundled_catalog_covers_every_model_gpu_and_offer(catalog: Catalog) -> None:
    report = check_catalog(catalog)
    assert report["ok"], report["problems"]
    counts = report["counts"]
    assert counts["model_licences"] >= 10 and counts["gpu_classes"] == counts["gpus"]
    assert counts["api_endpoints"] >= 10 and counts["rate_limit_tiers"] >= 10


def test_every_deployability_record_has_a_source_and_a_date(catalog: Catalog) -> None:
    for group in ("endpoint", "hosting", "gpu_class", "licence", "rate_limit", "lead_time"):
        records = catalog.seed_groups()[group]
        assert records, group
        for r in records:
            assert r.source.startswith("http") and len(r.as_of) == 10, (group, r.id)


def test_a_licence_record_without_a_source_is_a_problem(catalog: Catalog) -> None:
    first = dataclasses.replace(catalog.licences[0], source="")
    broken = with_records(catalog, licences=(first, *catalog.licences[1:]))
    problems = check_catalog(broken)["problems"]
    assert f"licence {first.id}: missing source or as_of" in problems


def test_an_open_model_without_a_licence_record_is_a_problem(catalog: Catalog) -> None:
    kept = tuple(lic for lic in catalog.licences if "phi-4" not in lic.models)
    problems = check_catalog(with_records(catalog, licences=kept))["problems"]
    assert "open model phi-4: no licence record in model_licences.yaml" in problems


def test_a_gpu_without_a_deployment_class_and_an_offer_without_hosting_are_problems(
    catalog: Catalog,
) -> None:
    broken = with_records(
        catalog,
        gpu_classes=tuple(c for c in catalog.gpu_classes if c.id != "l4-24gb"),
        hosting=tuple(h for h in catalog.hosting if h.provider != "lambda"),
    )
    problems = check_catalog(broken)["problems"]
    assert "GPU l4-24gb: no deployment class in gpu_classes.yaml" in problems
    assert any(p.startswith("cloud offer lambda-") and "no hosting record" in p for p in problems)


def test_a_catalog_from_before_the_deployability_tables_is_migrated_not_repaired(
    fresh_catalog_path: Path,
) -> None:
    import sqlite3

    from advisor.catalog.db import ensure_catalog
    from advisor.catalog.snapshot import load_catalog

    conn = sqlite3.connect(fresh_catalog_path)
    tables = ("api_endpoints", "cloud_hosting", "gpu_classes", "model_licences", "rate_limits")
    for table in (*tables, "lead_times"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm006_deployability'")
    conn.execute("UPDATE meta SET value = 'older' WHERE key = 'seeds_fingerprint'")
    conn.commit()
    conn.close()
    status = ensure_catalog(fresh_catalog_path)
    assert not status.repaired and "Upgraded the catalog schema." in status.notices
    assert load_catalog(fresh_catalog_path, ensure=False).licences
