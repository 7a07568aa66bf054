"""Composing the report email: addresses, subject, the PDF check, the MIME message, drafts."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from advisor.errors import InputError
from advisor.mail import MailError, ReportEmail, build_message, compose, parse_addresses
from advisor.mail.message import (
    MAX_SUBJECT_LENGTH,
    attachment_name,
    default_body,
    default_subject,
    free_draft_path,
    mail_problems,
    pdf_problems,
    write_draft,
)


def parse_eml(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def only_attachment(message: EmailMessage) -> EmailMessage:
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    part = attachments[0]
    assert isinstance(part, EmailMessage)
    return part


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("jane@example.com", ("jane@example.com",)),
        ("Jane Doe <jane@example.com>", ("Jane Doe <jane@example.com>",)),
        ("a@example.com, b@example.org", ("a@example.com", "b@example.org")),
        ("a@example.com; b@example.org;", ("a@example.com", "b@example.org")),
        ('"Doe, Jane" <jane@example.com>', ('"Doe, Jane" <jane@example.com>',)),
        ("Doe, Jane <jane@example.com>", ('"Doe, Jane" <jane@example.com>',)),
        ("a@example.com, A@EXAMPLE.COM", ("a@example.com",)),
        ("  cfo@bank.example.co.uk  ", ("cfo@bank.example.co.uk",)),
    ],
)
def test_valid_addresses_are_normalised(typed: str, expected: tuple[str, ...]) -> None:
    assert parse_addresses(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "jane",
        "jane@",
        "@example.com",
        "jane@example",
        "jane doe@example.com",
        "jane@exa mple.com",
        "jane@@example.com",
        "Jane <jane@example.com",
        "jane@-example.com",
    ],
)
def test_invalid_address_is_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(MailError) as caught:
        parse_addresses(typed, "cc")
    assert caught.value.field == "cc"
    assert "not a valid email address" in str(caught.value)
    assert isinstance(caught.value, InputError)


@pytest.mark.parametrize(
    "typed",
    [
        "a@b.com\nBcc: x@y.com",
        "a@b.com\r\nBcc: x@y.com",
        "a@b.com\rSubject: hi",
        "a@b.com\x00",
    ],
)
def test_header_injection_in_an_address_is_refused(typed: str) -> None:
    with pytest.raises(MailError, match="line break or control character") as caught:
        parse_addresses(typed)
    assert caught.value.field == "to"


def test_no_recipient_is_refused() -> None:
    with pytest.raises(MailError, match="at least one email address"):
        parse_addresses(" , ; ")


def test_every_bad_address_is_reported_at_once() -> None:
    with pytest.raises(MailError) as caught:
        parse_addresses("ok@example.com, bad1, bad2@")
    assert [p.field for p in caught.value.problems] == ["to", "to"]


# --- subject, body and PDF ------------------------------------------------------------------


def test_subject_must_be_one_line(pdf: Path) -> None:
    problems = mail_problems(pdf, "a@example.com", "Report\nBcc: x@y.com")
    assert [(p.field, p.message) for p in problems] == [
        ("subject", "the subject must be a single line")
    ]


def test_subject_length_is_limited(pdf: Path) -> None:
    assert mail_problems(pdf, "a@example.com", "x" * MAX_SUBJECT_LENGTH) == []
    [problem] = mail_problems(pdf, "a@example.com", "x" * (MAX_SUBJECT_LENGTH + 1))
    assert problem.field == "subject"
    assert str(MAX_SUBJECT_LENGTH) in problem.message


def test_empty_subject_is_refused(pdf: Path) -> None:
    [problem] = mail_problems(pdf, "a@example.com", "   ")
    assert problem.field == "subject"


def test_missing_pdf_is_refused(tmp_path: Path) -> None:
    [problem] = pdf_problems(tmp_path / "nope.pdf")
    assert problem.field == "pdf"
    assert "no file" in problem.message


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_text("<html>not a pdf</html>")
    [problem] = pdf_problems(fake)
    assert "not a PDF" in problem.message


def test_a_folder_is_not_a_pdf(tmp_path: Path) -> None:
    [problem] = pdf_problems(tmp_path)
    assert "folder" in problem.message


def test_compose_reports_every_problem_with_its_field(tmp_path: Path) -> None:
    with pytest.raises(MailError) as caught:
        compose(tmp_path / "missing.pdf", "not-an-address", subject="", sender="me@")
    assert {p.field for p in caught.value.problems} == {"pdf", "to", "from", "subject"}


def test_compose_fills_in_a_default_subject_and_body(pdf: Path) -> None:
    mail = compose(pdf, "cfo@example.com")
    assert mail.subject == default_subject()
    assert mail.body == default_body(attachment="LLM sourcing report.pdf")
    assert "LLM sourcing report.pdf" in mail.body
    assert mail.recipients == ("cfo@example.com",)


def test_default_body_carries_the_recommendation_summary() -> None:
    body = default_body("Buy: Gemini Flash via API, USD 1,200/month.", attachment="r.pdf")
    assert "Buy: Gemini Flash via API, USD 1,200/month." in body
    assert "(r.pdf)" in body


def test_default_subject_stays_within_the_limit() -> None:
    assert default_subject("Bank\non premises") == "LLM sourcing report: Bank on premises"
    assert len(default_subject("x" * 500)) == MAX_SUBJECT_LENGTH


def test_attachment_name_always_ends_in_pdf() -> None:
    assert attachment_name(Path("/x/LLM report.pdf")) == "LLM report.pdf"
    assert attachment_name(Path("/x/REPORT.PDF")) == "REPORT.PDF"
    assert attachment_name(Path("/x/report")) == "report.pdf"


# --- the MIME message -----------------------------------------------------------------------


def test_message_has_headers_body_and_the_pdf_attached(pdf: Path) -> None:
    mail = compose(
        pdf,
        "Jane Doe <jane@example.com>, cfo@example.com",
        subject="Buy or build: our answer",
        body="We should buy.\n",
        sender="Buyer <buyer@example.com>",
        cc="it@example.com",
    )
    message = build_message(mail)
    assert message["From"] == "Buyer <buyer@example.com>"
    assert message["To"] == "Jane Doe <jane@example.com>, cfo@example.com"
    assert message["Cc"] == "it@example.com"
    assert message["Subject"] == "Buy or build: our answer"
    assert message["Message-ID"].endswith("@example.com>")
    assert "X-Unsent" not in message
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content() == "We should buy.\n"
    part = only_attachment(message)
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "LLM sourcing report.pdf"
    assert part.get_content_disposition() == "attachment"
    assert part.get_content() == pdf.read_bytes()
    assert mail.recipients == ("jane@example.com", "cfo@example.com", "it@example.com")


def test_non_ascii_file_name_and_subject_survive(tmp_path: Path, pdf: Path) -> None:
    named = tmp_path / "Bericht Größe.pdf"
    named.write_bytes(pdf.read_bytes())
    mail = compose(named, "Jürgen <j@example.de>", subject="Kosten für 2026")
    parsed = email.message_from_bytes(build_message(mail).as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == "Kosten für 2026"
    assert parsed["To"].addresses[0].display_name == "Jürgen"
    assert only_attachment(parsed).get_filename() == "Bericht Größe.pdf"


# --- drafts ---------------------------------------------------------------------------------


def test_draft_parses_is_unsent_and_carries_the_pdf_unchanged(pdf: Path, tmp_path: Path) -> None:
    mail = compose(pdf, "cfo@example.com", subject="Report", body="See attached.\n")
    draft = write_draft(mail, tmp_path / "out.eml")
    assert draft == tmp_path / "out.eml"
    message = parse_eml(draft)
    assert message["X-Unsent"] == "1"
    assert message["To"] == "cfo@example.com"
    assert message["Subject"] == "Report"
    assert "From" not in message  # the mail app fills in the account
    part = only_attachment(message)
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "LLM sourcing report.pdf"
    assert part.get_content() == pdf.read_bytes()
    assert b"\r\n" in draft.read_bytes()


def test_draft_without_a_path_goes_beside_the_report_without_overwriting(pdf: Path) -> None:
    mail = compose(pdf, "cfo@example.com")
    first = write_draft(mail)
    second = write_draft(mail)
    assert first == pdf.with_suffix(".eml")
    assert second == pdf.parent / "LLM sourcing report (2).eml"
    assert free_draft_path(pdf).name == "LLM sourcing report (3).eml"


def test_draft_into_a_folder_gets_a_new_file(pdf: Path, tmp_path: Path) -> None:
    draft = write_draft(compose(pdf, "cfo@example.com"), tmp_path)
    assert draft == tmp_path / "LLM sourcing report.eml"


def test_draft_never_overwrites_the_report(pdf: Path) -> None:
    before = pdf.read_bytes()
    with pytest.raises(MailError, match="the report itself") as caught:
        write_draft(compose(pdf, "cfo@example.com"), pdf)
    assert caught.value.field == "draft"
    assert pdf.read_bytes() == before


def test_draft_into_a_missing_folder_is_refused(pdf: Path, tmp_path: Path) -> None:
    with pytest.raises(MailError, match="does not exist"):
        write_draft(compose(pdf, "cfo@example.com"), tmp_path / "nope" / "x.eml")


def test_report_email_is_a_plain_frozen_dataclass(pdf: Path) -> None:
    mail = compose(pdf, "cfo@example.com")
    assert isinstance(mail, ReportEmail)
    with pytest.raises(AttributeError):
        mail.subject = "changed"  # type: ignore[misc]
