"""The report's decision tornado: how far each input must move to change the answer (SVG)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from advisor.recommend.flip import DecisionFlip, FlipPoint
from advisor.recommend.result import Evaluation
from advisor.report.charts import ALERT, AXIS, GRID, INK, MUTED, WIDTH, Svg, _legend, fit_text

CAP = 3.0  # bars are drawn up to three plausible moves; the text gives the value
FAR = "#1f3a5f"


def _points(f: DecisionFlip) -> list[tuple[FlipPoint, float]]:
    return [(p, s) for p, s in ((f.down, -1.0), (f.up, 1.0)) if p.new_choice is not None]


def decision_tornado(flips: Sequence[DecisionFlip], title: str = "What changes the answer") -> str:
    """Bars left (input lower) and right (input higher) of today, as long as the move needed.

    Args:
        flips: The evaluation's decision flips (those that never change the answer are skipped).
        title: The SVG's title.

    Returns:
        An SVG document.
    """
    rows = [f for f in flips if f.nearest is not None]
    label_w, pitch, bar_h, top = 190.0, 34.0, 13.0, 22.0
    left, right = label_w + 10, WIDTH - 6
    centre = (left + right) / 2
    half = (right - left) / 2 - 46  # room for the value text at a capped bar

    def px(moves: float) -> float:
        return centre + max(-CAP, min(CAP, moves)) / CAP * half

    svg = Svg(WIDTH, 0, title)
    if not rows:
        svg.text(WIDTH / 2, 30, "No single input, moved up to ×100, changes the answer", 10.5,
                 "middle", MUTED)  # fmt: skip
        svg.height = 44
        return svg.render()
    plot_h = pitch * len(rows)
    for edge, text in ((-1.0, "low end"), (0.0, "today"), (1.0, "high end")):
        x = px(edge)
        svg.line(x, top - 4, x, top + plot_h, INK if edge == 0 else AXIS,
                 stroke_dasharray=None if edge == 0 else "3 3")  # fmt: skip
        svg.text(x, top - 8, text, 9.0, "middle", MUTED)
    for i, f in enumerate(rows):
        y = top + i * pitch
        svg.line(left, y + pitch - 2, right, y + pitch - 2, GRID)
        svg.text(0, y + 14, fit_text(f.label, label_w, 10.5), 10.5, fill=INK)
        changes = []
        for point, sign in _points(f):
            moves = point.ranges or 0.0
            x0, x1 = sorted((px(0.0), px(sign * moves)))
            colour = ALERT if moves <= 1.0 else FAR
            svg.rect(x0, y + 4, max(x1 - x0, 1.0), bar_h, colour)
            tx = x1 + 4 if sign > 0 else x0 - 4
            svg.text(tx, y + 14, f.describe(point), 9.0, "start" if sign > 0 else "end", INK)
            changes.append(f"{'lower' if sign < 0 else 'higher'}: {point.new_choice}")
        svg.text(0, y + 27, fit_text("; ".join(changes), WIDTH, 8.5), 8.5, fill=MUTED)
    y = _legend(
        svg,
        [("a move within the plausible range changes the answer", ALERT),
         ("only a larger move does", FAR)],
        0,
        top + plot_h + 16,
        WIDTH,
    )  # fmt: skip
    svg.height = y
    return svg.render()


def flip_rows(ev: Evaluation) -> list[dict[str, Any]]:
    """One table row per direction that changes the answer, nearest first."""
    out = []
    for f in ev.decision_flips:
        for point, _sign in _points(f):
            out.append(
                {
                    "label": f.label,
                    "direction": "lower" if point.direction == "down" else "higher",
                    "move": f.describe(point),
                    "within": point.ranges is not None and point.ranges <= 1.0,
                    "new_choice": point.new_choice,
                }
            )
    return out


def unchanged(ev: Evaluation) -> list[str]:
    """Inputs that change nothing however far they move (up to ×100, or a rate's range)."""
    return [f.label for f in ev.decision_flips if f.nearest is None]
