"""Read the report's one-sentence summary back from its PDF (the document's Subject).

The report writes :func:`advisor.recommend.summary.summary_sentence` into the PDF's metadata,
so ``advisor email report.pdf`` offers the same subject as the app, without the scenario.
"""

from __future__ import annotations

from pathlib import Path


def summary_from_pdf(path: Path) -> str:
    """The PDF's Subject (the report's summary sentence), or "" when it has none or is unreadable.

    Args:
        path: The report PDF.

    Returns:
        The sentence on one line, or "".
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        meta = PdfReader(path).metadata
    except (OSError, PdfReadError, ValueError):
        return ""
    subject = meta.subject if meta is not None else None
    return " ".join(str(subject).split()) if subject else ""
