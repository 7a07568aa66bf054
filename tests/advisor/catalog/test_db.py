"""The SQLite catalog file: building, journaling, damage detection and repair, concurrent use."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from decimal import Decimal
from importlib import metadata
from pathlib import Path

import pytest

from advisor.catalog import db as catalog_db
from advisor.catalog import overrides as ov
from advisor.catalog.seeds import SEED_KINDS
from advisor.catalog.snapshot import load_catalog

OVERRIDES = [
    {"kind": "api", "record_id": "openai/gpt-4o", "field": "input_mtok", "value": "2.00"},
    {"kind": "gpu", "record_id": "h100-sxm-80gb", "field": "purchase_price_usd", "value": "21000"},
]
SEED_TABLES = sorted(k.table for k in SEED_KINDS.values())


def _counts(path: Path) -> dict[str, int]:
    with catalog_db.open_db(path) as db:
        return {t: db[t].count for t in sorted(catalog_db.REQUIRED_TABLES | set(SEED_TABLES))}


def _override_values(path: Path) -> dict[str, str]:
    with catalog_db.open_db(path) as db:
        return {r["id"]: r["value"] for r in db["overrides"].rows}  # type: ignore[union-attr]


def _set_overrides(path: Path) -> None:
    with catalog_db.open_db(path) as db:
        assert ov.apply_overrides(db, OVERRIDES) == 2


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building-" in p.name)


# --- building --------------------------------------------------------------------------------


def test_missing_catalog_is_built_with_every_table_filled(catalog_file: Path) -> None:
    """(The session fixture built it with ensure_catalog on a missing path.)"""
    counts = _counts(catalog_file)
    for table in (*SEED_TABLES, "api_models", "api_prices"):
        assert counts[table] > 0, table
    assert counts["overrides"] == 0
    assert _leftovers(catalog_file.parent) == []
    with catalog_db.open_db(catalog_file) as db:
        meta = catalog_db.meta(db)
    assert meta["schema_version"] == str(catalog_db.SCHEMA_VERSION)
    assert meta["genai_prices_version"]


def test_build_is_idempotent(fresh_catalog_path: Path) -> None:
    """Building again (what `advisor catalog build` does to an existing file) changes nothing."""
    before = _counts(fresh_catalog_path)
    with catalog_db.open_db(fresh_catalog_path) as db:
        written = catalog_db.fill(db)
    assert _counts(fresh_catalog_path) == before
    assert all(written[table] == before[table] for table in written)
    assert set(written) == {*SEED_TABLES, "api_models", "api_prices"}


def test_healthy_catalog_is_left_alone(fresh_catalog_path: Path) -> None:
    before = fresh_catalog_path.read_bytes()
    status = catalog_db.ensure_catalog(fresh_catalog_path)
    assert not status.built and not status.repaired and status.notices == []
    assert _counts(fresh_catalog_path)["gpus"] > 0
    assert len(fresh_catalog_path.read_bytes()) == len(before)


def test_every_record_has_a_source_and_an_iso_as_of_date(catalog_file: Path) -> None:
    with sqlite3.connect(f"file:{catalog_file}?mode=ro", uri=True) as conn:
        for table in SEED_TABLES:
            rows = conn.execute(f"SELECT id, source, as_of FROM [{table}]").fetchall()
            assert rows, table
            for rid, source, as_of in rows:
                assert source and source.strip(), (table, rid)
                assert as_of and dt.date.fromisoformat(as_of), (table, rid)
    conn.close()


def test_bundled_api_prices_are_dated_by_their_genai_prices_release_never_the_import_day(
    catalog_file: Path,
) -> None:
    """The installed package does not record when its data was made: the release names it."""
    version = metadata.version("genai-prices")
    with sqlite3.connect(f"file:{catalog_file}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT id, source, as_of FROM api_models").fetchall()
    conn.close()
    assert rows
    for rid, source, as_of in rows:
        assert source.startswith("https://"), rid
        assert as_of == f"genai-prices {version}", rid


def test_money_is_stored_as_exact_decimal_text(catalog_file: Path) -> None:
    with sqlite3.connect(f"file:{catalog_file}?mode=ro", uri=True) as conn:
        types = {
            t
            for (t,) in conn.execute(
                "SELECT DISTINCT typeof(on_demand_usd_per_hour) FROM cloud_offers"
            )
        }
        base = conn.execute(
            "SELECT base FROM api_prices WHERE id = 'openai/gpt-4o|standard|input_mtok'"
        ).fetchone()
    conn.close()
    assert types == {"text"}
    assert base == ("2.5",)


def test_catalog_uses_wal_journaling(fresh_catalog_path: Path) -> None:
    db = catalog_db.connect(fresh_catalog_path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        db.close()
    # WAL is persistent: the file header says so (bytes 18 and 19 are 2 for WAL).
    assert fresh_catalog_path.read_bytes()[18:20] == b"\x02\x02"


def test_a_reader_sees_a_consistent_catalog_while_a_writer_refills_it(
    fresh_catalog_path: Path,
) -> None:
    reader = catalog_db.connect(fresh_catalog_path)
    writer = catalog_db.connect(fresh_catalog_path)
    try:
        reader.execute("BEGIN")
        before = reader.execute("SELECT count(*) FROM api_models").fetchone()[0]
        with writer.atomic():
            writer.execute("DELETE FROM api_models")
        # The reader's snapshot is unchanged by the committed delete (WAL), and not blocked.
        assert reader.execute("SELECT count(*) FROM api_models").fetchone()[0] == before
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM api_models").fetchone()[0] == 0
    finally:
        reader.close()
        writer.close()


# --- damage and repair -----------------------------------------------------------------------


def _truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def _garbage_in_the_middle(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xde\xad\xbe\xef" * 50_000)


def _unrelated_database(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('not a catalog')")
    conn.commit()
    conn.close()


def _table_dropped(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE gpus")
    conn.commit()
    conn.close()


def _newer_schema(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


# (damage, words in the reason ("|" between alternatives), overrides still readable from it)
DAMAGE: dict[str, tuple[Callable[[Path], None], str, int | None]] = {
    "truncated": (_truncate, "malformed", None),
    "garbage": (_garbage, "not an SQLite database", None),
    # Which page the garbage lands on depends on the file's layout: either report is right.
    "garbage-in-the-middle": (_garbage_in_the_middle, "malformed|integrity check failed", 2),
    "unrelated-database": (_unrelated_database, "missing tables", None),
    "table-dropped": (_table_dropped, "missing tables: gpus", 2),
    "newer-schema": (_newer_schema, "newer version", 2),
    "empty-file": (_empty, "not an SQLite database", None),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damaged_catalog_is_moved_aside_and_rebuilt_with_readable_overrides(
    case: str, fresh_catalog_path: Path, catalog_file: Path
) -> None:
    damage, reason, readable = DAMAGE[case]
    path = fresh_catalog_path
    _set_overrides(path)
    damage(path)
    damaged_bytes = path.read_bytes()

    status = catalog_db.ensure_catalog(path)

    assert status.repaired and not status.built
    assert status.backup is not None
    assert status.backup.name.startswith("catalog.sqlite.damaged-")
    assert status.backup.read_bytes() == damaged_bytes  # moved aside untouched
    (notice,) = status.notices
    assert any(r in notice for r in reason.split("|")) and str(status.backup) in notice
    catalog_db.check_health(path)  # raises CatalogDamaged if not healthy
    assert _counts(path)["api_models"] == _counts(catalog_file)["api_models"]
    assert _counts(path)["gpus"] == _counts(catalog_file)["gpus"]
    assert _leftovers(path.parent) == []
    if readable is None:
        # Truncated, garbage or foreign files: the overrides cannot be read, and the user is told.
        assert status.overrides_restored == 0
        assert _override_values(path) == {}
        assert "overrides could not be read" in notice
        assert "advisor catalog import" in notice
    else:
        assert status.overrides_restored == readable
        assert f"{readable} of your {readable} overrides restored" in notice
        assert _override_values(path) == {
            "api|openai/gpt-4o|input_mtok": "2.00",
            "gpu|h100-sxm-80gb|purchase_price_usd": "21000",
        }
        catalog = load_catalog(path)
        assert catalog.api_model("openai/gpt-4o").standard.prices["input_mtok"][0] == Decimal(
            "2.00"
        )
        assert catalog.gpu("h100").purchase_price_usd == Decimal("21000")


def test_load_catalog_repairs_a_damaged_file_by_itself(fresh_catalog_path: Path) -> None:
    _garbage(fresh_catalog_path)
    catalog = load_catalog(fresh_catalog_path)
    assert catalog.gpu("h100").id == "h100-sxm-80gb"
    assert [p.name for p in fresh_catalog_path.parent.glob("*.damaged-*")]


def test_salvaged_overrides_that_are_no_longer_valid_are_dropped_and_reported(
    fresh_catalog_path: Path,
) -> None:
    _set_overrides(fresh_catalog_path)
    conn = sqlite3.connect(fresh_catalog_path)
    conn.execute("UPDATE overrides SET value = 'lots' WHERE kind = 'gpu'")
    conn.execute("DROP TABLE cloud_offers")
    conn.commit()
    conn.close()
    status = catalog_db.ensure_catalog(fresh_catalog_path)
    assert status.repaired and status.overrides_restored == 1
    assert "1 of your 2 overrides restored (the others were no longer valid)" in status.notices[0]
    assert _override_values(fresh_catalog_path) == {"api|openai/gpt-4o|input_mtok": "2.00"}
    load_catalog(fresh_catalog_path)  # loads: the bad value did not come back


def test_two_repairs_in_the_same_second_keep_both_backups(fresh_catalog_path: Path) -> None:
    backups = set()
    for _ in range(2):
        _empty(fresh_catalog_path)
        status = catalog_db.ensure_catalog(fresh_catalog_path)
        assert status.backup is not None
        backups.add(status.backup)
    assert len(backups) == 2 and all(b.exists() for b in backups)


def test_check_health_rejects_a_directory_in_place_of_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "catalog.sqlite"
    folder.mkdir()
    with pytest.raises(catalog_db.CatalogDamaged):
        catalog_db.check_health(folder)


# --- several processes at once ---------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import sys
    from decimal import Decimal
    from pathlib import Path

    from advisor.catalog import db as catalog_db
    from advisor.catalog import overrides as ov
    from advisor.catalog.snapshot import load_catalog

    path, worker, rounds, gpu = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    for n in range(rounds):
        price = f"{10000 + 1000 * worker + n}"
        with catalog_db.open_db(path) as db:
            ov.apply_overrides(db, [
                # one record per worker, and one record that every worker writes
                {"kind": "gpu", "record_id": gpu, "field": "purchase_price_usd", "value": price},
                {"kind": "api", "record_id": "openai/gpt-4o", "field": "output_mtok",
                 "value": f"{worker}.{n}"},
                {"kind": "staff", "record_id": "ml_engineer|us",
                 "field": "loaded_monthly_usd", "value": f"{20000 + n}"},
            ])
            if worker == 0:  # one process also re-imports genai-prices meanwhile
                catalog_db.fill(db, seeds=(n % 2 == 1), api=True)
        catalog = load_catalog(path)
        assert catalog.gpu(gpu).purchase_price_usd == Decimal(price), catalog.gpu(gpu)
        assert len(catalog.api_models) > 1000
        assert "output_mtok" in catalog.api_model("openai/gpt-4o").overridden
    print("ok", worker)
    """
)


def test_several_processes_use_the_catalog_at_once_without_damage(
    fresh_catalog_path: Path, tmp_path: Path
) -> None:
    gpus = ["h100-sxm-80gb", "a100-sxm-80gb", "mi300x-192gb"]  # one worker process each
    rounds = 3
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    env = {**os.environ, "ADVISOR_CATALOG": str(fresh_catalog_path), "PYTHONWARNINGS": "error"}
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(fresh_catalog_path), str(n), str(rounds), gpu],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, gpu in enumerate(gpus)
    ]
    results = [(p, *p.communicate(timeout=120)) for p in procs]
    for n, (proc, out, err) in enumerate(results):
        assert proc.returncode == 0, f"worker {n} failed:\n{err}"
        assert out.strip() == f"ok {n}"

    conn = sqlite3.connect(fresh_catalog_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        values = dict(conn.execute("SELECT id, value FROM overrides").fetchall())
    finally:
        conn.close()
    for n, gpu in enumerate(gpus):
        assert values[f"gpu|{gpu}|purchase_price_usd"] == f"{10000 + 1000 * n + rounds - 1}"
    assert values["staff|ml_engineer|us|loaded_monthly_usd"] == f"{20000 + rounds - 1}"
    assert values["api|openai/gpt-4o|output_mtok"] in {
        f"{n}.{rounds - 1}" for n in range(len(gpus))
    }
    assert len(values) == len(gpus) + 2
    catalog_db.check_health(fresh_catalog_path)
