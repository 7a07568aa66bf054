"""`advisor catalog update` against a real HTTPS server on loopback; failures change nothing."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from price_server import LOOPBACK, MIRROR, Certs, PriceServer, Reply, make_certs, mirror_routes

from advisor.catalog import db as catalog_db
from advisor.catalog import overrides as ov
from advisor.catalog import price_data, update
from advisor.catalog.snapshot import Catalog, load_catalog
from advisor.cli import main
from advisor.errors import NotFoundError

MODIFIED = "Wed, 02 Dec 2026 10:00:00 GMT"  # the mirror's Last-Modified: the data's own date
MIRROR_MODELS = sum(len(p["models"]) for p in json.loads((MIRROR / "data.json").read_text()))


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("price-certs"))


@pytest.fixture(autouse=True)
def private_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Downloads and settings of each test in its own folders."""
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def server(certs: Certs) -> Iterator[PriceServer]:
    with PriceServer(certs, mirror_routes(last_modified=MODIFIED)) as running:
        yield running


def _update(server: PriceServer, certs: Certs, capsys: pytest.CaptureFixture[str]) -> tuple:
    code = main(["catalog", "update", "--from", server.base, "--ca-file", str(certs.ca_file)])
    out, err = capsys.readouterr()
    return code, out, err


def state(path: Path) -> dict[str, Any]:
    """Everything an update may change: every catalog table's rows and the stored price files."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = {
            t: sorted(map(repr, conn.execute(f"SELECT * FROM [{t}]").fetchall())) for t in tables
        }
    finally:
        conn.close()
    folder = price_data.prices_dir()
    files = {
        p.name: p.read_bytes() for p in sorted(folder.glob("*")) if folder.exists() and p.is_file()
    }
    leftovers = sorted(p.name for p in folder.parent.glob(f"{folder.name}.*"))
    return {"rows": rows, "files": files, "leftovers": leftovers}


# --- a good update ----------------------------------------------------------------------------


def test_update_from_a_mirror_imports_api_and_cloud_prices_dated_by_the_data(
    server: PriceServer,
    certs: Certs,
    fresh_catalog_path: Path,
    catalog: Catalog,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _update(server, certs, capsys)
    assert code == 0, err
    assert f"updated {MIRROR_MODELS} API models" in out
    assert "2 GPU rows skipped with no GPU mapping" in out  # aws inf2 and lambda gh200
    assert "API prices: genai-prices data of 2026-12-02, downloaded " in out
    assert f"from {server.url('data.json')}" in out
    assert sorted(server.requests) == [
        "/aws/vms.csv",
        "/data.json",
        "/lambda/vms.csv",
        "/runpod/vms.csv",
    ]

    updated = load_catalog(fresh_catalog_path)
    assert len(updated.api_models) == MIRROR_MODELS
    gpt = updated.api_model("openai/gpt-4o")
    assert gpt.as_of == "2026-12-02"  # the data's date, not the day of the test
    assert gpt.standard.prices["input_mtok"][0] == Decimal("2.5")
    # The same provider, instance and region as a reviewed row: the newer import wins on-demand
    # and spot (the highest spot of the region's zones), the row keeps its reviewed id and GPU.
    p5 = next(o for o in updated.cloud_offers if o.id == "aws-p5-48xlarge-us-east-1")
    reviewed = next(o for o in catalog.cloud_offers if o.id == "aws-p5-48xlarge-us-east-1")
    assert (p5.on_demand_usd_per_hour, p5.spot_usd_per_hour) == (Decimal("55.04"), Decimal("26.5"))
    assert (p5.gpu, p5.gpu_count) == (reviewed.gpu, reviewed.gpu_count)
    assert (p5.source, p5.as_of, p5.basis) == (server.url("aws/vms.csv"), "2026-12-02", "imported")
    new = {o.id: o for o in updated.cloud_offers if o.basis == "imported"}
    assert new["aws-p5-48xlarge-eu-west-1"].on_demand_usd_per_hour == Decimal("63.296")
    assert new["lambda-gpu-1x-h100-pcie-us-east-1"].gpu == "h100-pcie-80gb"
    assert new["lambda-gpu-8x-h100-sxm5-us-east-1"].gpu == "h100-sxm-80gb"
    assert new["runpod-1x-h100-sxm-secure-us"].on_demand_usd_per_hour == Decimal("2.69")
    # Reviewed offers SkyPilot lacks stay as they were.
    untouched = [o for o in catalog.cloud_offers if o.provider in ("azure", "oci", "coreweave")]
    assert untouched and all(o in updated.cloud_offers for o in untouched)
    # "Data as of" is the reviewed data's date: a download does not move it.
    assert updated.as_of == catalog.as_of
    check = main(["catalog", "check", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert check == 0
    assert report["data"]["Data as of"].startswith(catalog.as_of)
    assert report["data"]["API prices"].endswith(f"from {server.url('data.json')}")
    assert (
        "SkyPilot catalog (aws, lambda, runpod) of 2026-12-02" in report["data"]["Cloud GPU prices"]
    )


def test_a_newer_reviewed_price_wins_over_an_older_import(
    certs: Certs, fresh_catalog_path: Path, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    with PriceServer(certs, mirror_routes(last_modified="Thu, 01 Jan 2026 00:00:00 GMT")) as old:
        code, _, err = _update(old, certs, capsys)
    assert code == 0, err
    updated = load_catalog(fresh_catalog_path)
    p5 = next(o for o in updated.cloud_offers if o.id == "aws-p5-48xlarge-us-east-1")
    reviewed = next(o for o in catalog.cloud_offers if o.id == "aws-p5-48xlarge-us-east-1")
    assert p5 == reviewed
    assert any(o.id == "aws-p5-48xlarge-eu-west-1" for o in updated.cloud_offers)


def test_user_overrides_win_over_imported_prices(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with catalog_db.open_db(fresh_catalog_path) as db:
        ov.apply_overrides(
            db,
            [
                {
                    "kind": "cloud",
                    "record_id": "aws-p5-48xlarge-us-east-1",
                    "field": "on_demand_usd_per_hour",
                    "value": "40",
                    "note": "negotiated",
                },
                {
                    "kind": "api",
                    "record_id": "openai/gpt-4o",
                    "field": "input_mtok",
                    "value": "1.9",
                },
            ],
        )
    code, out, err = _update(server, certs, capsys)
    assert code == 0, err
    assert "kept 2 user overrides" in out
    updated = load_catalog(fresh_catalog_path)
    p5 = next(o for o in updated.cloud_offers if o.id == "aws-p5-48xlarge-us-east-1")
    assert p5.on_demand_usd_per_hour == Decimal("40")
    assert p5.spot_usd_per_hour == Decimal("26.5")  # the imported figure where no override
    assert updated.api_model("openai/gpt-4o").standard.prices["input_mtok"][0] == Decimal("1.9")


def test_model_names_resolve_with_the_downloaded_data_like_genai_prices_would(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model only the download knows is found by the names its genai-prices entry matches."""
    providers = json.loads((MIRROR / "data.json").read_text())
    openai = next(p for p in providers if p["id"] == "openai")
    openai["models"].append(
        {
            "id": "gpt-9-frontier",
            "name": "GPT-9 Frontier",
            "match": {"starts_with": "gpt-9-frontier"},
            "context_window": 1000000,
            "prices": {"input_mtok": 7, "output_mtok": 21},
        }
    )
    server.routes["/data.json"] = Reply(json.dumps(providers).encode(), last_modified=MODIFIED)
    with pytest.raises(NotFoundError):
        load_catalog(fresh_catalog_path).api_model("gpt-9-frontier-2027-01-01")
    assert _update(server, certs, capsys)[0] == 0
    model = load_catalog(fresh_catalog_path).api_model("gpt-9-frontier-2027-01-01")
    assert model.id == "openai/gpt-9-frontier"
    assert model.standard.prices["input_mtok"][0] == Decimal("7")
    assert (
        main(
            [
                "api-cost",
                "--model",
                "gpt-9-frontier-2027-01-01",
                "--input-tokens",
                "1000000",
                "--output-tokens",
                "0",
                "--json",
            ]
        )
        == 0
    )
    priced = json.loads(capsys.readouterr().out)
    assert (priced["provider"], priced["model"]) == ("openai", "gpt-9-frontier")
    assert (priced["total_usd"], priced["as_of"]) == ("7", "2026-12-02")


def test_downloaded_prices_survive_a_rebuild_and_bundled_brings_the_package_data_back(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _update(server, certs, capsys)[0] == 0
    fresh_catalog_path.unlink()
    catalog_db.ensure_catalog(fresh_catalog_path)  # e.g. a repair: built again from the files
    assert len(load_catalog(fresh_catalog_path).api_models) == MIRROR_MODELS
    assert main(["catalog", "update", "--bundled"]) == 0
    capsys.readouterr()
    back = load_catalog(fresh_catalog_path)
    assert len(back.api_models) > MIRROR_MODELS
    assert back.meta["api_data_source"] == "bundled"
    assert not any(o.basis == "imported" for o in back.cloud_offers)
    assert not price_data.prices_dir().exists()


def test_a_stored_file_changed_after_download_is_ignored_for_the_bundled_data(
    server: PriceServer,
    certs: Certs,
    fresh_catalog_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert _update(server, certs, capsys)[0] == 0
    stored = price_data.prices_dir() / price_data.API_FILE
    stored.write_bytes(stored.read_bytes().replace(b'"input_mtok": 2.5', b'"input_mtok": 0.1'))
    fresh_catalog_path.unlink()
    catalog_db.ensure_catalog(fresh_catalog_path)
    rebuilt = load_catalog(fresh_catalog_path)
    assert rebuilt.meta["api_data_source"] == "bundled"
    assert rebuilt.api_model("openai/gpt-4o").standard.prices["input_mtok"][0] != Decimal("0.1")
    assert "does not match its manifest" in caplog.text


# --- failures: one clear message, exit 2, nothing changed --------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _prepared(
    server: PriceServer, certs: Certs, path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    """A catalog that already holds a download (so 'unchanged' covers the stored files too)."""
    assert _update(server, certs, capsys)[0] == 0
    return state(path)


def _fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(["catalog", "update", *args])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "prices not updated, nothing was changed" in lines[0]
    return lines[0]


def test_no_network_fails_cleanly_and_changes_nothing(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    url = f"https://{LOOPBACK}:{_closed_port()}"
    message = _fails(["--from", url, "--ca-file", str(certs.ca_file)], capsys)
    assert "connection refused" in message and f"{url}/data.json" in message
    assert state(fresh_catalog_path) == before


def test_a_timeout_fails_cleanly_and_changes_nothing(
    server: PriceServer,
    certs: Certs,
    fresh_catalog_path: Path,
    private_folders: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    update.UpdateSettings(timeout_seconds=0.3).save()  # the setting, as a user would write it
    server.routes["/lambda/vms.csv"] = Reply((MIRROR / "lambda" / "vms.csv").read_bytes(), delay=3)
    message = _fails(["--from", server.base, "--ca-file", str(certs.ca_file)], capsys)
    assert "lambda/vms.csv: timed out" in message
    assert state(fresh_catalog_path) == before


def test_a_404_fails_cleanly_and_changes_nothing(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    del server.routes["/runpod/vms.csv"]  # after the API file and two clouds came in fine
    message = _fails(["--from", server.base, "--ca-file", str(certs.ca_file)], capsys)
    assert "runpod/vms.csv: the server answered HTTP 404" in message
    assert state(fresh_catalog_path) == before


def test_a_truncated_file_fails_cleanly_and_changes_nothing(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    body = (MIRROR / "data.json").read_bytes()
    server.routes["/data.json"] = Reply(body, truncate_to=len(body) // 2)
    message = _fails(["--from", server.base, "--ca-file", str(certs.ca_file)], capsys)
    assert "data.json: the download was cut short" in message
    assert state(fresh_catalog_path) == before


@pytest.mark.parametrize(
    ("path", "tamper", "reason"),
    [
        (
            "/data.json",
            lambda b: b.replace(b'"input_mtok": 2.5', b'"input_mtok": "free"', 1),
            "does not match the schema of genai-prices",
        ),
        ("/data.json", lambda b: b[:-40] + b"}}}", "not valid JSON"),
        (
            "/aws/vms.csv",
            lambda b: b.replace(b",55.04,24.1000,", b",55.04x,24.1000,"),
            "Price '55.04x' is not a number",
        ),
        ("/lambda/vms.csv", lambda b: b.replace(b",2.49,us-east-1,", b",2.49,"), "wrong number"),
    ],
    ids=["api-price-not-a-number", "api-not-json", "cloud-price-not-a-number", "cloud-row-cut"],
)
def test_a_tampered_file_fails_cleanly_and_changes_nothing(
    path: str,
    tamper: Any,
    reason: str,
    server: PriceServer,
    certs: Certs,
    fresh_catalog_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    original = server.routes[path].body
    server.routes[path] = Reply(tamper(original), last_modified=MODIFIED)
    assert server.routes[path].body != original
    message = _fails(["--from", server.base, "--ca-file", str(certs.ca_file)], capsys)
    assert path.lstrip("/") in message and reason in message
    assert state(fresh_catalog_path) == before


def test_a_file_in_a_newer_format_fails_cleanly_and_changes_nothing(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    providers = json.loads((MIRROR / "data.json").read_text())
    newer = {"schema_version": 3, "providers": providers}  # as a next format might wrap it
    server.routes["/data.json"] = Reply(json.dumps(newer).encode())
    message = _fails(["--from", server.base, "--ca-file", str(certs.ca_file)], capsys)
    assert "newer or different format" in message
    assert state(fresh_catalog_path) == before


def test_plain_http_and_untrusted_certificates_are_refused(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    http = server.base.replace("https://", "http://")
    assert "only https:// URLs" in _fails(["--from", http], capsys)
    assert "certificate is not trusted" in _fails(["--from", server.base], capsys)
    assert state(fresh_catalog_path) == before


def test_a_failed_reimport_puts_the_previous_price_files_back(
    server: PriceServer,
    certs: Certs,
    fresh_catalog_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(catalog_db, "fill", full_disk)
    settings = update.UpdateSettings(ca_file=str(certs.ca_file)).from_mirror(server.base)
    with pytest.raises(OSError, match="No space left"):
        update.update_prices(fresh_catalog_path, settings)
    assert state(fresh_catalog_path) == before


def test_cancelling_stops_the_download_and_changes_nothing(
    server: PriceServer, certs: Certs, fresh_catalog_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _prepared(server, certs, fresh_catalog_path, capsys)
    body = (MIRROR / "data.json").read_bytes()
    server.routes["/data.json"] = Reply(body, chunk_pause=0.05)
    cancel = threading.Event()
    seen: list[tuple[float, str]] = []

    def progress(fraction: float, message: str) -> None:
        seen.append((fraction, message))
        if "MB" in message:  # the first bytes arrived: the user presses Cancel
            cancel.set()

    settings = update.UpdateSettings(ca_file=str(certs.ca_file)).from_mirror(server.base)
    with pytest.raises(update.UpdateCancelled):
        update.update_prices(
            fresh_catalog_path, settings, progress=progress, cancelled=cancel.is_set
        )
    assert seen and seen[0][1].startswith("Downloading API prices")
    assert all(0 <= f < 1 for f, _ in seen)
    assert state(fresh_catalog_path) == before


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"timeout_seconds": "fast"}, "timeout_seconds"),
        ({"clouds": "aws"}, "clouds"),
        ({"api_url": 3}, "api_url"),
        ({"mirror": "x"}, "mirror"),
    ],
)
def test_a_bad_settings_file_is_refused_naming_the_field(
    settings: dict[str, Any],
    field: str,
    fresh_catalog_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    update.UpdateSettings.path().write_text(json.dumps(settings))
    code = main(["catalog", "update"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"price-update.json: {field}" in err and len(err.strip().splitlines()) == 1


def test_the_default_sources_are_genai_prices_own_update_url_and_skypilot_over_https() -> None:
    from genai_prices.update_prices import DEFAULT_UPDATE_URL

    settings = update.UpdateSettings()
    assert settings.api_url == DEFAULT_UPDATE_URL
    assert settings.cloud_csv_url("aws") == (
        "https://raw.githubusercontent.com/skypilot-org/skypilot-catalog/master/catalogs/v8/"
        "aws/vms.csv"
    )
    assert settings.clouds == ("aws", "lambda", "runpod")
