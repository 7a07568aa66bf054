"""User overrides (negotiated prices, own salaries): validated, stored apart, survive rebuilds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlite_utils

from advisor.bounds import (
    OutOfBounds,
    decode_text,
    loads_json,
    number_in_bounds,
    out_of_bounds_message,
    parse_number,
    read_bounded,
    text_problem,
)
from advisor.catalog.db import write_transaction
from advisor.catalog.seeds import SEED_KINDS, _convert
from advisor.errors import InputError, Problem

MAX_IMPORT_BYTES = 5 * 1024 * 1024
OVERRIDE_FIELDS = ("kind", "record_id", "field", "value", "note")
API_PRICE_FIELDS = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok")
# The names `catalog show --kind api` prints for those fields, accepted as aliases.
API_FIELD_ALIASES = {
    "input_usd_per_mtok": "input_mtok",
    "output_usd_per_mtok": "output_mtok",
    "cache_read_usd_per_mtok": "cache_read_mtok",
}
OVERRIDABLE_KINDS = ("api", "gpu", "cloud", "staff", "assumption", "api_extra")
_POSITIVE = (0.0, None, False)  # (low, high, low is exclusive?)
# What a user may override, and the plausible range of each: only fields the engine reads (an
# override that changes nothing would mislead), and never a value that makes no physical sense.
OVERRIDABLE_FIELDS: dict[str, dict[str, tuple[float, float | None, bool]]] = {
    "gpu": {
        "purchase_price_usd": (0.0, 10_000_000.0, False),
        "memory_gb": (0.0, 100_000.0, True),
        "memory_bandwidth_gbs": (0.0, 1_000_000.0, True),
        "bf16_tflops": (0.0, 1_000_000.0, True),
        "fp8_tflops": (0.0, 1_000_000.0, True),
        "fp4_tflops": (0.0, 1_000_000.0, True),
        "interconnect_gbs": (0.0, 1_000_000.0, True),
        "tdp_w": (0.0, 100_000.0, True),
    },
    "cloud": {
        "on_demand_usd_per_hour": (0.0, 100_000.0, True),
        "reserved_usd_per_hour": (0.0, 100_000.0, True),
        "spot_usd_per_hour": (0.0, 100_000.0, True),
    },
    # The same ceiling as a scenario's own monthly cost of a role.
    "staff": {"loaded_monthly_usd": (0.0, 1_000_000.0, False)},
    "api_extra": {
        "batch_discount": (0.0, 1.0, False),
        "rate_limit_rpm": (0.0, 1e12, True),
        "rate_limit_tpm": (0.0, 1e12, True),
    },
}
# Upper limits keep every figure far below what the cost arithmetic can carry (an accepted
# 1e300 salary made every later evaluation fail): generous for any real price or spec.
API_PRICE_BOUNDS = (0.0, 100_000.0, False)  # USD per million tokens
ASSUMPTION_MAX = 1e9
# Assumptions: the range follows the unit (a share or a rate per year is a fraction).
_FRACTION_UNITS = ("fraction",)


def _record_exists(db: sqlite_utils.Database, kind: str, record_id: str) -> bool:
    table = "api_models" if kind == "api" else SEED_KINDS[kind].table
    row = db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [record_id]).fetchone()
    return row is not None


def validate_override(
    db: sqlite_utils.Database, raw: Mapping[str, Any], where: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Check one override row; return the row to store or the problems, naming row and field."""
    problems: list[Problem] = []
    # created_at is written by export, so an exported file imports as it is (round trip).
    unknown = set(raw) - {*OVERRIDE_FIELDS, "created_at"}
    for name in sorted(unknown, key=str):
        problems.append(Problem(f"{where}.{name}", "error", "unknown column"))
    created_at = _created_at(raw.get("created_at"))
    if created_at is None:
        problems.append(Problem(f"{where}.created_at", "error", "not an ISO date and time"))
    kind = str(raw.get("kind") or "").strip()
    record_id = str(raw.get("record_id") or "").strip()
    field = str(raw.get("field") or "").strip()
    value = raw.get("value")
    if kind not in OVERRIDABLE_KINDS:
        problems.append(
            Problem(f"{where}.kind", "error", f"must be one of {', '.join(OVERRIDABLE_KINDS)}")
        )
        return None, problems
    if not record_id:
        problems.append(Problem(f"{where}.record_id", "error", "is required"))
    elif not _record_exists(db, kind, record_id):
        problems.append(Problem(f"{where}.record_id", "error", f"no {kind} with id {record_id!r}"))
    if kind == "api":
        field = API_FIELD_ALIASES.get(field, field)
        allowed = set(API_PRICE_FIELDS)
        field_kind = "money"
        bounds: tuple[float, float | None, bool] = API_PRICE_BOUNDS
    elif kind == "assumption":
        allowed = {"value"}
        field_kind = "money"
        bounds = _assumption_bounds(db, record_id)
    else:
        allowed = set(OVERRIDABLE_FIELDS[kind])
        fields = SEED_KINDS[kind].fields
        field_kind = fields[field][0] if field in fields else "money"
        bounds = OVERRIDABLE_FIELDS[kind].get(field, (0.0, None, False))
    if field not in allowed:
        problems.append(
            Problem(f"{where}.field", "error", f"must be one of {', '.join(sorted(allowed))}")
        )
    stored: str | None = None
    if field not in allowed:
        pass  # no value check: the field itself is wrong (and may not even be a number)
    elif value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Problem(f"{where}.value", "error", "is required"))
    elif isinstance(value, OutOfBounds) or (
        isinstance(value, int | Decimal) and not number_in_bounds(value)
    ):
        problems.append(Problem(f"{where}.value", "error", out_of_bounds_message()))
    elif isinstance(value, float):
        problems.append(Problem(f"{where}.value", "error", 'write numbers as text, e.g. "2.50"'))
    elif not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        problems.append(Problem(f"{where}.value", "error", "expected a number"))
    else:
        try:
            if isinstance(value, str):
                # Bounded before any conversion: "1e99999999" must not reach float() or int().
                value = str(parse_number(value, f"{where}.value"))
            converted = _convert(field_kind, value)
            stored = str(converted)
            low, high, exclusive = bounds
            number = Decimal(stored)
            if number < Decimal(str(low)) or (exclusive and number == Decimal(str(low))):
                if low == 0 and not exclusive:
                    raise ValueError("must not be negative")
                raise ValueError(f"must be {'more than' if exclusive else 'at least'} {low:g}")
            if high is not None and number > Decimal(str(high)):
                raise ValueError(
                    f"must be at most {high:,.0f}" if high >= 1000 else f"must be at most {high:g}"
                )
        except ValueError as exc:
            problems.append(Problem(f"{where}.value", "error", str(exc)))
        except InputError as exc:
            problems.extend(exc.problems)
    note = raw.get("note")
    if note is not None and not isinstance(note, str | int | Decimal):
        problems.append(Problem(f"{where}.note", "error", "expected text"))
    elif isinstance(note, str) and text_problem(note):
        problems.append(Problem(f"{where}.note", "error", str(text_problem(note))))
    for name, text in (("record_id", record_id), ("field", field)):
        if text_problem(text):
            problems.append(Problem(f"{where}.{name}", "error", str(text_problem(text))))
    if problems:
        return None, problems
    return {
        "id": f"{kind}|{record_id}|{field}",
        "kind": kind,
        "record_id": record_id,
        "field": field,
        "value": stored,
        "note": str(raw.get("note") or "")[:500] or None,
        "created_at": created_at,
    }, []


def _assumption_bounds(
    db: sqlite_utils.Database, record_id: str
) -> tuple[float, float | None, bool]:
    """Plausible range of an assumption's value, from its unit."""
    row = db.execute("SELECT unit FROM assumptions WHERE id = ?", [record_id]).fetchone()
    unit = (row[0] or "").lower() if row else ""
    if record_id == "pue":
        return (1.0, 3.0, False)
    if record_id.endswith("_per_year") and "decline" in record_id:
        return (0.0, 0.99, False)
    if unit.startswith(_FRACTION_UNITS):
        return (0.0, 1.0, False)
    if record_id == "electricity_price_usd_per_kwh":
        return (0.0, 5.0, False)  # the scenario's own range
    if unit == "months":
        return (0.0, 1200.0, True)  # a period: zero would divide by zero
    return (0.0, ASSUMPTION_MAX, False)


def _created_at(value: Any) -> str | None:
    """The given ISO timestamp (kept on import), now when absent, None when it is not one."""
    if value is None or value == "":
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return dt.datetime.fromisoformat(value.strip()).isoformat(timespec="seconds")
    except ValueError:
        return None


def apply_overrides(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]]) -> int:
    """Validate every row, then store all of them in one transaction, or none.

    Raises:
        InputError: naming each bad row and field; the catalog is left exactly as it was.
    """
    clean: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, raw in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            problems.append(Problem(f"row {index}", "error", "expected an object with columns"))
            continue
        row, row_problems = validate_override(db, raw, f"row {index}")
        problems.extend(row_problems)
        if row:
            clean.append(row)
        if len(problems) > 50:
            break
    if problems:
        raise InputError(*problems)
    with write_transaction(db):
        db["overrides"].upsert_all(clean, pk="id")  # type: ignore[union-attr]
    return len(clean)


def remove_override(db: sqlite_utils.Database, kind: str, record_id: str, field: str) -> bool:
    with write_transaction(db):
        cur = db.execute(
            "DELETE FROM overrides WHERE kind = ? AND record_id = ? AND field = ?",
            [kind, record_id, field],
        )
    return cur.rowcount > 0


def list_overrides(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [{k: r[k] for k in (*OVERRIDE_FIELDS, "created_at")} for r in db["overrides"].rows]


def read_override_file(path: Path) -> list[dict[str, Any]]:
    """Parse a CSV or JSON overrides file (rejecting huge or malformed files with a reason)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(Problem(str(path), "error", f"cannot read: {exc.strerror}")) from None
    if size > MAX_IMPORT_BYTES:  # a quick refusal; the read below is bounded as well
        raise InputError(
            Problem(
                str(path),
                "error",
                f"is {size // 1024} KiB; an overrides file is at most "
                f"{MAX_IMPORT_BYTES // 1024 // 1024} MiB",
            )
        )
    # stat() says 0 for /dev/zero and pipes: the size is checked again on what is read.
    text = decode_text(read_bounded(path, MAX_IMPORT_BYTES, "an overrides file"), str(path))
    if path.suffix.lower() == ".json":
        data = loads_json(text, str(path), floats_as=str)
        if isinstance(data, dict) and "overrides" in data:
            data = data["overrides"]
        if not isinstance(data, list):
            raise InputError(Problem(str(path), "error", "expected a list of overrides"))
        return data
    if path.suffix.lower() == ".csv":
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            header = reader.fieldnames or []
            missing = [c for c in ("kind", "record_id", "field", "value") if c not in header]
            if missing:
                raise InputError(
                    Problem(str(path), "error", f"missing columns: {', '.join(missing)}")
                )
            rows = []
            for row in reader:
                if None in row:
                    raise InputError(
                        Problem(
                            f"row {reader.line_num - 1}", "error", "has more cells than columns"
                        )
                    )
                rows.append(dict(row))
            return rows
        except csv.Error as exc:
            raise InputError(Problem(str(path), "error", f"not valid CSV: {exc}")) from None
    raise InputError(Problem(str(path), "error", "must end in .csv or .json"))


def write_override_file(rows: list[dict[str, Any]], path: Path) -> None:
    """Write overrides to CSV or JSON atomically (temp file, then rename)."""
    from advisor.util import atomic_write_text

    if path.suffix.lower() == ".json":
        text = json.dumps({"overrides": rows}, indent=2)
    elif path.suffix.lower() == ".csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=[*OVERRIDE_FIELDS, "created_at"])
        writer.writeheader()
        writer.writerows(rows)
        text = buf.getvalue()
    else:
        raise InputError(Problem(str(path), "error", "must end in .csv or .json"))
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(Problem(str(path), "error", f"cannot write: {reason}")) from None
