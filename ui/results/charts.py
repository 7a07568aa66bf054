"""pyqtgraph charts of an evaluation: cost breakdown, crossover, tornado, uncertainty ranges.

Imported only when the results page is first shown (pyqtgraph costs ~0.5 s to import).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from advisor.recommend.result import Evaluation

pg.setConfigOptions(background="w", foreground="#222222", antialias=True)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#444444"]
# Stacked components need more distinct fills than lines do.
FILLS = [*PALETTE, "#8C564B", "#9BD3AE", "#B07AA1", "#BAB0AC"]
KIND_SHORT = {"api": "API", "rented": "rent", "owned": "own", "hybrid": "hybrid"}
MAX_OPTIONS = 6


def short(name: str, limit: int = 46) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _plot(title: str) -> pg.PlotWidget:
    w = pg.PlotWidget()
    w.setTitle(title, size="11pt")
    w.showGrid(x=True, y=True, alpha=0.15)
    w.setMenuEnabled(False)
    w.setMinimumHeight(200)  # leaves room for five table rows on a 720-pixel screen
    return w


class ChartsPanel(QTabWidget):
    """Four tabs of charts, redrawn from each new evaluation."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.breakdown = _plot("Monthly cost by component (top options)")
        self.crossover = _plot("Monthly cost as volume grows")
        self.tornado = _plot("What moves the cost of the recommendation")
        self.ranges = _plot("Cost over the horizon: P10–P90 range and P50")
        self.addTab(self.breakdown, "Cost &breakdown")
        self.addTab(self.crossover, "C&rossover")
        self.addTab(self.tornado, "&Sensitivity")
        self.addTab(self.ranges, "&Uncertainty")
        self._legends: dict[int, pg.LegendItem] = {}

    def set_evaluation(self, ev: Evaluation | None) -> None:
        for w in (self.breakdown, self.crossover, self.tornado, self.ranges):
            w.clear()
            legend = w.getPlotItem().legend
            if legend is not None:
                legend.clear()
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
        if w.getPlotItem().legend is None:
            w.addLegend(offset=(10, 5), labelTextSize="9pt", colCount=4)
        base = [0.0] * len(options)
        for i, (comp, label) in enumerate(components.items()):
            heights = [
                float(sum((p.monthly_usd for p in o.parts if p.component == comp), start=0))
                for o in options
            ]
            bars = pg.BarGraphItem(
                x=list(range(len(options))),
                y0=base,
                height=heights,
                width=0.6,
                brush=FILLS[i % len(FILLS)],
                pen=pg.mkPen("#ffffff", width=0.5),
                name=label,
            )
            w.addItem(bars)
            base = [b + h for b, h in zip(base, heights, strict=True)]
        ax = w.getAxis("bottom")
        ax.setTicks(
            [[(i, f"#{o.rank} {KIND_SHORT.get(o.kind, o.kind)}") for i, o in enumerate(options)]]
        )
        w.setLabel("left", "Monthly cost", units="USD")
        w.setXRange(-0.6, max(len(options), 1) - 0.4, padding=0)
        # Head-room above the tallest bar keeps the legend clear of the bars.
        w.setYRange(0, max(base, default=1) * 1.45 or 1, padding=0)

    # --- cost vs volume, log-log, with break-even ------------------------------------------
    def _draw_crossover(self, ev: Evaluation) -> None:
        w = self.crossover
        if w.getPlotItem().legend is None:
            w.addLegend(offset=(10, 10), labelTextSize="9pt")
        w.setLogMode(x=True, y=True)
        xs = ev.crossover.monthly_tokens
        for i, s in enumerate(ev.crossover.series):
            pts = [(x, y) for x, y in zip(xs, s.monthly_cost_usd, strict=False) if x > 0 and y > 0]
            if not pts:
                continue
            w.plot(
                [p[0] for p in pts],
                [p[1] for p in pts],
                pen=pg.mkPen(PALETTE[i % len(PALETTE)], width=2.5),
                name=short(f"{KIND_SHORT.get(s.kind, s.kind)}: {s.option}", 60),
            )
        now = ev.break_even.current_monthly_tokens
        if now > 0:
            w.addItem(
                pg.InfiniteLine(
                    math.log10(now),
                    angle=90,
                    pen=pg.mkPen("#444444", style=Qt.PenStyle.DashLine),
                    label="your volume",
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
                    label="break-even",
                    labelOpts={"position": 0.8, "color": "#D55E00"},
                )
            )
        w.setLabel("bottom", "Tokens per month")
        w.setLabel("left", "Monthly cost (USD)")

    # --- tornado ----------------------------------------------------------------------------
    def _draw_tornado(self, ev: Evaluation) -> None:
        w = self.tornado
        bars = sorted(ev.sensitivity, key=lambda b: abs(float(b.high_cost_usd - b.low_cost_usd)))
        if not bars:
            return
        for i, b in enumerate(bars):
            lo, hi = sorted((float(b.low_cost_usd), float(b.high_cost_usd)))
            w.addItem(
                pg.BarGraphItem(
                    x0=[lo],
                    x1=[max(hi, lo + 1e-9)],
                    y=[i],
                    height=0.6,
                    brush="#D55E00" if b.flips else "#0072B2",
                    pen=pg.mkPen("#ffffff", width=0.5),
                )
            )
        if ev.recommendation is not None:
            w.addItem(
                pg.InfiniteLine(
                    float(ev.recommendation.horizon_cost_usd),
                    angle=90,
                    pen=pg.mkPen("#444444", style=Qt.PenStyle.DashLine),
                )
            )
        w.getAxis("left").setTicks(
            [[(i, b.label + (" (flips)" if b.flips else "")) for i, b in enumerate(bars)]]
        )
        w.setLabel("bottom", "Cost of today's choice over the horizon", units="USD")
        w.setYRange(-0.6, len(bars) - 0.4, padding=0)

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
            [
                [
                    (i, short(f"{KIND_SHORT.get(r.kind, r.kind)}: {r.option}", 40))
                    for i, r in enumerate(ranges)
                ]
            ]
        )
        p = ev.uncertainty.probability_build_cheaper
        title = "Cost over the horizon: P10–P90 range, ◆ P50"
        if p is not None:
            title += f" — building is cheaper in {p:.0%} of {ev.uncertainty.draws:,} draws"
        w.setTitle(title, size="11pt")
        w.setLabel("bottom", "Cost over the horizon", units="USD")
        w.setYRange(-0.6, len(ranges) - 0.4, padding=0)
