"""Month-by-month multipliers of the horizon: price trends, model switching and discounting.

Plain numpy functions over month indices (0 = the first month) so that any horizon model can use
them: each returns an array of shape (draws, months) for an array of yearly rates, one per draw.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]


def _rates(rate: float | F) -> F:
    return np.atleast_1d(np.asarray(rate, dtype=np.float64))[:, None]


def price_path(months: int, decline_per_year: float | F) -> F:
    """The price in each month relative to month 0, falling ``decline_per_year`` a year.

    Args:
        months: Months in the horizon.
        decline_per_year: 0.3 = 30 % cheaper after a year; negative = prices rise. Clipped to
            [-1, 0.99] so a price can at most double a year and never reach zero.

    Returns:
        (draws, months) multipliers, 1.0 in month 0.
    """
    r = np.clip(_rates(decline_per_year), -1.0, 0.99)
    t = np.arange(months, dtype=np.float64)[None, :]
    return np.asarray((1.0 - r) ** (t / 12.0), dtype=np.float64)


def switching_path(months: int, decline_per_year: float | F, refresh_months: float) -> F:
    """The price of a capability level as a buyer who switches models every refresh sees it.

    The cheapest model that is good enough gets cheaper continuously, but a buyer only gets the
    new price when it switches: a step at every ``refresh_months`` (the first at that month).

    Returns:
        (draws, months) multipliers, 1.0 until the first switch.
    """
    r = np.clip(_rates(decline_per_year), 0.0, 0.99)
    t = np.arange(months, dtype=np.float64)
    if refresh_months <= 0:
        return np.ones((r.shape[0], months))
    stepped = np.floor(t / refresh_months) * refresh_months
    return np.asarray((1.0 - r) ** (stepped[None, :] / 12.0), dtype=np.float64)


def discount_path(months: int, rate_per_year: float | F) -> F:
    """Discount factors: what a dollar paid at the start of each month is worth today.

    Args:
        months: Months in the horizon.
        rate_per_year: The cost of capital, e.g. 0.08; 0 gives undiscounted totals.

    Returns:
        (draws, months) factors, 1.0 in month 0.
    """
    r = np.clip(_rates(rate_per_year), 0.0, 10.0)
    t = np.arange(months, dtype=np.float64)[None, :]
    return np.asarray((1.0 + r) ** (-t / 12.0), dtype=np.float64)


def discount_at(month: float, rate_per_year: float | F) -> F:
    """The discount factor of one month (e.g. the horizon's end), shape (draws,)."""
    r = np.clip(np.atleast_1d(np.asarray(rate_per_year, dtype=np.float64)), 0.0, 10.0)
    return np.asarray((1.0 + r) ** (-float(month) / 12.0), dtype=np.float64)
