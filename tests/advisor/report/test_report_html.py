"""The report's HTML: every section, the recommendation's own numbers, sources, assumptions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html import unescape

import pytest

from advisor.report import render_html
from advisor.report.format import pct, tokens, usd
from advisor.report.html import BundledLoader, environment

from .conftest import EXAMPLE_NAMES, Examples

SECTIONS = (
    "summary",
    "scenario",
    "options",
    "break-even",
    "capacity",
    "capability",
    "sensitivity",
    "risks",
    "method",
)


def _section(html: str, ident: str) -> str:
    match = re.search(rf'<section class="chapter[^"]*" id="{ident}">(.*?)</section>', html, re.S)
    assert match, f"no section {ident}"
    return unescape(match.group(1))


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_section_is_present_and_listed_in_the_contents(examples: Examples, name: str) -> None:
    html = examples.render(name).html
    for ident in SECTIONS:
        assert f'id="{ident}"' in html
        assert f'<a href="#{ident}">' in html
    assert html.count('<section class="chapter') == len(SECTIONS)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_executive_summary_shows_the_evaluations_own_figures(examples: Examples, name: str) -> None:
    _, ev = examples.scenario_and_evaluation(name)
    summary = _text(_section(examples.render(name).html, "summary"))
    rec = ev.recommendation
    assert rec is not None
    assert f"{usd(rec.monthly_cost_usd)} a month" in summary
    assert usd(rec.horizon_cost_usd) in summary
    runner = next(o for o in ev.options if o.allowed and o is not rec)
    assert usd(runner.monthly_cost_usd) in summary
    if ev.break_even.monthly_tokens is not None:
        assert f"{tokens(ev.break_even.monthly_tokens)} tokens" in summary
    prob = ev.uncertainty.probability_build_cheaper
    assert (pct(prob) if prob is not None else "n/a") in summary
    for bar in [b for b in ev.sensitivity if b.flips][:3] or ev.sensitivity[:3]:
        assert bar.label in summary


def test_options_table_lists_every_option_with_its_costs(examples: Examples) -> None:
    _, ev = examples.scenario_and_evaluation("bank-on-premises")
    options = _text(_section(examples.render("bank-on-premises").html, "options"))
    for o in ev.options:
        assert o.name in options
        assert usd(o.horizon_cost_usd) in options
        assert usd(o.cost_per_million_tokens_usd, cents=True) in options
        if not o.allowed:
            assert f"Ruled out: {o.not_allowed_reason}" in options


def test_method_lists_every_source_and_marks_assumptions(examples: Examples) -> None:
    _, ev = examples.scenario_and_evaluation("legal-tech-startup")
    html = examples.render("legal-tech-startup").html
    method = _section(html, "method")
    for what, source, as_of in ev.sources:
        assert what in method and source in method and as_of in method
    assumed = [i for i in ev.inputs if i.basis == "assumption"]
    assert assumed
    rows = re.findall(r'<tr class="assumed">(.*?)</tr>', method, re.S)
    assert len(rows) == len(assumed)
    for row in rows:
        assert '<span class="badge assumption">assumption</span>' in row
    # The same assumptions are marked where the scenario is shown.
    scenario = _section(html, "scenario")
    for item in assumed:
        assert item.label in scenario


def test_metadata_for_the_pdf_comes_from_the_head(examples: Examples) -> None:
    _, ev = examples.scenario_and_evaluation("media-batch-classification")
    head = examples.render("media-batch-classification").html.split("</head>")[0]
    assert f"<title>LLM sourcing recommendation: {ev.scenario_name}</title>" in head
    assert f'<meta name="author" content="{ev.organisation}">' in head
    # The PDF's Subject is the one summary sentence (what `advisor email` offers as subject).
    from advisor.recommend.summary import summary_sentence

    assert f'<meta name="description" content="{summary_sentence(ev)}">' in unescape(head)


def test_styles_load_the_bundled_font_by_a_relative_url(examples: Examples) -> None:
    html = examples.render("source-argument").html
    assert 'src: url("fonts/DejaVuSansCondensed.ttf")' in html
    assert (
        "file:" not in html
        and "http://"
        not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").split("<body>")[0]
    )


def test_hostile_text_is_escaped_never_markup(examples: Examples) -> None:
    scenario, ev = examples.scenario_and_evaluation("legal-tech-startup")
    hostile = '<script>alert(1)</script><img src="file:///etc/passwd">'
    ev2 = dataclasses.replace(ev, scenario_name=hostile, organisation=hostile)
    html = render_html(ev2, dataclasses.replace(scenario, notes=hostile), today=dt.date(2026, 1, 2))
    assert "<script" not in html and "<img" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    )


def test_report_date_is_printed_as_given(examples: Examples) -> None:
    scenario, ev = examples.scenario_and_evaluation("legal-tech-startup")
    html = render_html(ev, scenario, today=dt.date(2026, 3, 4))
    assert "4 March 2026" in html
    assert '<meta name="dcterms.created" content="2026-03-04">' in html


def test_templates_are_strict_and_autoescaped() -> None:
    env = environment()
    assert env.autoescape is True
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()
    with pytest.raises(Exception, match=r"pyproject"):
        BundledLoader().get_source(env, "../pyproject.toml")


def test_many_warnings_are_summarised_and_all_listed_in_the_method(examples: Examples) -> None:
    scenario, ev = examples.scenario_and_evaluation("media-batch-classification")
    warnings = tuple(f"warning number {i}" for i in range(1, 7))
    html = render_html(dataclasses.replace(ev, warnings=warnings), scenario)
    summary, method = _section(html, "summary"), _section(html, "method")
    assert "warning number 3" in summary and "warning number 4" not in summary
    assert "and 3 more: see section 9." in _text(summary)
    assert all(w in method for w in warnings)


def test_a_scenario_without_any_allowed_option_still_renders(examples: Examples) -> None:
    scenario, ev = examples.scenario_and_evaluation("bank-on-premises")
    options = tuple(
        dataclasses.replace(o, allowed=False, not_allowed_reason="test") for o in ev.options
    )
    ev = dataclasses.replace(ev, options=options, recommendation=None)
    summary = _text(_section(render_html(ev, scenario), "summary"))
    assert "No option meets the constraints" in summary


def test_cover_and_sources_say_data_as_of_and_where_the_prices_come_from(
    examples: Examples,
) -> None:
    """The same three statements as the About box and catalog check, from the evaluation."""
    scenario, ev = examples.scenario_and_evaluation("legal-tech-startup")
    sources = (
        ("Data as of", "2026-11-29 (newest date in the reviewed catalog data)"),
        ("API prices", "genai-prices data of 2099-01-02, downloaded 2099-01-03 from https://m/x"),
        ("Cloud GPU prices", "the reviewed catalog data"),
    )
    html = render_html(dataclasses.replace(ev, price_sources=sources), scenario)
    text = _text(unescape(html))
    for what, statement in sources:
        assert f"{what} {statement}" in text  # the cover's table
    assert (
        "Data as of 2026-11-29 (newest date in the reviewed catalog data). API prices: "
        "genai-prices data of 2099-01-02, downloaded 2099-01-03 from https://m/x. "
        "Cloud GPU prices: the reviewed catalog data."
    ) in _text(_section(html, "method"))
    assert [what for what, _ in ev.price_sources] == [what for what, _ in sources]


def test_the_team_table_shows_each_roles_loaded_cost_also_from_the_catalog(
    examples: Examples,
) -> None:
    scenario, ev = examples.scenario_and_evaluation("online-retailer-chatbot")
    html = examples.render("online-retailer-chatbot").html
    assert len(ev.role_costs_usd) == len(scenario.team.roles) > 0
    for role, cost in zip(scenario.team.roles, ev.role_costs_usd, strict=True):
        assert role.monthly_cost_usd is None  # the example leaves them to the catalog
        assert cost > 0
        cell = re.search(rf'<td class="num">{re.escape(usd(cost))}<br><span class="badge', html)
        assert cell is not None, usd(cost)


def test_a_report_in_euros_states_the_rate_and_shows_euro_amounts(examples: Examples) -> None:
    from advisor.currency import exchange_rate
    from advisor.recommend.summary import summary_sentence
    from advisor.report.format import display_currency

    scenario, ev = examples.scenario_and_evaluation("online-retailer-chatbot")
    prefs = dataclasses.replace(scenario.preferences, currency="EUR")
    html = unescape(render_html(ev, dataclasses.replace(scenario, preferences=prefs)))
    rate = exchange_rate("EUR")
    assert rate.describe() in html and rate.source in html
    with display_currency("€", rate.usd_per_unit):
        sentence = summary_sentence(ev)
        monthly = usd(ev.recommendation.monthly_cost_usd)
    assert monthly.startswith("€") and sentence in html and monthly in html
    assert usd(ev.recommendation.monthly_cost_usd) not in html  # no dollar amount left for it
