"""Which figure to budget: the base case against the simulated P10, P50 and P90, in words."""

from __future__ import annotations

from advisor.recommend.result import OptionView, Range


def budget_sentence(rec: OptionView | None, spread: Range | None, months: int) -> str | None:
    """A sentence saying which figure to budget and why it differs from the headline.

    Args:
        rec: The recommended option (its horizon cost is the base case, in NPV).
        spread: Its simulated range (same basis).
        months: The horizon.

    Returns:
        The sentence, or None when there is nothing simulated to compare with.
    """
    if rec is None or spread is None:
        return None
    base, p10, p50, p90 = (float(x) for x in (spread.base, spread.p10, spread.p50, spread.p90))
    if base <= 0 or p50 <= 0:
        return None
    gap = p50 / base - 1.0
    where = (
        "below its own P10"
        if base < p10
        else "above its own P90"
        if base > p90
        else "between its own P10 and P90"
    )
    why = (
        "they agree"
        if abs(gap) < 0.02
        else f"the P50 is {abs(gap):.0%} {'higher' if gap > 0 else 'lower'}, because the "
        "uncertain inputs are not spread evenly around their central values"
    )
    return (
        f"Budget the P50 of ${p50:,.0f} over {months} months (net present value); plan for up to "
        f"the P90 of ${p90:,.0f}. The base case of ${base:,.0f} puts every uncertain input at its "
        f"central value and lies {where}; {why}."
    )
