"""The SQLite catalog file: schema (migrations), build from seeds, health check and repair."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from advisor.catalog import genai_import
from advisor.catalog.deploy_seeds import DEPLOY_KIND_NAMES
from advisor.catalog.seeds import SEED_KINDS, SQL_TYPES, load_all_seeds
from advisor.errors import InputError, Problem
from advisor.paths import bundled, catalog_path

SCHEMA_VERSION = 1
migrations = Migrations("advisor-catalog")

_API_MODEL_COLUMNS: dict[str, type] = {
    "id": str,
    "provider": str,
    "provider_name": str,
    "model": str,
    "name": str,
    "context_window": int,
    "deprecated": int,
    "price_comments": str,
    "source": str,
    "as_of": str,
    "basis": str,
    "note": str,
}
_API_PRICE_COLUMNS: dict[str, type] = {
    "id": str,
    "api_model": str,
    "variant": str,
    "constraint_text": str,
    "price_key": str,
    "base": str,  # exact decimal text, USD per million tokens (or per the key's unit)
    "tiers": str,  # JSON [[start_tokens, "price"], ...]
}
OVERRIDE_COLUMNS: dict[str, type] = {
    "id": str,  # kind|record_id|field
    "kind": str,
    "record_id": str,
    "field": str,
    "value": str,
    "note": str,
    "created_at": str,
}


def _create_seed_table(db: sqlite_utils.Database, kind_name: str) -> None:
    kind = SEED_KINDS[kind_name]
    columns = {name: SQL_TYPES[fkind] for name, (fkind, _) in kind.all_fields().items()}
    db[kind.table].create({"id": str, **columns}, pk="id")  # type: ignore[union-attr]


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    for name in (
        "gpu",
        "model",
        "score",
        "cloud",
        "staff",
        "api_extra",
        "assumption",
        "perf",
        "calibration",
    ):
        _create_seed_table(db, name)
    db["api_models"].create(_API_MODEL_COLUMNS, pk="id")  # type: ignore[union-attr]
    db["api_prices"].create(_API_PRICE_COLUMNS, pk="id")  # type: ignore[union-attr]
    db["api_prices"].create_index(["api_model"])  # type: ignore[union-attr]
    db["overrides"].create(OVERRIDE_COLUMNS, pk="id")  # type: ignore[union-attr]
    db["meta"].create({"key": str, "value": str}, pk="key")  # type: ignore[union-attr]


@migrations()
def m002_tasks(db: sqlite_utils.Database) -> None:
    _create_seed_table(db, "task")


@migrations()
def m003_deployability(db: sqlite_utils.Database) -> None:
    for name in sorted(DEPLOY_KIND_NAMES):
        _create_seed_table(db, name)


# Tables added by later migrations are not required: an older file gets them by migrating.
REQUIRED_TABLES = {
    *(k.table for k in SEED_KINDS.values() if k.name not in DEPLOY_KIND_NAMES),
    "api_models",
    "api_prices",
    "overrides",
    "meta",
}


def seeds_fingerprint() -> str:
    """A hash of the bundled seed files: when it changes, the catalog's seed tables are refilled."""
    folder = bundled("resources") / "catalog"
    digest = hashlib.sha256()
    for kind in sorted(SEED_KINDS.values(), key=lambda k: k.file):
        path = folder / kind.file
        digest.update(kind.file.encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class CatalogDamaged(Exception):
    """The catalog file cannot be used as it is (truncated, garbage or wrong schema)."""


@dataclass
class CatalogStatus:
    """What happened while opening the catalog, for the user to be told."""

    path: Path
    built: bool = False
    repaired: bool = False
    backup: Path | None = None
    overrides_restored: int = 0
    notices: list[str] = field(default_factory=list)


def connect(path: Path) -> sqlite_utils.Database:
    """Open a catalog file with WAL journaling so readers and a writer can share it."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock at its start (BEGIN IMMEDIATE).

    sqlite-utils' ``atomic()`` uses a deferred BEGIN: the transaction reads first (e.g. the
    schema) and asks for the write lock later. In WAL mode that upgrade fails at once with
    "database is locked" when another process committed in between, without waiting. BEGIN
    IMMEDIATE waits up to the busy timeout instead. sqlite-utils calls inside it nest as
    savepoints.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _read_only_uri(path: Path) -> str:
    """A ``file:`` URI opening ``path`` read-only (any character in the path is quoted)."""
    return Path(path).absolute().as_uri() + "?mode=ro"


def check_health(path: Path) -> None:
    """Raise CatalogDamaged unless the file is a readable catalog of a schema we know."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(16)
        if header != b"SQLite format 3\x00":
            raise CatalogDamaged("not an SQLite database")
        # Read-only: checking a file must not change it (connect() would switch it to WAL).
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        db = sqlite_utils.Database(conn)
        try:
            result = db.execute("PRAGMA quick_check").fetchone()
            if not result or result[0] != "ok":
                raise CatalogDamaged(f"integrity check failed: {result[0] if result else '?'}")
            missing = REQUIRED_TABLES - set(db.table_names())
            if missing:
                raise CatalogDamaged(f"missing tables: {', '.join(sorted(missing))}")
            version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if version is None:
                raise CatalogDamaged("no schema version (the catalog was never fully built)")
            if int(version[0]) > SCHEMA_VERSION:
                raise CatalogDamaged(
                    f"made by a newer version of the app (schema {version[0]} > {SCHEMA_VERSION})"
                )
            if db["gpus"].count == 0 or db["api_models"].count == 0:
                raise CatalogDamaged("the catalog is empty")
        finally:
            db.close()
    except (sqlite3.DatabaseError, OSError, ValueError) as exc:
        raise CatalogDamaged(str(exc)) from None


def _salvage_overrides(path: Path) -> list[dict[str, Any]] | None:
    """The user's overrides in a catalog file, damaged or not; None when they cannot be read."""
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=5)
        try:
            conn.row_factory = sqlite3.Row
            rows = conn.execute("SELECT * FROM overrides").fetchall()
            return [dict(r) for r in rows]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def read_overrides(path: Path) -> list[dict[str, Any]]:
    """Salvage the user's overrides from a catalog file, damaged or not (empty if unreadable)."""
    return _salvage_overrides(path) or []


def fill(db: sqlite_utils.Database, *, seeds: bool = True, api: bool = True) -> dict[str, int]:
    """Replace the seed and/or API tables' contents in one transaction (overrides untouched).

    Returns:
        Row counts per table written.
    """
    seed_rows = load_all_seeds() if seeds else {}
    api_models, api_prices = genai_import.api_rows() if api else ([], [])
    counts: dict[str, int] = {}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with write_transaction(db):
        if seeds:
            for table, rows in seed_rows.items():
                db.execute(f"DELETE FROM [{table}]")
                db[table].insert_all(rows)  # type: ignore[union-attr]
                counts[table] = len(rows)
            for key, value in (("seeds_built_at", now), ("seeds_fingerprint", seeds_fingerprint())):
                db["meta"].upsert({"key": key, "value": value}, pk="key")  # type: ignore[union-attr]
        if api:
            db.execute("DELETE FROM api_prices")
            db.execute("DELETE FROM api_models")
            db["api_models"].insert_all(api_models)  # type: ignore[union-attr]
            db["api_prices"].insert_all(api_prices, batch_size=1000)  # type: ignore[union-attr]
            counts["api_models"] = len(api_models)
            counts["api_prices"] = len(api_prices)
            for key, value in (
                ("genai_prices_version", genai_import.genai_prices_version()),
                ("api_imported_at", now),
            ):
                db["meta"].upsert({"key": key, "value": value}, pk="key")  # type: ignore[union-attr]
        db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")  # type: ignore[union-attr]
    return counts


def _restore_overrides(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> int:
    """Put salvaged overrides back, each validated again (a damaged file may hold bad values)."""
    from advisor.catalog.overrides import OVERRIDE_FIELDS, validate_override

    if not rows:
        return 0
    clean = []
    for n, row in enumerate(rows, start=1):
        checked, _ = validate_override(db, {k: row.get(k) for k in OVERRIDE_FIELDS}, f"row {n}")
        if checked is not None:
            if isinstance(row.get("created_at"), str):
                checked["created_at"] = row["created_at"]
            clean.append(checked)
    with write_transaction(db):
        db["overrides"].upsert_all(clean, pk="id")  # type: ignore[union-attr]
    return len(clean)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def build_fresh(path: Path, overrides: list[dict[str, Any]] | None = None) -> int:
    """Build a new catalog file at ``path`` atomically (temp file, then rename).

    Returns:
        How many overrides were restored into it.
    """
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
    for p in (tmp, *_sidecars(tmp)):
        p.unlink(missing_ok=True)
    try:
        db = connect(tmp)
        try:
            migrations.apply(db)
            fill(db)
            restored = _restore_overrides(db, overrides or [])
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("PRAGMA journal_mode = DELETE")
        finally:
            db.close()
        for p in _sidecars(path):
            p.unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        for p in (tmp, *_sidecars(tmp)):
            p.unlink(missing_ok=True)
    return restored


def _unwritable(path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return InputError(
        Problem(
            str(path),
            "error",
            f"cannot write the catalog there ({reason}); set ADVISOR_CATALOG to a writable file",
        )
    )


def ensure_catalog(path: Path | None = None) -> CatalogStatus:
    """Make sure a usable catalog exists at ``path``: build it when missing, repair it if damaged.

    A damaged file is moved aside as ``<name>.damaged-<timestamp>`` (with its WAL files) and the
    catalog is rebuilt from the seeds, with the user's overrides restored where they could be read.
    """
    path = path or catalog_path()
    status = CatalogStatus(path=path)
    if not path.exists():
        try:
            build_fresh(path)
        except OSError as exc:
            raise _unwritable(path, exc) from None
        status.built = True
        status.notices.append(f"Built the catalog at {path}.")
        return status
    try:
        check_health(path)
    except CatalogDamaged as exc:
        salvaged = _salvage_overrides(path)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.damaged-{stamp}")
        n = 1
        while backup.exists():  # never overwrite an earlier backup
            n += 1
            backup = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        shutil.move(str(path), backup)
        for side in _sidecars(path):
            if side.exists():
                shutil.move(str(side), backup.with_name(backup.name + side.name[len(path.name) :]))
        try:
            status.overrides_restored = build_fresh(path, salvaged)
        except OSError as write_error:
            raise _unwritable(path, write_error) from None
        status.repaired = True
        status.backup = backup
        if salvaged is None:
            kept = (
                "; your overrides could not be read from the damaged file, so re-import them "
                "from an export if you have one (advisor catalog import FILE)"
            )
        else:
            kept = f", with {status.overrides_restored} of your {len(salvaged)} overrides restored"
            if status.overrides_restored < len(salvaged):
                kept += " (the others were no longer valid)"
        status.notices.append(
            f"The catalog at {path} was damaged ({exc}); it was moved to {backup} and rebuilt "
            f"from the bundled data{kept}."
        )
        return status
    db = connect(path)
    try:
        if migrations.pending(db):
            migrations.apply(db)
            status.notices.append("Upgraded the catalog schema.")
        known = meta(db)
        refresh_seeds = known.get("seeds_fingerprint") != seeds_fingerprint()
        refresh_api = known.get("genai_prices_version") != genai_import.genai_prices_version()
        if refresh_seeds or refresh_api:
            fill(db, seeds=refresh_seeds, api=refresh_api)
            status.notices.append(
                "Refreshed the catalog from the newer bundled data"
                + (" and genai-prices" if refresh_api else "")
                + "; your overrides were kept."
            )
    finally:
        db.close()
    return status


@contextlib.contextmanager
def open_db(path: Path | None = None) -> Iterator[sqlite_utils.Database]:
    """Open the (healthy, built) catalog database for reading or writing."""
    path = path or catalog_path()
    db = connect(path)
    try:
        yield db
    finally:
        db.close()


def update_api_prices(path: Path | None = None) -> tuple[dict[str, int], int]:
    """Re-import the installed genai-prices data into the catalog, keeping user overrides.

    Returns:
        The row counts written and how many overrides were kept.
    """
    with open_db(path) as db:
        counts = fill(db, seeds=False, api=True)
        kept = int(db["overrides"].count)
    return counts, kept


def meta(db: sqlite_utils.Database) -> dict[str, str]:
    return {row["key"]: row["value"] for row in db["meta"].rows}
