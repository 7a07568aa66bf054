"""Write the report as a PDF (WeasyPrint, imported on first use) with atomic file writes.

The PDF is rendered completely in memory first; only then are the files replaced, each through
a temporary file in the same folder. A failed render, a refused path or a cancelled progress
callback therefore leaves any previous report untouched and no temporary files behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.report.files import check_writable, write_atomically

if TYPE_CHECKING:
    from advisor.recommend.result import Evaluation
    from advisor.scenario.model import Scenario

Progress = Callable[[float, str], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportInfo:
    """What :func:`write_pdf` wrote, and how long it took.

    Attributes:
        path: The PDF written.
        html_path: The HTML written next to it, when asked for.
        pages: Page count of the PDF.
        size_bytes: Size of the PDF.
        seconds: Wall time of the whole call.
        weasyprint_seconds: The part spent in WeasyPrint (layout and PDF writing).
        fetched: URLs the renderer loaded (only bundled fonts and styles).
        refused: URLs the renderer asked for and was refused (normally none).
    """

    path: Path
    html_path: Path | None
    pages: int
    size_bytes: int
    seconds: float
    weasyprint_seconds: float
    fetched: tuple[str, ...]
    refused: tuple[str, ...]


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    seconds: float
    fetched: tuple[str, ...]
    refused: tuple[str, ...]


def _can_subset_fonts() -> bool:
    """Whether HarfBuzz-Subset is there (Debian: libharfbuzz-subset0) to subset the fonts.

    Without it WeasyPrint falls back to a slow, deprecated fontTools subsetter and logs a
    warning on every report; embedding the whole fonts instead (about 2 MB more) avoids both.
    """
    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is None:
        log.info("report: libharfbuzz-subset is not installed; embedding whole fonts")
        return False
    return True


def render_pdf(html: str, progress: Progress | None = None) -> RenderedPdf:
    """Render report HTML to PDF bytes with fetching limited to our bundled files.

    Args:
        html: The document (from :func:`advisor.report.render_html`).
        progress: Called with (fraction of this step, message) as layout and writing advance.

    Returns:
        The PDF bytes, page count, WeasyPrint time and the URLs fetched and refused.
    """
    from weasyprint import HTML

    from advisor.paths import bundled_path
    from advisor.report.fetcher import BundledFilesFetcher

    root = bundled_path("templates")
    fetcher = BundledFilesFetcher(root)
    start = time.perf_counter()
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).render()
    if progress is not None:
        progress(0.75, f"Writing {len(document.pages)} pages")
    data = document.write_pdf(full_fonts=not _can_subset_fonts())
    assert isinstance(data, bytes)
    return RenderedPdf(
        data,
        len(document.pages),
        time.perf_counter() - start,
        tuple(fetcher.fetched),
        tuple(fetcher.refused),
    )


def write_pdf(
    evaluation: Evaluation,
    scenario: Scenario,
    path: Path | str,
    html_path: Path | str | None = None,
    progress: Progress | None = None,
    *,
    today: dt.date | None = None,
) -> ReportInfo:
    """Render the recommendation report and write it as a PDF (and the HTML, if asked).

    Safe to call from a worker thread. Nothing is written until the whole PDF is in memory, and
    each file is replaced atomically, so a failure leaves earlier files as they were.

    Args:
        evaluation: The evaluation of ``scenario``.
        scenario: The scenario as entered.
        path: Where to write the PDF.
        html_path: Where to write the exact HTML that was rendered (optional).
        progress: Called as ``progress(fraction, message)`` with fraction from 0 to 1; an
            exception raised by it cancels the report (nothing is written).
        today: The date printed on the report (default: today).

    Returns:
        What was written, with page count and timings.

    Raises:
        InputError: a path cannot be written (missing folder, no permission).
    """
    from advisor.report.html import render_html

    start = time.perf_counter()

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    pdf_path = check_writable(path, "PDF")
    html_out = check_writable(html_path, "HTML") if html_path is not None else None
    report(0.0, "Preparing the report")
    html = render_html(evaluation, scenario, today=today)
    report(0.1, "Laying out the pages")
    rendered = render_pdf(html, report)
    report(0.95, "Saving")
    # Both files are written before either replaces its old version: a kill leaves the old
    # pair or the new pair, never a new PDF beside an old HTML.
    also = [(html_out, html.encode("utf-8"))] if html_out is not None else []
    write_atomically(pdf_path, rendered.data, *also)
    report(1.0, f"Wrote {rendered.pages} pages")
    return ReportInfo(
        path=pdf_path,
        html_path=html_out,
        pages=rendered.pages,
        size_bytes=len(rendered.data),
        seconds=time.perf_counter() - start,
        weasyprint_seconds=rendered.seconds,
        fetched=rendered.fetched,
        refused=rendered.refused,
    )


__all__ = ["ReportInfo", "render_pdf", "write_pdf"]
