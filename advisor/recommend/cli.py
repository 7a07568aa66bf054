"""`advisor evaluate SCENARIO`: the full recommendation, as text or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from advisor.bounds import whole_number_arg


def register(sub: Any) -> None:
    p = sub.add_parser("evaluate", help="evaluate a scenario file: ranked options and why")
    p.add_argument("scenario", type=Path)
    p.add_argument("--json", action="store_true", help="print the whole result as JSON")
    p.add_argument(
        "--draws",
        type=whole_number_arg(0, 10**9),
        default=None,
        help="Monte Carlo draws (default 10,000)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from advisor.catalog.snapshot import load_catalog
    from advisor.cli import print_json
    from advisor.errors import InputError, Problem
    from advisor.recommend import evaluate
    from advisor.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.draws is not None:
        if not 100 <= args.draws <= 1_000_000:
            raise InputError(Problem("--draws", "error", "must be between 100 and 1,000,000"))
        prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=args.draws)
        scenario = dataclasses.replace(scenario, preferences=prefs)
    ev = evaluate(scenario, load_catalog())
    if args.json:
        print_json(ev.to_json())
        return 0
    print(f"{ev.scenario_name}: {ev.monthly_tokens / 1e6:,.1f} million tokens a month")
    for line in ev.rationale:
        print(f"  {line}")
    print()
    print(f"  {'#':>2} {'kind':7} {'monthly $':>12} {'horizon $':>14} {'$/Mtok':>9}  option")
    for o in ev.options:
        flag = "" if o.allowed else "  [not allowed: " + o.not_allowed_reason + "]"
        flag += "" if o.meets_latency else "  [misses latency target]"
        print(
            f"  {o.rank:>2} {o.kind:7} {o.monthly_cost_usd:>12,.0f} {o.horizon_cost_usd:>14,.0f} "
            f"{o.cost_per_million_tokens_usd:>9,.2f}  {o.name}{flag}"
        )
    for w in ev.warnings:
        print(f"  warning: {w}")
    return 0
