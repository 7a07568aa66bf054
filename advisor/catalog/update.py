"""Refresh API and cloud GPU prices from their published files, without pip (CLI and app).

``update_prices`` downloads the genai-prices data file (the one genai-prices' own auto-update
fetches, validated with genai-prices' own loader) and the SkyPilot catalog's per-cloud CSVs,
checks all of them, and only then swaps them into the per-user ``prices`` folder and re-imports
the catalog in one transaction. Any failure (no network, timeout, HTTP error, truncated or
tampered file, a newer format) raises ``UpdateError`` with one clear message and leaves both the
catalog and the stored files exactly as they were. HTTPS only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import http.client
import json
import os
import shutil
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from advisor.__about__ import __version__
from advisor.catalog import db as catalog_db
from advisor.catalog import price_data, skypilot
from advisor.errors import InputError, Problem
from advisor.paths import catalog_path, user_config_dir
from advisor.util import atomic_write_text

try:  # the URL genai-prices' own UpdatePrices fetches
    from genai_prices.update_prices import DEFAULT_UPDATE_URL as GENAI_PRICES_URL
except ImportError:  # pragma: no cover - older genai-prices without auto-update
    GENAI_PRICES_URL = (
        "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/"
        "prices/new_data/v2/data.json"
    )

# SkyPilot's hosted catalog (sky/catalog/constants.py HOSTED_CATALOG_DIR_URL) at schema v8.
SKYPILOT_URL = "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v8"
SETTINGS_FILE = "price-update.json"
MAX_BYTES = 200 * 1024 * 1024  # a price file larger than this is not one
CHUNK = 64 * 1024

Progress = Callable[[float, str], None]


class UpdateError(InputError):
    """Prices could not be updated; the catalog and the stored price files are unchanged."""

    def __init__(self, message: str) -> None:
        message = f"prices not updated, nothing was changed: {message}"
        super().__init__(Problem("update", "error", message))
        self.message = message

    def __str__(self) -> str:
        return self.message


class UpdateCancelled(Exception):
    """The user cancelled the update; nothing was changed."""


@dataclass(frozen=True)
class UpdateSettings:
    """Where prices are downloaded from. Stored in ``<config dir>/price-update.json``.

    Attributes:
        api_url: The genai-prices data file (JSON); default genai-prices' own update URL.
        cloud_url: The SkyPilot catalog folder; ``<cloud_url>/<cloud>/vms.csv`` is fetched.
        clouds: Which clouds to import (default: those the reviewed GPU mapping covers).
        ca_file: A PEM file of extra trusted CAs (e.g. a company proxy's); empty for the system's.
        timeout_seconds: Per connection and per read.
    """

    api_url: str = GENAI_PRICES_URL
    cloud_url: str = SKYPILOT_URL
    clouds: tuple[str, ...] = field(default_factory=lambda: skypilot.load_mapping().clouds)
    ca_file: str = ""
    timeout_seconds: float = 30.0

    @classmethod
    def path(cls) -> Path:
        return user_config_dir() / SETTINGS_FILE

    @classmethod
    def load(cls, path: Path | None = None) -> UpdateSettings:
        """The stored settings, defaults for what is not set.

        Raises:
            InputError: The file is not JSON, or a value has the wrong type (names the field).
        """
        path = path or cls.path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise InputError(Problem(str(path), "error", f"cannot read it ({exc})")) from None
        if not isinstance(data, dict):
            raise InputError(Problem(str(path), "error", "must be a JSON object"))
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("api_url", "cloud_url", "ca_file"):
                if not isinstance(value, str):
                    raise InputError(Problem(f"{path.name}: {key}", "error", "must be text"))
                values[key] = value
            elif key == "clouds":
                if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
                    raise InputError(
                        Problem(f"{path.name}: clouds", "error", "must be a list of cloud names")
                    )
                values[key] = tuple(value)
            elif key == "timeout_seconds":
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise InputError(
                        Problem(f"{path.name}: timeout_seconds", "error", "must be a number > 0")
                    )
                values[key] = float(value)
            else:
                raise InputError(Problem(f"{path.name}: {key}", "error", "unknown setting"))
        return cls(**values)

    def save(self, path: Path | None = None) -> None:
        data = {
            "api_url": self.api_url,
            "cloud_url": self.cloud_url,
            "clouds": list(self.clouds),
            "ca_file": self.ca_file,
            "timeout_seconds": self.timeout_seconds,
        }
        atomic_write_text(path or self.path(), json.dumps(data, indent=2) + "\n")

    def from_mirror(self, base: str) -> UpdateSettings:
        """Settings reading everything from one mirror: ``<base>/data.json`` (genai-prices)
        and ``<base>/<cloud>/vms.csv`` (SkyPilot)."""
        base = base.rstrip("/")
        return replace(self, api_url=f"{base}/data.json", cloud_url=base)

    def cloud_csv_url(self, cloud: str) -> str:
        return f"{self.cloud_url.rstrip('/')}/{cloud}/vms.csv"


@dataclass(frozen=True)
class Downloaded:
    url: str
    data: bytes
    data_date: str  # the server's Last-Modified date, else the download day (UTC)


@dataclass(frozen=True)
class UpdateResult:
    """What an update did, for the CLI and the app to tell the user."""

    api_models: int
    api_prices: int
    cloud_offers: int
    cloud_imported: int
    unmapped_gpu_rows: int
    overrides_kept: int
    lines: tuple[str, ...]


def _ssl_context(settings: UpdateSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    with contextlib.suppress(ImportError, OSError):
        import certifi  # the system store can be empty in a frozen app on some platforms

        context.load_verify_locations(certifi.where())
    if settings.ca_file:
        try:
            context.load_verify_locations(settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise UpdateError(f"cannot use the CA file {settings.ca_file}: {exc}") from None
    return context


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"the server answered HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"secure connection failed ({exc.reason or exc})"
    if isinstance(exc, socket.gaierror):
        return "no network or unknown host"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (no network, or nothing listening)"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(getattr(exc, "reason", exc)) or type(exc).__name__


def download(
    url: str,
    settings: UpdateSettings,
    *,
    on_bytes: Callable[[int, int | None], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Downloaded:
    """Download one file over HTTPS, in chunks (progress, cancellation, size and length checks).

    Raises:
        UpdateError: Not HTTPS, a network or HTTP failure, or a truncated or oversized answer.
        UpdateCancelled: ``cancelled()`` became true.
    """
    if not url.lower().startswith("https://"):
        raise UpdateError(f"{url}: only https:// URLs are allowed for price downloads")
    request = urllib.request.Request(
        url, headers={"User-Agent": f"llm-sourcing-advisor/{__version__}"}
    )
    context = _ssl_context(settings)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    try:
        with urllib.request.urlopen(
            request, timeout=settings.timeout_seconds, context=context
        ) as response:
            length_text = response.headers.get("Content-Length")
            total = int(length_text) if length_text and length_text.isdigit() else None
            if total is not None and total > MAX_BYTES:
                raise UpdateError(f"{url}: {total:,} bytes is too large for a price file")
            modified = response.headers.get("Last-Modified")
            chunks: list[bytes] = []
            size = 0
            while True:
                if cancelled is not None and cancelled():
                    raise UpdateCancelled()
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BYTES:
                    raise UpdateError(f"{url}: more than {MAX_BYTES:,} bytes; not a price file")
                if on_bytes is not None:
                    on_bytes(size, total)
    except (UpdateError, UpdateCancelled):
        raise
    except http.client.IncompleteRead as exc:
        raise UpdateError(f"{url}: the download was cut short ({exc})") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UpdateError(f"{url}: {_reason(exc)}") from None
    if total is not None and size != total:
        raise UpdateError(f"{url}: the download was cut short ({size:,} of {total:,} bytes)")
    data_date = today
    if modified:
        with contextlib.suppress(TypeError, ValueError):
            data_date = email.utils.parsedate_to_datetime(modified).date().isoformat()
    return Downloaded(url, b"".join(chunks), data_date)


def _stage(
    staging: Path, api: Downloaded, clouds: dict[str, Downloaded], cloud_url: str, fetched_at: str
) -> None:
    """Write the downloaded files and their manifest into a new folder."""
    staging.mkdir(parents=True)
    manifest: dict[str, Any] = {
        "api": {
            "url": api.url,
            "file": price_data.API_FILE,
            "sha256": price_data.sha256(api.data),
            "fetched_at": fetched_at,
            "data_date": api.data_date,
        },
    }
    (staging / price_data.API_FILE).write_bytes(api.data)
    if clouds:
        manifest["cloud"] = {
            "base_url": cloud_url,
            "fetched_at": fetched_at,
            "data_date": min(d.data_date for d in clouds.values()),
            "clouds": {},
        }
        for cloud, got in clouds.items():
            name = price_data.cloud_file(cloud)
            (staging / name).write_bytes(got.data)
            manifest["cloud"]["clouds"][cloud] = {
                "url": got.url,
                "file": name,
                "sha256": price_data.sha256(got.data),
            }
    (staging / price_data.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _swap_in(folder: Path, staging: Path) -> Path | None:
    """Put ``staging`` in place of ``folder``; return where the old folder went (or None)."""
    old = None
    if folder.exists():
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except BaseException:
        if old is not None:
            os.replace(old, folder)
        raise
    return old


def update_prices(
    path: Path | None = None,
    settings: UpdateSettings | None = None,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    now: dt.datetime | None = None,
) -> UpdateResult:
    """Download API and cloud GPU prices, validate them, then re-import the catalog atomically.

    Args:
        path: The catalog file (default the per-user one).
        settings: Where to download from (default the stored settings).
        progress: Called with (fraction 0..1, message) as the work goes on.
        cancelled: Polled between chunks; when it returns True the update stops, changing nothing.
        now: The time of the download (tests fix it).

    Returns:
        What was imported.

    Raises:
        UpdateError: One clear message; nothing was changed.
        UpdateCancelled: Cancelled; nothing was changed.
    """
    settings = settings or UpdateSettings.load()
    path = path or catalog_path()
    say = progress or (lambda _f, _m: None)
    now = now or dt.datetime.now(dt.UTC)
    catalog_db.ensure_catalog(path)
    mapping = skypilot.load_mapping()
    unknown = [c for c in settings.clouds if c not in mapping.clouds]
    if unknown:
        raise UpdateError(
            f"no GPU mapping for cloud(s) {', '.join(unknown)} (known: {', '.join(mapping.clouds)})"
        )
    steps = 1 + len(settings.clouds)

    def fetch(step: int, url: str, what: str) -> Downloaded:
        def on_bytes(done: int, total: int | None) -> None:
            part = done / total if total else 0.0
            size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
            say((step + part) / (steps + 1), f"Downloading {what}: {size}")

        say(step / (steps + 1), f"Downloading {what}…")
        return download(url, settings, on_bytes=on_bytes, cancelled=cancelled)

    api = fetch(0, settings.api_url, "API prices (genai-prices)")
    try:
        price_data.parse_genai_prices(api.data)
    except ValueError as exc:
        raise UpdateError(f"{api.url}: {exc}") from None
    clouds: dict[str, Downloaded] = {}
    unmapped = 0
    for n, cloud in enumerate(settings.clouds, start=1):
        got = fetch(n, settings.cloud_csv_url(cloud), f"{cloud} GPU prices (SkyPilot)")
        try:
            parsed = skypilot.parse_vms_csv(
                got.data.decode("utf-8"), cloud, mapping, source=got.url, as_of=got.data_date
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise UpdateError(f"{got.url}: {exc}") from None
        if not parsed.rows:
            raise UpdateError(f"{got.url}: none of its GPU instances map to a known GPU")
        unmapped += parsed.unmapped
        clouds[cloud] = got
    if cancelled is not None and cancelled():
        raise UpdateCancelled()
    say(steps / (steps + 1), "Re-importing the catalog…")

    folder = price_data.prices_dir()
    staging = folder.with_name(f"{folder.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _stage(staging, api, clouds, settings.cloud_url, now.isoformat(timespec="seconds"))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    # The new files go in place, the catalog is refilled in one transaction; if that fails the
    # old files come back, so the stored files and the catalog always agree.
    try:
        old = _swap_in(folder, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        with catalog_db.open_db(path) as db, catalog_db.write_transaction(db):
            counts = catalog_db.fill(db, seeds=True, api=True)
            kept = int(db["overrides"].count)
            meta = catalog_db.meta(db)
    except BaseException:
        failed = folder.with_name(f"{folder.name}.failed-{os.getpid()}")
        os.replace(folder, failed)
        if old is not None:
            os.replace(old, folder)
        shutil.rmtree(failed, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    say(1.0, "Prices updated.")
    imported = int(meta.get("cloud_offers_imported") or 0)
    return UpdateResult(
        api_models=counts.get("api_models", 0),
        api_prices=counts.get("api_prices", 0),
        cloud_offers=counts.get("cloud_offers", 0),
        cloud_imported=imported,
        unmapped_gpu_rows=unmapped,
        overrides_kept=kept,
        lines=(price_data.api_prices_text(meta), price_data.cloud_prices_text(meta)),
    )


def use_bundled(path: Path | None = None) -> dict[str, int]:
    """Forget downloaded prices and re-import the bundled data (offline; one transaction).

    Returns:
        Row counts written.
    """
    path = path or catalog_path()
    catalog_db.ensure_catalog(path)
    folder = price_data.prices_dir()
    aside = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    moved = folder.exists()
    if moved:
        shutil.rmtree(aside, ignore_errors=True)
        os.replace(folder, aside)
    try:
        with catalog_db.open_db(path) as db, catalog_db.write_transaction(db):
            counts = catalog_db.fill(db, seeds=True, api=True)
    except BaseException:
        if moved:
            os.replace(aside, folder)
        raise
    if moved:
        shutil.rmtree(aside, ignore_errors=True)
    return counts
