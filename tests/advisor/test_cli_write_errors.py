"""Writes that cannot happen are bad input (exit 2, one line), never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.cli import main
from advisor.paths import bundled_path

EXAMPLE = bundled_path("resources") / "examples" / "legal-tech-startup.json"


def test_report_refuses_to_overwrite_its_own_scenario(tmp_path: Path, capsys):
    scenario = tmp_path / "s.json"
    scenario.write_bytes(EXAMPLE.read_bytes())
    assert main(["report", str(scenario), "-o", str(scenario)]) == 2
    assert "scenario file itself" in capsys.readouterr().err
    assert scenario.read_bytes() == EXAMPLE.read_bytes()
    assert main(["export", str(scenario), "-o", str(scenario)]) == 2


def test_exporting_overrides_into_a_missing_folder_exits_2(tmp_path: Path, capsys):
    assert main(["catalog", "export", str(tmp_path / "no" / "such" / "ov.csv")]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Traceback" not in err and ".tmp" not in err


def test_a_catalog_path_that_cannot_exist_exits_2(tmp_path: Path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ADVISOR_CATALOG", str(blocker / "catalog.sqlite"))
    assert main(["catalog", "build"]) == 2
    err = capsys.readouterr().err
    assert "ADVISOR_CATALOG" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("field", ["--cached-tokens"])
def test_api_cost_names_the_flag_the_user_typed(capsys, field):
    code = main(
        [
            "api-cost",
            "--model",
            "gpt-4o",
            "--input-tokens",
            "10",
            "--output-tokens",
            "1",
            field,
            "20",
        ]
    )
    assert code == 2
    assert field in capsys.readouterr().err


def test_one_override_names_the_argument_and_can_be_reset(fresh_catalog_path, capsys):
    assert main(["catalog", "override", "gpu", "h100-sxm-80gb", "memory_gb", "0"]) == 2
    assert capsys.readouterr().err.strip() == "advisor: value: must be more than 0"
    args = ["catalog", "override", "staff", "ml_engineer|us", "loaded_monthly_usd"]
    assert main([*args, "30000"]) == 0
    assert main([*args, "--reset"]) == 0
    assert main([*args, "--reset"]) == 2
    assert "no override" in capsys.readouterr().err


def test_on_premises_rationale_says_the_api_is_ruled_out(catalog):
    import dataclasses

    from advisor.recommend import evaluate
    from advisor.scenario import load_scenario

    scenario = load_scenario(bundled_path("resources") / "examples" / "bank-on-premises.json")
    prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=200)
    ev = evaluate(dataclasses.replace(scenario, preferences=prefs), catalog)
    text = " ".join(ev.rationale)
    assert "ruled out" in text and "times your volume" not in text
