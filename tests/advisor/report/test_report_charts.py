"""SVG charts: well-formed, escaped, labels that fit, one palette."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from advisor.report import charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script><img src="file:///etc/passwd">'


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_breakdown_bars_are_well_formed_svg_with_one_colour_per_component() -> None:
    rows = [
        charts.StackRow(
            "1. Buy", (("api_tokens", "API tokens", 130.0), ("people", "People", 1578.0))
        ),
        charts.StackRow(
            "2. Rent", (("gpu_rental", "GPU rental", 1081.0), ("people", "People", 7890.0))
        ),
    ]
    svg = charts.cost_breakdown(rows)
    root = ET.fromstring(svg)
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert charts.COMPONENT_COLOURS["people"] in fills
    assert charts.COMPONENT_COLOURS["api_tokens"] == charts.KIND_COLOURS["api"]
    assert {"API tokens", "People", "GPU rental"} <= set(_texts(svg))
    assert float(root.get("height") or 0) > 0


def test_chart_text_is_escaped_so_labels_never_become_markup() -> None:
    svg = charts.comparison([charts.BarRow(HOSTILE, "api", 10.0)], title=HOSTILE)
    root = ET.fromstring(svg)  # parses: nothing was injected
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}img"))
    assert "<script>" not in svg
    assert any(HOSTILE[:20] in t for t in _texts(svg))


def test_long_labels_are_shortened_to_fit_the_width() -> None:
    text = "Hybrid: " + "very long model name " * 20
    fitted = charts.fit_text(text, 200, 10)
    assert fitted.endswith("…")
    assert charts.text_width(fitted, 10) <= 200
    assert charts.fit_text("short", 200, 10) == "short"


def test_crossover_marks_today_and_the_break_even_on_log_axes() -> None:
    xs = tuple(10.0**e for e in range(6, 12))
    api = charts.LineSeries("API", "api", tuple(x * 2e-6 for x in xs))
    build = charts.LineSeries("Build", "rented", tuple(20_000.0 + x * 1e-7 for x in xs))
    svg = charts.crossover(xs, [api, build], today=1e8, break_even=1.05e10, break_even_series=0)
    texts = _texts(svg)
    assert any(t.startswith("today") for t in texts)
    assert any(t.startswith("break-even") for t in texts)


def test_ticks_are_round_numbers_covering_the_data() -> None:
    assert charts.nice_ticks(14_000) == [0, 5_000, 10_000, 15_000]
    assert charts.log_ticks(1_000, 100_000) == [
        1_000,
        2_000,
        5_000,
        10_000,
        20_000,
        50_000,
        100_000,
    ]


def test_tornado_and_ranges_render_every_row() -> None:
    rows = [
        charts.TornadoRow("People", "0.8x to 1.25x", 46_000, 72_000, False),
        charts.TornadoRow("API prices", "50% to 92% a year", 60_000, 57_000, True, "flips to #2"),
    ]
    texts = _texts(charts.tornado(rows, 57_671))
    assert "People" in texts and "flips to #2" in texts
    ranges = [charts.RangeRow("1. Buy", "api", 50_000, 59_000, 66_000, True)]
    assert "$59.0k" in _texts(charts.ranges(ranges))


def test_the_decision_tornado_names_each_move_and_the_new_answer() -> None:
    from advisor.recommend.flip import DecisionFlip, FlipPoint
    from advisor.report.flip_chart import decision_tornado

    volume = DecisionFlip(
        "volume", "Request volume", "multiplier", 1.0, 0.5, 2.0,
        FlipPoint("down", None, 0.01, None, None),
        FlipPoint("up", 3.13, 100.0, 1.65, "Rent: Qwen3 8B on 4 x L40S"),
    )  # fmt: skip
    rate = DecisionFlip(
        "api_price", "API price decline per year", "api_decline", 0.9, 0.5, 0.92,
        FlipPoint("down", 0.6, 0.0, 0.75, "Own: Qwen3 8B on 2 x A100"),
        FlipPoint("up", None, 0.99, None, None),
    )  # fmt: skip
    never = DecisionFlip(
        "compliance", "Security and compliance review", "multiplier", 1.0, 0.3, 5.0,
        FlipPoint("down", None, 0.01, None, None),
        FlipPoint("up", None, 100.0, None, None),
    )  # fmt: skip
    svg = decision_tornado([volume, rate, never])
    assert "×3.13" in svg and "higher: Rent: Qwen3 8B on 4 x L40S" in svg
    assert "from 90% to 60% a year" in svg and "lower: Own: Qwen3 8B on 2 x A100" in svg
    assert "Security and compliance" not in svg  # it never changes the answer
    assert "No single input" in decision_tornado([never])
