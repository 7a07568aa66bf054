"""Benchmark: price one usage on every token-priceable API model, ours in bulk vs genai-prices.

Run from the repository root (a throw-away catalog is built in a temporary folder unless
``ADVISOR_CATALOG`` is set)::

    .venv/bin/python benchmarks/bench_api_cost.py [--repeat 7] [--json]

Both sides price the same models (those whose own id genai-prices' ``calc_price`` resolves back
to the same model, so the comparison is like for like) with the same usage, in the same run:
``advisor.cost.api.price_many`` once over all of them, and ``genai_prices.calc_price`` in a loop.
Each side is timed with ``time.perf_counter`` a few times after a warm-up, and the best run is
kept. The results are also checked to be equal, digit for digit (Decimal ==). The goal is a
speed-up of at least 100x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

GOAL = 100.0


def _best_of_both(
    ours: Callable[[], Any], theirs: Callable[[], Any], repeat: int, ours_per_round: int = 10
) -> tuple[float, float]:
    """Best time of each side over ``repeat`` rounds; the sides alternate within each round so
    that both see the same machine load (ours, being short, runs several times a round)."""
    ours()  # warm-up: caches on both sides (genai-prices' look-ups, our price tables)
    theirs()
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for side, fn, times in ((0, ours, ours_per_round), (1, theirs, 1)):
            for _ in range(times):
                start = time.perf_counter()
                result = fn()
                best[side] = min(best[side], time.perf_counter() - start)
                del result  # freeing the results is the caller's business, on both sides
    return best[0], best[1]


def _outside_time_windows(model_info: Any, day: dt.datetime) -> dt.datetime:
    """A timestamp on ``day`` outside every time-of-day price window of the model."""
    from genai_prices import types

    windows = []
    if isinstance(model_info.prices, list):
        windows = [
            c.constraint
            for c in model_info.prices
            if isinstance(c.constraint, types.TimeOfDateConstraint)
        ]
    for hour in range(24):
        ts = day.replace(hour=hour, minute=30, second=0, microsecond=0)
        if not any(w.active(ts) for w in windows):
            return ts
    raise RuntimeError(f"{model_info.id}: no hour outside its time-of-day prices")


def run(repeat: int) -> dict[str, Any]:
    from genai_prices import Usage, calc_price
    from genai_prices.data import providers

    from advisor.catalog.snapshot import load_catalog
    from advisor.cost.api import TokenUsage, price_many

    catalog = load_catalog()
    infos = {f"{p.id}/{m.id}": m for p in providers for m in p.models}
    day = dt.datetime.now(dt.UTC)
    usage = TokenUsage(input_tokens=50_000, output_tokens=800, cache_read_tokens=20_000)
    genai_usage = Usage(input_tokens=50_000, output_tokens=800, cache_read_tokens=20_000)

    chosen = []
    skipped_lookup = 0
    for model in catalog.api_models:
        info = infos[model.id]
        ts = _outside_time_windows(info, day)
        try:
            calc = calc_price(
                genai_usage, model.model, provider_id=model.provider, genai_request_timestamp=ts
            )
        except LookupError:
            skipped_lookup += 1  # genai-prices cannot find this model by its own id
            continue
        if calc.model is not info:
            skipped_lookup += 1
            continue
        chosen.append((model, ts))
    # Only models whose standard price set is token-priceable (ApiCost.exact).
    exact = price_many(tuple(m for m, _ in chosen), usage)
    chosen = [pair for pair, cost in zip(chosen, exact, strict=True) if cost.exact]
    token_priceable = tuple(m for m, _ in chosen)
    refs = [(m.model, m.provider, ts) for m, ts in chosen]

    def bulk() -> Any:
        return price_many(token_priceable, usage)

    def loop() -> Any:
        return [
            calc_price(genai_usage, ref, provider_id=prov, genai_request_timestamp=ts).total_price
            for ref, prov, ts in refs
        ]

    ours_totals = [c.total_usd for c in bulk()]
    theirs_totals = loop()
    mismatches = [
        m.id for m, a, b in zip(token_priceable, ours_totals, theirs_totals, strict=True) if a != b
    ]

    n = len(token_priceable)
    t_ours, t_theirs = _best_of_both(bulk, loop, repeat)
    first_call = _cold({m.id for m in token_priceable}, usage)
    return {
        "models": n,
        "skipped_not_found_by_id": skipped_lookup,
        "usage": {"input_tokens": 50_000, "output_tokens": 800, "cache_read_tokens": 20_000},
        "ours_us_per_model": round(t_ours / n * 1e6, 3),
        "genai_prices_us_per_model": round(t_theirs / n * 1e6, 3),
        "speedup": round(t_theirs / t_ours, 1),
        "ours_first_call_us_per_model": round(first_call / n * 1e6, 3),
        "goal": GOAL,
        "mismatches": mismatches,
        "repeat": repeat,
        "python": sys.version.split()[0],
    }


def _cold(ids: set[str], usage: Any) -> float:
    """The first call on a freshly loaded catalog (building its price plans and table)."""
    from advisor.catalog.snapshot import load_catalog
    from advisor.cost.api import price_many

    models = tuple(m for m in load_catalog().api_models if m.id in ids)
    start = time.perf_counter()
    price_many(models, usage)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per side (best kept)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-api-cost-") as tmp:
        if not os.environ.get("ADVISOR_CATALOG"):
            os.environ["ADVISOR_CATALOG"] = str(Path(tmp) / "catalog.sqlite")
            os.environ.setdefault("ADVISOR_DATA_DIR", str(Path(tmp) / "data"))
            os.environ.setdefault("ADVISOR_CONFIG_DIR", str(Path(tmp) / "config"))
        result = run(args.repeat)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"models priced:            {result['models']} token-priceable API models "
            f"({result['skipped_not_found_by_id']} skipped: calc_price cannot find them by id)"
        )
        print(
            f"advisor price_many:       {result['ours_us_per_model']:.3f} us/model "
            f"(first call on a freshly loaded catalog: "
            f"{result['ours_first_call_us_per_model']:.3f} us/model)"
        )
        print(f"genai_prices.calc_price:  {result['genai_prices_us_per_model']:.3f} us/model")
        verdict = "meets" if result["speedup"] >= GOAL else "BELOW"
        print(
            f"speed-up:                 {result['speedup']:.1f}x ({verdict} the {GOAL:.0f}x goal)"
        )
        print(f"mismatches (Decimal !=):  {len(result['mismatches'])}")
        for mid in result["mismatches"][:20]:
            print(f"  {mid}")
    return 0 if not result["mismatches"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
