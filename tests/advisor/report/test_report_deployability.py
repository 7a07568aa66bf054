"""The report's risk register and its appendix of what was left out, and why."""

from __future__ import annotations

from html import unescape

from pypdf import PdfReader

from .conftest import Examples

INSURER = "eu-insurer-claims"


def test_the_appendix_lists_every_exclusion_with_its_reason(examples: Examples) -> None:
    _, ev = examples.scenario_and_evaluation(INSURER)
    html = unescape(examples.render(INSURER).html)
    assert 'id="excluded"' in html and "Appendix: what was left out, and why" in html
    assert ev.exclusions
    for x in ev.exclusions:
        assert x.reason in html, x.item
    assert "No Datacenter Deployment" in html  # the consumer-GPU clause
    assert "individual community hosts" in html or "not pinned to the EU" in html


def test_the_pdf_appendix_page_names_the_rules(examples: Examples) -> None:
    rendered = examples.render(INSURER)
    text = "\n".join(p.extract_text() for p in PdfReader(rendered.path).pages)
    assert "Appendix: what was left out, and why" in text
    for rule in ("Data residency", "Hardware licence", "Model licence"):
        assert rule in text


def test_the_risk_register_table_shows_likelihood_impact_and_mitigation(
    examples: Examples,
) -> None:
    _, ev = examples.scenario_and_evaluation(INSURER)
    html = unescape(examples.render(INSURER).html)
    assert "Risk register" in html
    for r in ev.risk_register:
        assert r.text in html and r.mitigation in html
        assert f"{r.likelihood.label} / {r.impact.label}" in html


def test_a_scenario_with_nothing_excluded_has_no_appendix(examples: Examples) -> None:
    _, ev = examples.scenario_and_evaluation("source-argument")
    html = examples.render("source-argument").html
    assert ('id="excluded"' in html) is bool(ev.exclusions)
