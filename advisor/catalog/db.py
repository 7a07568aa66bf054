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
from advisor.catalog.lock import catalog_lock
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
def m003_hosted_api_models(db: sqlite_utils.Database) -> None:
    # Hosted open-weight API models name the open model they serve; published API latency.
    # A new catalog already has them: m001 creates the table from the current seed fields.
    table = db["api_extras"]
    have = set(table.columns_dict)
    for name, kind in (
        ("open_model", str),
        ("hosted_precision", str),
        ("ttft_ms", float),
        ("output_tokens_per_s", float),
    ):
        if name not in have:
            table.add_column(name, kind)  # type: ignore[union-attr]


def _add_perf_column(db: sqlite_utils.Database, name: str) -> None:
    # For catalogs built before the perf seed kind had this field (fresh ones get it at creation).
    table = db[SEED_KINDS["perf"].table]
    if name not in table.columns_dict:
        table.add_column(name, str)  # type: ignore[union-attr]


@migrations()
def m004_perf_source_id(db: sqlite_utils.Database) -> None:
    _add_perf_column(db, "source_id")


@migrations()
def m005_perf_arrivals(db: sqlite_utils.Database) -> None:
    _add_perf_column(db, "arrivals")


@migrations()
def m006_deployability(db: sqlite_utils.Database) -> None:
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


def writable(path: Path) -> bool:
    """Whether the catalog at ``path`` (and the folder its journal files go in) can be written."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def connect(path: Path) -> sqlite_utils.Database:
    """Open a catalog file with WAL journaling so readers and a writer can share it.

    A catalog that cannot be written (a read-only file or folder) is opened read-only: reading
    commands work, and a write fails with "attempt to write a readonly database".
    """
    if not writable(path):
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=30, isolation_level=None)
        return sqlite_utils.Database(conn)
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
    """A ``file:`` URI opening ``path`` read-only (any character in the path is quoted).

    In a folder nobody can write, SQLite cannot create the WAL index it needs to read a WAL
    database; nothing can change the file there either, so it is opened as immutable.
    """
    uri = Path(path).absolute().as_uri() + "?mode=ro"
    folder = Path(path).absolute().parent
    return uri + ("&immutable=1" if not os.access(folder, os.W_OK) else "")


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
    from advisor.catalog import price_data

    seed_rows = load_all_seeds() if seeds else {}
    extra_meta: dict[str, str] = {}
    if seeds:  # reviewed cloud offers merged with downloaded SkyPilot prices, if any
        seed_rows["cloud_offers"], extra_meta = price_data.cloud_offers(seed_rows["cloud_offers"])
    api_data = price_data.api_import() if api else None
    api_models, api_prices = (api_data.models, api_data.prices) if api_data else ([], [])
    if api_data:
        extra_meta.update(api_data.meta)
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
        for key, value in extra_meta.items():
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


def _building_name(path: Path, pid: int | str) -> Path:
    return path.with_name(f".{path.name}.building-{pid}")


def remove_stale_builds(path: Path) -> list[Path]:
    """Remove half-built catalogs (``.NAME.building-PID``) left by processes that died.

    Called under the exclusive lock, when no build of this catalog can be running.
    """
    removed = []
    for leftover in path.parent.glob(f".{path.name}.building-*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def _build_temp(path: Path, overrides: list[dict[str, Any]] | None) -> tuple[Path, int]:
    """Build a complete catalog, overrides included, in a temp file beside ``path``."""
    tmp = _building_name(path, os.getpid())
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
    except BaseException:
        for p in (tmp, *_sidecars(tmp)):
            p.unlink(missing_ok=True)
        raise
    for p in _sidecars(tmp):
        p.unlink(missing_ok=True)
    return tmp, restored


def build_fresh(path: Path, overrides: list[dict[str, Any]] | None = None) -> int:
    """Build a new catalog file at ``path`` atomically (temp file, then rename).

    Returns:
        How many overrides were restored into it.
    """
    tmp, restored = _build_temp(path, overrides)
    try:
        for p in _sidecars(path):
            p.unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return restored


def _keep_aside(path: Path, backup: Path) -> None:
    """Keep the damaged file's bytes at ``backup`` without removing it from ``path`` yet."""
    try:
        os.link(path, backup)  # instant and atomic; the bytes stay where they were
    except OSError:
        shutil.copy2(path, backup)
    for side in _sidecars(path):
        if side.exists():
            os.replace(side, backup.with_name(backup.name + side.name[len(path.name) :]))


def _repair(path: Path, status: CatalogStatus, reason: str) -> CatalogStatus:
    """Replace a damaged catalog by a rebuilt one, crash-safe, under the exclusive lock.

    The new catalog, with the salvaged overrides already in it, is complete before the damaged
    file is touched; the damaged bytes are kept as ``<name>.damaged-<stamp>``; the rebuilt
    file then replaces the damaged one in one rename. A kill at any point leaves either the
    damaged file (repaired again next time, overrides still in it) or the rebuilt one.
    """
    salvaged = _salvage_overrides(path)
    try:
        tmp, status.overrides_restored = _build_temp(path, salvaged)
    except OSError as write_error:
        raise _unwritable(path, write_error) from None
    try:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = path.with_name(f"{path.name}.damaged-{stamp}")
        n = 1
        while backup.exists():  # never overwrite an earlier backup
            n += 1
            backup = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        _keep_aside(path, backup)
        os.replace(tmp, path)
    except OSError as write_error:
        raise _unwritable(path, write_error) from None
    finally:
        tmp.unlink(missing_ok=True)
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
        f"The catalog at {path} was damaged ({reason}); it was moved to {backup} and rebuilt "
        f"from the bundled data{kept}."
    )
    return status


SQLITE_HEADER = b"SQLite format 3\x00"
# A non-SQLite file is treated as a damaged catalog (and replaced) only where a catalog is
# expected: the default location, or a name a database would have. Anything else that
# ADVISOR_CATALOG points at (a folder, a document) is refused and left alone.
_CATALOG_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def refuse_foreign(path: Path) -> None:
    """Raise InputError (and touch nothing) when ``path`` is not something a catalog may replace.

    Raises:
        InputError: ``path`` is a folder, a device or pipe, or a non-empty file that is neither
            an SQLite database nor named like one.
    """
    if not os.path.lexists(path):
        return
    if path.is_dir():
        raise InputError(
            Problem(str(path), "error", "is a folder; point ADVISOR_CATALOG at a catalog file")
        )
    if not path.is_file():
        raise InputError(
            Problem(str(path), "error", "is not a regular file; it cannot be a catalog")
        )
    try:
        with open(path, "rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            Problem(str(path), "error", f"cannot read the catalog: {reason}")
        ) from None
    if header == SQLITE_HEADER or not header.strip(b"\x00"):
        return  # a database (perhaps damaged), or an empty or zeroed file
    from advisor.paths import user_data_dir

    default = not os.environ.get("ADVISOR_CATALOG") or path.parent == user_data_dir()
    if default or path.suffix.lower() in _CATALOG_SUFFIXES:
        return
    raise InputError(
        Problem(
            str(path),
            "error",
            "is not an SQLite catalog; it was left as it is (point ADVISOR_CATALOG at a new "
            "file name or at a catalog)",
        )
    )


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

    A damaged file is replaced by a rebuilt catalog (see :func:`_repair`), with the user's
    overrides restored where they could be read; its bytes are kept as
    ``<name>.damaged-<timestamp>``. Building and repairing hold the catalog's lock exclusively,
    so commands writing overrides wait for them instead of writing into a replaced file.

    Raises:
        InputError: ``path`` is a folder or a foreign file (left alone), or the catalog cannot
            be built or repaired there (read-only), or another process holds it too long.
    """
    path = path or catalog_path()
    status = CatalogStatus(path=path)
    refuse_foreign(path)
    damage = ""
    with catalog_lock(path):
        if path.exists():
            try:
                check_health(path)
            except CatalogDamaged as exc:
                damage = str(exc)
            else:
                return _refresh(path, status)
    if not writable(path):
        what = f"is damaged ({damage})" if damage else "does not exist"
        raise InputError(
            Problem(
                str(path),
                "error",
                f"the catalog {what} and cannot be rebuilt: the file or its folder is read-only",
            )
        )
    with catalog_lock(path, exclusive=True):
        remove_stale_builds(path)
        if not path.exists():
            try:
                build_fresh(path)
            except OSError as exc:
                raise _unwritable(path, exc) from None
            status.built = True
            status.notices.append(f"Built the catalog at {path}.")
            return status
        try:
            check_health(path)  # another process may have repaired it while this one waited
        except CatalogDamaged as exc:
            return _repair(path, status, str(exc))
    with catalog_lock(path):
        return _refresh(path, status)


def _refresh(path: Path, status: CatalogStatus) -> CatalogStatus:
    """Apply pending migrations and newer bundled data to a healthy catalog (skipped, with a
    notice, when the catalog is read-only)."""
    db = connect(path)
    try:
        known = meta(db)
        refresh_seeds = known.get("seeds_fingerprint") != seeds_fingerprint()
        refresh_api = known.get("genai_prices_version") != genai_import.genai_prices_version()
        if not writable(path):
            if migrations.pending(db) or refresh_seeds or refresh_api:
                status.notices.append(
                    f"The catalog at {path} is read-only, so it was used as it is "
                    "(not refreshed from the newer bundled data)."
                )
            return status
        if migrations.pending(db):
            migrations.apply(db)
            status.notices.append("Upgraded the catalog schema.")
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
    """Open the (healthy, built) catalog database for reading or writing.

    The catalog's lock is held (shared) while it is open, so a repair by another process waits
    until this one is done rather than replacing the file under it.

    Raises:
        InputError: the catalog is missing (it was never built, or a repair elsewhere failed),
            or a write was refused because it is read-only.
    """
    path = path or catalog_path()
    with catalog_lock(path):
        if not path.is_file():
            raise InputError(
                Problem(str(path), "error", "there is no catalog here; run: advisor catalog build")
            )
        db = connect(path)
        try:
            yield db
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc):
                raise
            raise InputError(
                Problem(
                    str(path),
                    "error",
                    "the catalog is read-only, so nothing can be saved in it; set "
                    "ADVISOR_CATALOG to a writable copy to change it",
                )
            ) from None
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
