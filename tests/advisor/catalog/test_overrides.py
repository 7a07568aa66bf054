"""User overrides: imported from CSV or JSON, shown in the snapshot, kept across rebuilds, and
bad or hostile files rejected with the row and field named and the catalog left untouched."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from advisor.catalog import db as catalog_db
from advisor.catalog import overrides as ov
from advisor.catalog.snapshot import load_catalog
from advisor.cli import main
from advisor.cost.api import TokenUsage, price_usage
from advisor.errors import InputError

NEGOTIATED = [
    {"kind": "api", "record_id": "openai/gpt-4o", "field": "input_mtok", "value": "2.00",
     "note": "enterprise agreement 2026"},
    {"kind": "gpu", "record_id": "h100-sxm-80gb", "field": "purchase_price_usd", "value": "21500",
     "note": "quote from our reseller"},
    {"kind": "staff", "record_id": "ml_engineer|us", "field": "loaded_monthly_usd",
     "value": "18250.50", "note": "our own salaries"},
]  # fmt: skip
FIELDS = ["kind", "record_id", "field", "value", "note"]


def _write_csv(path: Path, rows: list[dict[str, Any]], fields: list[str] = FIELDS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _import(path: Path, file: Path) -> int:
    rows = ov.read_override_file(file)
    with catalog_db.open_db(path) as db:
        return ov.apply_overrides(db, rows)


def _table(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM overrides ORDER BY id").fetchall()
    finally:
        conn.close()


def _assert_negotiated_prices_in(path: Path) -> None:
    catalog = load_catalog(path)
    api = catalog.api_model("openai/gpt-4o")
    assert api.overridden == ("input_mtok",)
    assert api.standard.prices["input_mtok"] == (Decimal("2.00"), ())
    assert api.standard.prices["output_mtok"][0] == Decimal("10")  # untouched
    gpu = catalog.gpu("H100")
    assert gpu.overridden == ("purchase_price_usd",)
    assert gpu.purchase_price_usd == Decimal("21500")
    staff = next(s for s in catalog.staff if s.id == "ml_engineer|us")
    assert staff.overridden == ("loaded_monthly_usd",)
    assert staff.loaded_monthly_usd == Decimal("18250.50")
    assert catalog.gpu("a100-sxm-80gb").overridden == ()
    cost = price_usage(api, TokenUsage(input_tokens=1_000_000, output_tokens=0))
    assert cost.total_usd == Decimal("2.00")


# --- importing -------------------------------------------------------------------------------


def test_csv_overrides_show_in_the_snapshot(fresh_catalog_path: Path, tmp_path: Path) -> None:
    file = _write_csv(tmp_path / "negotiated.csv", NEGOTIATED)
    assert _import(fresh_catalog_path, file) == 3
    _assert_negotiated_prices_in(fresh_catalog_path)


def test_json_overrides_show_in_the_snapshot(fresh_catalog_path: Path, tmp_path: Path) -> None:
    file = tmp_path / "negotiated.json"
    file.write_text(json.dumps({"overrides": NEGOTIATED}), encoding="utf-8")
    assert _import(fresh_catalog_path, file) == 3
    _assert_negotiated_prices_in(fresh_catalog_path)


def test_json_numbers_are_kept_exactly_as_written_not_as_floats(
    fresh_catalog_path: Path, tmp_path: Path
) -> None:
    file = tmp_path / "o.json"
    file.write_text(
        '[{"kind": "api", "record_id": "openai/gpt-4o", "field": "input_mtok", "value": 2.675},'
        ' {"kind": "gpu", "record_id": "l4-24gb", "field": "purchase_price_usd", "value": 2500}]',
        encoding="utf-8",
    )
    _import(fresh_catalog_path, file)
    values = {row[0]: row[4] for row in _table(fresh_catalog_path)}
    assert values["api|openai/gpt-4o|input_mtok"] == "2.675"  # 2.675 is not a binary float
    assert values["gpu|l4-24gb|purchase_price_usd"] == "2500"


def test_a_spreadsheet_csv_with_a_byte_order_mark_imports(
    fresh_catalog_path: Path, tmp_path: Path
) -> None:
    file = _write_csv(tmp_path / "excel.csv", NEGOTIATED[:1])
    file.write_bytes(b"\xef\xbb\xbf" + file.read_bytes())
    assert _import(fresh_catalog_path, file) == 1


def test_an_override_replaces_long_context_tiers_with_the_flat_negotiated_price(
    fresh_catalog_path: Path,
) -> None:
    with catalog_db.open_db(fresh_catalog_path) as db:
        ov.apply_overrides(
            db,
            [{"kind": "api", "record_id": "google/gemini-1.5-flash", "field": "input_mtok",
              "value": "0.05"}],
        )  # fmt: skip
    model = load_catalog(fresh_catalog_path).api_model("google/gemini-1.5-flash")
    assert model.standard.prices["input_mtok"] == (Decimal("0.05"), ())
    assert model.standard.prices["output_mtok"][1]  # the other keys keep their tiers
    cost = price_usage(model, TokenUsage(input_tokens=200_000, output_tokens=0))
    assert cost.total_usd == Decimal("0.01")


def test_importing_again_replaces_the_value_of_the_same_override(
    fresh_catalog_path: Path, tmp_path: Path
) -> None:
    _import(fresh_catalog_path, _write_csv(tmp_path / "a.csv", NEGOTIATED))
    changed = [{**NEGOTIATED[0], "value": "1.75"}]
    _import(fresh_catalog_path, _write_csv(tmp_path / "b.csv", changed))
    rows = _table(fresh_catalog_path)
    assert len(rows) == 3
    api = load_catalog(fresh_catalog_path).api_model("openai/gpt-4o")
    assert api.standard.prices["input_mtok"][0] == Decimal("1.75")


# --- overrides survive updates and rebuilds --------------------------------------------------


@pytest.mark.parametrize("command", ["update --offline", "update --bundled", "build"])
def test_overrides_survive_catalog_update_and_build(
    command: str, fresh_catalog_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(fresh_catalog_path, _write_csv(tmp_path / "negotiated.csv", NEGOTIATED))
    before = _table(fresh_catalog_path)
    assert main(["catalog", *command.split()]) == 0
    out = capsys.readouterr().out
    assert "kept 3 user overrides" in out
    assert _table(fresh_catalog_path) == before
    _assert_negotiated_prices_in(fresh_catalog_path)


def test_overrides_survive_a_refresh_after_an_app_upgrade(fresh_catalog_path: Path) -> None:
    """A new app version brings new seeds: the seed tables are refilled, overrides are kept."""
    with catalog_db.open_db(fresh_catalog_path) as db:
        ov.apply_overrides(db, NEGOTIATED)
        db.execute("UPDATE meta SET value = 'old' WHERE key = 'seeds_fingerprint'")
    status = catalog_db.ensure_catalog(fresh_catalog_path)
    assert any("your overrides were kept" in n for n in status.notices)
    _assert_negotiated_prices_in(fresh_catalog_path)


# --- export and import -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_export_then_import_round_trips(
    suffix: str, fresh_catalog_path: Path, catalog_file: Path, tmp_path: Path
) -> None:
    with catalog_db.open_db(fresh_catalog_path) as db:
        ov.apply_overrides(db, NEGOTIATED)
        exported = ov.list_overrides(db)
    file = tmp_path / f"export{suffix}"
    ov.write_override_file(exported, file)

    other = tmp_path / "other.sqlite"
    other.write_bytes(catalog_file.read_bytes())
    assert _import(other, file) == 3
    with catalog_db.open_db(other) as db:
        assert ov.list_overrides(db) == exported  # created_at included
    _assert_negotiated_prices_in(other)
    # and importing the same file twice changes nothing
    _import(other, file)
    assert _table(other) == _table(fresh_catalog_path)


# --- malformed and hostile files ---------------------------------------------------------------

GOOD_ROW = NEGOTIATED[0]


def _csv_rows(*bad: dict[str, Any]) -> Callable[[Path], Path]:
    return lambda folder: _write_csv(folder / "o.csv", [GOOD_ROW, *bad])


def _text(name: str, text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return make


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    # case: (file maker, problem field (suffix), words in the message)
    "wrong-columns": (
        _text("o.csv", "kind,record,field,price\napi,openai/gpt-4o,input_mtok,2\n"),
        "o.csv",
        "missing columns: record_id, value",
    ),
    "negative-price": (
        _csv_rows({**GOOD_ROW, "value": "-2.50"}), "row 2.value", "must not be negative"
    ),
    "negative-salary": (
        _csv_rows({**NEGOTIATED[2], "value": "-1"}), "row 2.value", "must not be negative"
    ),
    "non-numeric-price": (
        _csv_rows({**GOOD_ROW, "value": "two dollars"}), "row 2.value", "is not a number"
    ),
    "infinite-price": (_csv_rows({**GOOD_ROW, "value": "Infinity"}), "row 2.value", "finite"),
    "empty-price": (_csv_rows({**GOOD_ROW, "value": ""}), "row 2.value", "is required"),
    "unknown-record": (
        _csv_rows({**GOOD_ROW, "record_id": "openai/gpt-9"}),
        "row 2.record_id",
        "no api with id 'openai/gpt-9'",
    ),
    "unknown-kind": (_csv_rows({**GOOD_ROW, "kind": "spaceship"}), "row 2.kind", "must be one of"),
    "unknown-field": (
        _csv_rows({**NEGOTIATED[1], "field": "colour"}), "row 2.field", "must be one of"
    ),
    "field-that-is-not-overridable": (
        _csv_rows({**NEGOTIATED[1], "field": "source", "value": "x"}),
        "row 2.field",
        "must be one of",
    ),
    "unknown-column": (
        _text("o.json", json.dumps([{**GOOD_ROW, "colour": "green"}])),
        "row 1.colour",
        "unknown column",
    ),
    "bad-created-at": (
        _text("o.json", json.dumps([{**GOOD_ROW, "created_at": "yesterday"}])),
        "row 1.created_at",
        "ISO",
    ),
    "more-cells-than-columns": (
        _text("o.csv", "kind,record_id,field,value\napi,openai/gpt-4o,input_mtok,2,extra\n"),
        "row 1",
        "more cells than columns",
    ),
    "json-not-a-list": (_text("o.json", '{"kind": "api"}'), "o.json", "expected a list"),
    "json-row-not-an-object": (_text("o.json", '["api", 2]'), "row 1", "expected an object"),
    "json-syntax-error": (_text("o.json", '[{"kind": "api",'), "o.json", "not valid JSON"),
    "json-nested-too-deeply": (
        _text("o.json", "[" * 100_000 + "]" * 100_000), "o.json", "nested too deeply"
    ),
    "not-utf8": (
        _bytes("o.csv", b"kind,record_id,field,value\n\xff\xfe\xfa,x,y,1\n"), "o.csv", "UTF-8"
    ),
    "nul-bytes": (
        _bytes("o.csv", b"kind,record_id,field,value\napi\x00,x,y,1\n"), "row 1.kind", "one of"
    ),
    "wrong-extension": (_text("o.txt", "kind,record_id,field,value\n"), "o.txt", ".csv or .json"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_override_file_is_rejected_naming_row_and_field_and_changes_nothing(
    case: str, fresh_catalog_path: Path, tmp_path: Path
) -> None:
    make, field, words = BAD_FILES[case]
    with catalog_db.open_db(fresh_catalog_path) as db:
        ov.apply_overrides(db, NEGOTIATED[1:])
    before = _table(fresh_catalog_path)
    assert len(before) == 2
    file_before = fresh_catalog_path.read_bytes()
    file = make(tmp_path)

    with pytest.raises(InputError) as info:
        _import(fresh_catalog_path, file)

    assert any(p.field.endswith(field) and words in p.message for p in info.value.problems), (
        info.value.problems
    )
    assert _table(fresh_catalog_path) == before  # not even the good row 1 was applied
    assert fresh_catalog_path.read_bytes() == file_before  # nothing at all was written


def test_a_100_mb_junk_file_is_rejected_at_once_by_its_size(
    fresh_catalog_path: Path, tmp_path: Path
) -> None:
    with catalog_db.open_db(fresh_catalog_path) as db:
        ov.apply_overrides(db, NEGOTIATED)
    before = _table(fresh_catalog_path)
    junk = tmp_path / "junk.csv"
    with open(junk, "wb") as fh:
        fh.write(b"kind,record_id,field,value\n" + os.urandom(1024 * 1024))
        fh.truncate(100 * 1024 * 1024)  # sparse: quick to make
    assert junk.stat().st_size == 100 * 1024 * 1024

    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        _import(fresh_catalog_path, junk)
    elapsed = time.perf_counter() - start

    (problem,) = info.value.problems
    assert problem.field == str(junk)
    assert "102400 KiB" in problem.message and "at most 5 MiB" in problem.message
    assert elapsed < 0.5, f"took {elapsed:.2f}s: the file was read instead of rejected by size"
    assert _table(fresh_catalog_path) == before


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        ov.read_override_file(tmp_path / "nowhere.csv")


def test_a_float_value_from_code_is_refused(fresh_catalog_path: Path) -> None:
    with catalog_db.open_db(fresh_catalog_path) as db, pytest.raises(InputError) as info:
        ov.apply_overrides(db, [{**GOOD_ROW, "value": 2.5}])
    assert info.value.problems[0].field == "row 1.value"
    assert "as text" in info.value.problems[0].message


def test_every_problem_of_a_file_is_reported_at_once(
    fresh_catalog_path: Path, tmp_path: Path
) -> None:
    rows = [
        {**GOOD_ROW, "value": "-1"},
        {**GOOD_ROW, "record_id": "nope/nope"},
        {**NEGOTIATED[1], "field": "colour"},
    ]
    with pytest.raises(InputError) as info:
        _import(fresh_catalog_path, _write_csv(tmp_path / "o.csv", rows))
    assert [p.field for p in info.value.problems] == [
        "row 1.value",
        "row 2.record_id",
        "row 3.field",
    ]
    assert _table(fresh_catalog_path) == []
