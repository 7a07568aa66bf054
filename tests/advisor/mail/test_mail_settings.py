"""The remembered choice and SMTP settings, the keyring password, and secrets kept off disk."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from advisor.mail import (
    KEYRING_SERVICE,
    MailError,
    MailSettings,
    Security,
    SendMethod,
    SmtpSettings,
    compose,
    forget_password,
    load_password,
    load_settings,
    resolve_password,
    save_settings,
    send_email,
    store_password,
)
from advisor.mail.settings import settings_path

if TYPE_CHECKING:  # conftest's helpers reach tests as fixtures, not imports
    from conftest import Certs, Login, MemoryKeyring, StartServer


def test_missing_settings_file_gives_the_defaults() -> None:
    settings = load_settings()
    assert settings == MailSettings()
    assert settings.method is SendMethod.MAIL_APP


def test_settings_round_trip_through_the_config_dir(config_dir: Path) -> None:
    smtp = SmtpSettings(
        host="smtp.office365.com",
        port=587,
        security=Security.STARTTLS,
        username="buyer@example.com",
        sender="Buyer <buyer@example.com>",
        timeout=20.0,
        ca_file=Path("/etc/ssl/company-ca.pem"),
    )
    path = save_settings(MailSettings(method=SendMethod.SMTP, smtp=smtp))
    assert path == config_dir / "mail.json" == settings_path()
    assert load_settings() == MailSettings(method=SendMethod.SMTP, smtp=smtp)
    data = json.loads(path.read_text())
    assert data["version"] == 1
    assert "password" not in json.dumps(data).lower()


def test_saving_leaves_no_temporary_files(config_dir: Path) -> None:
    save_settings(MailSettings(method=SendMethod.REVEAL))
    save_settings(MailSettings(method=SendMethod.SMTP))
    assert [p.name for p in config_dir.iterdir()] == ["mail.json"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"method": "carrier-pigeon", "smtp": {"port": "587", "security": "rot13"}}',
        '{"smtp": {"host": 7, "port": 99999, "timeout": -1, "username": null}}',
    ],
)
def test_a_broken_settings_file_falls_back_to_defaults(
    config_dir: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "mail.json").write_text(content)
    with caplog.at_level(logging.WARNING):
        assert load_settings() == MailSettings()


def test_password_is_kept_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store_password("SMTP.Example.com", "buyer", "pw-1")
    assert memory_keyring.entries == {(KEYRING_SERVICE, "buyer@smtp.example.com"): "pw-1"}
    assert load_password("smtp.example.com", "buyer") == "pw-1"
    forget_password("smtp.example.com", "buyer")
    forget_password("smtp.example.com", "buyer")  # forgetting twice is fine
    assert load_password("smtp.example.com", "buyer") is None


def test_environment_password_wins_over_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store_password("smtp.example.com", "buyer", "from-keyring")
    assert resolve_password("smtp.example.com", "buyer", {}) == "from-keyring"
    env = {"ADVISOR_SMTP_PASSWORD": "from-env"}
    assert resolve_password("smtp.example.com", "buyer", env) == "from-env"


def test_storing_without_a_host_is_refused(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(MailError) as caught:
        store_password("", "buyer", "pw")
    assert caught.value.field == "smtp.password"


def test_no_secret_reaches_disk_or_logs(
    memory_keyring: MemoryKeyring,
    smtp_server: StartServer,
    certs: Certs,
    login: Login,
    pdf: Path,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = smtp_server(tls="starttls", auth=True)
    smtp = SmtpSettings(
        host=server.host,
        port=server.port,
        security=Security.STARTTLS,
        username=login.user,
        sender=login.sender,
        timeout=5,
        ca_file=certs.ca_file,
    )
    store_password(smtp.host, smtp.username, login.password)
    save_settings(MailSettings(method=SendMethod.SMTP, smtp=smtp))

    password = resolve_password(smtp.host, smtp.username)
    assert password == login.password
    mail = compose(pdf, "cfo@example.com")
    send_email(mail, smtp, password, fallback_draft=config_dir)
    assert len(server.mailbox.received) == 1
    # A failing send, whose error text and fallback draft must not carry it either.
    implicit_tls_on_a_starttls_port = dataclasses.replace(smtp, security=Security.SSL)
    with pytest.raises(MailError) as caught:
        send_email(mail, implicit_tls_on_a_starttls_port, password, fallback_draft=config_dir)
    assert login.password not in str(caught.value)

    secret = login.password.encode()
    files = [p for p in config_dir.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".json", ".eml"}
    for path in files:
        assert secret not in path.read_bytes(), path
    assert caplog.records, "expected some logging at DEBUG"
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''}"
        assert login.password not in text, record.name
