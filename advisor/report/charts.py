"""SVG charts for the report, built from the data (no plotting library), so they print sharply.

Each chart function takes plain rows and returns an ``<svg>`` element as a string. Every piece
of text is XML-escaped here; labels are measured with the bundled font's advance widths and
shortened with an ellipsis when they would not fit. Colours come from one palette: an option
kind (API, rented, owned, hybrid) and a cost component have the same colour in every chart.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from advisor.report.format import si, tokens, usd_short


def _compact(text: str) -> str:
    """``$5.00k`` -> ``$5k``, ``1.00bn`` -> ``1bn`` (tick labels need no trailing zeros)."""
    return re.sub(r"\.0+(?=[a-zA-Z]*$)|(\.\d*?[1-9])0+(?=[a-zA-Z]*$)", r"\1", text)


FONT_FAMILY = "Report Sans, DejaVu Sans Condensed, DejaVu Sans, sans-serif"
FONT_FILES = {False: "DejaVuSansCondensed.ttf", True: "DejaVuSansCondensed-Bold.ttf"}
WIDTH = 640.0  # px at 96 dpi: the A4 text block (170 mm)

INK = "#1d2433"
MUTED = "#5b6475"
GRID = "#dfe3ea"
AXIS = "#9aa3b2"
ACCENT = "#1f3a5f"
ALERT = "#b8321f"

KIND_COLOURS = {
    "api": "#2f6db5",
    "rented": "#e08a2e",
    "owned": "#2e9e6b",
    "hybrid": "#8a5cb8",
}
KIND_LABELS = {
    "api": "Buy (API)",
    "rented": "Rented GPUs",
    "owned": "Owned GPUs",
    "hybrid": "Hybrid",
}

# In stacking order; the first three share the colour of the option kind they stand for.
COMPONENT_COLOURS = {
    "api_tokens": "#2f6db5",
    "gpu_rental": "#e08a2e",
    "gpu_capital": "#2e9e6b",
    "hardware_support": "#93cdb0",
    "power": "#f2c14e",
    "colocation": "#b59f72",
    "storage": "#8e9bb0",
    "egress": "#c5cdd9",
    "people": "#c2452d",
    "maintenance": "#ec9c8c",
    "compliance": "#5b3f8f",
    "switching": "#b79fdc",
}
_SPARE_COLOURS = ("#4b5563", "#0f766e", "#a16207", "#be185d")
LOW_COLOUR = "#1f3a5f"  # tornado: the input at its low value
HIGH_COLOUR = "#9db4cf"  # tornado: the input at its high value


def component_colour(component: str) -> str:
    """The colour of a cost component (a stable spare colour for unknown ones)."""
    if component in COMPONENT_COLOURS:
        return COMPONENT_COLOURS[component]
    return _SPARE_COLOURS[sum(map(ord, component)) % len(_SPARE_COLOURS)]


def kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, _SPARE_COLOURS[0])


# --- text measurement -------------------------------------------------------------------------


@functools.cache
def _advances(bold: bool) -> tuple[dict[int, float], float]:
    """Advance widths (in em) of the bundled font, and a fallback width for other glyphs."""
    from fontTools.ttLib import TTFont

    from advisor.paths import bundled

    font_file = bundled("templates") / "fonts" / FONT_FILES[bold]
    with font_file.open("rb") as fh:
        font = TTFont(fh, lazy=True)
        upm = float(font["head"].unitsPerEm)
        metrics = font["hmtx"].metrics
        widths = {code: metrics[glyph][0] / upm for code, glyph in font.getBestCmap().items()}
    return widths, widths.get(ord("M"), 0.8)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in px when set at ``size`` px in the report font."""
    widths, fallback = _advances(bold)
    return sum(widths.get(ord(ch), fallback) for ch in text) * size


def fit_text(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis so that it fits ``width`` px."""
    text = " ".join(text.split())
    if text_width(text, size, bold) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + "…", size, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


# --- a tiny SVG writer ------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Svg:
    """Collects SVG elements; every attribute and text is escaped on the way in."""

    def __init__(self, width: float, height: float, title: str) -> None:
        self.width = width
        self.height = height
        self.title = title
        self.parts: list[str] = []

    @staticmethod
    def _attrs(attrs: dict[str, object]) -> str:
        out = []
        for key, value in attrs.items():
            if value is None:
                continue
            name = key.rstrip("_").replace("_", "-")
            text = _n(value) if isinstance(value, float) else str(value)
            out.append(f' {name}="{escape(text, quote=True)}"')
        return "".join(out)

    def add(self, tag: str, body: str | None = None, /, **attrs: object) -> None:
        if body is None:
            self.parts.append(f"<{tag}{self._attrs(attrs)}/>")
        else:
            self.parts.append(f"<{tag}{self._attrs(attrs)}>{escape(body, quote=False)}</{tag}>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **attrs: object) -> None:
        self.add(
            "rect",
            x=float(x),
            y=float(y),
            width=float(max(w, 0.0)),
            height=float(h),
            fill=fill,
            **attrs,
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, stroke: str, **attrs: object
    ) -> None:
        attrs.setdefault("stroke_width", 1.0)
        self.add(
            "line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), stroke=stroke, **attrs
        )

    def polyline(self, points: Sequence[tuple[float, float]], stroke: str, **attrs: object) -> None:
        attrs.setdefault("stroke_width", 2.0)
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        self.add(
            "polyline", points=path, fill="none", stroke=stroke, stroke_linejoin="round", **attrs
        )

    def circle(self, x: float, y: float, r: float, fill: str, **attrs: object) -> None:
        self.add("circle", cx=float(x), cy=float(y), r=float(r), fill=fill, **attrs)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 9.0,
        anchor: str = "start",
        fill: str = INK,
        bold: bool = False,
        **attrs: object,
    ) -> None:
        self.add(
            "text",
            text,
            x=float(x),
            y=float(y),
            font_size=float(size),
            text_anchor=anchor,
            fill=fill,
            font_weight="bold" if bold else None,
            **attrs,
        )

    def render(self) -> str:
        body = "".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'width="{_n(self.width)}" height="{_n(self.height)}" '
            f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" '
            f'font-family="{escape(FONT_FAMILY, quote=True)}">'
            f"<title>{escape(self.title, quote=False)}</title>{body}</svg>"
        )


# --- scales -----------------------------------------------------------------------------------


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``high`` (about ``count`` of them)."""
    if not math.isfinite(high) or high <= 0:
        return [0.0, 1.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    n = math.ceil(high / step - 1e-9)
    return [i * step for i in range(n + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks between ``low`` and ``high`` (only powers of ten when there are many)."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    ticks = [m * 10.0**e for e in range(first, last + 1) for m in (1, 2, 5)]
    ticks = [t for t in ticks if low * 0.999 <= t <= high * 1.001]
    if len(ticks) > 9:
        ticks = [t for t in ticks if abs(math.log10(t) - round(math.log10(t))) < 1e-9]
    return ticks


TICK = 9.5  # px: axis tick labels
LABEL = 10.5  # px: row labels
SMALL = 9.0  # px: secondary labels and values


def _legend(svg: Svg, items: Sequence[tuple[str, str]], x0: float, y: float, right: float) -> float:
    """Swatches with labels, wrapped onto rows; returns the y below the last row."""
    size, gap, row_h = 10.0, 16.0, 16.0
    x = x0
    for label, colour in items:
        w = 15 + text_width(label, size)
        if x > x0 and x + w > right:
            x, y = x0, y + row_h
        svg.rect(x, y - 9, 10, 10, colour, rx=1.5)
        svg.text(x + 14, y, label, size, fill=INK)
        x += w + gap
    return y + row_h


def _value_ticks(
    svg: Svg,
    ticks: Sequence[float],
    left: float,
    scale: float,
    bands: Sequence[tuple[float, float]],
    bottom: float,
) -> None:
    """Grid lines behind the bars only (not through the labels above them), and tick labels."""
    for t in ticks:
        x = left + t * scale
        for y0, y1 in bands:
            svg.line(x, y0, x, y1, GRID)
        svg.text(x, bottom + 13, _compact(usd_short(t)), TICK, "middle", MUTED)


# --- charts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackRow:
    label: str
    parts: tuple[tuple[str, str, float], ...]  # (component, label, monthly USD)
    muted: bool = False  # ruled out: drawn lighter
    highlight: bool = False  # the recommendation: label in bold


def cost_breakdown(rows: Sequence[StackRow], title: str = "Monthly cost by component") -> str:
    """Horizontal stacked bars, each under its option's name, split into cost components."""
    bar_h, pitch, top, bar_dy = 13.0, 40.0, 4.0, 17.0
    left, right = 0.0, WIDTH - 52
    totals = [sum(max(v, 0.0) for _, _, v in r.parts) for r in rows]
    ticks = nice_ticks(max(totals, default=0.0) or 1.0)
    scale = (right - left) / ticks[-1]
    plot_h = pitch * max(len(rows), 1)
    bands = [
        (top + i * pitch + bar_dy - 3, top + i * pitch + bar_dy + bar_h + 3)
        for i in range(len(rows))
    ]
    order = {c: i for i, c in enumerate(COMPONENT_COLOURS)}
    seen: dict[str, str] = {}
    for row in rows:
        for comp, label, value in row.parts:
            if value > 0:
                seen.setdefault(comp, label)
    legend = sorted(seen.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    svg = Svg(WIDTH, 0, title)
    _value_ticks(svg, ticks, left, scale, bands, top + plot_h)
    for i, (row, total) in enumerate(zip(rows, totals, strict=True)):
        y = top + i * pitch
        colour = MUTED if row.muted else INK
        svg.text(
            left,
            y + 12,
            fit_text(row.label, WIDTH, LABEL, row.highlight),
            LABEL,
            fill=colour,
            bold=row.highlight,
        )
        x, bar_y = left, y + bar_dy
        for comp, _label, value in sorted(row.parts, key=lambda p: (order.get(p[0], 99), p[0])):
            if value <= 0:
                continue
            w = value * scale
            svg.rect(
                x,
                bar_y,
                w,
                bar_h,
                component_colour(comp),
                fill_opacity="0.4" if row.muted else None,
            )
            x += w
        svg.text(
            x + 4,
            bar_y + bar_h - 2.5,
            usd_short(total),
            SMALL + 0.5,
            fill=colour,
            bold=row.highlight,
        )
    y = _legend(
        svg, [(label, component_colour(c)) for c, label in legend], left, top + plot_h + 34, WIDTH
    )
    svg.height = y
    return svg.render()


@dataclass(frozen=True)
class LineSeries:
    label: str
    kind: str
    values: tuple[float, ...]
    highlight: bool = False


def _interp_log(xs: Sequence[float], ys: Sequence[float], x: float) -> float | None:
    pts = [(a, b) for a, b in zip(xs, ys, strict=True) if a > 0 and b > 0]
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if x0 <= x <= x1:
            f = (math.log(x) - math.log(x0)) / (math.log(x1) - math.log(x0)) if x1 > x0 else 0.0
            return math.exp(math.log(y0) + f * (math.log(y1) - math.log(y0)))
    return None


def crossover(
    xs: Sequence[float],
    series: Sequence[LineSeries],
    today: float,
    break_even: float | None = None,
    break_even_series: int | None = None,
    title: str = "Monthly cost against monthly volume",
) -> str:
    """Cost against volume on log-log axes, one line per option, with today and break-even."""
    left, right, top, plot_h = 66.0, WIDTH - 14, 16.0, 260.0
    svg = Svg(WIDTH, 0, title)
    pos = [v for s in series for v in s.values if v > 0 and math.isfinite(v)]
    xpos = [x for x in xs if x > 0 and math.isfinite(x)]
    if not pos or not xpos:
        svg.text(WIDTH / 2, 40, "No cost data to plot", LABEL, "middle", MUTED)
        svg.height = 60
        return svg.render()
    x_lo, x_hi = min(xpos), max(xpos)
    y_lo = 10 ** math.floor(math.log10(min(pos)))
    y_hi = 10 ** math.ceil(math.log10(max(pos) * 1.0001))
    lx_lo, lx_hi = math.log10(x_lo), math.log10(x_hi)
    ly_lo, ly_hi = math.log10(y_lo), math.log10(y_hi)

    def px(x: float) -> float:
        return left + (math.log10(x) - lx_lo) / (lx_hi - lx_lo or 1) * (right - left)

    def py(y: float) -> float:
        return top + plot_h - (math.log10(y) - ly_lo) / (ly_hi - ly_lo or 1) * plot_h

    for t in log_ticks(y_lo, y_hi):
        svg.line(left, py(t), right, py(t), GRID)
        svg.text(left - 6, py(t) + 3.5, _compact(usd_short(t)), TICK, "end", MUTED)
    for t in log_ticks(x_lo, x_hi):
        svg.line(px(t), top, px(t), top + plot_h, GRID)
        svg.text(px(t), top + plot_h + 14, si(t), TICK, "middle", MUTED)
    svg.line(left, top + plot_h, right, top + plot_h, AXIS)
    svg.line(left, top, left, top + plot_h, AXIS)
    svg.text(
        (left + right) / 2, top + plot_h + 30, "tokens per month (log)", SMALL, "middle", MUTED
    )
    mid = top + plot_h / 2
    svg.text(
        12,
        mid,
        "USD a month (log scale)",
        SMALL,
        "middle",
        MUTED,
        transform=f"rotate(-90 12 {_n(mid)})",
    )
    if x_lo <= today <= x_hi:
        svg.line(px(today), top, px(today), top + plot_h, INK, stroke_dasharray="4 3")
        svg.text(px(today) + 5, top + 11, f"today {tokens(today)}", SMALL, fill=INK, bold=True)
    for s in sorted(series, key=lambda s: s.highlight):
        pts = [(px(x), py(v)) for x, v in zip(xs, s.values, strict=True) if x > 0 and v > 0]
        svg.polyline(pts, kind_colour(s.kind), stroke_width=3.2 if s.highlight else 2.0)
    if break_even is not None and break_even_series is not None and x_lo <= break_even <= x_hi:
        y = _interp_log(xs, series[break_even_series].values, break_even)
        if y is not None:
            bx, by = px(break_even), py(y)
            svg.line(bx, top, bx, top + plot_h, ALERT, stroke_dasharray="2 2")
            svg.circle(bx, by, 4.5, "#ffffff", stroke=ALERT, stroke_width=2.0)
            anchor = "end" if bx > (left + right) / 2 else "start"
            svg.text(
                bx + (-6 if anchor == "end" else 6),
                top + 26,
                f"break-even {tokens(break_even)}",
                SMALL,
                anchor,
                ALERT,
                bold=True,
            )
    y = top + plot_h + 50
    for s in series:
        label = f"{KIND_LABELS.get(s.kind, s.kind)}: {s.label}"
        svg.rect(left, y - 5, 16, 3.5, kind_colour(s.kind))
        svg.text(
            left + 22,
            y,
            fit_text(label, right - left - 22, 10.0, s.highlight),
            10.0,
            bold=s.highlight,
        )
        y += 15
    svg.height = y
    return svg.render()


@dataclass(frozen=True)
class TornadoRow:
    label: str
    range_text: str
    low_cost: float
    high_cost: float
    flips: bool
    flip_text: str = ""


def tornado(rows: Sequence[TornadoRow], base: float, title: str = "Sensitivity") -> str:
    """Bars from the base horizon cost to its value with each input at its low and high end."""
    label_w, bar_h, pitch = 216.0, 14.0, 30.0
    left, right, top = label_w + 12, WIDTH - 64, 24.0
    values = [base] + [v for r in rows for v in (r.low_cost, r.high_cost)]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or max(abs(base) * 0.05, 1.0)
    lo, hi = (max(lo - pad, 0.0) if lo >= 0 else lo - pad), hi + pad
    scale = (right - left) / (hi - lo)

    def px(v: float) -> float:
        return left + (v - lo) * scale

    svg = Svg(WIDTH, 0, title)
    plot_h = pitch * max(len(rows), 1)
    svg.text(px(base), 11, f"today's estimate {usd_short(base)}", SMALL, "middle", INK, bold=True)
    for i, r in enumerate(rows):
        y = top + i * pitch
        svg.text(
            0,
            y + 10,
            fit_text(r.label, label_w, LABEL, r.flips),
            LABEL,
            bold=r.flips,
            fill=ALERT if r.flips else INK,
        )
        svg.text(0, y + 23, fit_text(r.range_text, label_w, SMALL - 0.5), SMALL - 0.5, fill=MUTED)
        for value, colour in ((r.low_cost, LOW_COLOUR), (r.high_cost, HIGH_COLOUR)):
            a, b = sorted((px(base), px(value)))
            svg.rect(a, y + 4, b - a, bar_h, colour)
        for value in (r.low_cost, r.high_cost):
            if abs(px(value) - px(base)) < 0.5:
                continue
            anchor = "end" if value < base else "start"
            svg.text(
                px(value) + (-4 if anchor == "end" else 4),
                y + 15,
                usd_short(value),
                SMALL,
                anchor,
                MUTED,
            )
        if r.flips:
            svg.text(WIDTH, y + 15, r.flip_text or "flips", SMALL, "end", ALERT, bold=True)
    svg.line(px(base), top - 4, px(base), top + plot_h, INK, stroke_width=1.2)
    y = _legend(
        svg,
        [("input at its low value", LOW_COLOUR), ("input at its high value", HIGH_COLOUR)],
        left,
        top + plot_h + 14,
        WIDTH,
    )
    svg.height = y
    return svg.render()


@dataclass(frozen=True)
class RangeRow:
    label: str
    kind: str
    p10: float
    p50: float
    p90: float
    highlight: bool = False
    muted: bool = False  # ruled out: drawn lighter


def ranges(rows: Sequence[RangeRow], title: str = "Horizon cost ranges") -> str:
    """P10-P90 bars with a P50 tick, each under its option's name (linear axis from zero)."""
    bar_h, pitch, top, bar_dy = 11.0, 38.0, 4.0, 18.0
    left, right = 0.0, WIDTH - 52
    ticks = nice_ticks(max((r.p90 for r in rows), default=0.0) or 1.0)
    scale = (right - left) / ticks[-1]
    plot_h = pitch * max(len(rows), 1)
    bands = [
        (top + i * pitch + bar_dy - 4, top + i * pitch + bar_dy + bar_h + 4)
        for i in range(len(rows))
    ]
    svg = Svg(WIDTH, 0, title)
    _value_ticks(svg, ticks, left, scale, bands, top + plot_h)
    for i, r in enumerate(rows):
        y = top + i * pitch
        label = r.label + (" (ruled out)" if r.muted else "")
        svg.text(
            left,
            y + 12,
            fit_text(label, WIDTH, LABEL, r.highlight),
            LABEL,
            bold=r.highlight,
            fill=MUTED if r.muted else INK,
        )
        colour = kind_colour(r.kind)
        bar_y = y + bar_dy
        a, b = left + r.p10 * scale, left + r.p90 * scale
        svg.rect(
            a,
            bar_y,
            max(b - a, 2.0),
            bar_h,
            colour,
            fill_opacity="0.15" if r.muted else "0.35",
            stroke=colour,
            stroke_opacity="0.5" if r.muted else None,
        )
        m = left + r.p50 * scale
        svg.line(m, bar_y - 2.5, m, bar_y + bar_h + 2.5, colour, stroke_width=2.5)
        svg.text(
            max(b, a + 2.0) + 4,
            bar_y + bar_h - 1.5,
            usd_short(r.p50),
            SMALL + 0.5,
            fill=INK,
            bold=r.highlight,
        )
    items = [(KIND_LABELS.get(k, k), kind_colour(k)) for k in _kinds(r.kind for r in rows)]
    y = _legend(svg, [*items, ("bar: P10 to P90, tick: P50", AXIS)], left, top + plot_h + 34, WIDTH)
    svg.height = y
    return svg.render()


def _kinds(kinds: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(kinds))


@dataclass(frozen=True)
class BarRow:
    label: str
    kind: str
    value: float
    highlight: bool = False
    note: str = ""


def comparison(rows: Sequence[BarRow], title: str) -> str:
    """A few horizontal bars, each under its label, coloured by option kind."""
    bar_h, pitch = 14.0, 36.0
    right = WIDTH - 120
    high = max((r.value for r in rows), default=0.0) or 1.0
    scale = right / high
    svg = Svg(WIDTH, pitch * max(len(rows), 1), title)
    for i, r in enumerate(rows):
        y = i * pitch
        svg.text(0, y + 12, fit_text(r.label, WIDTH, LABEL, r.highlight), LABEL, bold=r.highlight)
        w = max(r.value, 0.0) * scale
        svg.rect(
            0,
            y + 16,
            max(w, 1.0),
            bar_h,
            kind_colour(r.kind),
            fill_opacity="0.45" if r.note else None,
        )
        text = usd_short(r.value) + (f"  {r.note}" if r.note else "")
        svg.text(w + 5, y + 27, text, LABEL, bold=r.highlight)
    return svg.render()
