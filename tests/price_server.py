"""A real HTTPS server on loopback serving a price mirror, for update tests and the smoke test.

In tests: ``PriceServer(certs, routes)`` as a context manager. From a shell (the bundle's smoke
test): ``python tests/price_server.py --dir MIRROR --certs DIR --port-file FILE`` writes a test CA
to ``DIR/ca.pem``, serves MIRROR over HTTPS on 127.0.0.1 and writes its port to FILE.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK = "127.0.0.1"
MIRROR = Path(__file__).resolve().parent / "advisor" / "catalog" / "data" / "price_mirror"


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


def make_certs(folder: Path) -> Certs:
    """Write a fresh test CA and a loopback server certificate into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Advisor Price Test CA")
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
    certs = Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    certs.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certs.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    certs.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certs


@dataclass
class Reply:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    last_modified: str | None = None  # an HTTP date, e.g. "Wed, 02 Dec 2026 10:00:00 GMT"
    delay: float = 0.0  # seconds before answering (a slow or hung server)
    truncate_to: int | None = None  # send only this many bytes of a body announced in full
    chunk_pause: float = 0.0  # pause between 16 KB chunks (a slow download, for cancelling)


@dataclass
class PriceServer:
    """An HTTPS server on 127.0.0.1 answering each path from ``routes`` (404 otherwise)."""

    certs: Certs
    routes: dict[str, Reply] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        return f"https://{LOOPBACK}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def __enter__(self) -> PriceServer:
        routes, requests = self.routes, self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                requests.append(self.path)
                reply = routes.get(self.path.split("?")[0])
                if reply is None:
                    self.send_error(404, "Not Found")
                    return
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(reply.body)))
                if reply.last_modified:
                    self.send_header("Last-Modified", reply.last_modified)
                self.end_headers()
                body = reply.body
                if reply.truncate_to is not None:
                    body = body[: reply.truncate_to]
                try:
                    for start in range(0, len(body), 16384):
                        self.wfile.write(body[start : start + 16384])
                        self.wfile.flush()
                        if reply.chunk_pause:
                            time.sleep(reply.chunk_pause)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the client gave up (a cancel or a timeout): expected
                if reply.truncate_to is not None:
                    self.close_connection = True

        server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        server.daemon_threads = True
        server.socket = self.certs.server_context().wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def mirror_routes(folder: Path = MIRROR, last_modified: str | None = None) -> dict[str, Reply]:
    """Every file of a mirror folder as a route (``/data.json``, ``/aws/vms.csv``, ...)."""
    return {
        "/" + p.relative_to(folder).as_posix(): Reply(p.read_bytes(), last_modified=last_modified)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".json", ".csv")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a price mirror over HTTPS on loopback")
    parser.add_argument("--dir", type=Path, default=MIRROR)
    parser.add_argument("--certs", type=Path, required=True, help="folder for ca.pem & co.")
    parser.add_argument("--port-file", type=Path, required=True)
    args = parser.parse_args()
    server = PriceServer(make_certs(args.certs), mirror_routes(args.dir))
    with server:
        tmp = args.port_file.with_name(args.port_file.name + ".tmp")
        tmp.write_text(server.base.rsplit(":", 1)[1])
        tmp.replace(args.port_file)  # the smoke test waits for the whole port number
        threading.Event().wait()


if __name__ == "__main__":
    main()
