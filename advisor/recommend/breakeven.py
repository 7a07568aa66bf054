"""Break-even and crossover on the ranking's own basis: horizon totals (NPV) at other volumes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from advisor.cost.options import Option
from advisor.recommend.result import BreakEven, Crossover, CrossoverSeries
from advisor.recommend.uncertainty import F, Horizon

LOWEST, HIGHEST = 1e-4, 1e4  # volume multiples searched


def _at(horizon: Horizon, xs: Sequence[float] | F) -> F:
    """Horizon totals (draws at base values) with today's volume scaled by each of ``xs``."""
    x = np.asarray(xs, dtype=np.float64)
    draws = horizon.base_draws(len(x))
    draws["volume"] = x.copy()
    return horizon.totals(draws)


def horizon_break_even(
    horizon: Horizon, build: int | None, buy: int | None, monthly_tokens: float
) -> BreakEven:
    """The monthly volume at which building and buying cost the same over the horizon.

    The search starts at today's volume, where the ranking compares the same two totals, so the
    break-even can never contradict the ranking: it lies at or below today's volume exactly when
    the build costs no more than the API over the horizon.

    Args:
        horizon: The horizon model the ranking used (same drivers, discounting and trends).
        build: Index of the best self-hosted option in ``horizon.options`` (None if none).
        buy: Index of the best API option (None if none).
        monthly_tokens: Today's monthly tokens.

    Returns:
        The break-even volume, or None with the reason (e.g. never within the horizon).
    """
    opts = horizon.options
    if build is None or buy is None:
        missing = "no self-hosted option" if build is None else "no API option"
        return BreakEven(
            None,
            f"{missing} is available to compare",
            opts[build].name if build is not None else None,
            opts[buy].name if buy is not None else None,
            monthly_tokens,
        )
    b, a = opts[build], opts[buy]
    pair = Horizon(horizon.scenario, [b, a], list(horizon.drivers.values()), horizon.bridging)
    pair.refresh = horizon.refresh

    def gap(xs: Sequence[float] | F) -> F:
        tot = _at(pair, xs)
        return np.asarray(tot[:, 1] - tot[:, 0], dtype=np.float64)  # > 0: building is cheaper

    basis = f"over the {horizon.months}-month horizon"
    today = float(gap([1.0])[0])
    if today >= 0:
        grid = np.geomspace(1.0, LOWEST, 121)
        values = gap(grid)
        below = np.nonzero(values < 0)[0]
        if below.size == 0:
            return BreakEven(
                None,
                f"building is cheaper {basis} even at a ten-thousandth of today's volume",
                b.name,
                a.name,
                monthly_tokens,
            )
        i = int(below[0])
        lo, hi = float(grid[i]), float(grid[i - 1])  # gap(lo) < 0 <= gap(hi)
    else:
        grid = np.geomspace(1.0, HIGHEST, 121)
        values = gap(grid)
        above = np.nonzero(values >= 0)[0]
        if above.size == 0:
            return BreakEven(
                None,
                f"never within the horizon: the API stays cheaper {basis} up to 10,000 times "
                "today's volume",
                b.name,
                a.name,
                monthly_tokens,
            )
        i = int(above[0])
        lo, hi = float(grid[i - 1]), float(grid[i])
    for _ in range(50):
        mid = math.sqrt(lo * hi)
        if gap([mid])[0] >= 0:
            hi = mid
        else:
            lo = mid
    return BreakEven(
        hi * monthly_tokens,
        f"above this volume {b.name} costs less than {a.name} {basis}",
        b.name,
        a.name,
        monthly_tokens,
    )


def horizon_crossover(horizon: Horizon, picks: Sequence[int], monthly_tokens: float) -> Crossover:
    """Average monthly cost over the horizon (NPV / months) against volume, per picked option."""
    xs = np.geomspace(0.01, 100.0, 41)
    chosen: list[Option] = [horizon.options[k] for k in picks]
    sub = Horizon(horizon.scenario, chosen, list(horizon.drivers.values()), horizon.bridging)
    sub.refresh = horizon.refresh
    tot = _at(sub, xs) / float(horizon.months)
    series = tuple(
        CrossoverSeries(o.name, o.kind, tuple(float(v) for v in tot[:, j]))
        for j, o in enumerate(chosen)
    )
    return Crossover(tuple(float(x) * monthly_tokens for x in xs), series)
