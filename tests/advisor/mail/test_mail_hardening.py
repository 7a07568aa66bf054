"""Hostile input and hostile servers: no header injection, no unbounded reads, no exit 1."""

from __future__ import annotations

import email
import email.policy
import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import advisor.cli
from advisor.cli import main
from advisor.mail import cli as mail_cli
from advisor.mail.errors import MailError
from advisor.mail.message import compose, default_subject, write_draft
from advisor.mail.smtp import Security, SmtpSettings, send_email

if TYPE_CHECKING:
    from conftest import StartServer

# From the issue: "Hi" CR LF "Bcc: evil@attacker.test" CR LF "Reply-To: evil@attacker.test".
INJECTING_SUBJECT = (
    "=?utf-8?b?SGkNCkJjYzogZXZpbEBhdHRhY2tlci50ZXN0DQpSZXBseS1UbzogZXZpbEBhdHRhY2tlci50ZXN0?="
)
INJECTING_TO = "=?utf-8?q?Jane=0D=0ABcc:_evil@attacker.test?= <jane@example.com>"


@pytest.fixture(autouse=True)
def only_the_email_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(advisor.cli, "_EXTRA_COMMANDS", [mail_cli.register])


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_an_encoded_word_subject_hiding_line_breaks_is_refused_for_a_draft(
    pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "out.eml"
    code, _, err = run(
        capsys, "email", pdf, "--to", "cfo@example.com", "--subject", INJECTING_SUBJECT,
        "--draft", draft,
    )  # fmt: skip
    assert code == 2
    assert "subject" in _one_line(err) and "encoded-word" in err
    assert not draft.exists()


def test_an_encoded_word_subject_is_never_sent_over_smtp(
    pdf: Path, smtp_server: StartServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server = smtp_server()
    code, _, err = run(
        capsys, "email", pdf, "--to", "cfo@example.com", "--from", "me@example.com",
        "--subject", INJECTING_SUBJECT, "--smtp-host", server.host,
        "--smtp-port", str(server.port), "--insecure-plain", "--timeout", "5",
    )  # fmt: skip
    assert code == 2
    assert "subject" in _one_line(err)
    assert server.mailbox.received == []


def test_an_encoded_word_in_to_hiding_a_line_break_exits_2(
    pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "email", pdf, "--to", INJECTING_TO, "--draft", tmp_path / "out.eml")
    assert code == 2
    assert _one_line(err).startswith("advisor: to: ")


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029", "\x0b", "\x1c"])
def test_unicode_line_breaks_in_the_subject_exit_2(
    char: str, pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "email", pdf, "--to", "cfo@example.com",
        "--subject", f"Hi{char}Bcc: evil@attacker.test", "--draft", tmp_path / "out.eml",
    )  # fmt: skip
    assert code == 2
    assert "subject" in _one_line(err)


def test_a_plain_encoded_word_subject_is_kept_as_the_user_wrote_it(
    pdf: Path, tmp_path: Path
) -> None:
    mail = compose(pdf, "cfo@example.com", subject="=?utf-8?q?Caf=C3=A9?= plan")
    path = write_draft(mail, tmp_path / "out.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Café plan"
    assert "Bcc" not in message


def test_a_scenario_name_cannot_smuggle_headers_into_the_default_subject(
    pdf: Path, tmp_path: Path
) -> None:
    subject = default_subject(INJECTING_SUBJECT)
    mail = compose(pdf, "cfo@example.com", subject=subject)
    path = write_draft(mail, tmp_path / "out.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert sorted(k.lower() for k in message) == sorted(
        ["to", "subject", "date", "message-id", "x-mailer", "x-unsent", "mime-version",
         "content-type"]
    )  # fmt: skip
    assert "\n" not in str(message["Subject"])


# --- hostile servers -------------------------------------------------------------------------


@pytest.fixture
def endless_greeting() -> Iterator[tuple[str, int]]:
    """A server that sends "220-" continuation lines and never ends its greeting (it gives up
    after 100 MB, so an unbounded client fails the test instead of hanging it)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                chunk = (b"220-" + b"x" * 200 + b"\r\n") * 50
                sent = 0
                try:
                    while not stop.is_set() and sent < 100_000_000:
                        conn.sendall(chunk)
                        sent += len(chunk)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.fixture
def trickling_greeting() -> Iterator[tuple[str, int]]:
    """A server that sends one byte of its greeting every 0.2 s (for 8 s, then hangs up)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                try:
                    for _ in range(40):
                        if stop.is_set():
                            break
                        conn.sendall(b"2")
                        time.sleep(0.2)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()
    stop.set()
    thread.join(timeout=5)
    listener.close()


def _settings(where: tuple[str, int], timeout: float) -> SmtpSettings:
    return SmtpSettings(
        host=where[0], port=where[1], security=Security.PLAIN, sender="me@example.com",
        timeout=timeout,
    )  # fmt: skip


def test_a_greeting_that_never_ends_is_refused_without_growing_memory(
    pdf: Path, endless_greeting: tuple[str, int]
) -> None:
    mail = compose(pdf, "cfo@example.com")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with pytest.raises(MailError) as info:
        send_email(mail, _settings(endless_greeting, 30))
    elapsed = time.monotonic() - start
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert info.value.field == "smtp.host"
    assert elapsed < 10
    # smtplib kept every line: ~300 MB/s. Bounded, the reply stops at 64 KiB.
    assert grown_kib < 20 * 1024


def test_the_timeout_covers_a_reply_that_trickles_in(
    pdf: Path, trickling_greeting: tuple[str, int]
) -> None:
    mail = compose(pdf, "cfo@example.com")
    start = time.monotonic()
    with pytest.raises(MailError) as info:
        send_email(mail, _settings(trickling_greeting, 1.5))
    elapsed = time.monotonic() - start
    assert "did not answer within 1.5 seconds" in str(info.value)
    assert elapsed < 5  # each byte came within the timeout, the whole reply did not
