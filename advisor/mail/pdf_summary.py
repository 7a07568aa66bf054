"""Read the report's one-sentence summary back from its PDF (the document's Subject).

The report writes :func:`advisor.recommend.summary.summary_sentence` into the PDF's metadata,
so ``advisor email report.pdf`` offers the same subject as the app, without the scenario.
Only the standard library is used: the Info dictionary is found in the file as written or in
its Flate-compressed object streams, and its Subject decoded (literal or UTF-16 hex string).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

MAX_PDF_BYTES = 64 * 1024 * 1024  # a report is a few hundred kB; do not read huge files
_STREAM = re.compile(rb"stream\r?\n")
_SUBJECT = re.compile(rb"/Subject\s*(\(|<)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
# PDFDocEncoding (PDF 32000-1, annex D) where it differs from Latin-1: 0x18-0x1F and 0x80-0xA0.
_PDFDOC = {
    **dict(zip(range(0x18, 0x20), "˘ˇˆ˙˝˛˚˜", strict=True)),
    **dict(zip(range(0x80, 0x9F), "•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž", strict=True)),
    0x9F: "\ufffd",
    0xA0: "€",
}


def _literal(data: bytes, start: int) -> bytes:
    """A PDF literal string from just after its "(": escapes and nested brackets resolved."""
    out, depth, i = bytearray(), 1, start
    while i < len(data):
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            if nxt not in (b"\n", b"\r"):  # a backslash before a newline continues the line
                out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if depth == 0:
                break
        out += c
        i += 1
    return bytes(out)


def _text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    return "".join(_PDFDOC.get(b, chr(b)) for b in raw)  # PDFDocEncoding


def _subject_in(chunk: bytes) -> str | None:
    m = _SUBJECT.search(chunk)
    if m is None:
        return None
    if m.group(1) == b"(":
        return _text(_literal(chunk, m.end()))
    end = chunk.find(b">", m.end())
    hexdigits = re.sub(rb"\s", b"", chunk[m.end() : end])
    if len(hexdigits) % 2:
        hexdigits += b"0"
    try:
        return _text(bytes.fromhex(hexdigits.decode("ascii")))
    except ValueError:
        return None


def summary_from_pdf(path: Path) -> str:
    """The PDF's Subject (the report's summary sentence), or "" when it has none or is unreadable.

    Args:
        path: The report PDF.

    Returns:
        The sentence on one line, or "".
    """
    try:
        if path.stat().st_size > MAX_PDF_BYTES:
            return ""
        data = path.read_bytes()
    except OSError:
        return ""
    found = _subject_in(data)
    if found is None:
        for m in _STREAM.finditer(data):
            end = data.find(b"endstream", m.end())
            try:
                chunk = zlib.decompressobj().decompress(data[m.end() : end], 1_000_000)
            except zlib.error:
                continue
            found = _subject_in(chunk)
            if found is not None:
                break
    return " ".join(found.split()) if found else ""
