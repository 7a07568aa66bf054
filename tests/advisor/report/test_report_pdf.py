"""The PDF read back: pages, metadata, the summary's figures, working contents links, layout."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from advisor.recommend.summary import summary_sentence
from advisor.report.format import usd

from .conftest import EXAMPLE_NAMES, Examples


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_pdf_has_its_pages_metadata_and_the_summary_figures(examples: Examples, name: str) -> None:
    rendered = examples.render(name)
    _, ev = examples.scenario_and_evaluation(name)
    reader = _reader(rendered.pdf)
    assert len(reader.pages) == rendered.info.pages
    assert 12 <= len(reader.pages) <= 30  # the EU insurer: 61 exclusions in the appendix
    meta = reader.metadata
    assert meta is not None
    assert meta.title == f"LLM sourcing recommendation: {ev.scenario_name}"
    assert meta.author == ev.organisation
    # The PDF's Subject is the one summary sentence (advisor email reads it back).
    assert meta.subject == summary_sentence(ev)
    cover = _flat(reader.pages[0].extract_text())
    assert _flat(summary_sentence(ev)) in cover
    summary = _flat(reader.pages[2].extract_text())
    assert "Executive summary" in summary
    rec = ev.recommendation
    assert f"{usd(rec.monthly_cost_usd)} a month" in summary
    assert usd(rec.horizon_cost_usd) in summary
    runner = next(o for o in ev.options if o.allowed and o is not rec)
    assert usd(runner.monthly_cost_usd) in summary


def test_contents_entries_link_to_their_pages_with_page_numbers(examples: Examples) -> None:
    reader = _reader(examples.render("legal-tech-startup").pdf)
    contents = reader.pages[1]
    links = [a.get_object() for a in contents.get("/Annots", [])]
    links = [a for a in links if a.get("/Subtype") == "/Link"]
    assert len(links) >= 9
    text = _flat(contents.extract_text())
    entries = re.findall(r"(\d) ([A-Z][a-z][^.]*?) ?\.{3,} ?(\d+)", text)
    assert [int(n) for n, _, _ in entries] == list(range(1, 10)), text
    for number, title, page in entries:
        assert f"{number} {title}" in _flat(reader.pages[int(page) - 1].extract_text())


def test_the_bundled_font_is_embedded(examples: Examples) -> None:
    reader = _reader(examples.render("media-batch-classification").pdf)
    fonts = {}
    for page in reader.pages[:3]:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    # Named after the @font-face family; embedded (subset), never a system font.
    assert fonts and all("Report-Sans" in name for name in fonts), fonts
    assert all(fonts.values())


def _layout_overflows(document: Any) -> list[tuple[int, str, float]]:
    """Text or images reaching past their table cell or the page's text block."""
    from weasyprint.formatting_structure import boxes

    out: list[tuple[int, str, float]] = []

    def walk(box: Any, limit: float, page: int) -> None:
        if isinstance(box, boxes.TableCellBox):
            limit = min(limit, box.position_x + box.margin_width())
        if isinstance(box, boxes.TextBox | boxes.ReplacedBox):
            right = box.position_x + box.margin_width()
            if right > limit + 0.5:
                out.append((page, getattr(box, "text", type(box).__name__)[:40], right - limit))
        for child in getattr(box, "children", ()):
            walk(child, limit, page)

    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        walk(box, box.margin_width() - box.margin_right + 0.5, number)
    return out


def _document(html: str) -> Any:
    from weasyprint import HTML

    from advisor.paths import bundled_path
    from advisor.report.fetcher import BundledFilesFetcher

    root = bundled_path("templates")
    fetcher = BundledFilesFetcher(root)
    return HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).render()


def test_example_layout_keeps_every_text_inside_its_cell_and_the_page(examples: Examples) -> None:
    assert _layout_overflows(_document(examples.render("bank-on-premises").html)) == []


def test_long_text_and_huge_numbers_wrap_or_abbreviate_instead_of_overflowing(
    examples: Examples, evaluate_scenario: Any
) -> None:
    from advisor.report import render_html

    scenario, _ = examples.scenario_and_evaluation("legal-tech-startup")
    workload = dataclasses.replace(
        scenario.workload,
        requests_per_day=1e10,
        input_tokens_per_request=100_000,
        context_tokens=131_072,
    )
    scenario = dataclasses.replace(
        scenario,
        name="W" * 200,
        organisation="Org" + "x" * 197,
        notes=("Supercalifragilistic" * 30 + " ") * 33,
        workload=workload,
    )
    ev = evaluate_scenario(scenario)
    html = render_html(ev, scenario)
    assert "(Shortened here: the full notes" in html
    assert "bn" in html  # billions of dollars are abbreviated, not printed in full
    document = _document(html)
    assert _layout_overflows(document) == []
    reader = _reader(document.write_pdf())
    assert len(reader.pages) <= 24
    assert reader.metadata.title.endswith("W" * 200)


def test_the_cli_email_subject_is_the_reports_summary_sentence(examples: Examples) -> None:
    from advisor.mail import compose, default_subject

    rendered = examples.render("online-retailer-chatbot")
    _, ev = examples.scenario_and_evaluation("online-retailer-chatbot")
    mail = compose(rendered.path, "cfo@example.com")
    assert mail.subject == default_subject(summary_sentence(ev))
    vendor = ev.recommendation.routes[0].vendor if ev.recommendation.routes else ""
    assert vendor and vendor in mail.subject and "API" in mail.subject
