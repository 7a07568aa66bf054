"""Load and validate the reviewed seed files in resources/catalog/ (YAML, money as Decimal)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from advisor.errors import InputError, Problem
from advisor.paths import bundled

# libyaml's parser when installed (builds the catalog several times faster), else pure Python.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DecimalLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that reads every number with a decimal point as Decimal, never float."""


_YAML_SPECIAL_FLOATS = {
    ".inf": "Infinity",
    "+.inf": "Infinity",
    "-.inf": "-Infinity",
    ".nan": "NaN",
}


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    try:
        # .inf and .nan become Decimal infinities and NaN, which validation rejects by field.
        return Decimal(_YAML_SPECIAL_FLOATS.get(text.lower(), text))
    except InvalidOperation:  # e.g. YAML 1.1 sexagesimal 1:30.5
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a decimal number", node.start_mark
        ) from None


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except ValueError:  # e.g. 2026-13-45: kept as text, so validation names the row and field
        return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

# Field kinds: how a seed value is checked and how it is stored in SQLite.
STR, INT, NUM, MONEY, BOOL, STRLIST, DATE = "str", "int", "num", "money", "bool", "strlist", "date"
SNUM = "snum"  # a number that may be negative (e.g. a log-error quantile)

SQL_TYPES: dict[str, type] = {
    STR: str,
    INT: int,
    NUM: float,
    SNUM: float,
    MONEY: str,  # exact decimal text
    BOOL: int,
    STRLIST: str,  # JSON list
    DATE: str,  # ISO date
}

_COMMON: dict[str, tuple[str, bool]] = {
    "source": (STR, True),
    "as_of": (DATE, True),
    "basis": (STR, False),
    "note": (STR, False),
}


@dataclass(frozen=True)
class SeedKind:
    """One seed file: its table, fields (kind, required) and how a record's id is formed."""

    name: str
    file: str
    table: str
    fields: Mapping[str, tuple[str, bool]]
    id_fields: tuple[str, ...] = ("id",)

    def all_fields(self) -> dict[str, tuple[str, bool]]:
        return {**self.fields, **_COMMON}

    def record_id(self, record: Mapping[str, Any]) -> str:
        return "|".join(str(record.get(f) or "") for f in self.id_fields)


SEED_KINDS: dict[str, SeedKind] = {
    k.name: k
    for k in (
        SeedKind(
            "gpu",
            "gpus.yaml",
            "gpus",
            {
                "id": (STR, True),
                "name": (STR, True),
                "vendor": (STR, True),
                "architecture": (STR, False),
                "aliases": (STRLIST, False),
                "form_factor": (STR, False),
                "memory_gb": (NUM, True),
                "memory_bandwidth_gbs": (NUM, True),
                "bf16_tflops": (NUM, True),
                "fp8_tflops": (NUM, False),
                "fp4_tflops": (NUM, False),
                "int8_tops": (NUM, False),
                "interconnect": (STR, False),
                "interconnect_gbs": (NUM, False),
                "tdp_w": (NUM, True),
                "release_year": (INT, False),
                "purchase_price_usd": (MONEY, False),
                "price_basis": (STR, False),
                "price_note": (STR, False),
                "price_source": (STR, False),
                "price_as_of": (DATE, False),
            },
        ),
        SeedKind(
            "model",
            "open_models.yaml",
            "open_models",
            {
                "id": (STR, True),
                "name": (STR, True),
                "family": (STR, False),
                "hf_repo": (STR, True),
                "aliases": (STRLIST, False),
                "release_date": (DATE, False),
                "total_params_b": (NUM, True),
                "active_params_b": (NUM, True),
                "layers": (INT, True),
                "hidden_size": (INT, True),
                "intermediate_size": (INT, False),
                "attention_heads": (INT, True),
                "kv_heads": (INT, True),
                "head_dim": (INT, True),
                "vocab_size": (INT, True),
                "tie_word_embeddings": (BOOL, False),
                "max_context": (INT, True),
                "attention": (STR, True),
                "sliding_window": (INT, False),
                "sliding_window_layers": (INT, False),
                "kv_lora_rank": (INT, False),
                "qk_rope_head_dim": (INT, False),
                "moe_experts": (INT, False),
                "moe_experts_per_token": (INT, False),
                "moe_shared_experts": (INT, False),
                "reasoning": (BOOL, False),
                "licence": (STR, True),
            },
        ),
        SeedKind(
            "score",
            "quality_scores.yaml",
            "quality_scores",
            {
                "model": (STR, True),
                "benchmark": (STR, True),
                "score": (NUM, True),
                "setting": (STR, False),
            },
            id_fields=("model", "benchmark", "setting"),
        ),
        SeedKind(
            "cloud",
            "cloud_offers.yaml",
            "cloud_offers",
            {
                "id": (STR, True),
                "provider": (STR, True),
                "instance": (STR, True),
                "region": (STR, False),
                "gpu": (STR, True),
                "gpu_count": (INT, True),
                "on_demand_usd_per_hour": (MONEY, True),
                "reserved_usd_per_hour": (MONEY, False),
                "reserved_term": (STR, False),
                "spot_usd_per_hour": (MONEY, False),
            },
        ),
        SeedKind(
            "staff",
            "staffing.yaml",
            "staffing",
            {
                "role": (STR, True),
                "region": (STR, True),
                "base_salary_annual": (MONEY, False),
                "currency": (STR, False),
                "loaded_monthly_usd": (MONEY, True),
                "loading_factor": (NUM, False),
            },
            id_fields=("role", "region"),
        ),
        SeedKind(
            "api_extra",
            "api_extras.yaml",
            "api_extras",
            {
                "provider": (STR, True),
                "model": (STR, True),
                "batch_discount": (NUM, False),
                "rate_limit_rpm": (INT, False),
                "rate_limit_tpm": (INT, False),
                "rate_limit_tier": (STR, False),
                "private_deployment": (BOOL, False),
                "open_model": (STR, False),
                "hosted_precision": (STR, False),
                "ttft_ms": (NUM, False),
                "output_tokens_per_s": (NUM, False),
            },
            id_fields=("provider", "model", "rate_limit_tier"),
        ),
        SeedKind(
            "assumption",
            "assumptions.yaml",
            "assumptions",
            {
                "id": (STR, True),
                "value": (MONEY, True),
                "unit": (STR, False),
                "low": (MONEY, False),
                "high": (MONEY, False),
                "description": (STR, False),
            },
        ),
        SeedKind(
            "perf",
            "perf_measurements.yaml",
            "perf_measurements",
            {
                "id": (STR, True),
                "model": (STR, True),
                "gpu": (STR, True),
                "gpu_count": (INT, True),
                "tensor_parallel": (INT, False),
                "expert_parallel": (INT, False),
                "replicas": (INT, False),
                "precision": (STR, True),
                "kv_precision": (STR, False),
                "engine": (STR, False),
                "input_tokens": (NUM, False),
                "output_tokens": (NUM, False),
                "concurrency": (INT, False),
                "scenario": (STR, False),
                "output_tokens_per_s": (NUM, False),
                "total_tokens_per_s": (NUM, False),
                "ttft_ms": (NUM, False),
                "tpot_ms": (NUM, False),
                "speculative": (BOOL, False),
                "split": (STR, False),
                "source_id": (STR, False),
                "arrivals": (STR, False),
            },
        ),
        SeedKind(
            "task",
            "tasks.yaml",
            "tasks",
            {
                "id": (STR, True),
                "task": (STR, True),
                "name": (STR, True),
                "benchmark": (STR, True),
                "min_score": (NUM, True),
                "priority": (INT, True),
                "description": (STR, False),
            },
        ),
        SeedKind(
            "calibration",
            "calibration.yaml",
            "calibration",
            {
                "id": (STR, True),
                "value": (SNUM, True),
                "description": (STR, False),
            },
        ),
    )
}

BASIS_VALUES = ("published", "derived", "assumption")


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError("must be written as a decimal string or integer, not a float")
    if isinstance(value, Decimal | int):
        dec = Decimal(value)
    elif isinstance(value, str):
        try:
            dec = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not dec.is_finite():
        raise ValueError("must be a finite number")
    return dec


def _convert(kind: str, value: Any) -> Any:
    """Convert one seed value to its stored form, or raise ValueError with a reason."""
    if kind == STR:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError(f"expected text, got {type(value).__name__}")
        return str(value)
    if kind == INT:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ValueError(f"expected a whole number, got {value!r}")
        if isinstance(value, Decimal) and value != value.to_integral_value():
            raise ValueError(f"expected a whole number, got {value}")
        if int(value) < 0:
            raise ValueError("must not be negative")
        return int(value)
    if kind == NUM:
        dec = _as_decimal(value)
        if dec < 0:
            raise ValueError("must not be negative")
        return float(dec)
    if kind == SNUM:
        return float(_as_decimal(value))
    if kind == MONEY:
        dec = _as_decimal(value)
        return str(dec)
    if kind == BOOL:
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return int(value)
    if kind == STRLIST:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("expected a list of text")
        return json.dumps(value)
    if kind == DATE:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
        raise ValueError(f"expected a date, got {type(value).__name__}")
    raise AssertionError(kind)


def validate_records(
    kind: SeedKind, records: Any, origin: str
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Check a list of raw seed records against the kind's fields.

    Args:
        kind: The seed kind.
        records: Parsed YAML (must be a list of mappings).
        origin: File name used in messages.

    Returns:
        The converted records (ready for SQLite) and every problem found, each naming the row
        and the field.
    """
    problems: list[Problem] = []
    if not isinstance(records, list):
        return [], [Problem(origin, "error", "expected a list of records")]
    fields = kind.all_fields()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(records, start=1):
        where = f"{origin} row {index}"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "error", "expected a mapping of field: value"))
            continue
        if "id" in raw:
            where += f" ({raw['id']})"
        row: dict[str, Any] = {}
        ok = True
        for name in raw:
            if name not in fields:
                problems.append(Problem(f"{where}.{name}", "error", "unknown field"))
                ok = False
        for name, (field_kind, required) in fields.items():
            value = raw.get(name)
            if value is None or value == "":
                if required:
                    problems.append(Problem(f"{where}.{name}", "error", "is required"))
                    ok = False
                row[name] = None
                continue
            try:
                row[name] = _convert(field_kind, value)
            except ValueError as exc:
                problems.append(Problem(f"{where}.{name}", "error", str(exc)))
                ok = False
        basis = row.get("basis")
        if basis is not None and basis not in BASIS_VALUES:
            problems.append(
                Problem(f"{where}.basis", "error", f"must be one of {', '.join(BASIS_VALUES)}")
            )
            ok = False
        if not ok:
            continue
        row["basis"] = basis or "published"
        rid = kind.record_id(row)
        if kind.id_fields == ("id",):
            row["id"] = str(row["id"]).strip().lower()
            rid = row["id"]
        else:
            row["id"] = rid
        if rid in seen:
            problems.append(Problem(where, "error", f"duplicate id {rid!r}"))
            continue
        seen.add(rid)
        out.append(row)
    return out, problems


def load_yaml(text: str, origin: str) -> Any:
    """Parse YAML text with decimals as Decimal; raise InputError on syntax errors."""
    try:
        return yaml.load(text, Loader=_DecimalLoader)
    except yaml.YAMLError as exc:
        raise InputError(Problem(origin, "error", f"not valid YAML: {exc}")) from None


def load_seed(
    kind: SeedKind, read_text: Callable[[str], str] | None = None
) -> list[dict[str, Any]]:
    """Load one seed file from resources/catalog/ and validate it.

    Returns:
        The converted records; an absent file gives an empty list.

    Raises:
        InputError: when any record is invalid (all problems are listed).
    """
    folder = bundled("resources") / "catalog"
    if read_text is None:
        path = folder / kind.file
        if not path.is_file():
            return []
        text = path.read_text(encoding="utf-8")
    else:
        text = read_text(kind.file)
    data = load_yaml(text, kind.file) or []
    rows, problems = validate_records(kind, data, kind.file)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(*errors)
    return rows


def load_all_seeds() -> dict[str, list[dict[str, Any]]]:
    """Load every seed kind (table name -> rows)."""
    return {kind.table: load_seed(kind) for kind in SEED_KINDS.values()}


# Deployability records (residency, hosting, hardware class, licences, limits, lead times) live in
# their own module; imported here, after SeedKind exists, so every seed consumer sees them.
from advisor.catalog.deploy_seeds import DEPLOY_KINDS  # noqa: E402

SEED_KINDS.update({k[0]: SeedKind(*k) for k in DEPLOY_KINDS})
