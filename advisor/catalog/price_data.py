"""Where the catalog's prices come from: downloaded price files, the bundled fallback, provenance.

"Data as of" means the newest as-of date of our reviewed seed data (resources/catalog/*.yaml):
it changes only when the reviewed files change. Prices refreshed from outside are described
apart, each with its own date and origin:

- API prices: genai-prices data, either bundled with the installed package (its date is the
  package release, so it is named by version) or downloaded by ``advisor catalog update`` (dated
  by the server's Last-Modified header, else the day it was downloaded, which is the day the
  published file said so).
- Cloud GPU prices: the reviewed YAML, plus SkyPilot catalog CSVs when downloaded.

Downloaded files live in ``<user data dir>/prices`` with a ``manifest.json`` naming each file's
URL, download time, data date and SHA-256; a file that no longer matches its manifest, or no
longer validates, is ignored (with a warning) and the bundled data is used instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.catalog import genai_import, skypilot
from advisor.paths import user_data_dir

_log = logging.getLogger(__name__)

PRICES_DIR = "prices"
MANIFEST = "manifest.json"
API_FILE = "genai-prices-data.json"
BUNDLED = "bundled"

# meta keys written with every API import / seed fill (all of them every time, so none go stale)
API_META_KEYS = ("api_data_source", "api_data_date", "api_data_fetched_at")
CLOUD_META_KEYS = (
    "cloud_data_source",
    "cloud_data_date",
    "cloud_data_fetched_at",
    "cloud_data_clouds",
    "cloud_offers_imported",
)


def prices_dir() -> Path:
    """The folder of downloaded price files (``<user data dir>/prices``)."""
    return user_data_dir() / PRICES_DIR


def cloud_file(cloud: str) -> str:
    return f"skypilot-{cloud}-vms.csv"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path | None = None) -> dict[str, Any]:
    """The manifest of downloaded files, or ``{}`` when there is none (or it cannot be read)."""
    path = (folder or prices_dir()) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        _log.warning("ignoring the unreadable price manifest %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _stored(folder: Path, entry: Mapping[str, Any]) -> bytes:
    """A stored file's bytes, checked against the manifest's SHA-256."""
    data = (folder / str(entry["file"])).read_bytes()
    if sha256(data) != entry.get("sha256"):
        raise ValueError(f"{entry['file']} does not match its manifest (changed after download)")
    return data


# --- API prices -----------------------------------------------------------------------------


def parse_genai_prices(data: bytes) -> list[Any]:
    """Validate a genai-prices data file against the installed package's schema.

    Uses genai-prices' own loader (the one its ``UpdatePrices.fetch`` uses), so a file the
    package could not use is refused here too.

    Returns:
        The providers (``genai_prices.types.Provider``).

    Raises:
        ValueError: Not JSON, not a provider list, or not valid for the installed genai-prices.
    """
    import pydantic
    from genai_prices.types import _providers_from_raw

    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(raw, list):
        raise ValueError(
            "not a genai-prices provider list (a newer or different format than genai-prices "
            f"{genai_import.genai_prices_version()} reads)"
        )
    try:
        providers = _providers_from_raw(raw)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        where = ".".join(str(p) for p in errors[0]["loc"])[:120] if errors else "?"
        what = errors[0]["msg"] if errors else "?"
        raise ValueError(
            f"does not match the schema of genai-prices {genai_import.genai_prices_version()} "
            f"({exc.error_count()} problem(s); first at {where}: {what}); "
            "it may be in a newer format: update the app"
        ) from None
    if not providers or not any(p.models for p in providers):
        raise ValueError("holds no providers or models")
    return list(providers)


@dataclass(frozen=True)
class ApiImport:
    """API catalog rows and where they came from (meta entries for the catalog)."""

    models: list[dict[str, Any]]
    prices: list[dict[str, Any]]
    meta: dict[str, str]


def api_import(folder: Path | None = None, now: dt.datetime | None = None) -> ApiImport:
    """API rows from the downloaded genai-prices file when there is a good one, else the bundled.

    Returns:
        The rows and the meta entries describing their origin.
    """
    folder = folder or prices_dir()
    entry = read_manifest(folder).get("api")
    version = genai_import.genai_prices_version()
    if isinstance(entry, dict):
        try:
            providers = parse_genai_prices(_stored(folder, entry))
        except (OSError, KeyError, ValueError) as exc:
            _log.warning("using the bundled genai-prices data: the downloaded file %s", exc)
        else:
            date = str(entry["data_date"])
            models, prices = genai_import.api_rows(
                now,
                providers=providers,
                as_of=date,
                note=f"genai-prices data downloaded {str(entry['fetched_at'])[:10]} "
                f"from {entry['url']} (read with genai-prices {version})",
            )
            meta = {
                "api_data_source": str(entry["url"]),
                "api_data_date": date,
                "api_data_fetched_at": str(entry["fetched_at"]),
            }
            return ApiImport(models, prices, meta)
    models, prices = genai_import.api_rows(now)
    return ApiImport(
        models,
        prices,
        {"api_data_source": BUNDLED, "api_data_date": "", "api_data_fetched_at": ""},
    )


def genai_snapshot(meta: Mapping[str, str], folder: Path | None = None) -> Any:
    """A genai-prices ``DataSnapshot`` of the data the catalog's API prices came from.

    For a catalog filled from a download, the stored file (parsed once per file content);
    otherwise, or if the file is gone or changed, the installed package's bundled snapshot.
    """
    from genai_prices import data_snapshot

    if (meta.get("api_data_source") or BUNDLED) != BUNDLED:
        folder = folder or prices_dir()
        entry = read_manifest(folder).get("api")
        if isinstance(entry, dict) and entry.get("url") == meta.get("api_data_source"):
            snap = _stored_snapshot(str(folder), str(entry.get("file")), str(entry.get("sha256")))
            if snap is not None:
                return snap
    return data_snapshot.get_snapshot()


@functools.lru_cache(maxsize=4)
def _stored_snapshot(folder: str, file: str, digest: str) -> Any:
    from genai_prices import data_snapshot

    try:
        providers = parse_genai_prices(_stored(Path(folder), {"file": file, "sha256": digest}))
    except (OSError, ValueError) as exc:
        _log.warning("resolving API models with the bundled genai-prices data: %s", exc)
        return None
    return data_snapshot.DataSnapshot(providers=providers, from_auto_update=True)


# --- cloud offers ---------------------------------------------------------------------------


def cloud_offers(
    reviewed: list[dict[str, Any]], folder: Path | None = None
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The reviewed cloud offers merged with the downloaded SkyPilot CSVs (if any).

    Returns:
        The rows to store and the meta entries describing the import.
    """
    folder = folder or prices_dir()
    entry = read_manifest(folder).get("cloud")
    none = {key: "" for key in CLOUD_META_KEYS}
    if not isinstance(entry, dict):
        return reviewed, none
    try:
        mapping = skypilot.load_mapping()
        imported: list[dict[str, Any]] = []
        for cloud, item in sorted(dict(entry["clouds"]).items()):
            text = _stored(folder, item).decode("utf-8")
            parsed = skypilot.parse_vms_csv(
                text, cloud, mapping, source=str(item["url"]), as_of=str(entry["data_date"])
            )
            imported.extend(parsed.rows)
    except (OSError, KeyError, ValueError, UnicodeDecodeError) as exc:
        _log.warning("using the reviewed cloud offers only: the downloaded SkyPilot data %s", exc)
        return reviewed, none
    rows = skypilot.merge_offers(reviewed, imported)
    meta = {
        "cloud_data_source": str(entry["base_url"]),
        "cloud_data_date": str(entry["data_date"]),
        "cloud_data_fetched_at": str(entry["fetched_at"]),
        "cloud_data_clouds": ",".join(sorted(entry["clouds"])),
        "cloud_offers_imported": str(sum(1 for r in rows if r.get("basis") == "imported")),
    }
    return rows, meta


# --- how it is said, the same way everywhere (About, report, catalog check) ------------------


def _api_prices(meta: Mapping[str, str]) -> str:
    version = meta.get("genai_prices_version", "?")
    source = meta.get("api_data_source") or BUNDLED
    if source == BUNDLED:
        return f"genai-prices {version} data, from the bundled package"
    fetched = (meta.get("api_data_fetched_at") or "?")[:10]
    return (
        f"genai-prices data of {meta.get('api_data_date') or '?'}, "
        f"downloaded {fetched} from {source}"
    )


def _cloud_prices(meta: Mapping[str, str]) -> str:
    source = meta.get("cloud_data_source") or ""
    if not source:
        return "the reviewed catalog data"
    fetched = (meta.get("cloud_data_fetched_at") or "?")[:10]
    clouds = (meta.get("cloud_data_clouds") or "").replace(",", ", ")
    return (
        f"SkyPilot catalog ({clouds}) of {meta.get('cloud_data_date') or '?'}, "
        f"downloaded {fetched} from {source}, over the reviewed catalog data "
        f"({meta.get('cloud_offers_imported') or 0} offers imported)"
    )


def provenance(seed_as_of: str, meta: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(label, statement) for what every surface shows: data as of, API and cloud GPU prices.

    Args:
        seed_as_of: The newest as-of date of the reviewed seed data (``Catalog.as_of``).
        meta: The catalog's meta entries (``Catalog.meta``).

    Returns:
        ``(("Data as of", ...), ("API prices", ...), ("Cloud GPU prices", ...))``.
    """
    return (
        ("Data as of", f"{seed_as_of or 'unknown'} (newest date in the reviewed catalog data)"),
        ("API prices", _api_prices(meta)),
        ("Cloud GPU prices", _cloud_prices(meta)),
    )


def provenance_lines(seed_as_of: str, meta: Mapping[str, str]) -> list[str]:
    """The same statements as sentences: 'Data as of 2026-11-29 (...)', 'API prices: ...'."""
    (label, first), *rest = provenance(seed_as_of, meta)
    return [f"{label} {first}", *(f"{label}: {text}" for label, text in rest)]


def api_prices_text(meta: Mapping[str, str]) -> str:
    """Where the API prices come from, with their date."""
    return f"API prices: {_api_prices(meta)}"


def cloud_prices_text(meta: Mapping[str, str]) -> str:
    """Where the cloud GPU prices come from, with their date."""
    return f"Cloud GPU prices: {_cloud_prices(meta)}"
