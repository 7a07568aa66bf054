"""The remembered mail choice and SMTP settings: a small JSON file, never the password."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from advisor.mail.smtp import DEFAULT_TIMEOUT, Security, SmtpSettings
from advisor.paths import user_config_dir
from advisor.util import atomic_write_text

log = logging.getLogger(__name__)

SETTINGS_FILE = "mail.json"
SCHEMA_VERSION = 1


class SendMethod(StrEnum):
    """The three ways to send, as chosen in the dialog."""

    MAIL_APP = "mail_app"  # write an .eml draft and open it in the user's mail program
    SMTP = "smtp"  # send it ourselves through an SMTP server
    REVEAL = "reveal"  # show the PDF in its folder; the user attaches it by hand


@dataclass(frozen=True)
class MailSettings:
    """What the email dialog remembers between runs."""

    method: SendMethod = SendMethod.MAIL_APP
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


def settings_path() -> Path:
    """The settings file: ``mail.json`` in :func:`advisor.paths.user_config_dir`."""
    return user_config_dir() / SETTINGS_FILE


def settings_to_dict(settings: MailSettings) -> dict[str, Any]:
    """The JSON form of the settings (it has no password field, by design).

    Args:
        settings: The settings.

    Returns:
        A JSON-ready dict with a ``version`` key.
    """
    smtp = settings.smtp
    return {
        "version": SCHEMA_VERSION,
        "method": settings.method.value,
        "smtp": {
            "host": smtp.host,
            "port": smtp.port,
            "security": Security(smtp.security).value,
            "username": smtp.username,
            "sender": smtp.sender,
            "timeout": smtp.timeout,
            "ca_file": str(smtp.ca_file) if smtp.ca_file else None,
        },
    }


def _pick(data: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    value = data.get(key, default)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        log.warning("mail settings: ignoring a bad %r (%r)", key, value)
        return default
    return value


def settings_from_dict(data: Any) -> MailSettings:
    """Read settings back, keeping the defaults for anything missing or malformed.

    Args:
        data: The parsed JSON.

    Returns:
        The settings; never raises on bad content (a broken file must not break the dialog).
    """
    if not isinstance(data, dict):
        return MailSettings()
    try:
        method = SendMethod(data.get("method", SendMethod.MAIL_APP.value))
    except ValueError:
        method = SendMethod.MAIL_APP
    raw = data.get("smtp")
    raw = raw if isinstance(raw, dict) else {}
    try:
        security = Security(raw.get("security", Security.STARTTLS.value))
    except ValueError:
        security = Security.STARTTLS
    port = _pick(raw, "port", int, 0)
    timeout = _pick(raw, "timeout", float, DEFAULT_TIMEOUT)
    ca_file = raw.get("ca_file")
    ca_file = ca_file if isinstance(ca_file, str) else ""
    smtp = SmtpSettings(
        host=_pick(raw, "host", str, ""),
        port=port if 0 <= port <= 65535 else 0,
        security=security,
        username=_pick(raw, "username", str, ""),
        sender=_pick(raw, "sender", str, ""),
        timeout=timeout if 0 < timeout <= 600 else DEFAULT_TIMEOUT,
        ca_file=Path(ca_file) if ca_file else None,
    )
    return MailSettings(method=method, smtp=smtp)


def load_settings(path: Path | None = None) -> MailSettings:
    """Load the remembered settings.

    Args:
        path: The file; ``None`` for :func:`settings_path`.

    Returns:
        The settings, or the defaults when the file is missing or unreadable.
    """
    path = settings_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return MailSettings()
    except OSError as exc:
        log.warning("mail settings %s not readable: %s", path, exc.strerror or exc)
        return MailSettings()
    try:
        data = json.loads(text)
    except ValueError:
        log.warning("mail settings %s are not valid JSON; using the defaults", path)
        return MailSettings()
    return settings_from_dict(data)


def save_settings(settings: MailSettings, path: Path | None = None) -> Path:
    """Remember the settings, atomically (a crash leaves the previous file whole).

    Args:
        settings: What to remember; it holds no password.
        path: The file; ``None`` for :func:`settings_path`.

    Returns:
        The path written.
    """
    path = settings_path() if path is None else path
    atomic_write_text(path, json.dumps(settings_to_dict(settings), indent=2) + "\n")
    log.debug("saved mail settings to %s", path)
    return path
