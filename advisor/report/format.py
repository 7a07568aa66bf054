"""Number and text formatting for the report: currency, token volumes, shares, durations.

Every figure the report prints goes through these functions (they are also the Jinja filters),
so the same amount reads the same way in the summary, the tables and the charts. Amounts too
large to print in full are abbreviated instead of breaking the layout.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

Number = float | int | Decimal

DASH = "–"
MINUS = "−"  # a real minus sign: it does not break a line the way a hyphen may
# From a billion on, a full "$1,234,567,890" no longer fits a table cell: abbreviate.
FULL_LIMIT = 1e9
_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k"))
_TOKEN_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def _float(value: Number | None) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _sign(value: float) -> str:
    return MINUS if value < 0 else ""


def _short(value: float, digits: int = 3) -> str:
    """A positive number with a scale suffix and about ``digits`` significant digits."""
    if value >= 1e15:
        return f"{value:.2e}".replace("e+", "e")
    for scale, suffix in _SCALES:
        if value >= scale * 0.9995:
            scaled = value / scale
            decimals = max(0, digits - 1 - math.floor(math.log10(scaled)))
            return f"{scaled:,.{decimals}f}{suffix}"
    if value == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(value)))
    return f"{value:,.{min(decimals, 2)}f}"


# The currency money is shown in: (symbol, US dollars per unit). Amounts stay in US dollars
# everywhere else; usd()/usd_short() convert at the edge, so one setting covers the report,
# its charts and the summary sentence. Context-local: a report rendered on a worker thread
# sets its own.
_DISPLAY: ContextVar[tuple[str, Decimal]] = ContextVar(
    "display_currency", default=("$", Decimal(1))
)


@contextmanager
def display_currency(symbol: str, usd_per_unit: Decimal) -> Iterator[None]:
    """Show money in another currency inside the ``with`` block (``€``, 1.1172 USD per EUR)."""
    token = _DISPLAY.set((symbol, Decimal(usd_per_unit)))
    try:
        yield
    finally:
        _DISPLAY.reset(token)


def set_display_currency(symbol: str, usd_per_unit: Decimal) -> None:
    """Show money in a currency from now on in this context (the app's GUI thread)."""
    _DISPLAY.set((symbol, Decimal(usd_per_unit)))


def _shown(value: Number | None) -> tuple[Number | None, str]:
    symbol, rate = _DISPLAY.get()
    if value is None or rate == 1:
        return value, symbol
    return Decimal(str(value)) / rate, symbol


def usd(value: Number | None, cents: bool = False) -> str:
    """Whole dollars with thousands separators (``$57,671``); cents on request.

    Args:
        value: The amount in USD (Decimal or float); ``None`` prints a dash.
        cents: Show two decimals (for per-token and per-million prices).

    Returns:
        The amount as text; from a billion on it is abbreviated (``$1.23bn``).
    """
    value, sym = _shown(value)
    f = _float(value)
    if f is None:
        return DASH
    if abs(f) >= FULL_LIMIT:
        return f"{_sign(f)}{sym}{_short(abs(f))}"
    if cents:
        exact = abs(value) if isinstance(value, Decimal) else abs(f)
        text = f"{exact:,.2f}"
        return f"{_sign(f)}{sym}{text}"
    return f"{_sign(round(f))}{sym}{abs(f):,.0f}"


def usd_cell(value: Number | None) -> str:
    """Whole dollars for a narrow table cell: abbreviated from $100 million (``$921M``)."""
    f = _float(value)
    if f is not None and abs(f) >= 1e8:
        return f"{_sign(f)}${_short(abs(f))}"
    return usd(value)


def usd_short(value: Number | None) -> str:
    """An amount abbreviated for charts and tiles: ``$1.71k``, ``$57.7k``, ``$1.23M``."""
    value, sym = _shown(value)
    f = _float(value)
    if f is None:
        return DASH
    return f"{_sign(f)}{sym}{_short(abs(f))}"


def tokens(value: Number | None) -> str:
    """A token volume, short: ``1.19bn``, ``198M``, ``12.0k``."""
    f = _float(value)
    if f is None:
        return DASH
    if abs(f) < 999.5:
        return f"{_sign(round(f))}{abs(f):,.0f}"
    return f"{_sign(f)}{_short(abs(f))}"


def si(value: Number | None) -> str:
    """A count with an SI prefix for chart axes: ``950``, ``12k``, ``120M``, ``1.5G``, ``2T``."""
    f = _float(value)
    if f is None:
        return DASH
    a = abs(f)
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= scale * 0.9995:
            return f"{_sign(f)}{a / scale:.3g}{prefix}"
    return f"{_sign(f)}{a:.3g}"


def tokens_words(value: Number | None) -> str:
    """A token volume in words, for sentences: ``1.19 billion``."""
    f = _float(value)
    if f is None:
        return DASH
    a = abs(f)
    if a >= 1e15:
        return f"{_sign(f)}{a:.2e}".replace("e+", " × 10^")
    for scale, word in _TOKEN_SCALES:
        if a >= scale * 0.9995:
            return f"{_sign(f)}{_short(a / scale)} {word}"
    return f"{_sign(f)}{a:,.0f}"


def num(value: Number | None, decimals: int = 0) -> str:
    """A plain number with thousands separators; abbreviated from a billion on."""
    f = _float(value)
    if f is None:
        return DASH
    if abs(f) >= FULL_LIMIT:
        return f"{_sign(f)}{_short(abs(f))}"
    text = f"{abs(f):,.{decimals}f}"
    return f"{_sign(f) if float(text.replace(',', '')) else ''}{text}"


def pct(value: Number | None, decimals: int = 0) -> str:
    """A share as a percentage (``0.25`` prints ``25%``); tiny non-zero shares print ``<1%``."""
    f = _float(value)
    if f is None:
        return DASH
    limit = 0.5 * 10 ** (-decimals) / 100
    if 0 < abs(f) < limit:
        return f"<{10 ** (-decimals):g}%" if f > 0 else f"{MINUS}<{10 ** (-decimals):g}%"
    if 1 - limit < f < 1:
        return f">{100 - 10 ** (-decimals):g}%"
    if abs(f) >= 1e6:
        return f"{_sign(f)}{_short(abs(f) * 100)}%"
    text = f"{abs(f) * 100:,.{decimals}f}"
    return f"{_sign(f) if float(text.replace(',', '')) else ''}{text}%"


def multiple(value: Number | None) -> str:
    """A ratio such as a volume multiple: ``634x``, ``9.2x``, ``0.45x``."""
    f = _float(value)
    if f is None:
        return DASH
    a = abs(f)
    if a >= 1e6:
        body = _short(a)
    elif a >= 100:
        body = f"{a:,.0f}"
    elif a >= 10:
        body = f"{a:,.1f}"
    else:
        body = f"{a:,.2f}".rstrip("0").rstrip(".") if a else "0"
    return f"{_sign(f)}{body}x"


def ms(value: Number | None) -> str:
    """A latency: milliseconds below ten seconds, seconds below ten minutes, minutes above."""
    f = _float(value)
    if f is None:
        return DASH
    if abs(f) >= 600_000:
        return f"{num(f / 60_000, 1)} min"
    if abs(f) >= 10_000:
        return f"{num(f / 1000, 1)} s"
    return f"{num(f)} ms"


def clip(text: str, limit: int) -> str:
    """Shorten text to at most ``limit`` characters, ending in an ellipsis when cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


FILTERS = {
    "usd": usd,
    "usd_short": usd_short,
    "tokens": tokens,
    "tokens_words": tokens_words,
    "num": num,
    "pct": pct,
    "multiple": multiple,
    "ms": ms,
    "clip": clip,
}
