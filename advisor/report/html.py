"""Render the report's HTML from the bundled Jinja templates (autoescaped, strict undefined).

Templates are read through :func:`advisor.paths.bundled` (``importlib.resources`` once
installed), so rendering works from a checkout, a wheel and a frozen app alike. User text is
only ever passed as data: autoescaping turns it into text, never into markup.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from advisor.report import charts
from advisor.report.format import FILTERS

if TYPE_CHECKING:
    from advisor.recommend.result import Evaluation
    from advisor.scenario.model import Scenario

TEMPLATE = "report.html.j2"


class BundledLoader(jinja2.BaseLoader):
    """Loads templates from the bundled ``templates`` folder, refusing paths that leave it."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        from advisor.paths import bundled

        parts = template.split("/")
        if any(part in ("", ".", "..") or "\\" in part for part in parts):
            raise jinja2.TemplateNotFound(template)
        node = bundled("templates")
        for part in parts:
            node = node / part
        if not node.is_file():
            raise jinja2.TemplateNotFound(template)
        return node.read_text(encoding="utf-8"), str(node), lambda: True


@functools.cache
def environment() -> jinja2.Environment:
    """The report's Jinja environment (made once; rendering from threads is safe)."""
    env = jinja2.Environment(
        loader=BundledLoader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    env.globals["palette"] = {
        "kinds": dict(charts.KIND_COLOURS),
        "components": dict(charts.COMPONENT_COLOURS),
    }
    env.globals["component_colour"] = charts.component_colour
    return env


def render_html(evaluation: Evaluation, scenario: Scenario, *, today: dt.date | None = None) -> str:
    """The report as one self-contained HTML document (styles inline, fonts relative).

    Args:
        evaluation: The evaluation of ``scenario``.
        scenario: The scenario as entered (the report quotes it).
        today: The date printed on the report (default: today).

    Returns:
        The HTML that :func:`advisor.report.write_pdf` renders.
    """
    from advisor.currency import exchange_rate
    from advisor.report.context import build_context
    from advisor.report.format import display_currency

    prefs = scenario.preferences
    rate = exchange_rate(prefs.currency, prefs.usd_per_currency_unit)
    # Every amount (tables, charts, the summary sentence) is shown in the scenario's currency.
    with display_currency(rate.symbol, rate.usd_per_unit):
        ctx = build_context(evaluation, scenario, today)
        data = ctx.as_dict()
        # Charts are SVG built (and escaped) by advisor.report.charts: markup by construction.
        data["charts"] = {name: Markup(svg) for name, svg in ctx.charts.items()}
        data["currency_note"] = rate.describe()
        data["currency_symbol"] = rate.symbol
        data["currency_source"] = rate.source if rate.basis in ("published", "derived") else ""
        return environment().get_template(TEMPLATE).render(**data)
