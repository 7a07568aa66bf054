"""Handing the report to the desktop: the commands that open the draft or show the PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.mail import MailError, ReportEmail, compose, open_draft_command, reveal_command
from advisor.mail.desktop import run_command


def no_program(name: str) -> str | None:
    return None


def every_program(name: str) -> str | None:
    return f"/usr/bin/{name}"


@pytest.fixture
def mail(pdf: Path) -> ReportEmail:
    return compose(
        pdf,
        "Jane Doe <jane@example.com>, cfo@example.com",
        subject="Report",
        body="See attached.\n",
        cc="it@example.com",
    )


def test_linux_uses_xdg_email_with_the_pdf_attached(mail: ReportEmail, tmp_path: Path) -> None:
    draft = tmp_path / "r.eml"
    command = open_draft_command(draft, mail, platform="linux", which=every_program)
    assert command == [
        "xdg-email",
        "--utf8",
        "--subject",
        "Report",
        "--body",
        "See attached.\n",
        "--cc",
        "it@example.com",
        "--attach",
        str(mail.pdf.resolve()),
        "jane@example.com",
        "cfo@example.com",
    ]


def test_linux_without_xdg_email_opens_the_draft(mail: ReportEmail, tmp_path: Path) -> None:
    draft = tmp_path / "r.eml"
    command = open_draft_command(draft, mail, platform="linux", which=no_program)
    assert command == ["xdg-open", str(draft.resolve())]


def test_windows_and_macos_open_the_draft_with_its_handler(tmp_path: Path) -> None:
    draft = tmp_path / "r.eml"
    assert open_draft_command(draft, platform="windows") == ["explorer", str(draft.resolve())]
    assert open_draft_command(draft, platform="macos") == ["open", str(draft.resolve())]


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("linux", lambda pdf: ["xdg-open", str(pdf.parent)]),
        ("windows", lambda pdf: ["explorer", f"/select,{pdf}"]),
        ("macos", lambda pdf: ["open", "-R", str(pdf)]),
    ],
)
def test_reveal_shows_the_pdf_in_its_folder(pdf: Path, platform: str, expected: object) -> None:
    assert callable(expected)
    assert reveal_command(pdf, platform=platform) == expected(pdf.resolve())


def test_run_command_starts_the_program(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    process = run_command([sys.executable, "-c", f"open({str(marker)!r}, 'w').close()"])
    assert process.wait(timeout=10) == 0
    assert marker.exists()


def test_a_missing_program_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MailError, match="cannot be started") as caught:
        run_command([str(tmp_path / "no-such-mail-app")])
    assert caught.value.field == "mail_app"
