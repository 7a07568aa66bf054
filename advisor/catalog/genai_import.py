"""Read API models and prices out of the installed genai-prices package, exactly (Decimal)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

GENAI_PRICES_SOURCE = "https://github.com/pydantic/genai-prices"

# The price keys that token-only usage (input, output, cached input) touches. Models priced on any
# other key still import; the fast path prices them only when the other keys are zero for tokens.
TOKEN_KEYS = ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok")


def genai_prices_version() -> str:
    import genai_prices

    return str(genai_prices.__version__)


@dataclass(frozen=True)
class ResolvedPrice:
    """One model's price set for a variant: price key -> (base, ((tier start, price), ...))."""

    variant: str
    constraint: str | None
    keys: dict[str, tuple[Decimal, tuple[tuple[int, Decimal], ...]]]


def _price_items(model_price: Any) -> dict[str, tuple[Decimal, tuple[tuple[int, Decimal], ...]]]:
    from genai_prices import types

    out: dict[str, tuple[Decimal, tuple[tuple[int, Decimal], ...]]] = {}
    for key, value in model_price.__dict__.items():
        if key.startswith("_") or value is None:
            continue
        if isinstance(value, types.TieredPrices):
            out[key] = (value.base, tuple((t.start, t.price) for t in value.tiers))
        else:
            out[key] = (Decimal(value), ())
    return out


def _standard_price(model: Any, now: dt.datetime) -> tuple[Any, list[tuple[Any, str]]]:
    """The default price (ignoring time-of-day windows) and the time-of-day prices."""
    from genai_prices import types

    if isinstance(model.prices, types.ModelPrice):
        return model.prices, []
    # Later conditional prices take precedence: walking back from the end, time-of-day windows
    # apply until the first price that is always in force now (the standard price).
    standard = model.prices[0].prices
    time_of_day: list[tuple[Any, str]] = []
    for cond in reversed(model.prices):
        c = cond.constraint
        if isinstance(c, types.TimeOfDateConstraint):
            window = f"{c.start_time.isoformat('minutes')}-{c.end_time.isoformat('minutes')} UTC"
            time_of_day.append((cond.prices, window))
        elif c is None or c.active(now):
            standard = cond.prices
            break
    return standard, time_of_day


def iter_prices(model: Any, now: dt.datetime) -> Iterator[ResolvedPrice]:
    """Every price set of a model: standard, time-of-day (off-peak) and request variants."""
    standard, time_of_day = _standard_price(model, now)
    yield ResolvedPrice("standard", None, _price_items(standard))
    for n, (prices, window) in enumerate(reversed(time_of_day), start=1):
        yield ResolvedPrice("off_peak" if n == 1 else f"off_peak_{n}", window, _price_items(prices))
    seen: set[str] = set()
    for variant in model.price_variants or ():
        name = ",".join(f"{k}={v}" for k, v in sorted(variant.when.items()))
        if name in seen:
            continue
        seen.add(name)
        resolved = model.get_prices(now, dict(variant.when))
        yield ResolvedPrice(name, None, _price_items(resolved))


def api_rows(
    now: dt.datetime | None = None,
    *,
    providers: list[Any] | None = None,
    as_of: str | None = None,
    note: str | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All providers' models and prices from genai-prices data as catalog rows.

    Args:
        now: When the prices are read (picks the price in force among dated prices).
        providers: genai-prices providers (e.g. from a downloaded data file); default the data
            bundled with the installed package.
        as_of: The data's own date; default, for the bundled data whose date the package does
            not record, the release it came from (``genai-prices 0.2.5``). Never the import time.
        note: How the data was obtained (each model row's note).

    Returns:
        ``(models, prices)``: model rows (id ``provider/model``) and price rows (one per model,
        variant and price key), money as exact decimal text.
    """
    if providers is None:
        from genai_prices.data import providers as bundled_providers

        providers = list(bundled_providers)
    now = now or dt.datetime.now(dt.UTC)
    version = genai_prices_version()
    as_of = as_of or f"genai-prices {version}"
    note = note or f"imported from genai-prices {version} (bundled package data)"
    models: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    for provider in providers:
        source = (provider.pricing_urls or [GENAI_PRICES_SOURCE])[0]
        for model in provider.models:
            mid = f"{provider.id}/{model.id}"
            models.append(
                {
                    "id": mid,
                    "provider": provider.id,
                    "provider_name": provider.name,
                    "model": model.id,
                    "name": model.name or model.id,
                    "context_window": model.context_window,
                    "deprecated": int(bool(model.deprecated)),
                    "price_comments": model.price_comments or provider.price_comments,
                    "source": source,
                    "as_of": as_of,
                    "basis": "published",
                    "note": note,
                }
            )
            for resolved in iter_prices(model, now):
                for key, (base, tiers) in resolved.keys.items():
                    prices.append(
                        {
                            "id": f"{mid}|{resolved.variant}|{key}",
                            "api_model": mid,
                            "variant": resolved.variant,
                            "constraint_text": resolved.constraint,
                            "price_key": key,
                            "base": str(base),
                            "tiers": json.dumps([[s, str(p)] for s, p in tiers]) if tiers else None,
                        }
                    )
    return models, prices
