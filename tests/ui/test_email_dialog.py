"""The email dialog, filled in like a user: SMTP to a real server on loopback, drafts, reveal."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import email
import email.policy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from dialogs_fixtures import ErrorRecorder, MemoryKeyring, make_pdf_bytes
from mail_support import free_port, write_report_pdf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel

from advisor.catalog.snapshot import Catalog
from advisor.mail import MailError, Security, SendMethod, load_settings
from advisor.mail.credentials import KEYRING_SERVICE
from advisor.paths import bundled_path
from advisor.recommend.evaluate import evaluate
from advisor.recommend.result import Evaluation
from advisor.recommend.summary import summary_sentence
from advisor.scenario.io import load_scenario
from ui import errors
from ui.email_dialog import EmailDialog

LOOPBACK = "127.0.0.1"
USER = "buyer@example.com"
PASSWORD = "Correct-Horse-7f3a9c-Battery"  # distinctive, so a leak is easy to spot


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings go to a folder of this test's own; no password comes from the environment."""
    path = tmp_path / "config"
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(path))
    monkeypatch.delenv("ADVISOR_SMTP_PASSWORD", raising=False)
    return path


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def shown_errors(monkeypatch: pytest.MonkeyPatch) -> ErrorRecorder:
    recorder = ErrorRecorder()
    monkeypatch.setattr(errors, "presenter", recorder)
    return recorder


@dataclass
class Launched:
    """Stands in for the programs that leave the app (mail app, file manager)."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    failure: MailError | None = None

    def opener(self, name: str) -> Callable[..., list[str]]:
        def run(*args: Any) -> list[str]:
            self.calls.append((name, args))
            if self.failure is not None:
                raise self.failure
            return [name, str(args[0])]

        return run


@pytest.fixture(autouse=True)
def launched(monkeypatch: pytest.MonkeyPatch) -> Launched:
    record = Launched()
    monkeypatch.setattr(EmailDialog, "open_in_mail_app", staticmethod(record.opener("mail_app")))
    monkeypatch.setattr(EmailDialog, "reveal_in_folder", staticmethod(record.opener("reveal")))
    return record


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return write_report_pdf(tmp_path)


@pytest.fixture(scope="module")
def evaluation(catalog: Catalog) -> Evaluation:
    scenario = load_scenario(bundled_path("resources") / "examples" / "legal-tech-startup.json")
    return evaluate(scenario, catalog)


@dataclass
class Mailbox:
    """The test server's handler: records messages, refuses the recipients it is told to."""

    reject: frozenset[str] = frozenset()
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.received.append((envelope.mail_from or "", list(envelope.rcpt_tos), content))
        return "250 2.0.0 OK: queued"


def _check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    mailbox: Mailbox


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., Server]]:
    """Start aiosmtpd relays on loopback (plain, optionally with login); stopped after the test."""
    controllers: list[Controller] = []

    def start(*, auth: bool = False, reject: tuple[str, ...] = ()) -> Server:
        mailbox = Mailbox(reject=frozenset(reject))
        options: dict[str, Any] = {"data_size_limit": None}
        if auth:
            options.update(authenticator=_check_login, auth_require_tls=False)
        port = free_port()
        controller = Controller(
            mailbox, hostname=LOOPBACK, port=port, server_hostname="mail.test", **options
        )
        controller.start()
        controllers.append(controller)
        return Server(LOOPBACK, port, mailbox)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def open_dialog(qtbot, pdf: Path) -> Callable[..., EmailDialog]:
    def make(evaluation: Evaluation | None = None) -> EmailDialog:
        dialog = EmailDialog(pdf, evaluation)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


# --- helpers: what a user does ------------------------------------------------------------


def click(qtbot, button: QAbstractButton) -> None:
    # Radio buttons and check boxes take clicks on their box and label, not on the empty
    # stretch a layout gives them, so aim at the box.
    where = QPoint(8, button.height() // 2) if button.isCheckable() else button.rect().center()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=where)


def fill_smtp(qtbot, dialog: EmailDialog, server: Server, *, user: str = "") -> None:
    """Choose SMTP and type the relay's address, allowing it to be unencrypted."""
    click(qtbot, dialog.method_buttons[SendMethod.SMTP])
    qtbot.keyClicks(dialog.host, server.host)
    dialog.port.clear()
    qtbot.keyClicks(dialog.port, str(server.port))
    click(qtbot, dialog.allow_plain)
    dialog.security.setCurrentIndex(dialog.security.findData(Security.PLAIN))
    qtbot.keyClicks(dialog.sender, "Buyer <buyer@example.com>")
    if user:
        qtbot.keyClicks(dialog.user, user)


def parsed(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


# --- defaults -------------------------------------------------------------------------------


def test_subject_and_body_summarise_the_evaluation(
    open_dialog: Callable[..., EmailDialog], evaluation: Evaluation
) -> None:
    dialog = open_dialog(evaluation)
    # The same one-sentence answer as the report's cover and `advisor email`'s subject.
    assert dialog.subject.text() == f"LLM sourcing report: {summary_sentence(evaluation)}"
    body = dialog.body.toPlainText()
    assert "LLM sourcing report.pdf" in body
    for line in evaluation.rationale:
        assert line in body
    assert not dialog.send_button.isEnabled()  # no recipient yet
    assert dialog.status.text() == "To send: enter at least one email address."
    assert not dialog.errors["to"].isVisible()  # not typed in yet: a hint, not an error


def test_without_an_evaluation_the_body_is_the_plain_default(
    open_dialog: Callable[..., EmailDialog],
) -> None:
    dialog = open_dialog()
    assert dialog.subject.text() == "LLM sourcing report"
    assert dialog.body.toPlainText().startswith("Hello,\n\nPlease find attached")


# --- SMTP -----------------------------------------------------------------------------------


def test_smtp_send_delivers_the_report_with_the_pdf_attached(
    qtbot,
    open_dialog: Callable[..., EmailDialog],
    smtp_server: Callable[..., Server],
    pdf: Path,
    evaluation: Evaluation,
) -> None:
    server = smtp_server()
    dialog = open_dialog(evaluation)
    qtbot.keyClicks(dialog.to, "Jane Doe <jane@example.com>; cfo@example.com")
    fill_smtp(qtbot, dialog, server)
    assert dialog.send_button.text() == "Send"
    assert dialog.send_button.isEnabled(), dialog.status.text()
    with qtbot.waitSignal(dialog.sent, timeout=10_000) as sent:
        click(qtbot, dialog.send_button)
        assert dialog.busy_bar.isVisible()
    assert "jane@example.com, cfo@example.com" in sent.args[0]
    [(mail_from, rcpt_tos, content)] = server.mailbox.received
    assert mail_from == "buyer@example.com"
    assert rcpt_tos == ["jane@example.com", "cfo@example.com"]
    message = parsed(content)
    assert message["Subject"] == f"LLM sourcing report: {summary_sentence(evaluation)}"
    assert evaluation.rationale[0] in message.get_body(("plain",)).get_content()
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "LLM sourcing report.pdf"
    assert part.get_content() == pdf.read_bytes()
    assert pdf.exists()
    # The choice and the server are remembered for next time.
    settings = load_settings()
    assert settings.method == SendMethod.SMTP
    assert (settings.smtp.host, settings.smtp.port) == (server.host, server.port)
    assert settings.smtp.security == Security.PLAIN


def test_password_is_kept_in_the_keyring_and_in_no_file(
    qtbot,
    open_dialog: Callable[..., EmailDialog],
    smtp_server: Callable[..., Server],
    memory_keyring: MemoryKeyring,
    config_dir: Path,
    tmp_path: Path,
) -> None:
    server = smtp_server(auth=True)
    dialog = open_dialog()
    qtbot.keyClicks(dialog.to, "jane@example.com")
    fill_smtp(qtbot, dialog, server, user=USER)
    assert not dialog.send_button.isEnabled()
    assert "enter the password" in dialog.errors["password"].text()
    qtbot.keyClicks(dialog.password, PASSWORD)
    click(qtbot, dialog.remember)
    with qtbot.waitSignal(dialog.sent, timeout=10_000):
        click(qtbot, dialog.send_button)
    assert len(server.mailbox.received) == 1
    assert memory_keyring.entries == {(KEYRING_SERVICE, f"{USER}@{LOOPBACK}"): PASSWORD}
    written = files_under(config_dir)
    assert written  # the settings were saved...
    for path in files_under(tmp_path):
        assert PASSWORD.encode() not in path.read_bytes(), path  # ...but never the password
    # Next time the password comes back from the keyring.
    again = open_dialog()
    assert again.method() == SendMethod.SMTP
    assert again.password.text() == PASSWORD
    assert again.remember.isChecked()
    assert again.security.currentData() == Security.PLAIN


def test_unticking_remember_forgets_the_stored_password(
    qtbot,
    open_dialog: Callable[..., EmailDialog],
    smtp_server: Callable[..., Server],
    memory_keyring: MemoryKeyring,
) -> None:
    server = smtp_server(auth=True)
    memory_keyring.entries[(KEYRING_SERVICE, f"{USER}@{LOOPBACK}")] = PASSWORD
    dialog = open_dialog()
    qtbot.keyClicks(dialog.to, "jane@example.com")
    fill_smtp(qtbot, dialog, server, user=USER)
    assert dialog.password.text() == ""  # the host was not known when the dialog opened
    qtbot.keyClicks(dialog.password, PASSWORD)
    assert not dialog.remember.isChecked()
    with qtbot.waitSignal(dialog.sent, timeout=10_000):
        click(qtbot, dialog.send_button)
    assert memory_keyring.entries == {}


def test_invalid_recipient_is_shown_next_to_the_field_and_send_stays_disabled(
    qtbot, open_dialog: Callable[..., EmailDialog], smtp_server: Callable[..., Server]
) -> None:
    dialog = open_dialog()
    fill_smtp(qtbot, dialog, smtp_server())
    qtbot.keyClicks(dialog.to, "jane@example")
    assert dialog.errors["to"].isVisible()
    assert "'example' is not a domain name" in dialog.errors["to"].text()
    assert not dialog.send_button.isEnabled()
    click(qtbot, dialog.send_button)  # a disabled button does nothing
    assert not dialog.busy
    qtbot.keyClicks(dialog.to, ".com")
    assert not dialog.errors["to"].isVisible()
    assert dialog.send_button.isEnabled()


def test_recipient_refused_by_the_server_shows_its_reason_and_sends_nothing(
    qtbot,
    open_dialog: Callable[..., EmailDialog],
    smtp_server: Callable[..., Server],
    shown_errors: ErrorRecorder,
    pdf: Path,
) -> None:
    server = smtp_server(reject=("nobody@example.com",))
    dialog = open_dialog()
    qtbot.keyClicks(dialog.to, "jane@example.com, nobody@example.com")
    fill_smtp(qtbot, dialog, server)
    with qtbot.assertNotEmitted(dialog.sent):
        click(qtbot, dialog.send_button)
        qtbot.waitUntil(lambda: bool(shown_errors.shown), timeout=10_000)
    [shown] = shown_errors.shown
    assert "refused the recipient nobody@example.com" in shown.message
    assert "User unknown" in shown.message
    assert server.mailbox.received == []
    assert pdf.exists()
    assert dialog.isVisible()  # still open, everything typed is still there
    assert dialog.send_button.isEnabled()


def test_unreachable_server_is_reported_and_the_dialog_stays_open(
    qtbot, open_dialog: Callable[..., EmailDialog], shown_errors: ErrorRecorder, pdf: Path
) -> None:
    closed = Server(LOOPBACK, free_port(), Mailbox())
    dialog = open_dialog()
    qtbot.keyClicks(dialog.to, "jane@example.com")
    fill_smtp(qtbot, dialog, closed)
    click(qtbot, dialog.send_button)
    qtbot.waitUntil(lambda: bool(shown_errors.shown), timeout=10_000)
    assert "connection refused" in shown_errors.messages[0]
    assert not dialog.busy_bar.isVisible()
    assert dialog.isVisible()
    assert [p.name for p in pdf.parent.iterdir()] == [pdf.name]


def test_send_test_sends_a_short_message_to_the_sender(
    qtbot, open_dialog: Callable[..., EmailDialog], smtp_server: Callable[..., Server]
) -> None:
    server = smtp_server()
    dialog = open_dialog()
    fill_smtp(qtbot, dialog, server)
    assert not dialog.send_button.isEnabled()  # no recipient, but the server can be tested
    assert dialog.test_button.isEnabled()
    click(qtbot, dialog.test_button)
    qtbot.waitUntil(lambda: len(server.mailbox.received) == 1 and not dialog.busy, timeout=10_000)
    [(_, rcpt_tos, content)] = server.mailbox.received
    assert rcpt_tos == ["buyer@example.com"]
    assert "test message" in parsed(content)["Subject"]
    assert "Test message sent to buyer@example.com" in dialog.status.text()
    assert dialog.isVisible()


def test_unencrypted_is_offered_only_when_explicitly_allowed(
    qtbot, open_dialog: Callable[..., EmailDialog]
) -> None:
    dialog = open_dialog()
    click(qtbot, dialog.method_buttons[SendMethod.SMTP])
    plain = dialog.security.model().item(dialog.security.findData(Security.PLAIN))
    assert dialog.security.currentData() == Security.STARTTLS
    assert not plain.isEnabled()
    click(qtbot, dialog.allow_plain)
    assert plain.isEnabled()
    dialog.security.setCurrentIndex(dialog.security.findData(Security.PLAIN))
    assert dialog.port.text() == "default (25)"
    click(qtbot, dialog.allow_plain)
    assert not plain.isEnabled()
    assert dialog.security.currentData() == Security.STARTTLS


# --- draft and reveal ---------------------------------------------------------------------


def test_mail_app_mode_writes_an_unsent_eml_draft_and_opens_it(
    qtbot, open_dialog: Callable[..., EmailDialog], launched: Launched, pdf: Path
) -> None:
    dialog = open_dialog()
    assert dialog.method() == SendMethod.MAIL_APP  # the default
    assert not dialog.smtp_box.isVisible()
    qtbot.keyClicks(dialog.to, "jane@example.com")
    qtbot.keyClicks(dialog.subject, " (draft)")
    assert dialog.send_button.text() == "Open in mail app"
    with qtbot.waitSignal(dialog.sent, timeout=10_000):
        click(qtbot, dialog.send_button)
    [(name, (draft, composed))] = launched.calls
    assert name == "mail_app"
    assert draft == pdf.with_suffix(".eml")
    assert composed.to == ("jane@example.com",)
    message = parsed(draft.read_bytes())
    assert message["X-Unsent"] == "1"
    assert message["To"] == "jane@example.com"
    assert message["Subject"] == "LLM sourcing report (draft)"
    [part] = list(message.iter_attachments())
    assert part.get_content() == pdf.read_bytes()
    assert load_settings().method == SendMethod.MAIL_APP


def test_a_mail_app_that_will_not_start_is_reported_and_the_draft_kept(
    qtbot,
    open_dialog: Callable[..., EmailDialog],
    launched: Launched,
    shown_errors: ErrorRecorder,
    pdf: Path,
) -> None:
    launched.failure = MailError.of("mail_app", "xdg-open cannot be started (not found)")
    dialog = open_dialog()
    qtbot.keyClicks(dialog.to, "jane@example.com")
    click(qtbot, dialog.send_button)
    qtbot.waitUntil(lambda: bool(shown_errors.shown), timeout=10_000)
    draft = pdf.with_suffix(".eml")
    assert "xdg-open cannot be started" in shown_errors.messages[0]
    assert str(draft) in shown_errors.messages[0]
    assert draft.is_file() and pdf.is_file()


def test_reveal_mode_shows_the_pdf_without_needing_recipients(
    qtbot, open_dialog: Callable[..., EmailDialog], launched: Launched, pdf: Path
) -> None:
    dialog = open_dialog()
    click(qtbot, dialog.method_buttons[SendMethod.REVEAL])
    assert dialog.send_button.text() == "Show PDF in folder"
    assert dialog.send_button.isEnabled()
    with qtbot.waitSignal(dialog.sent, timeout=10_000):
        click(qtbot, dialog.send_button)
    assert launched.calls == [("reveal", (pdf,))]
    assert load_settings().method == SendMethod.REVEAL
    assert open_dialog().method() == SendMethod.REVEAL


def test_a_missing_pdf_is_shown_and_nothing_can_be_sent(
    qtbot, tmp_path: Path, launched: Launched
) -> None:
    dialog = EmailDialog(tmp_path / "gone.pdf")
    qtbot.addWidget(dialog)
    assert "there is no file at" in dialog.errors["pdf"].text()
    for method in SendMethod:
        dialog.method_buttons[method].setChecked(True)
        assert not dialog.send_button.isEnabled()
    assert launched.calls == []


def test_a_file_name_with_markup_is_shown_as_text(qtbot, tmp_path: Path) -> None:
    hostile = tmp_path / "<img src=x>report.pdf"
    hostile.write_bytes(make_pdf_bytes())
    dialog = EmailDialog(hostile, None)
    qtbot.addWidget(dialog)
    labels = [w.text() for w in dialog.findChildren(QLabel) if "Report:" in w.text()]
    assert labels and "&lt;img src=x&gt;report.pdf" in labels[0]
