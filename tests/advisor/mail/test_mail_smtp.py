"""Sending through real SMTP servers on loopback, and every failure in one plain sentence."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from advisor.mail import MailError, ReportEmail, Security, SmtpSettings, compose, send_email
from advisor.mail.message import write_draft
from advisor.mail.smtp import send_test, tls_context

if TYPE_CHECKING:  # conftest's helpers reach tests as fixtures, not imports
    from conftest import Certs, Login, Server, StartServer


def settings_for(server: Server, security: Security, **extra: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "security": security,
        "timeout": 5.0,
    }
    values.update(extra)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def parsed(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def mail(pdf: Path, login: Login) -> ReportEmail:
    return compose(
        pdf,
        "Jane Doe <jane@example.com>, cfo@example.com",
        subject="LLM sourcing report: legal-tech",
        body="Buy: an API model is cheapest for 300 lawyers.\n",
        sender=login.sender,
    )


def assert_delivered(server: Server, pdf: Path, *, tls: bool, authenticated: bool) -> None:
    [got] = server.mailbox.received
    assert got.mail_from == "buyer@example.com"
    assert got.rcpt_tos == ["jane@example.com", "cfo@example.com"]
    assert got.tls is tls
    assert got.authenticated is authenticated
    message = parsed(got.content)
    assert message["From"] == "Buyer <buyer@example.com>"
    assert message["To"] == "Jane Doe <jane@example.com>, cfo@example.com"
    assert message["Subject"] == "LLM sourcing report: legal-tech"
    assert "X-Unsent" not in message
    [part] = list(message.iter_attachments())
    assert isinstance(part, EmailMessage)
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "LLM sourcing report.pdf"
    assert part.get_content() == pdf.read_bytes()


# --- it arrives -----------------------------------------------------------------------------


def test_plain_relay_delivers_message_with_pdf(
    smtp_server: StartServer, mail: ReportEmail, pdf: Path
) -> None:
    server = smtp_server()
    result = send_email(mail, settings_for(server, Security.PLAIN))
    assert_delivered(server, pdf, tls=False, authenticated=False)
    assert result.recipients == ("jane@example.com", "cfo@example.com")
    assert result.sender == "buyer@example.com"
    assert result.port == server.port


def test_starttls_with_login_delivers_message_with_pdf(
    smtp_server: StartServer, certs: Certs, login: Login, mail: ReportEmail, pdf: Path
) -> None:
    server = smtp_server(tls="starttls", auth=True)
    settings = settings_for(server, Security.STARTTLS, username=login.user, ca_file=certs.ca_file)
    send_email(mail, settings, login.password)
    assert_delivered(server, pdf, tls=True, authenticated=True)


def test_implicit_tls_with_login_delivers_message_with_pdf(
    smtp_server: StartServer, certs: Certs, login: Login, mail: ReportEmail, pdf: Path
) -> None:
    server = smtp_server(tls="ssl", auth=True)
    settings = settings_for(server, Security.SSL, username=login.user, ca_file=certs.ca_file)
    send_email(mail, settings, login.password)
    assert_delivered(server, pdf, tls=True, authenticated=True)


def test_sender_comes_from_the_settings_when_the_mail_has_none(
    smtp_server: StartServer, pdf: Path
) -> None:
    server = smtp_server()
    mail = compose(pdf, "cfo@example.com")
    settings = settings_for(server, Security.PLAIN, sender="Procurement <buy@example.com>")
    send_email(mail, settings)
    [got] = server.mailbox.received
    assert got.mail_from == "buy@example.com"
    assert parsed(got.content)["From"] == "Procurement <buy@example.com>"


def test_size_is_declared_when_the_server_advertises_a_limit(
    smtp_server: StartServer, mail: ReportEmail
) -> None:
    server = smtp_server(data_size_limit=1_000_000)
    result = send_email(mail, settings_for(server, Security.PLAIN))
    [got] = server.mailbox.received
    assert got.mail_options == [f"SIZE={result.size}"]


def test_send_test_reaches_the_sender(smtp_server: StartServer, certs: Certs, login: Login) -> None:
    server = smtp_server(tls="starttls", auth=True)
    settings = settings_for(
        server, Security.STARTTLS, username=login.user, sender=login.sender, ca_file=certs.ca_file
    )
    result = send_test(settings, login.password)
    [got] = server.mailbox.received
    assert got.rcpt_tos == ["buyer@example.com"]
    assert result.recipients == ("buyer@example.com",)
    message = parsed(got.content)
    assert "test message" in message["Subject"]
    assert list(message.iter_attachments()) == []


def test_send_test_can_go_to_another_address(smtp_server: StartServer) -> None:
    server = smtp_server()
    settings = settings_for(server, Security.PLAIN, sender="buy@example.com")
    send_test(settings, to="it@example.com")
    assert server.mailbox.received[0].rcpt_tos == ["it@example.com"]


def test_the_user_name_serves_as_sender_when_it_is_an_address() -> None:
    assert SmtpSettings(host="h", username="me@example.com").effective_sender == "me@example.com"
    assert SmtpSettings(host="h", username="DOMAIN\\me").effective_sender == ""


def test_tls_verifies_certificates_by_default() -> None:
    context = tls_context()
    assert context.check_hostname is True
    assert context.verify_mode.name == "CERT_REQUIRED"


# --- failures: one sentence, a field to fix, nothing lost -----------------------------------


@dataclass(frozen=True)
class Kept:
    """The user's files before a failed send, to check nothing was lost."""

    pdf: Path
    pdf_bytes: bytes
    draft: Path
    draft_bytes: bytes


@pytest.fixture
def kept(mail: ReportEmail, tmp_path: Path) -> Kept:
    draft = write_draft(mail, tmp_path / "my draft.eml")
    return Kept(mail.pdf, mail.pdf.read_bytes(), draft, draft.read_bytes())


def fail(
    mail: ReportEmail, settings: SmtpSettings, kept: Kept, password: str | None = None
) -> MailError:
    """Send, expect a MailError, and check the PDF and the drafts are all on disk."""
    with pytest.raises(MailError) as caught:
        send_email(mail, settings, password, fallback_draft=kept.pdf.parent)
    error = caught.value
    message = str(error)
    assert "\n" not in message
    assert "Traceback" not in message
    assert kept.pdf.read_bytes() == kept.pdf_bytes
    assert kept.draft.read_bytes() == kept.draft_bytes
    # The composed email is kept as a new draft beside the report.
    assert error.draft is not None
    assert error.draft.parent == kept.pdf.parent
    assert f"kept as a draft in {error.draft}" in message
    saved = parsed(error.draft.read_bytes())
    assert saved["X-Unsent"] == "1"
    [part] = list(saved.iter_attachments())
    assert isinstance(part, EmailMessage)
    assert part.get_content() == kept.pdf_bytes
    return error


def test_refused_connection_names_the_host(
    closed_port: Server, mail: ReportEmail, kept: Kept
) -> None:
    error = fail(mail, settings_for(closed_port, Security.PLAIN), kept)
    assert error.field == "smtp.host"
    assert "connection refused" in str(error)


def test_bad_credentials_name_the_password(
    smtp_server: StartServer, certs: Certs, login: Login, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server(tls="starttls", auth=True)
    settings = settings_for(server, Security.STARTTLS, username=login.user, ca_file=certs.ca_file)
    error = fail(mail, settings, kept, "wrong password")
    assert error.field == "smtp.password"
    assert "rejected the user name or password" in str(error)
    assert "535" in str(error)
    assert server.mailbox.received == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            "535 5.7.139 Authentication unsuccessful, basic authentication is disabled.",
            "switched off password (basic) login for SMTP",
        ),
        (
            "534 5.7.9 Application-specific password required.",
            "needs an app password for buyer@example.com",
        ),
    ],
)
def test_provider_login_refusals_say_what_to_do(
    smtp_server: StartServer,
    certs: Certs,
    login: Login,
    mail: ReportEmail,
    kept: Kept,
    reply: str,
    expected: str,
) -> None:
    server = smtp_server(tls="starttls", auth=True, auth_failure=reply)
    settings = settings_for(server, Security.STARTTLS, username=login.user, ca_file=certs.ca_file)
    error = fail(mail, settings, kept, "account password")
    assert error.field == "smtp.password"
    assert expected in str(error)


def test_missing_password_is_refused_before_connecting(
    login: Login, mail: ReportEmail, kept: Kept
) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=9, username=login.user)
    error = fail(mail, settings, kept, None)
    assert error.field == "smtp.password"
    assert "no password is stored" in str(error)


def test_untrusted_certificate_is_a_tls_error(
    smtp_server: StartServer, login: Login, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server(tls="starttls", auth=True)
    # No ca_file: the system's CAs do not trust the test CA, and verification is on.
    settings = settings_for(server, Security.STARTTLS, username=login.user)
    error = fail(mail, settings, kept, login.password)
    assert error.field == "smtp.security"
    assert "certificate" in str(error)
    assert "could not be verified" in str(error)
    assert server.mailbox.received == []


def test_implicit_tls_against_a_starttls_port_is_a_tls_error(
    smtp_server: StartServer, certs: Certs, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server(tls="starttls")
    settings = settings_for(server, Security.SSL, ca_file=certs.ca_file)
    error = fail(mail, settings, kept)
    assert error.field == "smtp.security"
    assert "TLS connection" in str(error)


def test_starttls_missing_on_the_server_is_refused(
    smtp_server: StartServer, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server()
    error = fail(mail, settings_for(server, Security.STARTTLS), kept)
    assert error.field == "smtp.security"
    assert "does not offer STARTTLS" in str(error)


def test_silent_server_times_out(silent_server: Server, mail: ReportEmail, kept: Kept) -> None:
    settings = settings_for(silent_server, Security.PLAIN, timeout=0.3)
    error = fail(mail, settings, kept)
    assert error.field == "smtp.host"
    assert "did not answer within 0.3 seconds" in str(error)


def test_rejected_recipient_is_named_and_nobody_gets_the_mail(
    smtp_server: StartServer, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server(reject=("cfo@example.com",))
    error = fail(mail, settings_for(server, Security.PLAIN), kept)
    assert error.field == "to"
    assert "refused the recipient cfo@example.com (550 5.1.1" in str(error)
    assert "jane@example.com" not in str(error)
    assert server.mailbox.received == []


def test_attachment_over_the_advertised_size_is_refused_before_sending(
    smtp_server: StartServer, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server(data_size_limit=1_000)
    error = fail(mail, settings_for(server, Security.PLAIN), kept)
    assert error.field == "pdf"
    assert "KB but 127.0.0.1 accepts at most 1 KB" in str(error)
    assert server.mailbox.received == []


def test_size_refusal_552_after_the_data_is_explained(
    smtp_server: StartServer, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server(data_reply="552 5.3.4 Message size exceeds fixed maximum message size")
    error = fail(mail, settings_for(server, Security.PLAIN), kept)
    assert error.field == "pdf"
    assert "refused a message this large (552 5.3.4" in str(error)


def test_unknown_host_is_explained(
    mail: ReportEmail, kept: Kept, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_such_host(*args: object, **kwargs: object) -> NoReturn:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # No DNS lookups leave the machine: the resolver's answer is simulated.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    settings = SmtpSettings(host="mail.invalid", port=25, security=Security.PLAIN, timeout=2)
    error = fail(mail, settings, kept)
    assert error.field == "smtp.host"
    assert "the mail server 'mail.invalid' cannot be found" in str(error)


def test_bad_settings_are_all_reported_before_connecting(mail: ReportEmail, kept: Kept) -> None:
    settings = SmtpSettings(host="bad host", port=70000, timeout=0, sender="nope")
    error = fail(mail, settings, kept)
    assert {p.field for p in error.problems} == {
        "smtp.host",
        "smtp.port",
        "smtp.timeout",
        "smtp.from",
    }


def test_a_port_typed_into_the_host_field_gets_a_hint() -> None:
    [problem] = SmtpSettings(host="smtp.office365.com:587").problems()
    assert problem.field == "smtp.host"
    assert problem.message.endswith("put the port in its own field")


def test_without_a_fallback_nothing_new_is_written(
    smtp_server: StartServer, mail: ReportEmail, kept: Kept
) -> None:
    server = smtp_server(tls="starttls")
    before = sorted(kept.pdf.parent.iterdir())
    with pytest.raises(MailError) as caught:
        send_email(mail, settings_for(server, Security.SSL))
    assert caught.value.draft is None
    assert sorted(kept.pdf.parent.iterdir()) == before


@pytest.mark.parametrize(("advertised", "limit"), [("", 0), ("35882577", 35882577), ("x", 0)])
def test_size_limit_is_read_from_the_ehlo_answer(advertised: str, limit: int) -> None:
    from advisor.mail.smtp import _size_limit

    assert _size_limit(advertised) == limit
