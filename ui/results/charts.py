"""pyqtgraph charts of an evaluation: cost breakdown, crossover, decision tornado, uncertainty.

Imported only when the results page is first shown (pyqtgraph costs ~0.5 s to import).
Money axes read "$1.5k"/"$2M" and volume axes "120M" tokens a month (the report's own
formatters); legends sit under each plot, never over the data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from advisor.recommend.flip import DecisionFlip
from advisor.recommend.result import Evaluation
from advisor.report.format import si, usd_short

pg.setConfigOptions(background="w", foreground="#222222", antialias=True)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#444444"]
# Stacked components need more distinct fills than lines do.
FILLS = [*PALETTE, "#8C564B", "#9BD3AE", "#B07AA1", "#BAB0AC"]
KIND_SHORT = {"api": "API", "rented": "rent", "owned": "own", "hybrid": "hybrid"}
KIND_LABEL = {"api": "Buy", "rented": "Rent", "owned": "Own", "hybrid": "Hybrid"}
MAX_OPTIONS = 6
NEAR = "#D55E00"  # a plausible move changes the decision
FAR = "#0072B2"  # only a larger move does
TORNADO_CAP = 3.0  # bars are drawn up to three plausible moves; the text gives the value


def short(name: str, limit: int = 46) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def series_label(kind: str, option: str, limit: int = 60) -> str:
    """ "Rent: Qwen3 8B on …"; no "Hybrid: Hybrid: …" when the name already says the kind."""
    prefix = KIND_LABEL.get(kind, kind)
    if option.lower().startswith((prefix.lower(), kind.lower())):
        return short(option, limit)
    return short(f"{prefix}: {option}", limit)


class FormatAxis(pg.AxisItem):
    """An axis whose tick labels come from one of the report's formatters.

    In log mode it places ticks at powers of ten (with 2 and 5 between them when the range
    spans few decades), so labels never stack up the way pyqtgraph's minor log ticks did.
    """

    def __init__(self, orientation: str, fmt: Callable[[float], str]) -> None:
        super().__init__(orientation)
        self.fmt = fmt
        self.enableAutoSIPrefix(False)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)  # type: ignore[no-any-return]
        lo, hi = math.floor(minVal), math.ceil(maxVal)
        decades = [float(e) for e in range(lo, hi + 1) if minVal <= e <= maxVal]
        if hi - lo <= 3:
            steps = [e + math.log10(m) for e in range(lo, hi + 1) for m in (2, 5)]
            minor = [v for v in steps if minVal <= v <= maxVal]
            return [(1.0, decades), (0.5, minor)]
        return [(1.0, decades)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.logMode:
            return [self.fmt(10.0**v) for v in values]
        return [self.fmt(v * scale) for v in values]


def money_axis(orientation: str) -> FormatAxis:
    return FormatAxis(orientation, lambda v: usd_short(v) if v else "$0")


def volume_axis(orientation: str) -> FormatAxis:
    return FormatAxis(orientation, si)


def _plot(title: str, axes: dict[str, pg.AxisItem] | None = None) -> pg.PlotWidget:
    w = pg.PlotWidget(axisItems=axes or {})
    w.setTitle(title, size="10pt")
    w.showGrid(x=True, y=True, alpha=0.15)
    w.setMenuEnabled(False)
    # With its legend and the tab bar above it: room for five table rows on a 720-pixel screen.
    w.setMinimumHeight(160)
    return w


class Legend(QLabel):
    """Colour swatches with labels, wrapped under a plot (never over its bars or lines)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setObjectName("chartLegend")
        self.items: list[tuple[str, str]] = []
        self.note = ""

    def set_items(self, items: Sequence[tuple[str, str]], note: str = "") -> None:
        self.items, self.note = list(items), note
        swatches = " &nbsp; ".join(
            f"<span style='color:{c}'>■</span>&nbsp;{escape(label)}" for label, c in items
        )
        text = swatches + (f"<br><span style='color:#555555'>{escape(note)}</span>" if note else "")
        self.setText(text)


def _tab(plot: pg.PlotWidget, legend: Legend) -> QWidget:
    holder = QWidget()
    lay = QVBoxLayout(holder)
    lay.setContentsMargins(4, 2, 4, 2)
    lay.setSpacing(2)
    lay.addWidget(plot, 1)
    lay.addWidget(legend)
    return holder


class ChartsPanel(QTabWidget):
    """Four tabs of charts, redrawn from each new evaluation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.breakdown = _plot("Monthly cost by component", {"left": money_axis("left")})
        self.crossover = _plot(
            "Monthly cost (NPV average) as volume grows",
            {"left": money_axis("left"), "bottom": volume_axis("bottom")},
        )
        self.tornado = _plot("How far each input must move to change the answer")
        self.ranges = _plot(
            "Cost over the horizon: P10–P90, ◆ P50", {"bottom": money_axis("bottom")}
        )
        self.legends = {
            w: Legend() for w in (self.breakdown, self.crossover, self.tornado, self.ranges)
        }
        self.addTab(_tab(self.breakdown, self.legends[self.breakdown]), "Cost &breakdown")
        self.addTab(_tab(self.crossover, self.legends[self.crossover]), "C&rossover")
        self.addTab(_tab(self.tornado, self.legends[self.tornado]), "What &changes the answer")
        self.addTab(_tab(self.ranges, self.legends[self.ranges]), "&Uncertainty")

    def set_evaluation(self, ev: Evaluation | None) -> None:
        for w, legend in self.legends.items():
            w.clear()
            legend.set_items([])
        if ev is None:
            return
        self._draw_breakdown(ev)
        self._draw_crossover(ev)
        self._draw_tornado(ev)
        self._draw_ranges(ev)

    # --- stacked bars of cost parts -------------------------------------------------------
    def _draw_breakdown(self, ev: Evaluation) -> None:
        w = self.breakdown
        options = [o for o in ev.options if o.allowed][:MAX_OPTIONS]
        components: dict[str, str] = {}
        for o in options:
            for p in o.parts:
                components.setdefault(p.component, p.label)
        base = [0.0] * len(options)
        items = []
        for i, (comp, label) in enumerate(components.items()):
            heights = [
                float(sum((p.monthly_usd for p in o.parts if p.component == comp), start=0))
                for o in options
            ]
            colour = FILLS[i % len(FILLS)]
            w.addItem(
                pg.BarGraphItem(
                    x=list(range(len(options))),
                    y0=base,
                    height=heights,
                    width=0.6,
                    brush=colour,
                    pen=pg.mkPen("#ffffff", width=0.5),
                )
            )
            items.append((label, colour))
            base = [b + h for b, h in zip(base, heights, strict=True)]
        ax = w.getAxis("bottom")
        ax.setTicks(
            [[(i, f"#{o.rank} {KIND_SHORT.get(o.kind, o.kind)}") for i, o in enumerate(options)]]
        )
        w.setLabel("left", "USD per month")
        w.setXRange(-0.6, max(len(options), 1) - 0.4, padding=0)
        w.setYRange(0, max(base, default=1) * 1.05 or 1, padding=0)
        self.legends[w].set_items(items, "Bars: the top allowed options by rank (see the table).")

    # --- cost vs volume, log-log, with break-even ------------------------------------------
    def _draw_crossover(self, ev: Evaluation) -> None:
        w = self.crossover
        w.setLogMode(x=True, y=True)
        xs = ev.crossover.monthly_tokens
        items = []
        for i, s in enumerate(ev.crossover.series):
            pts = [(x, y) for x, y in zip(xs, s.monthly_cost_usd, strict=False) if x > 0 and y > 0]
            if not pts:
                continue
            colour = PALETTE[i % len(PALETTE)]
            w.plot(
                [p[0] for p in pts],
                [p[1] for p in pts],
                pen=pg.mkPen(colour, width=2.5),
                name=series_label(s.kind, s.option),
            )
            items.append((series_label(s.kind, s.option), colour))
        now = ev.break_even.current_monthly_tokens
        if now > 0:
            w.addItem(
                pg.InfiniteLine(
                    math.log10(now),
                    angle=90,
                    pen=pg.mkPen("#444444", style=Qt.PenStyle.DashLine),
                    label=f"today {si(now)}",
                    labelOpts={"position": 0.92, "color": "#444444"},
                )
            )
        be = ev.break_even.monthly_tokens
        if be is not None and be > 0:
            w.addItem(
                pg.InfiniteLine(
                    math.log10(be),
                    angle=90,
                    pen=pg.mkPen("#D55E00", width=2),
                    label=f"break-even {si(be)}",
                    labelOpts={"position": 0.8, "color": "#D55E00"},
                )
            )
        w.setLabel("bottom", "Tokens per month (log scale)")
        w.setLabel("left", "USD per month (log scale)")
        self.legends[w].set_items(items)

    # --- decision tornado -------------------------------------------------------------------
    def _draw_tornado(self, ev: Evaluation) -> None:
        w = self.tornado
        everything = list(ev.decision_flips)
        flips = [f for f in everything if f.nearest is not None][::-1]  # nearest at the top
        unchanged = [f.label for f in everything if f.nearest is None]
        lines = []
        for i, f in enumerate(flips):
            for point, sign in ((f.down, -1.0), (f.up, 1.0)):
                if point.ranges is None or point.new_choice is None:
                    continue
                length = min(point.ranges, TORNADO_CAP)
                x0, x1 = (0.0, length) if sign > 0 else (-length, 0.0)
                w.addItem(
                    pg.BarGraphItem(
                        x0=[x0],
                        x1=[x1],
                        y=[i],
                        height=0.6,
                        brush=NEAR if point.ranges <= 1.0 else FAR,
                        pen=pg.mkPen("#ffffff", width=0.5),
                    )
                )
                text = pg.TextItem(
                    f.describe(point), color="#222222", anchor=(0 if sign > 0 else 1, 0.5)
                )
                text.setPos(sign * (length + 0.05), i)
                w.addItem(text)
                lines.append(f"{f.label} {flip_text(f, point.direction)}")
        for edge in (-1.0, 1.0):
            w.addItem(
                pg.InfiniteLine(edge, angle=90, pen=pg.mkPen("#888888", style=Qt.PenStyle.DashLine))
            )
        w.addItem(pg.InfiniteLine(0.0, angle=90, pen=pg.mkPen("#222222")))
        w.getAxis("left").setTicks([[(i, f.label) for i, f in enumerate(flips)]])
        w.getAxis("bottom").setTicks(
            [
                [
                    (-3, "−3"),
                    (-2, "−2"),
                    (-1, "low end"),
                    (0, "today"),
                    (1, "high end"),
                    (2, "+2"),
                    (3, "+3"),
                ]
            ]
        )
        w.setLabel("bottom", "Move needed, in plausible moves (dashed: the low and high estimates)")
        w.setXRange(-TORNADO_CAP - 0.8, TORNADO_CAP + 0.8, padding=0)
        w.setYRange(-0.6, max(len(flips), 1) - 0.4, padding=0)
        if not flips:
            none = pg.TextItem(
                "No single input changes the answer", color="#555555", anchor=(0.5, 0.5)
            )
            none.setPos(0, 0)
            w.addItem(none)
        note = "; ".join(lines)
        if unchanged:
            note += (". " if note else "") + "No move up to ×100 (or over a rate's whole range) "
            note += "changes the answer for: " + ", ".join(unchanged) + "."
        self.legends[w].set_items(
            [("a plausible move changes the answer", NEAR), ("only a larger move does", FAR)], note
        )

    # --- P10-P90 ranges ---------------------------------------------------------------------
    def _draw_ranges(self, ev: Evaluation) -> None:
        w = self.ranges
        ranges = list(ev.uncertainty.ranges)[:MAX_OPTIONS][::-1]
        if not ranges:
            return
        for i, r in enumerate(ranges):
            color = PALETTE[0] if r.kind == "api" else PALETTE[1]
            w.addItem(
                pg.BarGraphItem(
                    x0=[float(r.p10)],
                    x1=[float(r.p90)],
                    y=[i],
                    height=0.45,
                    brush=pg.mkBrush(color),
                    pen=pg.mkPen(color),
                )
            )
        w.addItem(
            pg.ScatterPlotItem(
                x=[float(r.p50) for r in ranges],
                y=list(range(len(ranges))),
                symbol="d",
                size=12,
                brush="#222222",
                pen=pg.mkPen("#ffffff"),
            )
        )
        w.getAxis("left").setTicks(
            [[(i, series_label(r.kind, r.option, 40)) for i, r in enumerate(ranges)]]
        )
        w.setLabel("bottom", "USD over the horizon")
        w.setYRange(-0.6, len(ranges) - 0.4, padding=0)
        p = ev.uncertainty.probability_build_cheaper
        note = f"{ev.uncertainty.draws:,} simulated futures."
        if p is not None:
            note = f"Building is cheaper in {p:.0%} of {ev.uncertainty.draws:,} simulated futures."
        self.legends[w].set_items(
            [("buy (API)", PALETTE[0]), ("build or hybrid", PALETTE[1])], note
        )


def flip_text(flip: DecisionFlip, direction: str) -> str:
    """ "×2.40 → Rent: Qwen3 8B on …" for one end of a decision-tornado bar."""
    point = flip.down if direction == "down" else flip.up
    if point.new_choice is None:
        return ""
    return f"{flip.describe(point)} → {point.new_choice}"
