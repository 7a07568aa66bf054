"""Email the report: compose it, save an ``.eml`` draft, send it over SMTP, or show the PDF."""

from advisor.mail.credentials import (
    KEYRING_SERVICE,
    PASSWORD_ENV,
    forget_password,
    load_password,
    resolve_password,
    store_password,
)
from advisor.mail.desktop import open_draft, open_draft_command, reveal, reveal_command
from advisor.mail.errors import MailError
from advisor.mail.message import (
    ReportEmail,
    attachment_name,
    build_message,
    compose,
    default_body,
    default_subject,
    mail_problems,
    parse_addresses,
    write_draft,
)
from advisor.mail.settings import MailSettings, SendMethod, load_settings, save_settings
from advisor.mail.smtp import Security, SendResult, SmtpSettings, send_email, send_test

__all__ = [
    "KEYRING_SERVICE",
    "PASSWORD_ENV",
    "MailError",
    "MailSettings",
    "ReportEmail",
    "Security",
    "SendMethod",
    "SendResult",
    "SmtpSettings",
    "attachment_name",
    "build_message",
    "compose",
    "default_body",
    "default_subject",
    "forget_password",
    "load_password",
    "load_settings",
    "mail_problems",
    "open_draft",
    "open_draft_command",
    "parse_addresses",
    "resolve_password",
    "reveal",
    "reveal_command",
    "save_settings",
    "send_email",
    "send_test",
    "store_password",
    "write_draft",
]
