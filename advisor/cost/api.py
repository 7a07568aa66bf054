"""API spend: price token usage with the catalog's genai-prices data, exactly and in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from advisor.catalog.records import ApiModel, PriceSet, PriceTiers
from advisor.errors import InputError, Problem

# Keys whose usage is zero for token-only calls; a model priced on them still prices exactly.
_ZERO_FOR_TOKENS_SUFFIXES = ("_kcount", "_hours", "_kpages", "_gpixels", "_mchars")
_MTOK = Decimal(1_000_000)
_PER_THOUSAND = Decimal(1000)


@dataclass(frozen=True)
class TokenUsage:
    """Tokens of one request (or a month): ``input_tokens`` includes cache reads and writes."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def problems(self) -> list[Problem]:
        out = []
        for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                out.append(Problem(name, "error", "must be a whole number of tokens, 0 or more"))
        if not out and self.cache_read_tokens + self.cache_write_tokens > self.input_tokens:
            out.append(
                Problem(
                    "cache_read_tokens",
                    "error",
                    "cached tokens are part of the input, so they cannot exceed input_tokens",
                )
            )
        return out


@dataclass(frozen=True)
class ApiCost:
    """The price of a usage on one API model, with its parts (USD)."""

    model: ApiModel
    variant: str
    input_usd: Decimal
    output_usd: Decimal
    total_usd: Decimal
    exact: bool  # False when the model has price keys this path does not model


def _unit_price(price: tuple[Decimal, PriceTiers], count: int, total_input: int) -> Decimal:
    base, tiers = price
    applicable = base
    for start, tier_price in reversed(tiers):
        if total_input > start:
            applicable = tier_price
            break
    return applicable * Decimal(count) / _MTOK


def _is_token_priceable(prices: PriceSet) -> bool:
    for key in prices.prices:
        if key in ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok"):
            continue
        if key == "requests_kcount" or key.endswith(_ZERO_FOR_TOKENS_SUFFIXES):
            continue
        if key.endswith("_mtok") and ("audio" in key or "image" in key or "video" in key):
            continue
        if key in ("cache_write_5m_mtok", "cache_write_1h_mtok"):
            continue
        return False
    return True


def price_usage(model: ApiModel, usage: TokenUsage, variant: str = "standard") -> ApiCost:
    """Price one request's token usage on an API model, as genai-prices does, to the digit.

    Args:
        model: The catalog's API model.
        usage: Tokens of the request (input includes cached tokens).
        variant: ``standard``, ``off_peak`` or a request variant such as ``processing=batch``.

    Returns:
        The cost and its input and output parts.
    """
    problems = usage.problems()
    if problems:
        raise InputError(*problems)
    prices = model.price_set(variant) or model.standard
    p = prices.prices
    input_usd = Decimal(0)
    output_usd = Decimal(0)
    total_in = usage.input_tokens
    uncached = usage.input_tokens
    if "cache_read_mtok" in p:
        uncached -= usage.cache_read_tokens
    if "cache_write_mtok" in p:
        uncached -= usage.cache_write_tokens
    if "input_mtok" in p:
        input_usd += _unit_price(p["input_mtok"], uncached, total_in)
    if "cache_read_mtok" in p:
        input_usd += _unit_price(p["cache_read_mtok"], usage.cache_read_tokens, total_in)
    if "cache_write_mtok" in p:
        input_usd += _unit_price(p["cache_write_mtok"], usage.cache_write_tokens, total_in)
    if "output_mtok" in p:
        output_usd += _unit_price(p["output_mtok"], usage.output_tokens, total_in)
    total = input_usd + output_usd
    if "requests_kcount" in p:
        total += p["requests_kcount"][0] / _PER_THOUSAND
    return ApiCost(model, prices.variant, input_usd, output_usd, total, _is_token_priceable(prices))


def price_many(
    models: Iterable[ApiModel], usage: TokenUsage, variant: str = "standard"
) -> list[ApiCost]:
    """Price one usage on many models (the bulk path used to rank the whole catalog)."""
    return [price_usage(m, usage, variant) for m in models]
