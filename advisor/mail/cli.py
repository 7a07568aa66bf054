"""The ``advisor email`` command: save the report email as a draft, or send it over SMTP."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from advisor.errors import InputError, Problem
from advisor.mail.credentials import PASSWORD_ENV, resolve_password
from advisor.mail.message import compose, write_draft
from advisor.mail.smtp import DEFAULT_TIMEOUT, Security, SmtpSettings, send_email

_EPILOG = (
    f"The SMTP password comes from the system keyring or the {PASSWORD_ENV} environment "
    "variable, never from a flag. When a send fails, the email is kept as an .eml draft beside "
    "the report."
)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (1 to 65535)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 600 seconds")
    return value


def register(subparsers: Any) -> None:
    """Add the ``email`` subcommand.

    Args:
        subparsers: The object returned by ``ArgumentParser.add_subparsers``.
    """
    p = subparsers.add_parser(
        "email",
        help="email the PDF report: save an .eml draft, or send it through an SMTP server",
        description="Email the PDF report: save an .eml draft for the mail app, or send it "
        "through an SMTP server.",
        epilog=_EPILOG,
    )
    p.set_defaults(func=cmd_email)
    p.add_argument("pdf", type=Path, metavar="REPORT.pdf", help="the report to attach")
    p.add_argument(
        "--to",
        required=True,
        action="append",
        metavar="ADDRESS[,ADDRESS]",
        help="recipients, comma-separated (the flag may be repeated)",
    )
    p.add_argument("--cc", action="append", default=[], metavar="ADDRESS[,ADDRESS]")
    p.add_argument("--subject", help="subject line (default: the report's one-sentence answer)")
    p.add_argument("--body", help="plain-text message (default: a short note about the report)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--draft", type=Path, metavar="OUT.eml", help="write an .eml draft here")
    how.add_argument("--smtp-host", metavar="HOST", help="send through this SMTP server")
    p.add_argument(
        "--smtp-port", type=_port, metavar="PORT", help="default: 587, 465 with --ssl, 25 plain"
    )
    security = p.add_mutually_exclusive_group()
    security.add_argument(
        "--starttls",
        dest="security",
        action="store_const",
        const=Security.STARTTLS,
        help="upgrade the connection with STARTTLS (the default)",
    )
    security.add_argument(
        "--ssl",
        dest="security",
        action="store_const",
        const=Security.SSL,
        help="implicit TLS from the start (SMTPS)",
    )
    security.add_argument(
        "--insecure-plain",
        dest="security",
        action="store_const",
        const=Security.PLAIN,
        help="no encryption at all: only for a trusted local relay",
    )
    p.add_argument("--user", default="", help="SMTP login name (no login when omitted)")
    p.add_argument("--from", dest="sender", default="", metavar="ADDRESS", help="default: --user")
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"network timeout (default {DEFAULT_TIMEOUT:g})",
    )
    p.add_argument(
        "--ca-file", type=Path, metavar="PEM", help="trust this CA file instead of the system's"
    )


def cmd_email(args: argparse.Namespace) -> int:
    """Run ``advisor email``.

    Args:
        args: The parsed arguments.

    Returns:
        0 when the draft was written or the mail was sent.

    Raises:
        InputError: Bad input, or a failed send (the CLI prints it in one line, exits 2).
    """
    if args.draft is not None:
        smtp_only = [
            ("--smtp-port", args.smtp_port is not None),
            ("--starttls/--ssl/--insecure-plain", args.security is not None),
            ("--user", bool(args.user)),
            ("--ca-file", args.ca_file is not None),
        ]
        for flag, given in smtp_only:
            if given:
                raise InputError(Problem(flag, "error", "only applies with --smtp-host"))
    mail = compose(
        args.pdf, args.to, subject=args.subject, body=args.body, sender=args.sender, cc=args.cc
    )
    if args.draft is not None:
        path = write_draft(mail, args.draft)
        print(f"draft written to {path}")
        return 0
    settings = SmtpSettings(
        host=args.smtp_host,
        port=args.smtp_port or 0,
        security=args.security or Security.STARTTLS,
        username=args.user,
        sender=args.sender,
        timeout=args.timeout,
        ca_file=args.ca_file,
    )
    password = resolve_password(settings.host, settings.username) if settings.username else None
    result = send_email(mail, settings, password, fallback_draft=args.pdf.parent)
    print(
        f"sent {mail.attachment_name} to {', '.join(result.recipients)} "
        f"via {result.host}:{result.port}"
    )
    return 0
