"""The reviewed seed files: they validate, money is exact Decimal, bad rows are named by field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml

from advisor.catalog.seeds import (
    MONEY,
    SEED_KINDS,
    SeedKind,
    load_seed,
    load_yaml,
    validate_records,
)
from advisor.catalog.snapshot import Catalog
from advisor.errors import InputError, Problem
from advisor.paths import bundled_path

SEED_DIR = bundled_path("resources") / "catalog"
CLOUD = SEED_KINDS["cloud"]
GPU = SEED_KINDS["gpu"]

VALID_OFFER = """\
- id: TestCloud-GPU-1x-US
  provider: testcloud
  instance: gpu_1x
  region: us
  gpu: h100-sxm-80gb
  gpu_count: 1
  on_demand_usd_per_hour: 0.1
  spot_usd_per_hour: '0.05'
  source: https://example.com/prices
  as_of: 2026-01-15
"""


def _problems(kind: SeedKind, text: str) -> list[Problem]:
    rows, problems = validate_records(kind, load_yaml(text, kind.file), kind.file)
    assert problems, f"expected problems, got rows {rows}"
    return problems


def _one_problem(kind: SeedKind, text: str) -> Problem:
    problems = _problems(kind, text)
    assert len(problems) == 1, problems
    return problems[0]


# --- the bundled files ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SEED_KINDS.values()), ids=lambda k: k.file)
def test_every_bundled_seed_file_exists_and_validates(kind: SeedKind) -> None:
    assert (SEED_DIR / kind.file).is_file(), f"{kind.file} is missing from resources/catalog"
    rows = load_seed(kind)  # raises InputError listing every problem
    assert rows, f"{kind.file} has no records"
    for row in rows:
        assert row["source"] and row["as_of"], row["id"]
        assert row["basis"] in ("published", "derived", "assumption"), row["id"]


def test_money_in_every_seed_file_loads_as_the_exact_decimal_written() -> None:
    """Compare each money value with the file's own text (read with a loader that keeps text)."""
    checked = 0
    for kind in SEED_KINDS.values():
        money = [name for name, (fkind, _) in kind.all_fields().items() if fkind == MONEY]
        if not money:
            continue
        as_text = yaml.load((SEED_DIR / kind.file).read_text("utf-8"), Loader=yaml.BaseLoader)
        for raw, row in zip(as_text, load_seed(kind), strict=True):
            for name in money:
                if raw.get(name) in (None, "", "null", "~"):
                    continue
                assert Decimal(row[name]) == Decimal(raw[name].replace("_", "")), (kind, name)
                assert row[name] == str(Decimal(raw[name].replace("_", "")))
                checked += 1
    assert checked > 50


def test_money_fields_of_the_loaded_catalog_are_decimal(catalog: Catalog) -> None:
    for offer in catalog.cloud_offers:
        assert type(offer.on_demand_usd_per_hour) is Decimal, offer.id
        for optional in (offer.reserved_usd_per_hour, offer.spot_usd_per_hour):
            assert optional is None or type(optional) is Decimal, offer.id
    for staff in catalog.staff:
        assert type(staff.loaded_monthly_usd) is Decimal, staff.id
    for gpu in catalog.gpus:
        assert gpu.purchase_price_usd is None or type(gpu.purchase_price_usd) is Decimal
    assert any(g.purchase_price_usd is not None for g in catalog.gpus)
    for assumption in catalog.assumptions:
        assert type(assumption.value) is Decimal, assumption.id


# --- decimals, never floats ----------------------------------------------------------------


def test_yaml_number_with_a_decimal_point_is_read_as_decimal_not_float() -> None:
    data = load_yaml("a: 0.1\nb: 0.2\nc: 1_000.50\nd: 3\ne: 2.123456789012345678901234\n", "t")
    assert data["a"] == Decimal("0.1") and type(data["a"]) is Decimal
    assert data["a"] + data["b"] == Decimal("0.3")  # 0.1 + 0.2 != 0.3 in binary floats
    assert data["c"] == Decimal("1000.50")
    assert data["d"] == 3 and type(data["d"]) is int
    assert data["e"] == Decimal("2.123456789012345678901234")  # more digits than a float holds


def test_money_written_with_more_digits_than_a_float_holds_is_stored_exactly() -> None:
    text = VALID_OFFER.replace("0.1", "1.100000000000000000000000000001")
    rows, problems = validate_records(CLOUD, load_yaml(text, CLOUD.file), CLOUD.file)
    assert not problems
    assert rows[0]["on_demand_usd_per_hour"] == "1.100000000000000000000000000001"
    assert rows[0]["spot_usd_per_hour"] == "0.05"


def test_valid_record_is_converted_with_defaults_and_a_lower_case_id() -> None:
    rows, problems = validate_records(CLOUD, load_yaml(VALID_OFFER, CLOUD.file), CLOUD.file)
    assert problems == []
    (row,) = rows
    assert row["id"] == "testcloud-gpu-1x-us"
    assert row["on_demand_usd_per_hour"] == "0.1"
    assert row["as_of"] == "2026-01-15"
    assert row["basis"] == "published"
    assert row["reserved_usd_per_hour"] is None


def test_money_given_as_a_float_is_rejected_naming_row_and_field() -> None:
    """The YAML loader never makes floats; a float can only come from code or JSON."""
    raw: list[dict[str, Any]] = load_yaml(VALID_OFFER, CLOUD.file)
    raw[0]["on_demand_usd_per_hour"] = 0.1
    rows, problems = validate_records(CLOUD, raw, CLOUD.file)
    assert rows == []
    (problem,) = problems
    assert problem.field == "cloud_offers.yaml row 1 (TestCloud-GPU-1x-US).on_demand_usd_per_hour"
    assert "not a float" in problem.message


# --- problems name the row and the field ---------------------------------------------------


def test_unknown_field_is_a_problem_naming_row_and_field() -> None:
    problem = _one_problem(CLOUD, VALID_OFFER + "  colour: green\n")
    assert problem.field == "cloud_offers.yaml row 1 (TestCloud-GPU-1x-US).colour"
    assert problem.message == "unknown field"
    assert problem.severity == "error"


@pytest.mark.parametrize("field", ["source", "as_of"])
def test_missing_source_or_as_of_is_a_problem_naming_row_and_field(field: str) -> None:
    text = "\n".join(
        line for line in VALID_OFFER.splitlines() if not line.startswith(f"  {field}:")
    )
    problem = _one_problem(CLOUD, text)
    assert problem.field == f"cloud_offers.yaml row 1 (TestCloud-GPU-1x-US).{field}"
    assert problem.message == "is required"


def test_empty_source_counts_as_missing() -> None:
    problem = _one_problem(CLOUD, VALID_OFFER.replace("https://example.com/prices", "''"))
    assert problem.field.endswith(".source")


def test_negative_number_is_a_problem_naming_row_and_field() -> None:
    gpu = (SEED_DIR / GPU.file).read_text("utf-8")
    first = load_yaml(gpu, GPU.file)[:1]
    first[0]["memory_gb"] = -80
    rows, problems = validate_records(GPU, first, GPU.file)
    assert rows == []
    (problem,) = problems
    assert problem.field == f"gpus.yaml row 1 ({first[0]['id']}).memory_gb"
    assert problem.message == "must not be negative"


def test_negative_whole_number_is_a_problem() -> None:
    problem = _one_problem(CLOUD, VALID_OFFER.replace("gpu_count: 1", "gpu_count: -8"))
    assert problem.field.endswith(".gpu_count")
    assert problem.message == "must not be negative"


@pytest.mark.parametrize("bad", ["2026-13-45", "'2026-02-30'", "'last spring'", "20260115"])
def test_bad_date_is_a_problem_naming_row_and_field(bad: str) -> None:
    problem = _one_problem(CLOUD, VALID_OFFER.replace("2026-01-15", bad))
    assert problem.field == "cloud_offers.yaml row 1 (TestCloud-GPU-1x-US).as_of"
    assert "date" in problem.message


@pytest.mark.parametrize(
    ("value", "reason"),
    [("'cheap'", "not a number"), (".inf", "finite"), (".nan", "finite"), ("[1, 2]", "number")],
)
def test_non_numeric_or_infinite_money_is_a_problem(value: str, reason: str) -> None:
    problem = _one_problem(CLOUD, VALID_OFFER.replace("0.1", value))
    assert problem.field.endswith(".on_demand_usd_per_hour")
    assert reason in problem.message


def test_wrong_types_are_problems_for_each_field() -> None:
    text = (
        VALID_OFFER.replace("gpu_count: 1", "gpu_count: 1.5")
        .replace("region: us", "region: [us, eu]")
        .replace("provider: testcloud", "provider: true")
    )
    fields = {p.field.rsplit(".", 1)[-1] for p in _problems(CLOUD, text)}
    assert fields == {"gpu_count", "region", "provider"}


def test_unknown_basis_is_a_problem() -> None:
    problem = _one_problem(CLOUD, VALID_OFFER + "  basis: rumour\n")
    assert problem.field.endswith(".basis")


def test_duplicate_ids_are_rejected_even_when_case_differs() -> None:
    second = VALID_OFFER.replace("TestCloud-GPU-1x-US", "testcloud-gpu-1x-us")
    rows, problems = validate_records(CLOUD, load_yaml(VALID_OFFER + second, "f"), "f")
    assert len(rows) == 1
    (problem,) = problems
    assert problem.field == "f row 2 (testcloud-gpu-1x-us)"
    assert "duplicate id 'testcloud-gpu-1x-us'" in problem.message


def test_duplicate_composite_ids_are_rejected() -> None:
    staff = SEED_KINDS["staff"]
    row = (
        "- role: ml_engineer\n  region: us\n  loaded_monthly_usd: '20000'\n"
        "  source: https://example.com\n  as_of: 2026-01-01\n"
    )
    rows, problems = validate_records(staff, load_yaml(row * 2, "s"), "s")
    assert [r["id"] for r in rows] == ["ml_engineer|us"]
    assert len(problems) == 1 and "duplicate id 'ml_engineer|us'" in problems[0].message


def test_a_file_that_is_not_a_list_or_not_mappings_is_a_problem() -> None:
    (problem,) = validate_records(CLOUD, {"id": "x"}, "f")[1]
    assert problem.field == "f" and "list" in problem.message
    rows, problems = validate_records(CLOUD, ["just text"], "f")
    assert rows == [] and problems[0].field == "f row 1"


def test_load_seed_raises_one_input_error_listing_every_problem() -> None:
    text = VALID_OFFER.replace("gpu_count: 1", "gpu_count: -1") + "  colour: green\n"
    with pytest.raises(InputError) as info:
        load_seed(CLOUD, read_text=lambda name: text)
    assert {p.field.rsplit(".", 1)[-1] for p in info.value.problems} == {"gpu_count", "colour"}
    assert "cloud_offers.yaml row 1" in str(info.value)


def test_invalid_yaml_is_an_input_error_naming_the_file() -> None:
    with pytest.raises(InputError) as info:
        load_seed(CLOUD, read_text=lambda name: "- id: [unclosed\n")
    assert info.value.problems[0].field == "cloud_offers.yaml"
    assert "not valid YAML" in str(info.value)


def test_yaml_tags_that_would_run_code_are_refused() -> None:
    with pytest.raises(InputError, match="not valid YAML"):
        load_yaml("x: !!python/object/apply:os.system ['echo hi']", "evil.yaml")


def test_an_absent_seed_file_gives_no_records() -> None:
    kind = SeedKind("gpu", "no-such-file.yaml", "gpus", GPU.fields)
    assert load_seed(kind) == []
