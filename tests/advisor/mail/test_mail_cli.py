"""``advisor email``: drafts, sends, one-line failures and exit codes."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import advisor.cli
from advisor.cli import main
from advisor.mail import cli as mail_cli

if TYPE_CHECKING:  # conftest's helpers reach tests as fixtures, not imports
    from conftest import Certs, Login, Server, StartServer


@pytest.fixture(autouse=True)
def only_the_email_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register just ``email``, so these tests do not depend on the other subcommands."""
    monkeypatch.setattr(advisor.cli, "_EXTRA_COMMANDS", [mail_cli.register])


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_draft_is_written_and_exits_0(
    pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "out.eml"
    code, out, err = run(
        capsys,
        "email", pdf,
        "--to", "cfo@example.com,Jane <jane@example.com>",
        "--subject", "Our LLM plan",
        "--body", "Short version: buy.",
        "--draft", out_file,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert str(out_file) in out
    message = email.message_from_bytes(out_file.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["X-Unsent"] == "1"
    assert message["To"] == "cfo@example.com, Jane <jane@example.com>"
    assert message["Subject"] == "Our LLM plan"
    [part] = list(message.iter_attachments())
    assert isinstance(part, EmailMessage)
    assert part.get_content() == pdf.read_bytes()


def test_bad_address_exits_2_with_one_line(
    pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "email", pdf, "--to", "cfo@example.com\nBcc: spy@evil.example",
        "--draft", tmp_path / "out.eml",
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("advisor: to: ")
    assert "Traceback" not in err
    assert not (tmp_path / "out.eml").exists()


def test_a_file_that_is_not_a_pdf_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "r.pdf"
    fake.write_text("hello")
    code, _, err = run(capsys, "email", fake, "--to", "a@example.com", "--draft", tmp_path)
    assert code == 2
    assert "not a PDF" in err


def test_draft_and_smtp_together_are_refused(
    pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "email", pdf, "--to", "a@example.com", "--draft", tmp_path, "--smtp-host", "h"
    )
    assert code == 2
    assert err.count("\n") == 1


def test_smtp_flags_without_smtp_host_are_refused(
    pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "email", pdf, "--to", "a@example.com", "--draft", tmp_path, "--user", "me"
    )
    assert code == 2
    assert "--user: only applies with --smtp-host" in err


def test_sends_over_starttls_with_the_password_from_the_environment(
    pdf: Path,
    smtp_server: StartServer,
    certs: Certs,
    login: Login,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ADVISOR_SMTP_PASSWORD", login.password)
    server = smtp_server(tls="starttls", auth=True)
    code, out, err = run(
        capsys, "email", pdf, "--to", "cfo@example.com",
        "--smtp-host", server.host, "--smtp-port", str(server.port), "--starttls",
        "--user", login.user, "--ca-file", certs.ca_file, "--timeout", "5",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "sent LLM sourcing report.pdf to cfo@example.com" in out
    [got] = server.mailbox.received
    assert got.authenticated
    assert got.mail_from == login.user  # --from defaults to --user when it is an address
    assert login.password not in out + err


def test_failed_send_exits_2_in_one_line_and_keeps_a_draft(
    pdf: Path, closed_port: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    before = pdf.read_bytes()
    code, out, err = run(
        capsys, "email", pdf, "--to", "cfo@example.com", "--from", "me@example.com",
        "--smtp-host", closed_port.host, "--smtp-port", str(closed_port.port),
        "--insecure-plain",
    )  # fmt: skip
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "advisor: smtp.host: nothing accepts mail at" in err
    assert pdf.read_bytes() == before
    draft = pdf.with_suffix(".eml")
    assert f"kept as a draft in {draft}" in err
    assert draft.exists()


def test_login_without_any_password_exits_2(
    pdf: Path, memory_keyring: object, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "email", pdf, "--to", "cfo@example.com",
        "--smtp-host", "127.0.0.1", "--user", "buyer@example.com",
    )  # fmt: skip
    assert code == 2
    assert "smtp.password: no password is stored for buyer@example.com" in err


def test_missing_to_is_a_usage_error(
    pdf: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "email", pdf, "--draft", tmp_path)
    assert code == 2
    assert "--to" in err


def test_the_installed_command_exits_2_without_a_traceback(pdf: Path, tmp_path: Path) -> None:
    # A real process and the real subcommand registry: no test isolation here.
    result = subprocess.run(
        [sys.executable, "-m", "advisor.cli", "email", str(pdf), "--to", "not an address",
         "--draft", str(tmp_path / "out.eml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("advisor: to: 'not an address' is not a valid email address")
    assert result.stderr.count("\n") == 1
