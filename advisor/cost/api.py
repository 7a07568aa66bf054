"""API spend: price token usage with the catalog's genai-prices data, exactly and in bulk."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import add, itemgetter
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
    store = getattr(prices, "__dict__", None)
    cached: _Plan | None = store.get("_advisor_token_plan") if store is not None else None
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
    if store is not None:
        # Frozen dataclass: write the cache straight into the instance dict, as cached_property
        # does (a price set is read-only once loaded).
        store["_advisor_token_plan"] = plan
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
#
# Pricing thousands of models for one usage is dominated by interpreter overhead, not by the
# Decimal arithmetic. So a table made once per tuple of models lists every distinct
# (price, token count) product and every distinct price plan; a call computes each product once,
# sums each plan's parts with C-level ``map`` over groups of plans of the same shape, and builds
# the results without a Python-level loop per model. The additions are the same, in the same
# order, as in ``_price_plan``: the results equal ``price_usage``'s, digit for digit.

# Which token count a price part multiplies: input less the cached tokens its model prices
# apart (no cache price, read price, write price, both), cache reads, cache writes, output,
# and one request (priced per thousand).
_IN, _IN_R, _IN_W, _IN_RW, _READ, _WRITE, _OUT, _REQ = range(8)
_ROLES = 5  # input, cache read, cache write, output, requests


_Getter = Callable[[Sequence[Any]], tuple[Any, ...]]


def _getter(indexes: Sequence[int]) -> _Getter:
    """A C-level ``lambda seq: tuple(seq[i] for i in indexes)`` (itemgetter, always a tuple)."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    if indexes:
        one = itemgetter(indexes[0])
        return lambda seq: (one(seq),)
    return lambda seq: ()


class _Group(NamedTuple):
    """Plans with the same parts present: per role a getter of their parts (None: absent)."""

    parts: tuple[_Getter | None, ...]  # _ROLES entries
    exact: list[bool]


class _Table(NamedTuple):
    heads: list[tuple[ApiModel, str]]  # per model: (model, variant priced)
    sig_of: _Getter  # per model: its plan's entry in the concatenated groups
    buckets: list[tuple[int, int, list[Any]]]  # (count kind, price shape, prices); parts in order
    groups: list[_Group]


_FLAT, _ONE_TIER, _TIERS = range(3)


def _price_shape(price: Decimal | tuple[Decimal, PriceTiers]) -> int:
    if type(price) is not tuple:
        return _FLAT
    return _ONE_TIER if len(price[1]) == 1 else _TIERS


def _build_table(models: Iterable[ApiModel], variant: str) -> _Table:
    part_ids: dict[tuple[int, Any], int] = {}
    sig_ids: dict[tuple[Any, ...], int] = {}
    heads: list[tuple[ApiModel, str]] = []
    provisional: list[int] = []
    for model in models:
        prices = model.price_set(variant) or model.standard
        plan = _plan(prices)
        read, write = plan.cache_read is not None, plan.cache_write is not None
        in_kind = (_IN, _IN_R, _IN_W, _IN_RW)[read + 2 * write]
        roles = (
            (in_kind, plan.input),
            (_READ, plan.cache_read),
            (_WRITE, plan.cache_write),
            (_OUT, plan.output),
            (_REQ, plan.requests),
        )
        sig = (
            *(
                None if price is None else part_ids.setdefault((kind, price), len(part_ids))
                for kind, price in roles
            ),
            plan.exact,
        )
        heads.append((model, prices.variant))
        provisional.append(sig_ids.setdefault(sig, len(sig_ids)))
    # Parts in buckets of the same count kind and tiering, so a call computes each bucket with
    # one list comprehension.
    ordered = sorted(part_ids, key=lambda k: (k[0], _price_shape(k[1])))
    final_part = {k: n for n, k in enumerate(ordered)}
    buckets: list[tuple[int, int, list[Any]]] = []
    for kind, price in ordered:
        shape = _price_shape(price)
        if not buckets or buckets[-1][:2] != (kind, shape):
            buckets.append((kind, shape, []))
        # A one-tier price is kept as (base, start, tier price) for an inline choice.
        buckets[-1][2].append((price[0], *price[1][0]) if shape == _ONE_TIER else price)
    by_id = {n: k for k, n in part_ids.items()}
    # Plans grouped by shape (which parts are present).
    shapes: dict[tuple[bool, ...], list[tuple[Any, ...]]] = {}
    for sig in sig_ids:
        shapes.setdefault(tuple(i is not None for i in sig[:_ROLES]), []).append(sig)
    groups: list[_Group] = []
    final_sig: dict[tuple[Any, ...], int] = {}
    for present, sigs in shapes.items():
        parts = tuple(
            _getter([final_part[by_id[s[role]]] for s in sigs]) if present[role] else None
            for role in range(_ROLES)
        )
        groups.append(_Group(parts, [s[_ROLES] for s in sigs]))
        for s in sigs:
            final_sig[s] = len(final_sig)
    sig_list = list(sig_ids)
    sig_of = _getter([final_sig[sig_list[i]] for i in provisional])
    return _Table(heads, sig_of, buckets, groups)


_TABLES: dict[tuple[int, str], tuple[tuple[ApiModel, ...], _Table]] = {}
_MAX_TABLES = 4  # each keeps its tuple of models (a catalog's worth) alive
_TABLES_LOCK = threading.Lock()


def _table(models: Iterable[ApiModel], variant: str) -> _Table:
    """The table of a tuple of models (e.g. ``catalog.api_models``) is built once and kept."""
    if type(models) is not tuple:
        return _build_table(models, variant)
    key = (id(models), variant)
    cached = _TABLES.get(key)
    if cached is not None and cached[0] is models:  # the tuple is kept, so its id is not reused
        return cached[1]
    table = _build_table(models, variant)
    with _TABLES_LOCK:
        if len(_TABLES) >= _MAX_TABLES:
            _TABLES.pop(next(iter(_TABLES)))
        _TABLES[key] = (models, table)
    return table


def price_many(
    models: Iterable[ApiModel], usage: TokenUsage, variant: str = "standard"
) -> list[ApiCost]:
    """Price one usage on many models (the bulk path used to rank the whole catalog).

    Gives exactly what ``price_usage`` gives for each model, in the order given, but validates
    the usage once and computes each distinct price once. The table of a tuple of models (such
    as ``catalog.api_models``) is kept between calls; the price sets must not be changed after
    they were first priced.
    """
    _check(usage)
    t = _table(models, variant)
    # Thousands of result tuples would set off several garbage collections that find nothing
    # to free (the results are alive); hold the collector off for this short loop.
    gc_was_enabled = gc.isenabled()
    if gc_was_enabled:
        gc.disable()
    try:
        return _price_table(t, usage)
    finally:
        if gc_was_enabled:
            gc.enable()


def _price_table(t: _Table, usage: TokenUsage) -> list[ApiCost]:
    total_in = usage.input_tokens
    read, write = usage.cache_read_tokens, usage.cache_write_tokens
    counts = {
        _IN: total_in,
        _IN_R: total_in - read,
        _IN_W: total_in - write,
        _IN_RW: total_in - read - write,
        _READ: read,
        _WRITE: write,
        _OUT: usage.output_tokens,
        _REQ: 1,
    }
    parts: list[Decimal] = []
    for kind, shape, prices in t.buckets:
        count = Decimal(counts[kind])
        per = _PER_THOUSAND if kind == _REQ else _MTOK
        if shape == _FLAT:
            parts.extend([p * count / per for p in prices])
        elif shape == _ONE_TIER:
            parts.extend([(tp if total_in > s else b) * count / per for b, s, tp in prices])
        else:
            parts.extend([_resolve(p, total_in) * count / per for p in prices])
    tails: list[tuple[Decimal, Decimal, Decimal, bool]] = []
    for group in t.groups:
        g_in, g_read, g_write, g_out, g_req = group.parts
        n = len(group.exact)
        input_usd: Any = None
        for getter in (g_in, g_read, g_write):
            if getter is not None:
                values = getter(parts)
                input_usd = values if input_usd is None else list(map(add, input_usd, values))
        if input_usd is None:
            input_usd = (_ZERO,) * n
        output_usd = g_out(parts) if g_out is not None else (_ZERO,) * n
        total: Any = map(add, input_usd, output_usd)
        if g_req is not None:
            total = map(add, total, g_req(parts))
        tails.extend(zip(input_usd, output_usd, total, group.exact, strict=True))
    new = tuple.__new__
    return list(map(new, repeat(ApiCost), map(add, t.heads, t.sig_of(tails))))
