"""The report's summary sentence read back from a PDF's Subject, with the standard library."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfWriter

from advisor.mail.pdf_summary import summary_from_pdf


def _pdf(tmp_path: Path, subject: str | None, compress: bool) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    if subject is not None:
        writer.add_metadata({"/Subject": subject, "/Title": "Not the subject"})
    if compress:
        writer.compress_identical_objects()
    path = tmp_path / "report.pdf"
    with path.open("wb") as f:
        writer.write(f)
    return path


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "subject",
    [
        "Buy Google gemini 2.0 flash through Google's API: about $1,525 a month.",
        "Self-host Qwen3 8B (fp8) on 2 × NVIDIA A100 (your own (data) centre): €26,345 a month.",
        "Back\\slash, tab\tand £ signs",
    ],
)
def test_the_subject_written_by_another_pdf_library_is_read_back(
    tmp_path: Path, subject: str, compress: bool
) -> None:
    assert summary_from_pdf(_pdf(tmp_path, subject, compress)) == " ".join(subject.split())


def test_a_pdf_without_a_subject_or_not_a_pdf_gives_nothing(tmp_path: Path) -> None:
    assert summary_from_pdf(_pdf(tmp_path, None, False)) == ""
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\nstream\n\x00\x01garbage\nendstream\n")
    assert summary_from_pdf(junk) == ""
    assert summary_from_pdf(tmp_path / "missing.pdf") == ""


def test_pdfdoc_bytes_decode_as_another_pdf_library_decodes_them() -> None:
    from pypdf._codecs import pdfdoc

    from advisor.mail.pdf_summary import _text

    raw = bytes([*range(0x18, 0x20), *range(0x80, 0x9F), 0xA0, *range(0x20, 0x7F)])
    assert _text(raw) == "".join(pdfdoc._pdfdoc_encoding[b] for b in raw)
