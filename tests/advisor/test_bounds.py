"""The input boundary: every reproducer of issue 17 gives exit 2 with one line, fast."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from advisor.bounds import (
    MAX_DEPTH,
    loads_json,
    number_in_bounds,
    parse_number,
    printable,
    whole_number_arg,
)
from advisor.cli import main
from advisor.errors import InputError, Problem
from advisor.paths import bundled_path

EXAMPLE = bundled_path("resources") / "examples" / "legal-tech-startup.json"
REPO = Path(__file__).resolve().parents[2]
Capsys = pytest.CaptureFixture[str]


def _example(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for key in parents:
            node = node[key]
        node[last] = value
    return data


def _run(capsys: Capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def _limited(*argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a child limited to 1 GiB of address space and ``timeout`` s."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "advisor.cli", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        cwd=REPO,
        env=os.environ.copy(),
    )


# --- the helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (Decimal("1e14"), True),
        (Decimal("1e15"), False),
        (Decimal("1e999"), False),
        (Decimal("1e-31"), False),
        (Decimal("0"), True),
        (Decimal("-5.25"), True),
        (Decimal("NaN"), False),
        (Decimal("Infinity"), False),
        (Decimal("1." + "1" * 60), False),
        (10**20, False),
        (float("inf"), False),
        (float("nan"), False),
        (2.5, True),
    ],
)
def test_numbers_are_bounded_in_magnitude_digits_and_finiteness(value: Any, ok: bool) -> None:
    assert number_in_bounds(value) is ok


def test_json_numbers_out_of_bounds_come_back_as_markers_not_values() -> None:
    data = loads_json('{"a": 1e999999, "b": ' + "9" * 5000 + ', "c": NaN, "d": 2.5}', "f")
    assert repr(data["a"]).startswith("1e999")
    assert not isinstance(data["b"], int) and not isinstance(data["c"], float)
    assert data["d"] == Decimal("2.5")


def test_deep_nesting_is_refused_before_the_parser_recurses() -> None:
    start = time.perf_counter()
    with pytest.raises(InputError, match="nested too deeply"):
        loads_json("[" * 100_000 + "]" * 100_000, "f")
    assert time.perf_counter() - start < 2
    assert loads_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, "f") is not None
    # Brackets inside strings do not count.
    assert loads_json(json.dumps({"a": "[" * 1000}), "f") == {"a": "[" * 1000}


def test_typed_numbers_and_flags_are_bounded() -> None:
    assert parse_number(" 2.50 ", "x") == Decimal("2.50")
    for text in ("1e99999999", "1" * 100, "nan", "inf", "2,5"):
        with pytest.raises(InputError):
            parse_number(text, "x")
    convert = whole_number_arg(0, 1000)
    assert convert("1_000") == 1000
    import argparse

    for text in ("1001", "-1", "9" * 100_000, "1.5", "١٢"):
        with pytest.raises(argparse.ArgumentTypeError):
            convert(text)


def test_error_messages_escape_control_characters() -> None:
    assert printable("a\x1b[2Jb\nc\u2028\ud800") == "a\\x1b[2Jb\\nc\\u2028\\ud800"
    error = InputError(Problem("name", "error", "bad 'x\ny'"))
    assert "\n" not in str(error)


# --- scenario files (issue reproducers) ------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"preferences__seed": -1}, "preferences.seed"),
        ({"workload__monthly_growth": 1.0, "preferences__horizon_months": 120},
         "workload.monthly_growth"),
        ({"name": "Plan\x01B"}, "name"),
        ({"team__region": "mars"}, "team.region"),
        ({"preferences__monte_carlo_draws": 1_000_000, "preferences__horizon_months": 120},
         "preferences.monte_carlo_draws"),
        ({"hardware__owned": [{"gpu": "a100-sxm-80gb", "count": 1, "age_years": 1}] * 200},
         "hardware.owned"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["evaluate", "export"])
def test_scenarios_inside_each_range_but_unworkable_exit_2_naming_the_field(
    changes: dict[str, Any],
    field: str,
    command: str,
    tmp_path: Path,
    fresh_catalog_path: Path,
    capsys: Capsys,
) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(_example(**changes)))
    extra = ["-o", str(tmp_path / "out.xlsx")] if command == "export" else []
    start = time.perf_counter()
    code, _, err = _run(capsys, command, scenario, *extra)
    assert code == 2
    assert _one_line(err).startswith(f"advisor: {field}: "), err
    assert time.perf_counter() - start < 10
    assert "\x01" not in err


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('"context_tokens": 1e999999', "workload.context_tokens"),
        ('"context_tokens": ' + "9" * 5000, "workload.context_tokens"),
        ('"context_tokens": 1e999', "workload.context_tokens"),
        ('"requests_per_day": 1e400', "workload.requests_per_day"),
        ('"requests_per_day": NaN', "workload.requests_per_day"),
    ],
)
def test_huge_numbers_in_a_scenario_are_refused_before_any_arithmetic(
    raw: str, field: str, tmp_path: Path, fresh_catalog_path: Path
) -> None:
    data = json.dumps(_example())
    key = raw.split(":")[0]
    start = data.index(key)
    end = data.index(",", start)
    scenario = tmp_path / "s.json"
    scenario.write_text(data[:start] + raw + data[end:])
    done = _limited("evaluate", str(scenario))
    assert done.returncode == 2, done.stderr
    assert _one_line(done.stderr).startswith(f"advisor: {field}: ")


def test_a_scenario_nested_100000_deep_exits_2(tmp_path: Path, capsys: Capsys) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_text('{"notes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, _, err = _run(capsys, "evaluate", scenario)
    assert code == 2 and "nested too deeply" in _one_line(err)


def test_dev_zero_as_a_scenario_or_import_is_refused_by_what_is_read(
    fresh_catalog_path: Path, tmp_path: Path
) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    for argv in (("evaluate", str(link)), ("catalog", "import", str(link))):
        done = _limited(*argv)
        assert done.returncode == 2, (argv, done.stderr[-300:])
        assert "too large" in _one_line(done.stderr)


def test_a_scenario_with_a_bom_loads(tmp_path: Path) -> None:
    from advisor.scenario import load_scenario

    scenario = tmp_path / "bom.json"
    scenario.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert load_scenario(scenario).name == json.loads(EXAMPLE.read_text())["name"]


def test_an_unknown_region_is_reported_against_the_region(catalog: Any) -> None:
    from advisor.scenario import scenario_from_dict, validate

    problems = validate(scenario_from_dict(_example(team__region="mars")), catalog)
    assert [p.field for p in problems if p.severity == "error"] == ["team.region"]


# --- overrides and flags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (("staff", "ml_engineer|us", "loaded_monthly_usd", "1e300"), "value"),
        (("api", "openai/gpt-4o", "input_mtok", "1e99999999"), "value"),
        (("gpu", "a100-sxm-80gb", "tdp_w", "1e999"), "value"),
        (("gpu", "h100-sxm-80gb", "name", "x"), "field"),
        (("gpu", "h100-sxm-80gb", "purchase_price_usd", "NaN"), "value"),
        (("assumption", "model_refresh_interval_months", "value", "0"), "value"),
    ],
)
def test_huge_or_wrong_overrides_are_refused_and_evaluation_still_works(
    argv: tuple[str, ...], field: str, fresh_catalog_path: Path, capsys: Capsys
) -> None:
    code, _, err = _run(capsys, "catalog", "override", *argv)
    assert code == 2
    assert _one_line(err).startswith(f"advisor: {field}: ")
    code, _, err = _run(capsys, "catalog", "show", "--kind", "override", "--json")
    assert code == 0


def test_an_import_file_with_huge_numbers_changes_nothing(
    fresh_catalog_path: Path, tmp_path: Path, capsys: Capsys
) -> None:
    rows = tmp_path / "o.json"
    rows.write_text(
        '[{"kind": "gpu", "record_id": "a100-sxm-80gb", "field": "tdp_w", "value": 1e999},'
        ' {"kind": "staff", "record_id": "ml_engineer|us", "field": "loaded_monthly_usd",'
        ' "value": ' + "9" * 5000 + "}]"
    )
    code, _, err = _run(capsys, "catalog", "import", rows)
    assert code == 2 and "row 1.value" in _one_line(err) and "row 2.value" in err
    assert _run(capsys, "catalog", "show", "--kind", "override", "--json")[1].strip() == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        ("api-cost", "--model", "gpt-4o", "--input-tokens", "9" * 5000, "--output-tokens", "1"),
        ("api-cost", "--model", "gpt-4o", "--input-tokens", "1" + "0" * 30, "--output-tokens", "1"),
        ("estimate", "--model", "llama-3.1-8b", "--gpu", "h100", "--input", "1" + "0" * 20,
         "--output", "10"),
        ("evaluate", str(EXAMPLE), "--draws", "9" * 5000),
    ],
)  # fmt: skip
def test_huge_numbers_in_flags_exit_2(argv: tuple[str, ...], fresh_catalog_path: Path) -> None:
    code = main(list(argv))
    assert code == 2
