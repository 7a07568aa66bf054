"""Compose the report email: checked addresses and subject, the PDF attached, ``.eml`` drafts."""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.errors import HeaderParseError, MessageDefect
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, unquote
from pathlib import Path

from advisor.__about__ import __app_name__, __version__
from advisor.errors import Problem
from advisor.mail.errors import MailError
from advisor.util import atomic_write_bytes

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 100_000
PDF_MAGIC = b"%PDF-"
DEFAULT_SUBJECT = "LLM sourcing report"
# Message-IDs need a domain; this one is reserved (RFC 2606) and never resolves to a real host.
_FALLBACK_MSGID_DOMAIN = "llm-sourcing-advisor.invalid"
# CR and LF would start a new header ("a@b.com\nBcc: x@y"); the other controls have no business
# in a one-line field either. C1 controls (U+0085 NEXT LINE) and U+2028/U+2029 count too: Python's
# str.splitlines(), which the email package uses when folding, breaks lines at them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# An RFC 2047 encoded-word ("=?utf-8?b?...?="): header parsers decode it, so what it decodes to
# must be checked as well as what was typed.
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")
_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_ANGLE_FORM = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<spec>[^<>]*)>$")


@dataclass(frozen=True)
class ReportEmail:
    """A checked report email, ready to save as a draft or to send.

    Build it with :func:`compose`, which checks every part; the fields are already normalised
    (addresses formatted, subject stripped, newlines in the body unified).
    """

    to: tuple[str, ...]
    subject: str
    body: str
    pdf: Path
    sender: str = ""
    cc: tuple[str, ...] = field(default=())

    @property
    def recipients(self) -> tuple[str, ...]:
        """The bare addresses (``to`` then ``cc``) that the SMTP envelope is sent to."""
        return tuple(bare_address(a) for a in (*self.to, *self.cc))

    @property
    def attachment_name(self) -> str:
        """The file name the attachment carries."""
        return attachment_name(self.pdf)


def _shown(text: str) -> str:
    """A short, visibly escaped form of user text for messages (line breaks shown as \\n)."""
    text = text if len(text) <= 60 else text[:57] + "..."
    return repr(text)


def decoded_header(name: str, value: str) -> list[str]:
    """What mail readers may see in a header: ``value`` with RFC 2047 encoded-words decoded.

    Both the email package's header parser (what ``msg[name] = value`` does with the default
    policy) and ``email.header.decode_header`` are asked, so that a control character either
    of them produces is found.

    Raises:
        ValueError: the value cannot be parsed as a header at all.
    """
    try:
        seen = [str(email.policy.default.header_factory(name, value))]
        if _ENCODED_WORD.search(value):
            seen.append(str(make_header(decode_header(value))))
    except (HeaderParseError, MessageDefect, ValueError, IndexError, LookupError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    return seen


def header_problem(name: str, value: str) -> str | None:
    """Why ``value`` cannot go into header ``name`` (a line break or control character, typed
    or hidden in an encoded-word), or None when it can."""
    if _CONTROL.search(value):
        return "contains a line break or control character"
    if re.search("[\ud800-\udfff]", value):
        return "contains a character that is not valid Unicode"
    try:
        decoded = decoded_header(name, value)
    except ValueError as exc:
        return f"cannot be read as a mail header ({exc})"
    if any(_CONTROL.search(text) for text in decoded):
        return "hides a line break or control character in an encoded-word (=?...?=)"
    return None


def bare_address(formatted: str) -> str:
    """The ``user@domain`` part of a formatted address such as ``Jane <user@domain>``.

    Args:
        formatted: An address as returned by :func:`parse_addresses`.

    Returns:
        The bare address.
    """
    match = _ANGLE_FORM.match(formatted)
    return match.group("spec") if match else formatted


def _split_addresses(text: str) -> list[str]:
    """Split on commas and semicolons that are outside quotes and angle brackets.

    Outlook users type ``;`` between addresses and paste ``Doe, Jane <jane@x.com>``; a piece
    without ``@`` followed by a piece with ``<...>`` is rejoined as one display name.
    """
    pieces: list[str] = []
    current: list[str] = []
    quoted = angle = False
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"' and not angle:
            quoted = not quoted
        elif char == "<" and not quoted:
            angle = True
        elif char == ">" and not quoted:
            angle = False
        elif char in ",;" and not quoted and not angle:
            pieces.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    pieces.append("".join(current).strip())
    pieces = [p for p in pieces if p]
    merged: list[str] = []
    for piece in pieces:
        if merged and "@" not in merged[-1] and "<" not in merged[-1] and "<" in piece:
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    return merged


def _check_one_address(piece: str) -> tuple[str | None, str]:
    """Return ``(formatted address, "")`` or ``(None, reason)`` for one address."""
    match = _ANGLE_FORM.match(piece)
    if match:
        name = match.group("name").strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = unquote(name)
        spec = match.group("spec").strip()
    elif "<" in piece or ">" in piece:
        return None, "the angle brackets do not match"
    else:
        name, spec = "", piece
    local, at, domain_part = spec.rpartition("@")
    if not at:
        return None, "it has no @"
    if not local:
        return None, "the part before @ is missing"
    if not domain_part:
        return None, "the domain after @ is missing"
    try:
        address = Address(display_name=name, addr_spec=spec)
    except (ValueError, IndexError, HeaderParseError, MessageDefect) as exc:
        return None, str(exc).rstrip(")") or "it cannot be parsed"
    domain = address.domain
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None, f"{domain!r} is not a domain name"
    return str(address), ""


def address_problems(value: str | Iterable[str], field: str = "to") -> list[Problem]:
    """Check one or more addresses without raising.

    Args:
        value: Addresses separated by commas or semicolons, or a list of such strings.
        field: The field the problems name (``to``, ``cc``, ``from``...).

    Returns:
        One problem per bad address; empty when all are valid (or when none was given).
    """
    return _parse_addresses(value, field)[1]


def parse_addresses(value: str | Iterable[str], field: str = "to") -> tuple[str, ...]:
    """Check and normalise email addresses.

    Accepts ``jane@x.com``, ``Jane Doe <jane@x.com>`` and ``"Doe, Jane" <jane@x.com>``,
    separated by commas or semicolons. Anything with a line break or other control character is
    refused outright, since it could smuggle extra headers (``a@b.com\\nBcc: x@y``).

    Args:
        value: Addresses separated by commas or semicolons, or a list of such strings.
        field: The field the problems name.

    Returns:
        The formatted addresses, duplicates (same address, any case) removed, in order.

    Raises:
        MailError: An address is invalid, or there is none.
    """
    addresses, problems = _parse_addresses(value, field)
    if problems:
        raise MailError(*problems)
    if not addresses:
        raise MailError.of(field, "enter at least one email address")
    return addresses


def _parse_addresses(
    value: str | Iterable[str], field: str
) -> tuple[tuple[str, ...], list[Problem]]:
    items = [value] if isinstance(value, str) else list(value)
    found: list[str] = []
    seen: set[str] = set()
    problems: list[Problem] = []
    for item in items:
        if not isinstance(item, str):
            problems.append(Problem(field, "error", "expected an address as text"))
            continue
        if _CONTROL.search(item):
            problems.append(
                Problem(
                    field,
                    "error",
                    f"{_shown(item)} contains a line break or control character, "
                    "which an address may not have",
                )
            )
            continue
        # Only an encoded-word can hide a line break; other faults are named per address below.
        reason = header_problem("To", item) if "=?" in item else None
        if reason:
            problems.append(Problem(field, "error", f"{_shown(item)} {reason}"))
            continue
        for piece in _split_addresses(item):
            formatted, reason = _check_one_address(piece)
            if formatted is None:
                problems.append(
                    Problem(
                        field, "error", f"{_shown(piece)} is not a valid email address ({reason})"
                    )
                )
                continue
            key = bare_address(formatted).lower()
            if key not in seen:
                seen.add(key)
                found.append(formatted)
    return tuple(found), problems


def subject_problems(subject: str) -> list[Problem]:
    """Check a subject line: one line, not empty, at most :data:`MAX_SUBJECT_LENGTH` characters.

    Args:
        subject: The subject as typed.

    Returns:
        The problems found (empty when it is fine).
    """
    text = subject.strip()
    if _CONTROL.search(text):
        return [Problem("subject", "error", "the subject must be a single line")]
    reason = header_problem("Subject", text)
    if reason:
        return [Problem("subject", "error", f"the subject {reason}")]
    if not text:
        return [Problem("subject", "error", "the subject is empty")]
    if len(text) > MAX_SUBJECT_LENGTH:
        return [
            Problem(
                "subject",
                "error",
                f"the subject has {len(text)} characters; keep it to {MAX_SUBJECT_LENGTH}",
            )
        ]
    return []


def pdf_problems(pdf: Path | str) -> list[Problem]:
    """Check that the report exists, is readable and is a PDF (starts with ``%PDF-``).

    Args:
        pdf: Path of the report.

    Returns:
        The problems found (empty when it is fine).
    """
    path = Path(pdf)
    if not path.exists():
        return [Problem("pdf", "error", f"there is no file at {path}")]
    if not path.is_file():
        return [Problem("pdf", "error", f"{path} is a folder, not a PDF file")]
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        return [Problem("pdf", "error", f"{path} cannot be read ({exc.strerror or exc})")]
    # The PDF spec allows a little junk before the header; readers look in the first 1 KiB.
    if PDF_MAGIC not in head:
        return [Problem("pdf", "error", f"{path.name} is not a PDF file (no %PDF- header)")]
    return []


def attachment_name(pdf: Path | str) -> str:
    """The file name to give the attached report: its own name, ending in ``.pdf``.

    Args:
        pdf: Path of the report.

    Returns:
        A bare file name without folders or control characters.
    """
    name = _CONTROL.sub("", Path(pdf).name).strip() or "report.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name


def default_subject(title: str = "") -> str:
    """The subject offered before the user edits it.

    Args:
        title: What the report is about (e.g. the scenario name); may be empty.

    Returns:
        ``LLM sourcing report`` or ``LLM sourcing report: <title>``, within the length limit.
    """
    # A scenario file from someone else names the subject: controls become spaces and an
    # encoded-word is broken up ("= ?") so no reader decodes it into extra header lines.
    title = _CONTROL.sub(" ", title).replace("=?", "= ?").strip()
    title = re.sub("[\ud800-\udfff]", "\ufffd", title)
    subject = f"{DEFAULT_SUBJECT}: {title}" if title else DEFAULT_SUBJECT
    if len(subject) > MAX_SUBJECT_LENGTH:
        subject = subject[: MAX_SUBJECT_LENGTH - 3].rstrip() + "..."
    return subject


def default_body(summary: str = "", attachment: str = "") -> str:
    """The short plain-text body offered before the user edits it.

    Args:
        summary: A few lines summarising the recommendation (from the recommendation engine);
            may be empty.
        attachment: The attachment's file name, mentioned so readers know what to open.

    Returns:
        The body text, ending with a newline.
    """
    what = f"the LLM sourcing report ({attachment})" if attachment else "the LLM sourcing report"
    parts = ["Hello,", f"Please find attached {what}."]
    summary = summary.strip()
    if summary:
        parts.append(summary)
    parts.append(
        "Every price and specification in it is cited with its source and as-of date.\n\n"
        f"Sent with {__app_name__}."
    )
    return "\n\n".join(parts) + "\n"


def mail_problems(
    pdf: Path | str,
    to: str | Iterable[str],
    subject: str,
    body: str = "",
    sender: str = "",
    cc: str | Iterable[str] = (),
) -> list[Problem]:
    """Every problem with a report email, for a dialog to show next to its fields.

    Args:
        pdf: Path of the report.
        to: Recipients (see :func:`parse_addresses`).
        subject: Subject line.
        body: Plain-text body.
        sender: The From address; may be empty for a draft (the mail app fills it in).
        cc: Copy recipients; may be empty.

    Returns:
        The problems, fields named ``pdf``, ``to``, ``cc``, ``from``, ``subject``, ``body``.
    """
    problems = pdf_problems(pdf)
    to_found, to_problems = _parse_addresses(to, "to")
    problems += to_problems
    if not to_found and not to_problems:
        problems.append(Problem("to", "error", "enter at least one email address"))
    problems += _parse_addresses(cc, "cc")[1]
    if sender.strip():
        from_found, from_problems = _parse_addresses(sender, "from")
        problems += from_problems
        if len(from_found) > 1:
            problems.append(Problem("from", "error", "give a single sender address"))
    problems += subject_problems(subject)
    if "\x00" in body:
        problems.append(Problem("body", "error", "the text contains a NUL character"))
    elif len(body) > MAX_BODY_LENGTH:
        problems.append(
            Problem("body", "error", f"the text is longer than {MAX_BODY_LENGTH} characters")
        )
    return problems


def compose(
    pdf: Path | str,
    to: str | Iterable[str],
    subject: str | None = None,
    body: str | None = None,
    sender: str = "",
    cc: str | Iterable[str] = (),
) -> ReportEmail:
    """Check and assemble a report email.

    Args:
        pdf: Path of the report (must exist and be a PDF).
        to: Recipients, comma- or semicolon-separated, or a list.
        subject: Subject line; ``None`` for :func:`default_subject` of the report's summary
            sentence (read from the PDF's metadata).
        body: Plain-text body; ``None`` for :func:`default_body`.
        sender: The From address; empty lets the mail app (draft) or the SMTP settings decide.
        cc: Copy recipients.

    Returns:
        The checked, normalised email.

    Raises:
        MailError: Carrying every problem found (see :func:`mail_problems`).
    """
    path = Path(pdf)
    if subject is None:
        from advisor.mail.pdf_summary import summary_from_pdf

        subject = default_subject(summary_from_pdf(path) if path.is_file() else "")
    body = default_body(attachment=attachment_name(path)) if body is None else body
    problems = mail_problems(path, to, subject, body, sender, cc)
    if problems:
        raise MailError(*problems)
    return ReportEmail(
        to=_parse_addresses(to, "to")[0],
        subject=subject.strip(),
        body=body.replace("\r\n", "\n").replace("\r", "\n"),
        pdf=path,
        sender=_parse_addresses(sender, "from")[0][0] if sender.strip() else "",
        cc=_parse_addresses(cc, "cc")[0],
    )


def build_message(mail: ReportEmail, *, draft: bool = False) -> EmailMessage:
    """Build the MIME message: a plain-text body and the PDF as ``application/pdf``.

    Args:
        mail: The checked email (see :func:`compose`).
        draft: Add ``X-Unsent: 1`` so Outlook opens the file as an editable draft.

    Returns:
        The message (standard-library ``EmailMessage``, default policy).

    Raises:
        MailError: The PDF can no longer be read.
    """
    try:
        data = mail.pdf.read_bytes()
    except OSError as exc:
        raise MailError.of("pdf", f"{mail.pdf} cannot be read ({exc.strerror or exc})") from None
    msg = EmailMessage(policy=email.policy.default)
    if mail.sender:
        msg["From"] = mail.sender
    msg["To"] = ", ".join(mail.to)
    if mail.cc:
        msg["Cc"] = ", ".join(mail.cc)
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=True)
    domain = bare_address(mail.sender).rpartition("@")[2] if mail.sender else ""
    msg["Message-ID"] = make_msgid(domain=domain or _FALLBACK_MSGID_DOMAIN)
    msg["X-Mailer"] = f"{__app_name__} {__version__}"
    if draft:
        msg["X-Unsent"] = "1"
    msg.set_content(mail.body)
    msg.add_attachment(
        data, maintype="application", subtype="pdf", filename=attachment_name(mail.pdf)
    )
    check_headers(msg)
    return msg


_EXPECTED_HEADERS = {
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "x-mailer",
    "x-unsent",
    "mime-version",
    "content-type",
}


def check_headers(msg: EmailMessage) -> None:
    """The last check before a message leaves: every header value, as serialised and parsed
    back, is one line without controls, and no header appeared that the app did not set.

    Raises:
        MailError: naming the header.
    """
    reparsed = email.message_from_bytes(message_bytes(msg), policy=email.policy.default)
    names = [name.lower() for name in reparsed]
    unexpected = sorted(set(names) - _EXPECTED_HEADERS)
    if unexpected or len(names) != len(set(names)):
        raise MailError.of(
            "subject", f"the message would carry unexpected headers ({', '.join(unexpected)})"
        )
    for name, value in reparsed.items():
        if _CONTROL.search(str(value)):
            raise MailError.of(name.lower(), "contains a line break or control character")


def message_bytes(msg: EmailMessage) -> bytes:
    """Serialise a message as sent on the wire and saved in ``.eml`` files (CRLF line ends).

    Args:
        msg: The message.

    Returns:
        Its bytes.
    """
    return msg.as_bytes(policy=email.policy.SMTP)


def free_draft_path(pdf: Path | str, folder: Path | str | None = None) -> Path:
    """A draft file name that does not overwrite an existing file.

    Args:
        pdf: Path of the report; the draft is named after it.
        folder: Where the draft goes; ``None`` for the report's folder.

    Returns:
        ``<stem>.eml``, or ``<stem> (2).eml`` and so on when that is taken.
    """
    path = Path(pdf)
    where = Path(folder) if folder is not None else path.parent
    candidate = where / f"{path.stem}.eml"
    number = 2
    while candidate.exists():
        candidate = where / f"{path.stem} ({number}).eml"
        number += 1
    return candidate


def write_draft(mail: ReportEmail, path: Path | str | None = None) -> Path:
    """Save the email as an ``.eml`` draft (``X-Unsent: 1``) with the PDF attached.

    The file is written atomically: a failure leaves any earlier file as it was.

    Args:
        mail: The checked email.
        path: The file to write (replaced if it exists); a folder gets a new file named after
            the report inside it, and ``None`` a new file beside the report (see
            :func:`free_draft_path`).

    Returns:
        The path of the draft.

    Raises:
        MailError: The draft would overwrite the report, or cannot be written.
    """
    if path is None:
        target = free_draft_path(mail.pdf)
    else:
        target = Path(path).expanduser()
        if target.is_dir():
            target = free_draft_path(mail.pdf, target)
    if target.exists() and target.resolve() == mail.pdf.resolve():
        raise MailError.of("draft", f"{target} is the report itself; choose another file name")
    if not target.parent.is_dir():
        raise MailError.of("draft", f"the folder {target.parent} does not exist")
    data = message_bytes(build_message(mail, draft=True))
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise MailError.of("draft", f"{target} cannot be written ({exc.strerror or exc})") from None
    return target
