"""API spend: a hand-checked price sheet, and equality with genai-prices for every API model."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from genai_prices import Usage, calc_price, types
from genai_prices.data import providers

from advisor.catalog.records import ApiModel
from advisor.catalog.snapshot import Catalog
from advisor.cli import main
from advisor.cost.api import ApiCost, TokenUsage, price_many, price_usage
from advisor.errors import InputError

# --- the price sheet, checked by hand ------------------------------------------------------
# Per-MTok prices as genai-prices has them (asserted below, so a data update shows up here):
#   openai/gpt-4o                input 2.5, output 10, cache read 1.25
#   anthropic/claude-3-5-sonnet  input 3, output 15, cache read 0.3, cache write 3.75
#   google/gemini-1.5-flash      input 0.075, output 0.3, cache read 0.01875; above 128k input
#                                tokens all tokens cost 0.15 / 0.6 / 0.0375. genai-prices 0.2.3
#                                has no separate Flash-8B: "gemini-1.5-flash-8b" matches this.
#   groq/llama-3.3-70b-versatile input 0.59, output 0.79, no cache price: cached tokens are
#                                charged as ordinary input (genai-prices semantics)

SHEET = {
    "openai/gpt-4o": {"input_mtok": "2.5", "output_mtok": "10", "cache_read_mtok": "1.25"},
    "anthropic/claude-3-5-sonnet": {
        "input_mtok": "3", "output_mtok": "15", "cache_read_mtok": "0.3", "cache_write_mtok": "3.75"
    },
    "google/gemini-1.5-flash": {
        "input_mtok": "0.075", "output_mtok": "0.3", "cache_read_mtok": "0.01875"
    },
    "groq/llama-3.3-70b-versatile": {"input_mtok": "0.59", "output_mtok": "0.79"},
}  # fmt: skip

# model, input tokens (cached included), output, cache read, cache write -> input, output, total
PRICE_SHEET = [
    ("openai/gpt-4o", 1_000, 100, 0, 0, "0.0025", "0.001", "0.0035"),
    ("openai/gpt-4o", 1_000_000, 1_000_000, 0, 0, "2.5", "10", "12.5"),
    # 30,000 x 2.5 + 20,000 x 1.25 = 0.075 + 0.025; 800 x 10 = 0.008
    ("openai/gpt-4o", 50_000, 800, 20_000, 0, "0.1", "0.008", "0.108"),
    ("anthropic/claude-3-5-sonnet", 10_000, 1_000, 0, 0, "0.03", "0.015", "0.045"),
    # 20,000 x 3 + 80,000 x 0.3 = 0.06 + 0.024; 2,000 x 15 = 0.03
    ("anthropic/claude-3-5-sonnet", 100_000, 2_000, 80_000, 0, "0.084", "0.03", "0.114"),
    # all 100,000 written to the cache at 3.75
    ("anthropic/claude-3-5-sonnet", 100_000, 0, 0, 100_000, "0.375", "0", "0.375"),
    ("google/gemini-1.5-flash", 100_000, 1_000, 0, 0, "0.0075", "0.0003", "0.0078"),
    # exactly at the threshold: still the base price (a tier applies above its start)
    ("google/gemini-1.5-flash", 128_000, 1_000, 0, 0, "0.0096", "0.0003", "0.0099"),
    # above it: every token at the tier price, output too
    ("google/gemini-1.5-flash", 300_000, 1_000, 0, 0, "0.045", "0.0006", "0.0456"),
    # 200,000 x 0.15 + 100,000 x 0.0375 = 0.03 + 0.00375
    ("google/gemini-1.5-flash", 300_000, 0, 100_000, 0, "0.03375", "0", "0.03375"),
    # no cache price: 50,000 x 0.59 (cached included); 800 x 0.79
    ("groq/llama-3.3-70b-versatile", 50_000, 800, 20_000, 0, "0.0295", "0.000632", "0.030132"),
]


def test_price_sheet_prices_are_those_of_genai_prices(catalog: Catalog) -> None:
    for model_id, prices in SHEET.items():
        std = catalog.api_model(model_id).standard.prices
        for key, value in prices.items():
            assert std[key][0] == Decimal(value), (model_id, key)
        assert set(prices) <= set(std)
    assert (
        "cache_read_mtok" not in catalog.api_model("groq/llama-3.3-70b-versatile").standard.prices
    )
    assert catalog.api_model("gemini-1.5-flash-8b").id == "google/gemini-1.5-flash"


@pytest.mark.parametrize(
    ("model_id", "tokens_in", "tokens_out", "read", "write", "input_usd", "output_usd", "total"),
    PRICE_SHEET,
)
def test_price_sheet(
    catalog: Catalog,
    model_id: str,
    tokens_in: int,
    tokens_out: int,
    read: int,
    write: int,
    input_usd: str,
    output_usd: str,
    total: str,
) -> None:
    usage = TokenUsage(tokens_in, tokens_out, cache_read_tokens=read, cache_write_tokens=write)
    cost = price_usage(catalog.api_model(model_id), usage)
    assert (cost.input_usd, cost.output_usd, cost.total_usd) == (
        Decimal(input_usd),
        Decimal(output_usd),
        Decimal(total),
    )
    assert all(type(v) is Decimal for v in (cost.input_usd, cost.output_usd, cost.total_usd))
    assert cost.exact and cost.variant == "standard"
    assert cost.model.id == model_id


def test_cached_tokens_without_a_cache_price_cost_as_much_as_ordinary_input(
    catalog: Catalog,
) -> None:
    model = catalog.api_model("groq/llama-3.3-70b-versatile")
    cached = price_usage(model, TokenUsage(50_000, 800, cache_read_tokens=20_000))
    plain = price_usage(model, TokenUsage(50_000, 800))
    assert cached.total_usd == plain.total_usd


def test_batch_variant_uses_the_batch_price(catalog: Catalog) -> None:
    cost = price_usage(
        catalog.api_model("openai/gpt-4o"), TokenUsage(1_000, 100), "processing=batch"
    )
    assert cost.variant == "processing=batch"
    assert cost.total_usd == Decimal("0.00175")  # 1,000 x 1.25 + 100 x 5


# --- equality with genai-prices for every model ------------------------------------------------

USAGES = [
    TokenUsage(1_000, 100),
    TokenUsage(300_000, 2_000),  # above the long-context tier thresholds (128k, 200k, 272k)
    TokenUsage(50_000, 800, cache_read_tokens=20_000),
    TokenUsage(400_000, 3_000, cache_read_tokens=100_000, cache_write_tokens=50_000),
    TokenUsage(250_000, 10, cache_write_tokens=250_000),
    TokenUsage(0, 0),
]
GENAI_MODELS = {f"{p.id}/{m.id}": (p, m) for p in providers for m in p.models}


def _genai_usage(usage: TokenUsage) -> Usage:
    return Usage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
    )


def _time_windows(info: types.ModelInfo) -> list[types.TimeOfDateConstraint]:
    if not isinstance(info.prices, list):
        return []
    return [
        c.constraint for c in info.prices if isinstance(c.constraint, types.TimeOfDateConstraint)
    ]


def _outside_time_windows(info: types.ModelInfo) -> dt.datetime:
    """Today (the catalog was built today) at an hour outside every time-of-day price window."""
    windows = _time_windows(info)
    today = dt.datetime.now(dt.UTC)
    for hour in range(24):
        ts = today.replace(hour=hour, minute=30, second=0, microsecond=0)
        if not any(w.active(ts) for w in windows):
            return ts
    raise AssertionError(f"{info.id}: always in a time-of-day window")


@pytest.fixture(scope="module")
def comparison(catalog: Catalog) -> dict[str, Any]:
    """Our price and genai-prices' for every token-priceable API model and every usage."""
    by_ref: list[str] = []  # compared through calc_price(model_ref=id, provider_id=provider)
    direct: list[str] = []  # calc_price cannot find these by their own id: ModelInfo.calc_price
    not_exact: list[str] = []
    mismatches: list[tuple[str, TokenUsage, Decimal, Decimal]] = []
    for model in catalog.api_models:
        if not price_usage(model, USAGES[0]).exact:
            not_exact.append(model.id)
            continue
        provider, info = GENAI_MODELS[model.id]
        ts = _outside_time_windows(info)
        try:
            found = calc_price(
                Usage(input_tokens=1), model_ref=model.model, provider_id=model.provider,
                genai_request_timestamp=ts,
            )  # fmt: skip
            use_ref = found.model is info
        except LookupError:
            use_ref = False
        (by_ref if use_ref else direct).append(model.id)
        for usage in USAGES:
            ours = price_usage(model, usage).total_usd
            if use_ref:
                theirs = calc_price(
                    _genai_usage(usage), model_ref=model.model, provider_id=model.provider,
                    genai_request_timestamp=ts,
                ).total_price  # fmt: skip
            else:
                theirs = info.calc_price(
                    _genai_usage(usage), provider, genai_request_timestamp=ts
                ).total_price
            if ours != theirs:
                mismatches.append((model.id, usage, ours, theirs))
    return {"by_ref": by_ref, "direct": direct, "not_exact": not_exact, "mismatches": mismatches}


def test_every_token_priceable_api_model_prices_exactly_as_calc_price(
    comparison: dict[str, Any], catalog: Catalog
) -> None:
    assert comparison["mismatches"] == []
    assert len(comparison["by_ref"]) >= 2000  # 2243 with genai-prices 0.2.3
    total = len(comparison["by_ref"]) + len(comparison["direct"]) + len(comparison["not_exact"])
    assert total == len(catalog.api_models)


def test_models_calc_price_cannot_find_by_their_own_id_match_through_their_model_info(
    comparison: dict[str, Any],
) -> None:
    """e.g. fireworks/deepseek-v3p2: genai-prices matches only the full accounts/... path."""
    assert len(comparison["direct"]) < 200  # 85 with genai-prices 0.2.3
    assert comparison["mismatches"] == []


def test_only_a_few_models_have_prices_the_token_path_does_not_model(
    comparison: dict[str, Any], catalog: Catalog
) -> None:
    assert len(comparison["not_exact"]) < 20  # 2 with genai-prices 0.2.3
    for model_id in comparison["not_exact"]:
        assert not price_usage(catalog.api_model(model_id), USAGES[0]).exact


def test_off_peak_and_request_variants_price_exactly_as_calc_price(catalog: Catalog) -> None:
    usage = TokenUsage(300_000, 2_000, cache_read_tokens=100_000)
    compared: dict[str, int] = {}
    for model in catalog.api_models:
        provider, info = GENAI_MODELS[model.id]
        windows = _time_windows(info)
        for prices in model.price_sets[1:]:
            cost = price_usage(model, usage, prices.variant)
            assert cost.variant == prices.variant
            if not cost.exact:
                continue
            if prices.variant.startswith("off_peak"):
                n = 1 if prices.variant == "off_peak" else int(prices.variant.rsplit("_", 1)[1])
                window = windows[n - 1]
                start = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), window.start_time)
                ts = start.replace(tzinfo=start.tzinfo or dt.UTC) + dt.timedelta(minutes=1)
                assert window.active(ts)
                theirs = info.calc_price(_genai_usage(usage), provider, genai_request_timestamp=ts)
            else:
                context = dict(kv.split("=", 1) for kv in prices.variant.split(","))
                theirs = info.calc_price(
                    _genai_usage(usage), provider,
                    genai_request_timestamp=_outside_time_windows(info), price_context=context,
                )  # fmt: skip
            assert cost.total_usd == theirs.total_price, (model.id, prices.variant)
            kind = prices.variant.split("=")[0].rstrip("_0123456789")
            compared[kind] = compared.get(kind, 0) + 1
    assert compared.get("off_peak", 0) >= 1
    assert compared.get("processing", 0) >= 50  # batch prices


# --- the bulk path -------------------------------------------------------------------------


@pytest.mark.parametrize("usage", USAGES, ids=str)
def test_bulk_path_gives_the_single_path_result_digit_for_digit(
    catalog: Catalog, usage: TokenUsage
) -> None:
    bulk = price_many(catalog.api_models, usage)
    assert len(bulk) == len(catalog.api_models)
    for cost, model in zip(bulk, catalog.api_models, strict=True):
        single = price_usage(model, usage)
        assert cost.model is model
        assert cost == single
        assert (str(cost.input_usd), str(cost.output_usd), str(cost.total_usd)) == (
            str(single.input_usd),
            str(single.output_usd),
            str(single.total_usd),
        )


def test_bulk_path_works_on_any_iterable_and_for_a_variant(catalog: Catalog) -> None:
    usage = TokenUsage(10_000, 500, cache_read_tokens=1_000)
    models = [m for m in catalog.api_models if m.provider in ("openai", "anthropic")]
    as_list = price_many(models, usage, "processing=batch")
    as_generator = price_many((m for m in models), usage, "processing=batch")
    assert as_list == as_generator == [price_usage(m, usage, "processing=batch") for m in models]
    assert {c.variant for c in as_list} == {"standard", "processing=batch"}
    assert price_many([], usage) == []


def test_api_cost_is_an_immutable_record_with_named_fields(catalog: Catalog) -> None:
    cost = price_usage(catalog.api_model("openai/gpt-4o"), TokenUsage(1_000, 100))
    assert isinstance(cost, ApiCost)
    assert cost._asdict()["total_usd"] == Decimal("0.0035")
    with pytest.raises(AttributeError):
        cost.total_usd = Decimal(0)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("usage", "field"),
    [
        (TokenUsage(-1, 0), "input_tokens"),
        (TokenUsage(10, -5), "output_tokens"),
        (TokenUsage(10, 0, cache_read_tokens=-1), "cache_read_tokens"),
        (TokenUsage(1.5, 0), "input_tokens"),  # type: ignore[arg-type]
        (TokenUsage(True, 0), "input_tokens"),  # type: ignore[arg-type]
        (TokenUsage(100, 0, cache_read_tokens=80, cache_write_tokens=30), "cache_read_tokens"),
    ],
)
def test_bad_usage_is_an_input_error_naming_the_field(
    catalog: Catalog, usage: TokenUsage, field: str
) -> None:
    model: ApiModel = catalog.api_model("openai/gpt-4o")
    for price in (lambda: price_usage(model, usage), lambda: price_many([model], usage)):
        with pytest.raises(InputError) as info:
            price()
        assert info.value.problems[0].field == field


# --- advisor api-cost ----------------------------------------------------------------------


def test_cli_api_cost_json_total_equals_calc_price(
    fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["api-cost", "--model", "gpt-4o", "--input-tokens", "1000", "--output-tokens", "100"]
    assert main([*argv, "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    expected = calc_price(Usage(input_tokens=1000, output_tokens=100), "gpt-4o").total_price
    assert Decimal(data["total_usd"]) == expected == Decimal("0.0035")
    assert data["provider"] == "openai" and data["model"] == "gpt-4o"
    assert data["exact"] is True and data["variant"] == "standard"
    assert data["source"].startswith("http") and data["as_of"]
    assert captured.err == ""


def test_cli_api_cost_with_cached_tokens_and_batch(
    fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["api-cost", "--model", "gpt-4o", "--provider", "openai", "--json"]
    assert main([*argv, "--input-tokens", "50_000", "--output-tokens", "800",
                 "--cached-tokens", "20000"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["total_usd"] == "0.108"
    assert main([*argv, "--input-tokens", "1000", "--output-tokens", "100", "--batch"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["total_usd"], data["variant"]) == ("0.00175", "processing=batch")


def test_cli_api_cost_plain_text_names_model_and_date(
    fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["api-cost", "--model", "gpt-4o", "--input-tokens", "1000",
                 "--output-tokens", "100"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "$0.0035" in out and "OpenAI" in out and "prices as of" in out


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--input-tokens", "-5", "--output-tokens", "1"], "must be 0 or more"),
        (["--input-tokens", "1000", "--output-tokens", "lots"], "not a whole number"),
        (["--input-tokens", "1e3", "--output-tokens", "1"], "not a whole number"),
        (["--input-tokens", "100", "--output-tokens", "1", "--cached-tokens", "200"], "cached"),
        (["--output-tokens", "1"], "required"),
    ],
)
def test_cli_api_cost_bad_flag_exits_2_with_one_line(
    fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], words: str
) -> None:
    assert main(["api-cost", "--model", "gpt-4o", *flags]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert words in lines[0]
    assert "Traceback" not in captured.err


def test_cli_api_cost_unknown_model_exits_2_with_a_suggestion(
    fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["api-cost", "--model", "gpt-4oo", "--input-tokens", "1", "--output-tokens", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown API model 'gpt-4oo'" in err and "did you mean" in err and "gpt-4o" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_api_cost_batch_on_a_model_without_a_batch_price_exits_2(
    fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["api-cost", "--model", "groq/llama-3.3-70b-versatile", "--input-tokens", "1",
                 "--output-tokens", "1", "--batch"])  # fmt: skip
    assert code == 2
    assert "no published batch price" in capsys.readouterr().err
