"""The recommendation report (PDF through WeasyPrint) and the spreadsheet export (xlsx).

The GUI and the CLI call these three functions; each is safe to call from a worker thread.
Heavy libraries (WeasyPrint, openpyxl) are imported on first use, so ``import advisor.report``
stays cheap.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.report.pdf import Progress, ReportInfo

if TYPE_CHECKING:
    from advisor.recommend.result import Evaluation
    from advisor.scenario.model import Scenario


def render_html(evaluation: Evaluation, scenario: Scenario, *, today: dt.date | None = None) -> str:
    """The report as HTML: the exact document :func:`write_pdf` renders.

    Args:
        evaluation: The evaluation of ``scenario``.
        scenario: The scenario as entered.
        today: The date printed on the report (default: today).

    Returns:
        One HTML document with inline styles and inline SVG charts.
    """
    from advisor.report.html import render_html as _render_html

    return _render_html(evaluation, scenario, today=today)


def write_pdf(
    evaluation: Evaluation,
    scenario: Scenario,
    path: Path | str,
    html_path: Path | str | None = None,
    progress: Progress | None = None,
    *,
    today: dt.date | None = None,
) -> ReportInfo:
    """Write the PDF report atomically (and the rendered HTML when ``html_path`` is given).

    Args:
        evaluation: The evaluation of ``scenario``.
        scenario: The scenario as entered.
        path: Where to write the PDF.
        html_path: Where to write the HTML that was rendered (optional).
        progress: Optional ``callable(fraction, message)``, fraction from 0 to 1; raising from
            it cancels the report and writes nothing.
        today: The date printed on the report (default: today).

    Returns:
        The paths written, page count, size, timings and the URLs fetched and refused.

    Raises:
        InputError: a path cannot be written.
    """
    from advisor.report.pdf import write_pdf as _write_pdf

    return _write_pdf(evaluation, scenario, path, html_path, progress, today=today)


def write_xlsx(evaluation: Evaluation, scenario: Scenario, path: Path | str) -> Path:
    """Write the spreadsheet export atomically: inputs, monthly cost lines, crossover, sources.

    Totals are real formulas (``=SUM(...)``) over monthly cells that are themselves formulas of
    the month-one amounts and the growth and price-trend drivers, so an analyst can change a
    cell and see the effect.

    Args:
        evaluation: The evaluation of ``scenario``.
        scenario: The scenario as entered.
        path: Where to write the ``.xlsx`` workbook.

    Returns:
        The path written.

    Raises:
        InputError: the path cannot be written.
    """
    from advisor.report.xlsx import write_xlsx as _write_xlsx

    return _write_xlsx(evaluation, scenario, path)


__all__ = ["Progress", "ReportInfo", "render_html", "write_pdf", "write_xlsx"]
