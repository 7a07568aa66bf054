"""API spend: price token usage with the catalog's genai-prices data, exactly and in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import add
from typing import Any, NamedTuple

from advisor.catalog.records import ApiModel, PriceSet, PriceTiers
from advisor.errors import InputError, Problem

# Keys whose usage is zero for token-only calls; a model priced on them still prices exactly.
_ZERO_FOR_TOKENS_SUFFIXES = ("_kcount", "_hours", "_kpages", "_gpixels", "_mchars")
_MTOK = Decimal(1_000_000)
_PER_THOUSAND = Decimal(1000)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")


@dataclass(frozen=True)
class TokenUsage:
    """Tokens of one request (or a month): ``input_tokens`` includes cache reads and writes."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def problems(self) -> list[Problem]:
        out = []
        for name in _USAGE_FIELDS:
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


class ApiCost(NamedTuple):
    """The price of a usage on one API model, with its parts (USD).

    A named tuple (not a dataclass) so that the bulk path can create thousands of them cheaply.
    """

    model: ApiModel
    variant: str
    input_usd: Decimal
    output_usd: Decimal
    total_usd: Decimal
    exact: bool  # False when the model has price keys this path does not model


# A price as the fast path keeps it: None (absent), a flat Decimal, or (base, tiers).
_Price = Decimal | tuple[Decimal, PriceTiers] | None


class _Plan(NamedTuple):
    """The token-relevant prices of one price set, precomputed once (hashable: a signature)."""

    input: _Price
    cache_read: _Price
    cache_write: _Price
    output: _Price
    requests: _Price  # per thousand requests; one request per usage
    exact: bool


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


def _plan(prices: PriceSet) -> _Plan:
    """The price set's plan, computed once and kept on the (frozen, read-only) price set."""
    cached: _Plan | None = prices.__dict__.get("_advisor_token_plan")
    if cached is not None:
        return cached
    p = prices.prices

    def get(key: str) -> _Price:
        found = p.get(key)
        if found is None:
            return None
        base, tiers = found
        return (base, tuple(tiers)) if tiers else base

    plan = _Plan(
        get("input_mtok"),
        get("cache_read_mtok"),
        get("cache_write_mtok"),
        get("output_mtok"),
        get("requests_kcount"),
        _is_token_priceable(prices),
    )
    # Frozen dataclass: write the cache straight into the instance dict (as cached_property does).
    prices.__dict__["_advisor_token_plan"] = plan
    return plan


def _resolve(price: Decimal | tuple[Decimal, PriceTiers], total_input: int) -> Decimal:
    """The applicable unit price: tiers apply to all tokens once total input exceeds the start."""
    if type(price) is not tuple:
        return price  # type: ignore[return-value]
    base, tiers = price
    for start, tier_price in reversed(tiers):
        if total_input > start:
            return tier_price
    return base


def _check(usage: TokenUsage) -> None:
    problems = usage.problems()
    if problems:
        raise InputError(*problems)


def _add_parts(parts: Iterable[Decimal]) -> Decimal:
    """Sum price parts left to right (the same order in the single and the bulk path)."""
    total: Decimal | None = None
    for part in parts:
        total = part if total is None else total + part
    return _ZERO if total is None else total


def _price_plan(plan: _Plan, usage: TokenUsage) -> tuple[Decimal, Decimal, Decimal]:
    """(input, output, total) USD of a usage under a plan, as genai-prices computes it."""
    total_in = usage.input_tokens
    uncached = total_in
    if plan.cache_read is not None:
        uncached -= usage.cache_read_tokens
    if plan.cache_write is not None:
        uncached -= usage.cache_write_tokens
    parts = []
    if plan.input is not None:
        parts.append(_resolve(plan.input, total_in) * Decimal(uncached) / _MTOK)
    if plan.cache_read is not None:
        parts.append(_resolve(plan.cache_read, total_in) * Decimal(usage.cache_read_tokens) / _MTOK)
    if plan.cache_write is not None:
        parts.append(
            _resolve(plan.cache_write, total_in) * Decimal(usage.cache_write_tokens) / _MTOK
        )
    input_usd = _add_parts(parts)
    output_usd = (
        _resolve(plan.output, total_in) * Decimal(usage.output_tokens) / _MTOK
        if plan.output is not None
        else _ZERO
    )
    total = input_usd + output_usd
    if plan.requests is not None:
        total += _resolve(plan.requests, total_in) * _ONE / _PER_THOUSAND
    return input_usd, output_usd, total


def price_usage(model: ApiModel, usage: TokenUsage, variant: str = "standard") -> ApiCost:
    """Price one request's token usage on an API model, as genai-prices does, to the digit.

    Cached input tokens are priced at the cache-read (or cache-write) price when the model has
    one; when it has none they stay in the input and are priced at the input price, as in
    genai-prices.

    Args:
        model: The catalog's API model.
        usage: Tokens of the request (input includes cached tokens).
        variant: ``standard``, ``off_peak`` or a request variant such as ``processing=batch``
            (a model without that variant is priced at its standard price).

    Returns:
        The cost and its input and output parts.
    """
    _check(usage)
    prices = model.price_set(variant) or model.standard
    plan = _plan(prices)
    input_usd, output_usd, total = _price_plan(plan, usage)
    return ApiCost(model, prices.variant, input_usd, output_usd, total, plan.exact)


# --- the bulk path -----------------------------------------------------------------------------


class _Table(NamedTuple):
    """Many models' plans, deduplicated: the price arithmetic runs once per distinct price."""

    heads: list[tuple[ApiModel, str]]  # per model: (model, variant priced)
    sig_of: list[int]  # per model: index into sigs
    in_keys: list[tuple[Decimal | tuple[Decimal, PriceTiers], bool, bool]]  # price, -read, -write
    read_keys: list[Any]
    write_keys: list[Any]
    out_keys: list[Any]
    req_keys: list[Any]
    # per distinct plan: indexes into the key lists (-1: absent) and the exact flag
    sigs: list[tuple[int, int, int, int, int, bool]]


def _build_table(models: Iterable[ApiModel], variant: str) -> _Table:
    keys: list[dict[Any, int]] = [{}, {}, {}, {}, {}]
    sig_index: dict[tuple[int, int, int, int, int, bool], int] = {}
    heads: list[tuple[ApiModel, str]] = []
    sig_of: list[int] = []
    for model in models:
        prices = model.price_set(variant) or model.standard
        plan = _plan(prices)
        in_key = (
            (plan.input, plan.cache_read is not None, plan.cache_write is not None)
            if plan.input is not None
            else None
        )
        idx = tuple(
            -1 if k is None else keys[n].setdefault(k, len(keys[n]))
            for n, k in enumerate(
                (in_key, plan.cache_read, plan.cache_write, plan.output, plan.requests)
            )
        )
        sig = (*idx, plan.exact)
        heads.append((model, prices.variant))
        sig_of.append(sig_index.setdefault(sig, len(sig_index)))  # type: ignore[arg-type]
    return _Table(heads, sig_of, *(list(k) for k in keys), list(sig_index))  # type: ignore[arg-type]


_TABLES: dict[tuple[int, str], tuple[tuple[ApiModel, ...], _Table]] = {}
_MAX_TABLES = 16


def _table(models: Iterable[ApiModel], variant: str) -> _Table:
    """The table of a tuple of models is built once (e.g. ``catalog.api_models``)."""
    if type(models) is not tuple:
        return _build_table(models, variant)
    key = (id(models), variant)
    cached = _TABLES.get(key)
    if cached is not None and cached[0] is models:
        return cached[1]
    table = _build_table(models, variant)
    if len(_TABLES) >= _MAX_TABLES:
        _TABLES.pop(next(iter(_TABLES)), None)
    _TABLES[key] = (models, table)
    return table


def price_many(
    models: Iterable[ApiModel], usage: TokenUsage, variant: str = "standard"
) -> list[ApiCost]:
    """Price one usage on many models (the bulk path used to rank the whole catalog).

    Gives exactly what ``price_usage`` gives for each model, in the order given, but validates
    the usage once and computes each distinct price once. The per-model price plans of a tuple
    of models (such as ``catalog.api_models``) are kept between calls.
    """
    _check(usage)
    t = _table(models, variant)
    total_in = usage.input_tokens
    read, write = usage.cache_read_tokens, usage.cache_write_tokens
    mtok = _MTOK

    def products(prices: list[Any], count: int) -> list[Decimal]:
        dcount = Decimal(count)
        return [
            (p if type(p) is not tuple else _resolve(p, total_in)) * dcount / mtok for p in prices
        ]

    in_parts = [
        _resolve(p, total_in)
        * Decimal(total_in - (read if has_read else 0) - (write if has_write else 0))
        / mtok
        for p, has_read, has_write in t.in_keys
    ]
    read_parts = products(t.read_keys, read)
    write_parts = products(t.write_keys, write)
    out_parts = products(t.out_keys, usage.output_tokens)
    req_parts = [_resolve(p, total_in) * _ONE / _PER_THOUSAND for p in t.req_keys]

    tails: list[tuple[Decimal, Decimal, Decimal, bool]] = []
    append = tails.append
    zero = _ZERO
    for i_in, i_read, i_write, i_out, i_req, exact in t.sigs:
        # The same additions, in the same order, as _price_plan.
        input_usd: Decimal | None = in_parts[i_in] if i_in >= 0 else None
        if i_read >= 0:
            input_usd = read_parts[i_read] if input_usd is None else input_usd + read_parts[i_read]
        if i_write >= 0:
            part = write_parts[i_write]
            input_usd = part if input_usd is None else input_usd + part
        if input_usd is None:
            input_usd = zero
        output_usd = out_parts[i_out] if i_out >= 0 else zero
        total = input_usd + output_usd
        if i_req >= 0:
            total += req_parts[i_req]
        append((input_usd, output_usd, total, exact))
    new = tuple.__new__
    return list(
        map(new, repeat(ApiCost), map(add, t.heads, map(tails.__getitem__, t.sig_of)))  # type: ignore[arg-type]
    )
