"""Send the report through an SMTP server: TLS verified by default, every failure in plain words."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import smtplib
import socket
import ssl
import time
import typing
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum
from pathlib import Path

from advisor.__about__ import __app_name__, __version__
from advisor.errors import Problem
from advisor.mail.errors import MailError
from advisor.mail.message import (
    ReportEmail,
    address_problems,
    bare_address,
    build_message,
    message_bytes,
    parse_addresses,
    write_draft,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 600.0
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[\w.-]+)$")


class Security(StrEnum):
    """How the connection to the server is protected."""

    STARTTLS = "starttls"  # plain connect, then upgrade (submission port 587)
    SSL = "ssl"  # implicit TLS from the first byte, a.k.a. SMTPS (port 465)
    PLAIN = "plain"  # no encryption: only for a local relay, and only when the user asks


DEFAULT_PORTS = {Security.STARTTLS: 587, Security.SSL: 465, Security.PLAIN: 25}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. Holds no password: that lives in the OS keyring.

    ``port`` 0 means the usual port for ``security`` (587, 465 or 25). ``ca_file`` adds trust
    in a company (or test) certificate authority; without it the system's CAs are used.
    """

    host: str = ""
    port: int = 0
    security: Security = Security.STARTTLS
    username: str = ""
    sender: str = ""
    timeout: float = DEFAULT_TIMEOUT
    ca_file: Path | None = None

    @property
    def effective_port(self) -> int:
        """The port to connect to."""
        return self.port or DEFAULT_PORTS[Security(self.security)]

    @property
    def effective_sender(self) -> str:
        """The From address: ``sender``, else the user name when it is an address, else ``""``."""
        if self.sender.strip():
            return self.sender.strip()
        if self.username and not address_problems(self.username, "smtp.from"):
            return self.username.strip()
        return ""

    def problems(self) -> list[Problem]:
        """Check the settings without connecting.

        Returns:
            Problems naming ``smtp.host``, ``smtp.port``, ``smtp.security``, ``smtp.user``,
            ``smtp.from``, ``smtp.timeout`` or ``smtp.ca_file``.
        """
        out: list[Problem] = []
        host = self.host.strip()
        if not host:
            out.append(Problem("smtp.host", "error", "enter the mail server's host name"))
        elif not _HOST.match(host):
            hint = "; put the port in its own field" if host.count(":") == 1 else ""
            out.append(Problem("smtp.host", "error", f"{host!r} is not a host name{hint}"))
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            out.append(Problem("smtp.port", "error", f"{self.port!r} is not a port (1 to 65535)"))
        if self.security not in set(Security):
            choices = ", ".join(s.value for s in Security)
            out.append(Problem("smtp.security", "error", f"choose one of {choices}"))
        if any(ord(c) < 32 or ord(c) == 127 for c in self.username):
            out.append(Problem("smtp.user", "error", "the user name must be a single line"))
        if self.sender.strip():
            out += address_problems(self.sender, "smtp.from")
        if not 0 < self.timeout <= MAX_TIMEOUT:
            out.append(
                Problem("smtp.timeout", "error", f"the timeout must be 1 to {MAX_TIMEOUT:.0f} s")
            )
        if self.ca_file is not None and not Path(self.ca_file).is_file():
            out.append(Problem("smtp.ca_file", "error", f"there is no file at {self.ca_file}"))
        return out


@dataclass(frozen=True)
class SendResult:
    """What the server accepted."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    size: int
    message_id: str


def tls_context(ca_file: Path | str | None = None) -> ssl.SSLContext:
    """A client TLS context that verifies the server's certificate and host name.

    Args:
        ca_file: A PEM file of CA certificates to trust instead of the system's.

    Returns:
        The context.

    Raises:
        MailError: The CA file cannot be loaded (field ``smtp.ca_file``).
    """
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise MailError.of(
            "smtp.ca_file", f"the CA file {ca_file} cannot be loaded ({_reason(exc)})"
        ) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return str(exc.verify_message)
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason).replace("_", " ").lower()
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(text.split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{code} {text}".strip()


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} KB"
    return f"{size} bytes"


def _size_limit(advertised: str) -> int:
    """The SIZE limit a server advertised (0 when none, or when it says only ``SIZE``)."""
    words = advertised.split()
    return int(words[0]) if words and words[0].isdigit() else 0


def _auth_problem(exc: smtplib.SMTPAuthenticationError, host: str, user: str) -> Problem:
    reply = _reply(exc.smtp_code, exc.smtp_error)
    lowered = reply.lower()
    if "5.7.139" in lowered or "basic authentication is disabled" in lowered:
        message = (
            f"{host} has switched off password (basic) login for SMTP ({reply}); "
            "send the report from your mail app instead"
        )
    elif "application-specific password" in lowered or "5.7.9" in lowered:
        message = f"{host} needs an app password for {user}, not the account password ({reply})"
    else:
        message = f"{host} rejected the user name or password for {user} ({reply})"
    return Problem("smtp.password", "error", message)


def _explain(exc: BaseException, settings: SmtpSettings) -> Problem:
    """One plain sentence, naming the field to fix, for a failure while talking to the server."""
    host, port = settings.host, settings.effective_port
    where = f"{host}:{port}"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, OSError):
        # smtplib reports a read timeout or reset as a disconnect; the cause says more.
        exc = exc.__context__
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _auth_problem(exc, host, settings.username)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Problem(
            "smtp.user",
            "error",
            f"{host} offers no login on this connection; check the security setting "
            "(most servers allow login only after STARTTLS or over TLS)",
        )
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        return Problem(
            "smtp.host",
            "error",
            f"{where} refused the session ({_reply(exc.smtp_code, exc.smtp_error)})",
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Problem(
            "smtp.host",
            "error",
            f"{where} closed the connection unexpectedly; check the port and the security setting",
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return Problem(
            "smtp.host",
            "error",
            f"{where} answered with an error ({_reply(exc.smtp_code, exc.smtp_error)})",
        )
    if isinstance(exc, socket.gaierror):
        return Problem("smtp.host", "error", f"the mail server {host!r} cannot be found")
    # TimeoutError before SSLError: a stalled TLS handshake is a timeout, not a TLS problem.
    if isinstance(exc, TimeoutError):
        return Problem(
            "smtp.host",
            "error",
            f"{where} did not answer within {settings.timeout:g} seconds; check the host, "
            "the port and any firewall",
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Problem(
            "smtp.security",
            "error",
            f"the certificate of {host} could not be verified ({_reason(exc)}); check that the "
            "host name matches the certificate, or ask IT for the company's CA certificate",
        )
    if isinstance(exc, ssl.SSLError):
        hint = (
            "port 465 usually needs implicit TLS and port 587 STARTTLS"
            if settings.security != Security.PLAIN
            else "check the port"
        )
        return Problem(
            "smtp.security",
            "error",
            f"the TLS connection to {where} failed ({_reason(exc)}); {hint}",
        )
    if isinstance(exc, ConnectionRefusedError):
        return Problem(
            "smtp.host",
            "error",
            f"nothing accepts mail at {where} (connection refused); check the host and port",
        )
    if isinstance(exc, OSError):
        return Problem("smtp.host", "error", f"cannot reach {where} ({_reason(exc)})")
    return Problem("smtp.host", "error", f"sending through {where} failed ({_reason(exc)})")


_FAILURES = (smtplib.SMTPException, OSError)  # ssl.SSLError and TimeoutError are OSErrors
# A reply (greeting, EHLO list...) is a few hundred bytes; a server sending more, or taking
# longer than the timeout for one reply however slowly it trickles, is not one to talk to.
MAX_REPLY_BYTES = 64 * 1024
_MAX_LINE = 8192  # smtplib's own line limit (RFC 5321 allows 512)


class _BoundedReplies:
    """Replaces ``smtplib.SMTP.getreply``: bounded in size and in time.

    smtplib keeps reading continuation lines (``220-...``) for as long as the server sends them
    and applies its timeout to each read alone, so a server that never ends its greeting made
    the client grow without bound and ``--timeout`` had no effect. Here a whole reply must
    arrive within ``timeout`` seconds and :data:`MAX_REPLY_BYTES`.
    """

    sock: socket.socket | None
    timeout: float
    _buffer: bytes = b""
    _buffer_sock: object = None

    if typing.TYPE_CHECKING:

        def close(self) -> None: ...  # provided by smtplib.SMTP

    def _readline(self, deadline: float) -> bytes:
        sock = self.sock
        if sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if self._buffer_sock is not sock:  # a new connection or a TLS upgrade
            self._buffer, self._buffer_sock = b"", sock
        while b"\n" not in self._buffer and len(self._buffer) <= _MAX_LINE:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the server's reply took longer than the timeout")
            sock.settimeout(left)
            chunk = sock.recv(4096)
            if not chunk:
                break
            self._buffer += chunk
        end = self._buffer.find(b"\n")
        cut = end + 1 if end >= 0 else len(self._buffer)
        line, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return line

    def getreply(self) -> tuple[int, bytes]:
        deadline = time.monotonic() + self.timeout
        lines: list[bytes] = []
        size = 0
        errcode = -1
        while True:
            try:
                line = self._readline(deadline)
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"Connection unexpectedly closed: {exc}"
                ) from exc
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            size += len(line)
            if len(line) > _MAX_LINE or size > MAX_REPLY_BYTES:
                self.close()
                raise smtplib.SMTPResponseException(500, b"Reply too long.")
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                errcode = int(line[:3])
            except ValueError:
                errcode = -1
                break
            if line[3:4] != b"-":
                break
        return errcode, b"\n".join(lines)


class _SMTP(_BoundedReplies, smtplib.SMTP):
    pass


class _SMTP_SSL(_BoundedReplies, smtplib.SMTP_SSL):
    pass


def _open(settings: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    host, port, timeout = settings.host.strip(), settings.effective_port, settings.timeout
    if settings.security == Security.SSL:
        return _SMTP_SSL(host, port, timeout=timeout, context=context)
    return _SMTP(host, port, timeout=timeout)


def _deliver(
    settings: SmtpSettings,
    password: str | None,
    sender: str,
    recipients: tuple[str, ...],
    data: bytes,
) -> None:
    """Connect, secure, log in, and hand over one message; all or nothing for the recipients."""
    host, port = settings.host.strip(), settings.effective_port
    context = None if settings.security == Security.PLAIN else tls_context(settings.ca_file)
    log.info(
        "sending %d bytes to %d recipient(s) via %s:%d (%s)",
        len(data),
        len(recipients),
        host,
        port,
        settings.security,
    )
    client: smtplib.SMTP | None = None
    try:
        client = _open(settings, context)
        client.ehlo()
        if settings.security == Security.STARTTLS:
            if not client.has_extn("starttls"):
                raise MailError.of(
                    "smtp.security",
                    f"{host}:{port} does not offer STARTTLS; choose implicit TLS (usually port "
                    "465) or check the port",
                )
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, password or "")
        limit = _size_limit(client.esmtp_features.get("size", ""))
        if limit and len(data) > limit:
            raise MailError.of(
                "pdf",
                f"the message with the report is {_size(len(data))} but {host} accepts at "
                f"most {_size(limit)}; share the report another way",
            )
        options: list[str] = []
        if limit:
            options.append(f"SIZE={len(data)}")
        if not all(a.isascii() for a in (sender, *recipients)):
            if not client.has_extn("smtputf8"):
                raise MailError.of(
                    "to", f"{host} does not accept addresses with non-ASCII characters"
                )
            options += ["SMTPUTF8", "BODY=8BITMIME"]
        code, text = client.mail(sender, options)
        if code == 552:
            raise MailError.of("pdf", f"{host} refused a message this large ({_reply(code, text)})")
        if code == 530:
            raise MailError.of("smtp.user", f"{host} requires a login ({_reply(code, text)})")
        if code != 250:
            raise MailError.of(
                "smtp.from", f"{host} refused the sender {sender} ({_reply(code, text)})"
            )
        refused = []
        for recipient in recipients:
            code, text = client.rcpt(recipient)
            if code not in (250, 251):
                refused.append(f"{recipient} ({_reply(code, text)})")
        if refused:
            # Nobody gets it unless everybody can: the user fixes the list and sends once.
            client.rset()
            noun = "recipient" if len(refused) == 1 else "recipients"
            raise MailError.of("to", f"{host} refused the {noun} {', '.join(refused)}")
        reply: bytes | str
        try:
            code, reply = client.data(data)
        except smtplib.SMTPDataError as exc:
            code, reply = exc.smtp_code, exc.smtp_error
        if code == 552:
            raise MailError.of(
                "pdf", f"{host} refused a message this large ({_reply(code, reply)})"
            )
        if code != 250:
            raise MailError.of("message", f"{host} refused the message ({_reply(code, reply)})")
        # The server has accepted the message; a rude goodbye changes nothing.
        with contextlib.suppress(*_FAILURES):
            client.quit()
    except MailError:
        raise
    except _FAILURES as exc:
        log.debug("SMTP failure via %s:%d: %s", host, port, type(exc).__name__)
        raise MailError(_explain(exc, settings)) from None
    finally:
        if client is not None:
            client.close()


def _ready(settings: SmtpSettings, password: str | None, sender: str) -> None:
    problems = settings.problems()
    if not sender:
        problems.append(
            Problem("smtp.from", "error", "enter the sender address (the From of the email)")
        )
    if settings.username and not password:
        problems.append(
            Problem(
                "smtp.password",
                "error",
                f"no password is stored for {settings.username} on {settings.host}",
            )
        )
    if problems:
        raise MailError(*problems)


def send_email(
    mail: ReportEmail,
    settings: SmtpSettings,
    password: str | None = None,
    *,
    fallback_draft: Path | str | None = None,
) -> SendResult:
    """Send the report email through an SMTP server.

    The server's certificate is always verified (except with ``Security.PLAIN``, which the
    user must choose explicitly). Either every recipient is accepted or nobody gets the mail.

    Args:
        mail: The checked email; an empty ``sender`` is taken from the settings.
        settings: Server, port, security, user name, sender, timeout.
        password: The login password (from the keyring); needed when ``settings.username``
            is set. It is never logged or stored.
        fallback_draft: When given, a failed send saves the email as an ``.eml`` draft there
            (a folder gets a new file named after the report, see
            :func:`~advisor.mail.message.write_draft`) so nothing composed is lost; the error
            says where and carries the path as ``draft``.

    Returns:
        What was sent where.

    Raises:
        MailError: Bad settings or a failed send, in one sentence naming the field to fix.
    """
    sender = mail.sender or settings.effective_sender
    try:
        _ready(settings, password, sender)
        mail = dataclasses.replace(mail, sender=parse_addresses(sender, "smtp.from")[0])
        msg = build_message(mail)
        data = message_bytes(msg)
        _deliver(settings, password, bare_address(mail.sender), mail.recipients, data)
    except MailError as exc:
        if fallback_draft is None:
            raise
        raise _with_draft(exc, mail, fallback_draft) from None
    return SendResult(
        host=settings.host.strip(),
        port=settings.effective_port,
        sender=bare_address(mail.sender),
        recipients=mail.recipients,
        size=len(data),
        message_id=str(msg["Message-ID"]),
    )


def _with_draft(exc: MailError, mail: ReportEmail, where: Path | str) -> MailError:
    try:
        path = write_draft(mail, where)
    except MailError:
        return exc  # the original failure matters more than the draft's
    problems = list(exc.problems)
    first = problems[0]
    problems[0] = Problem(
        first.field, first.severity, f"{first.message}; the email was kept as a draft in {path}"
    )
    return MailError(*problems, draft=path)


def send_test(settings: SmtpSettings, password: str | None = None, to: str = "") -> SendResult:
    """Send a short test message to check the settings (no attachment).

    Args:
        settings: The settings to try.
        password: The login password, when a user name is set.
        to: Who gets the test; empty sends it to the sender.

    Returns:
        What was sent where.

    Raises:
        MailError: Bad settings or a failed send, naming the field to fix.
    """
    sender = settings.effective_sender
    _ready(settings, password, sender)
    sender = parse_addresses(sender, "smtp.from")[0]
    recipients = parse_addresses(to, "to") if to.strip() else (sender,)
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = f"{__app_name__}: test message"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=bare_address(sender).rpartition("@")[2])
    msg["X-Mailer"] = f"{__app_name__} {__version__}"
    msg.set_content(
        f"This is a test from {__app_name__}: the mail settings for {settings.host} work.\n"
    )
    data = message_bytes(msg)
    bare = tuple(bare_address(r) for r in recipients)
    _deliver(settings, password, bare_address(sender), bare, data)
    return SendResult(
        host=settings.host.strip(),
        port=settings.effective_port,
        sender=bare_address(sender),
        recipients=bare,
        size=len(data),
        message_id=str(msg["Message-ID"]),
    )
