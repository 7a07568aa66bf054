"""`advisor catalog ...` from the command line: in-process through main(), and the real script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.cli import main

Capsys = pytest.CaptureFixture[str]


def _run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_catalog_path_prints_the_advisor_catalog_file(
    fresh_catalog_path: Path, capsys: Capsys
) -> None:
    assert _run(capsys, "catalog", "path") == (0, f"{fresh_catalog_path}\n", "")


def test_catalog_build_on_a_missing_file_builds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    path = tmp_path / "deep" / "folder" / "catalog.sqlite"
    monkeypatch.setenv("ADVISOR_CATALOG", str(path))
    code, out, err = _run(capsys, "catalog", "build")
    assert code == 0
    assert f"Built the catalog at {path}" in err
    assert out.startswith(f"catalog {path}: ") and "gpus " in out and "api_models " in out
    assert path.is_file()


def test_catalog_build_twice_gives_the_same_counts(
    fresh_catalog_path: Path, capsys: Capsys
) -> None:
    first = _run(capsys, "catalog", "build")
    second = _run(capsys, "catalog", "build")
    assert first[0] == second[0] == 0
    assert first[1] == second[1]
    assert "kept 0 user overrides" in first[1]


def test_catalog_update_reimports_genai_prices(fresh_catalog_path: Path, capsys: Capsys) -> None:
    code, out, err = _run(capsys, "catalog", "update", "--offline")
    assert code == 0 and err == ""
    assert out.startswith("re-imported ") and "API models" in out and "from genai-prices" in out


def test_catalog_show_gpu_json_lists_sourced_records(
    fresh_catalog_path: Path, capsys: Capsys
) -> None:
    code, out, _ = _run(capsys, "catalog", "show", "--kind", "gpu", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) >= 22
    h100 = next(r for r in rows if r["id"] == "h100-sxm-80gb")
    assert h100["memory_gb"] == 80
    assert isinstance(h100["purchase_price_usd"], str)  # money stays exact text, never a float
    Decimal(h100["purchase_price_usd"])
    assert all(r["source"] and r["as_of"] for r in rows)


def test_catalog_show_as_a_table_with_search(fresh_catalog_path: Path, capsys: Capsys) -> None:
    code, out, _ = _run(capsys, "catalog", "show", "--kind", "gpu", "--search", "H100")
    assert code == 0
    lines = out.splitlines()
    assert "id" in lines[0].split() and "source" in lines[0].split()
    assert "h100-sxm-80gb" in out and "a100-sxm-80gb" not in out
    assert lines[-1].startswith("(") and lines[-1].endswith(" records)")


def test_catalog_show_api_lists_every_api_model_free_ones_included(
    fresh_catalog_path: Path, capsys: Capsys
) -> None:
    code, out, _ = _run(capsys, "catalog", "show", "--kind", "api", "--json")
    assert code == 0
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["openai/gpt-4o"]["input_usd_per_mtok"] == "2.5"
    assert rows["openai/gpt-4o"]["output_usd_per_mtok"] == "10"
    free = [r for r in rows.values() if r["input_usd_per_mtok"] is None]
    assert free and all(
        r["variants"] == ["standard"] or r["variants"][0] == "standard" for r in free
    )


@pytest.mark.parametrize("kind", ["model", "cloud", "staff", "score", "assumption", "perf"])
def test_catalog_show_every_kind(fresh_catalog_path: Path, capsys: Capsys, kind: str) -> None:
    code, out, _ = _run(capsys, "catalog", "show", "--kind", kind, "--json")
    assert code == 0 and len(json.loads(out)) > 0


def test_catalog_check_is_ok(fresh_catalog_path: Path, capsys: Capsys) -> None:
    code, out, _ = _run(capsys, "catalog", "check")
    assert code == 0 and out.strip().endswith("OK")
    code, out, _ = _run(capsys, "catalog", "check", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["counts"]["gpus"] >= 22


def test_catalog_check_repairs_a_damaged_file_and_says_so(
    fresh_catalog_path: Path, capsys: Capsys, caplog: pytest.LogCaptureFixture
) -> None:
    fresh_catalog_path.write_bytes(b"this is not a database" * 100)
    code, out, _ = _run(capsys, "catalog", "check")
    assert code == 0 and out.strip().endswith("OK")
    (record,) = [r for r in caplog.records if "was damaged" in r.getMessage()]
    assert record.levelname == "WARNING" and ".damaged-" in record.getMessage()


def test_override_set_exported_and_imported_into_a_new_catalog_prices_api_cost(
    fresh_catalog_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    code, out, _ = _run(
        capsys, "catalog", "override", "api", "openai/gpt-4o", "input_mtok", "2.00",
        "--note", "negotiated",
    )  # fmt: skip
    assert code == 0 and "override set" in out
    export = tmp_path / "mine.csv"
    code, out, _ = _run(capsys, "catalog", "export", str(export))
    assert (code, out) == (0, f"wrote 1 overrides to {export}\n")
    assert "openai/gpt-4o,input_mtok,2.00,negotiated" in export.read_text("utf-8")

    # import into another catalog, built from scratch
    monkeypatch.setenv("ADVISOR_CATALOG", str(tmp_path / "other.sqlite"))
    assert _run(capsys, "catalog", "build")[0] == 0
    code, out, _ = _run(capsys, "catalog", "import", str(export))
    assert (code, out) == (0, f"imported 1 overrides from {export}\n")
    code, out, _ = _run(capsys, "catalog", "show", "--kind", "override", "--json")
    (row,) = json.loads(out)
    assert (row["record_id"], row["field"], row["value"], row["note"]) == (
        "openai/gpt-4o", "input_mtok", "2.00", "negotiated",
    )  # fmt: skip
    code, out, _ = _run(capsys, "api-cost", "--model", "gpt-4o", "--input-tokens", "1000000",
                        "--output-tokens", "0", "--json")  # fmt: skip
    assert json.loads(out)["total_usd"] == "2.00"
    assert json.loads(out)["overridden"] == ["input_mtok"]


def test_catalog_import_of_a_bad_file_exits_2_naming_row_and_field(
    fresh_catalog_path: Path, tmp_path: Path, capsys: Capsys
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,record_id,field,value\napi,openai/gpt-4o,input_mtok,-3\n", "utf-8")
    code, out, err = _run(capsys, "catalog", "import", str(bad))
    assert code == 2 and out == ""
    assert _one_line_error(err) == "advisor: row 1.value: must not be negative"


@pytest.mark.parametrize(
    "argv",
    [
        ["catalog"],
        ["catalog", "rebuild"],
        ["catalog", "show"],
        ["catalog", "show", "--kind", "spaceship"],
        ["catalog", "import"],
        ["catalog", "import", "/no/such/file.csv"],
        ["catalog", "override", "gpu", "h100-sxm-80gb", "purchase_price_usd", "cheap"],
        ["catalog", "override", "gpu", "no-such-gpu", "purchase_price_usd", "1"],
    ],
)
def test_bad_catalog_command_exits_2_with_one_line(
    fresh_catalog_path: Path, capsys: Capsys, argv: list[str]
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2, (out, err)
    _one_line_error(err)


# --- the installed console script ----------------------------------------------------------


def _script() -> str:
    script = Path(sys.executable).with_name("advisor")
    assert script.is_file(), "the advisor console script is not installed in this environment"
    return str(script)


def test_the_advisor_console_script_runs_catalog_commands(fresh_catalog_path: Path) -> None:
    env = {**os.environ, "ADVISOR_CATALOG": str(fresh_catalog_path)}
    path = subprocess.run(
        [_script(), "catalog", "path"], env=env, capture_output=True, text=True, timeout=60
    )
    assert (path.returncode, path.stdout, path.stderr) == (0, f"{fresh_catalog_path}\n", "")
    fresh_catalog_path.write_bytes(b"\0" * 4096)  # damaged: repaired on the way, and said so
    show = subprocess.run(
        [_script(), "catalog", "show", "--kind", "gpu", "--json", "--search", "mi300x"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert show.returncode == 0, show.stderr
    assert "mi300x-192gb" in [r["id"] for r in json.loads(show.stdout)]
    assert "was damaged" in _one_line_error(show.stderr)


def test_the_advisor_console_script_exits_2_on_bad_input(fresh_catalog_path: Path) -> None:
    env = {**os.environ, "ADVISOR_CATALOG": str(fresh_catalog_path)}
    bad = subprocess.run(
        [_script(), "catalog", "show", "--kind", "gpu", "--bogus"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stdout == ""
    assert "unrecognized arguments: --bogus" in _one_line_error(bad.stderr)
