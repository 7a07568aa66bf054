"""Repairs against writers and crashes, with real processes; foreign and read-only catalogs."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.catalog import db as catalog_db
from advisor.catalog import overrides as ov
from advisor.cli import main

REPO = Path(__file__).resolve().parents[3]
GPUS = ["h100-sxm-80gb", "a100-sxm-80gb", "mi300x-192gb", "l40s-48gb", "t4-16gb", "a10g-24gb"]
Capsys = pytest.CaptureFixture[str]


def _advisor(path: Path, *argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ADVISOR_CATALOG": str(path)}
    return subprocess.Popen(
        [sys.executable, "-m", "advisor.cli", *argv],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _damage_keeping_overrides_readable(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xde\xad\xbe\xef" * 50_000)


def _overrides(path: Path) -> dict[str, str]:
    with catalog_db.open_db(path) as db:
        rows = ov.list_overrides(db)
    return {f"{r['kind']}|{r['record_id']}|{r['field']}": r["value"] for r in rows}


def test_overrides_set_during_a_repair_by_another_process_are_kept(
    fresh_catalog_path: Path,
) -> None:
    path = fresh_catalog_path
    _damage_keeping_overrides_readable(path)
    repairer = _advisor(path, "catalog", "show", "--kind", "gpu")
    time.sleep(0.3)
    writers = [
        (
            gpu,
            _advisor(path, "catalog", "override", "gpu", gpu, "purchase_price_usd", str(20000 + n)),
        )
        for n, gpu in enumerate(GPUS)
    ]
    _, err = repairer.communicate(timeout=120)
    assert repairer.returncode == 0, err
    confirmed = []
    for gpu, proc in writers:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 2), err  # never 1 (FileNotFoundError before the fix)
        if proc.returncode == 0:
            confirmed.append(gpu)
    assert confirmed, "every writer failed"
    stored = _overrides(path)
    for n, gpu in enumerate(GPUS):
        if gpu in confirmed:  # exit 0 means it is in the live catalog
            assert stored[f"gpu|{gpu}|purchase_price_usd"] == str(20000 + n)
    catalog_db.check_health(path)


@pytest.mark.slow
def test_kill_9_during_a_repair_never_loses_the_overrides(fresh_catalog_path: Path) -> None:
    path = fresh_catalog_path
    with catalog_db.open_db(path) as db:
        ov.apply_overrides(
            db,
            [{"kind": "gpu", "record_id": "h100-sxm-80gb", "field": "purchase_price_usd",
              "value": "21000"},
             {"kind": "api", "record_id": "openai/gpt-4o", "field": "input_mtok",
              "value": "2.00"}],
        )  # fmt: skip
    rng = random.Random(17)
    for _ in range(4):
        _damage_keeping_overrides_readable(path)
        proc = _advisor(path, "catalog", "show", "--kind", "gpu")
        deadline = time.monotonic() + 30
        # Kill while the rebuilt catalog is being written: where the overrides used to vanish.
        while not list(path.parent.glob(".*.building-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)  # reaps it and closes its pipes
        done = _advisor(path, "catalog", "show", "--kind", "override", "--json")
        out, err = done.communicate(timeout=120)
        assert done.returncode == 0, err
        values = {f"{r['kind']}|{r['record_id']}|{r['field']}": r["value"] for r in json.loads(out)}
        assert values == {
            "gpu|h100-sxm-80gb|purchase_price_usd": "21000",
            "api|openai/gpt-4o|input_mtok": "2.00",
        }
    assert not list(path.parent.glob(".*.building-*"))


def test_stale_build_files_of_dead_processes_are_removed_by_a_repair(
    fresh_catalog_path: Path,
) -> None:
    stale = fresh_catalog_path.with_name(f".{fresh_catalog_path.name}.building-99999999")
    stale.write_bytes(b"x" * 1024)
    _damage_keeping_overrides_readable(fresh_catalog_path)
    assert catalog_db.ensure_catalog(fresh_catalog_path).repaired
    assert not stale.exists()


@pytest.mark.parametrize("kind", ["folder", "document"])
def test_a_folder_or_document_as_the_catalog_is_refused_and_left_alone(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    if kind == "folder":
        target = tmp_path / "folder"
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    else:
        target = tmp_path / "thesis.docx"
        target.write_bytes(b"PK\x03\x04 my thesis")
    monkeypatch.setenv("ADVISOR_CATALOG", str(target))
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for argv in (["catalog", "show", "--kind", "gpu"], ["catalog", "build"]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    if kind == "document":
        assert target.read_bytes() == b"PK\x03\x04 my thesis"


@pytest.fixture
def read_only_catalog(fresh_catalog_path: Path) -> Iterator[Path]:
    """The catalog in a folder nobody may write (chattr +i: root ignores permission bits)."""
    folder = fresh_catalog_path.parent
    if os.geteuid() != 0:
        folder.chmod(0o555)
        fresh_catalog_path.chmod(0o444)
    elif (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode
    ):
        pytest.skip("cannot make a read-only folder here")
    try:
        yield fresh_catalog_path
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_a_read_only_catalog_is_read_and_writes_exit_2_with_the_reason(
    read_only_catalog: Path, capsys: Capsys
) -> None:
    assert main(["catalog", "show", "--kind", "gpu", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)
    code = main(["catalog", "override", "gpu", "h100-sxm-80gb", "purchase_price_usd", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err and err.count("\n") == 1
    assert not list(read_only_catalog.parent.glob("*.damaged-*"))


def test_an_out_of_range_override_stored_by_an_older_version_is_ignored(
    fresh_catalog_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    from advisor.catalog.snapshot import load_catalog

    conn = sqlite3.connect(fresh_catalog_path)
    conn.execute(
        "INSERT INTO overrides (id, kind, record_id, field, value, created_at) VALUES "
        "('gpu|a100-sxm-80gb|tdp_w', 'gpu', 'a100-sxm-80gb', 'tdp_w', 'inf', "
        "'2026-12-01T00:00:00+00:00')"
    )
    conn.commit()
    conn.close()
    catalog = load_catalog(fresh_catalog_path)
    assert catalog.gpu("a100-sxm-80gb").tdp_w < 10_000
    assert any(
        "ignoring the override gpu|a100-sxm-80gb|tdp_w" in r.getMessage() for r in caplog.records
    )
