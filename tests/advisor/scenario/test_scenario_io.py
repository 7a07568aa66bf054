"""Scenario files: defaults, round trips, every bad field named, atomic saves."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.errors import InputError
from advisor.paths import bundled_path
from advisor.scenario import (
    Role,
    Scenario,
    TaskShare,
    Team,
    Workload,
    dump_scenario,
    load_scenario,
    save_scenario,
    scenario_from_dict,
    validate,
)

EXAMPLES = sorted((bundled_path("resources") / "examples").glob("*.json"))


def fields_of(exc: InputError) -> set[str]:
    return {p.field for p in exc.problems}


def test_default_scenario_is_valid_against_the_catalog(catalog):
    assert validate(Scenario(), catalog) == []


def test_examples_cover_the_brief_and_load_without_problems(catalog):
    names = {p.stem for p in EXAMPLES}
    assert {
        "legal-tech-startup",
        "bank-on-premises",
        "online-retailer-chatbot",
        "media-batch-classification",
        "source-argument",
    } <= names
    for path in EXAMPLES:
        scenario = load_scenario(path)
        assert [p for p in validate(scenario, catalog) if p.severity == "error"] == [], path


def test_source_argument_example_has_30k_people_at_a_third_of_their_time():
    scenario = load_scenario(bundled_path("resources") / "examples" / "source-argument.json")
    total = sum(r.monthly_cost_usd * Decimal(str(r.count)) for r in scenario.team.roles)
    assert total == Decimal("30000")
    assert all(abs(r.share_of_time - 1 / 3) < 0.001 for r in scenario.team.roles)


def test_round_trip_through_json_keeps_every_field(tmp_path: Path):
    original = Scenario(
        name="Round trip",
        workload=Workload(tasks=(TaskShare("extraction", 0.25), TaskShare("chat", 0.75))),
        team=Team(roles=(Role("sre", 2, 0.5, Decimal("12345.67")),)),
    )
    path = tmp_path / "s.json"
    save_scenario(original, path)
    assert load_scenario(path) == original
    assert json.loads(path.read_text())["team"]["roles"][0]["monthly_cost_usd"] == "12345.67"


def test_wrong_types_and_unknown_fields_are_all_named_by_path():
    data = {
        "workload": {
            "tasks": [{"task": "chat", "share": "most"}],
            "requests_per_day": True,
            "colour": "blue",
        },
        "team": {"roles": [{"count": "two"}]},
        "hardware": {"owned": "8 A100"},
    }
    with pytest.raises(InputError) as info:
        scenario_from_dict(data)
    assert fields_of(info.value) == {
        "workload.tasks[0].share",
        "workload.requests_per_day",
        "workload.colour",
        "team.roles[0].count",
        "hardware.owned",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requests_per_day": -5}, "workload.requests_per_day"),
        ({"requests_per_day": 1e12}, "workload.requests_per_day"),
        ({"tasks": (TaskShare("chat", 0.5),)}, "workload.tasks"),
        ({"tasks": (TaskShare("poetry", 1.0),)}, "workload.tasks[0].task"),
        ({"peak_to_average": 0.5}, "workload.peak_to_average"),
        ({"cached_input_share": 1.5}, "workload.cached_input_share"),
        ({"data_residency": "moon"}, "workload.data_residency"),
        ({"context_tokens": 1000}, "workload.context_tokens"),
    ],
)
def test_absurd_workload_values_are_errors_naming_the_field(change, field):
    scenario = Scenario(workload=dataclasses.replace(Workload(), **change))
    problems = [p for p in validate(scenario) if p.severity == "error"]
    assert field in {p.field for p in problems}
    assert all(p.message for p in problems)


def test_unknown_gpu_in_owned_hardware_suggests_close_ids(catalog):
    data = {"hardware": {"owned": [{"gpu": "a100-sxm-80", "count": 8, "age_years": 1}]}}
    problems = validate(scenario_from_dict(data), catalog)
    assert [p.field for p in problems] == ["hardware.owned[0].gpu"]
    assert "a100-sxm-80gb" in problems[0].message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2, 3]", "expected an object"),
        (b'{"version": 99}', "newer app"),
    ],
)
def test_malformed_files_give_one_clear_reason(tmp_path: Path, content: bytes, reason: str):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert reason in str(info.value)


def test_missing_file_and_folder_are_reported(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        load_scenario(tmp_path / "nope.json")
    with pytest.raises(InputError, match="folder"):
        load_scenario(tmp_path)


def test_failed_save_leaves_the_previous_file_intact(tmp_path: Path, monkeypatch):
    path = tmp_path / "s.json"
    save_scenario(Scenario(name="first"), path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("advisor.util.os.fsync", boom)
    with pytest.raises(InputError, match="No space left"):
        save_scenario(Scenario(name="second"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_dump_is_versioned_and_money_is_text():
    data = json.loads(dump_scenario(Scenario()))
    assert data["version"] == 2
    assert data["hardware"]["electricity_usd_per_kwh"] is None


def test_a_mistyped_field_gets_a_suggestion():
    with pytest.raises(InputError) as info:
        scenario_from_dict({"workload": {"request_per_day": 10}})
    (problem,) = info.value.problems
    assert problem.field == "workload.request_per_day"
    assert "did you mean 'requests_per_day'" in problem.message


def test_an_unknown_role_lists_the_roles_the_catalog_has(catalog):
    scenario = scenario_from_dict({"team": {"roles": [{"role": "ml_enginer"}]}})
    (problem,) = validate(scenario, catalog)
    assert problem.field == "team.roles[0].role"
    assert "ml_engineer" in problem.message and "sre" in problem.message


def test_the_scenario_carries_the_serving_engine(tmp_path: Path):
    assert Scenario().preferences.engine == "vllm"
    path = tmp_path / "s.json"
    s = Scenario(preferences=dataclasses.replace(Scenario().preferences, engine="sglang"))
    save_scenario(s, path)
    assert load_scenario(path).preferences.engine == "sglang"


def test_files_without_an_engine_open_unchanged_with_vllm():
    for path in EXAMPLES:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert "engine" not in data.get("preferences", {})
        assert scenario_from_dict(data).preferences.engine == "vllm"


def test_an_unknown_engine_is_an_error_naming_the_field():
    s = Scenario(preferences=dataclasses.replace(Scenario().preferences, engine="ollama"))
    problems = [p for p in validate(s) if p.severity == "error"]
    assert [p.field for p in problems] == ["preferences.engine"]
    assert "vllm" in problems[0].message
