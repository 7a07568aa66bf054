"""Decision tornado: how far each uncertain input must move to change the recommendation.

The sensitivity bars elsewhere say what today's choice costs at each input's low and high
value. A buyer asks a different question: *what would have to be true for the answer to
change, and to what?* For each driver and each direction this module walks the input away
from its base value (a grid brackets the first change of the cheapest allowed option) and
then bisects the bracket, everything else held at base.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from advisor.recommend.uncertainty import Driver

F = NDArray[np.float64]
Totals = Callable[[dict[str, F]], F]

# How far the search goes: multipliers from ×1/100 to ×100 of today's value (walked in log
# steps, since "twice" and "half" are equal moves), rates over their whole domain.
SEARCH_FACTOR = 100.0
GRID_POINTS = 48
BISECTIONS = 30
# Inputs that are rates (a yearly price decline) live in [0, 0.99]; the horizon clips them.
RATE_KINDS = ("api_decline", "gpu_decline")
RATE_DOMAIN = (0.0, 0.99)
MULTIPLIER_FLOOR = 1e-3


@dataclass(frozen=True)
class FlipPoint:
    """One direction of one input: where the recommendation changes, if it does.

    Attributes:
        direction: "down" or "up" from today's value.
        value: The input's value at which another option becomes cheapest, or None when
            nothing changes within the search limit.
        limit: How far the search went in this direction (the input's value there).
        ranges: The move needed in units of the plausible move (1.0 = the sourced or assumed
            low/high end); None when nothing changes.
        new_choice: The option recommended just past ``value`` (None when nothing changes).
    """

    direction: str
    value: float | None
    limit: float
    ranges: float | None
    new_choice: str | None


@dataclass(frozen=True)
class DecisionFlip:
    """How far one input must move, down and up, to change the recommendation."""

    key: str
    label: str
    kind: str  # the driver's kind: "multiplier", "perf", "api_decline", "gpu_decline"
    base: float
    low: float  # the plausible range used as the unit of movement
    high: float
    down: FlipPoint
    up: FlipPoint

    @property
    def nearest(self) -> FlipPoint | None:
        """The direction that changes the decision with the smaller move, if any."""
        found = [p for p in (self.down, self.up) if p.ranges is not None]
        return min(found, key=lambda p: p.ranges or 0.0) if found else None

    def describe(self, point: FlipPoint) -> str:
        """The move in words: "×2.4" for a multiplier, "from 30%/yr to 12%/yr" for a rate."""
        if point.value is None:
            return "no change"
        if self.kind in RATE_KINDS:
            return f"from {self.base:.0%} to {point.value:.0%} a year"
        factor = point.value / self.base if self.base else point.value
        return f"×{factor:.2f}"


def _is_rate(d: Driver) -> bool:
    return d.kind in RATE_KINDS


def _limit(d: Driver, direction: str) -> float:
    if _is_rate(d):
        return RATE_DOMAIN[1] if direction == "up" else RATE_DOMAIN[0]
    base = d.base if d.base > 0 else MULTIPLIER_FLOOR
    return base * SEARCH_FACTOR if direction == "up" else base / SEARCH_FACTOR


def _along(d: Driver, direction: str, f: float) -> float:
    """The input's value a fraction ``f`` of the way from base to the search limit."""
    end = _limit(d, direction)
    if _is_rate(d) or d.base <= 0:
        return d.base + f * (end - d.base)
    return float(d.base * (end / d.base) ** f)


def _between(d: Driver, a: float, b: float) -> float:
    return (a + b) / 2.0 if _is_rate(d) or a <= 0 or b <= 0 else float(np.sqrt(a * b))


def _ranges(d: Driver, value: float) -> float:
    """A move in units of the plausible move in that direction (log units for multipliers)."""
    edge = d.high if value > d.base else d.low
    if _is_rate(d) or d.base <= 0 or edge <= 0 or value <= 0:
        span = abs(edge - d.base)
        return abs(value - d.base) / span if span else float("inf")
    span = abs(np.log(edge / d.base))
    return float(abs(np.log(value / d.base)) / span) if span else float("inf")


def decision_flips(
    totals: Totals,
    drivers: Sequence[Driver],
    names: Sequence[str],
    allowed: Sequence[int],
) -> tuple[DecisionFlip, ...]:
    """For each driver, the smallest move down and up that changes the cheapest allowed option.

    Args:
        totals: Horizon totals for a dict of driver draws, shape (draws, options).
        drivers: The uncertain inputs with their base, low and high values.
        names: Option names, in the column order of ``totals``.
        allowed: Column indices of the options a buyer may choose.

    Returns:
        One DecisionFlip per driver, ordered by the smallest move that changes the decision
        (drivers that never change it within the search limit last).
    """
    if not allowed or not drivers:
        return ()
    allowed_idx = np.asarray(list(allowed), dtype=np.int64)
    base_draws = {d.key: float(d.base) for d in drivers}

    def choices(rows: Sequence[tuple[str, float]]) -> NDArray[np.int64]:
        draws = {k: np.full(len(rows), v) for k, v in base_draws.items()}
        for i, (key, value) in enumerate(rows):
            draws[key][i] = value
        tot = totals(draws)[:, allowed_idx]
        return np.asarray(allowed_idx[np.argmin(tot, axis=1)], dtype=np.int64)

    today = int(choices([(drivers[0].key, drivers[0].base)])[0])
    # Pass 1: a grid from base to the limit in each direction brackets the first change.
    fractions = np.linspace(0.0, 1.0, GRID_POINTS + 1)[1:]
    legs = [(d, direction) for d in drivers for direction in ("down", "up")]
    rows = [(d.key, _along(d, direction, float(f))) for d, direction in legs for f in fractions]
    grid = choices(rows).reshape(len(legs), len(fractions))
    brackets: dict[int, tuple[float, float]] = {}
    for leg, (d, direction) in enumerate(legs):
        changed = np.nonzero(grid[leg] != today)[0]
        if len(changed):
            k = int(changed[0])
            inside = _along(d, direction, float(fractions[k - 1])) if k else d.base
            brackets[leg] = (inside, _along(d, direction, float(fractions[k])))
    # Pass 2: bisect every bracket at once; "inside" keeps today's choice, "outside" does not.
    for _ in range(BISECTIONS):
        if not brackets:
            break
        order = list(brackets)
        mids = [(legs[leg][0].key, _between(legs[leg][0], *brackets[leg])) for leg in order]
        got = choices(mids)
        for leg, (_key, mid), c in zip(order, mids, got, strict=True):
            inside, outside = brackets[leg]
            brackets[leg] = (mid, outside) if int(c) == today else (inside, mid)
    ends = list(brackets)
    after = (
        choices([(legs[leg][0].key, brackets[leg][1]) for leg in ends])
        if ends
        else np.zeros(0, dtype=np.int64)
    )
    new_choice = {leg: names[int(c)] for leg, c in zip(ends, after, strict=True)}

    out: list[DecisionFlip] = []
    for i, d in enumerate(drivers):
        points = []
        for j, direction in enumerate(("down", "up")):
            leg = 2 * i + j
            limit = _limit(d, direction)
            if leg in brackets:
                value = brackets[leg][1]
                ranges = _ranges(d, value)
                points.append(FlipPoint(direction, value, limit, ranges, new_choice[leg]))
            else:
                points.append(FlipPoint(direction, None, limit, None, None))
        out.append(DecisionFlip(d.key, d.label, d.kind, d.base, d.low, d.high, *points))

    def closeness(f: DecisionFlip) -> float:
        near = f.nearest
        return near.ranges if near is not None and near.ranges is not None else float("inf")

    return tuple(sorted(out, key=closeness))
