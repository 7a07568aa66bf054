"""Fixtures for the mail tests: a real PDF, loopback SMTP servers, TLS certificates, a keyring."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from mail_support import LOOPBACK, MemoryKeyring, free_port, write_report_pdf

USER = "buyer@example.com"
PASSWORD = "Correct-Horse-7f3a9c-Battery"  # distinctive, so a leak is easy to spot
SENDER = "Buyer <buyer@example.com>"


# --- files ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the real settings folder and password variable."""
    path = tmp_path / "config"
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(path))
    monkeypatch.delenv("ADVISOR_SMTP_PASSWORD", raising=False)
    return path


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """A tiny but real one-page PDF, named like a report (with a space)."""
    return write_report_pdf(tmp_path)


# --- keyring --------------------------------------------------------------------------------


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


# --- TLS ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certs:
    """A test CA and a server certificate it signed, for localhost and 127.0.0.1."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    folder = tmp_path_factory.mktemp("certs")
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Advisor Test CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    result = Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    result.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    result.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    result.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return result


# --- SMTP servers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One message as the test server got it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str]
    authenticated: bool
    tls: bool


@dataclass
class Mailbox:
    """The handler of a test server: records messages; can refuse recipients or the data."""

    reject: frozenset[str] = frozenset()
    data_reply: str | None = None
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        content = envelope.original_content or b""
        self.received.append(
            Received(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                content=content,
                mail_options=list(envelope.mail_options),
                authenticated=bool(session.authenticated),
                tls=server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 2.0.0 OK: queued"


def authenticator(failure_reply: str | None = None) -> Callable[..., AuthResult]:
    """An aiosmtpd authenticator accepting :data:`USER` with :data:`PASSWORD`.

    Args:
        failure_reply: What to answer a wrong login (aiosmtpd's 535 when ``None``).
    """

    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode()
        )
        # handled=False: aiosmtpd then sends the failure reply itself.
        return AuthResult(success=ok, handled=False, message=None if ok else failure_reply)

    return check


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    mailbox: Mailbox


StartServer = Callable[..., Server]


@pytest.fixture
def smtp_server(certs: Certs) -> Iterator[StartServer]:
    """Start aiosmtpd servers on loopback; every server is stopped after the test.

    ``smtp_server(tls=None | "starttls" | "ssl", auth=False, auth_failure=None, reject=(),
    data_reply=None, **options)``: ``starttls`` requires STARTTLS, ``ssl`` is implicit TLS
    (SMTPS), ``auth`` checks :data:`USER` and :data:`PASSWORD` (``auth_failure`` replaces the
    answer to a wrong login), ``reject`` lists recipients answered with 550,
    ``data_reply`` replaces the answer to the message, and ``options`` go to aiosmtpd's
    ``SMTP`` (e.g. ``data_size_limit``, which is also advertised as SIZE).
    """
    controllers: list[Controller] = []

    def start(
        *,
        tls: str | None = None,
        auth: bool = False,
        auth_failure: str | None = None,
        reject: tuple[str, ...] = (),
        data_reply: str | None = None,
        **options: Any,
    ) -> Server:
        mailbox = Mailbox(reject=frozenset(reject), data_reply=data_reply)
        options.setdefault("data_size_limit", None)
        if tls == "starttls":
            options.update(tls_context=certs.server_context(), require_starttls=True)
        elif tls == "ssl":
            options.update(ssl_context=certs.server_context())
        if auth:
            # aiosmtpd only counts STARTTLS as TLS; under implicit TLS it must be told that
            # login without STARTTLS is fine, or it will not offer AUTH at all.
            options.update(authenticator=authenticator(auth_failure), auth_require_tls=tls != "ssl")
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


@dataclass(frozen=True)
class Login:
    """The account the test servers accept (the password is distinctive, to spot leaks)."""

    user: str = USER
    password: str = PASSWORD
    sender: str = SENDER


@pytest.fixture
def login() -> Login:
    return Login()


@pytest.fixture
def closed_port() -> Server:
    """A loopback port where nothing listens (connections are refused)."""
    return Server(LOOPBACK, free_port(), Mailbox())


@pytest.fixture
def silent_server() -> Iterator[Server]:
    """A port that accepts connections (the kernel's backlog) but never says a word."""
    sock = socket.socket()
    sock.bind((LOOPBACK, 0))
    sock.listen(8)
    try:
        yield Server(LOOPBACK, sock.getsockname()[1], Mailbox())
    finally:
        sock.close()
