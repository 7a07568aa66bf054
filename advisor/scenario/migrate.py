"""Read older scenario files: move their fields to the current format and say what was assumed."""

from __future__ import annotations

import copy
from typing import Any

# Version 1 had one "API price decline per year", applied to the list price of the chosen model.
# Its default source (a16z "LLMflation") measured the fall in price of a capability level: the
# cheapest model reaching a fixed score, i.e. a buyer who keeps switching models. Version 2 keeps
# the two apart; a version-1 figure is that capability-level trend, never a list-price trend.
_V1_DECLINE = "api_price_decline_per_year"


def migrate(data: Any) -> tuple[Any, tuple[str, ...]]:
    """Bring parsed scenario JSON up to the current format.

    Args:
        data: The parsed JSON (anything; non-objects are returned unchanged for the reader to
            reject with a field path).

    Returns:
        The migrated data (a copy) and plain notes of what was assumed, empty when nothing was.
    """
    if not isinstance(data, dict):
        return data, ()
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version >= 2:
        return data, ()
    out = copy.deepcopy(data)
    notes: list[str] = []
    prefs = out.get("preferences")
    if "preferences" not in out:
        prefs = out["preferences"] = {}
    if isinstance(prefs, dict):
        value = prefs.pop(_V1_DECLINE, None)
        if value is not None:
            prefs.setdefault("capability_price_decline_per_year", value)
            prefs.setdefault("follow_capability_trend", True)
            notes.append(
                f"opened from a version-1 scenario: its API price decline of {_pct(value)} a "
                "year is taken as the fall in price of a capability level, which you get by "
                "switching to cheaper models that are as good (on an API or on your own GPUs, "
                "with the switching effort on both sides); the list price of the chosen API "
                "model follows the catalog's trend (flat by default)"
            )
        else:
            notes.append(
                "opened from a version-1 scenario: version 1 applied the catalog's "
                "capability-level price trend (about 90 % a year) to one API model's list "
                "price; list prices are now flat by default and the capability trend applies "
                "only if you plan to switch models"
            )
        notes.append(
            "opened from a version-1 scenario: costs are now also discounted at the catalog's "
            "cost of capital (net present value, used for the ranking); undiscounted totals "
            "are shown too"
        )
    out["version"] = 2
    return out, tuple(notes)


def _pct(value: Any) -> str:
    try:
        return f"{float(value):.0%}"
    except (TypeError, ValueError):
        return repr(value)
