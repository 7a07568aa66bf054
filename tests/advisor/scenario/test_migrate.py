"""Version-1 scenario files keep opening: moved to the version-2 fields, with a note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.paths import bundled_path
from advisor.scenario import load_scenario
from advisor.scenario.io import dump_scenario, scenario_from_dict
from advisor.scenario.migrate import migrate
from advisor.scenario.model import SCHEMA_VERSION

EXAMPLES = bundled_path("resources") / "examples"
SAVED_BY_V1 = Path(__file__).parent / "data" / "v1-saved-by-app.json"


def test_a_file_saved_by_the_version_1_app_opens_with_its_decline_as_the_capability_trend() -> None:
    assert json.loads(SAVED_BY_V1.read_text())["version"] == 1
    scenario = load_scenario(SAVED_BY_V1)
    prefs = scenario.preferences
    assert scenario.version == SCHEMA_VERSION == 2
    assert prefs.capability_price_decline_per_year == 0.5
    assert prefs.follow_capability_trend is True
    assert prefs.api_list_price_decline_per_year is None  # the catalog's (flat) list price
    assert scenario.workload.requests_per_day == 50_000
    assert any("capability level" in n and "50%" in n for n in scenario.migration_notes)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_shipped_example_opens(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.version == SCHEMA_VERSION
    if json.loads(path.read_text())["version"] == 1:
        assert scenario.migration_notes, "a migrated file says what was assumed"
        assert scenario.preferences.follow_capability_trend is False


def test_a_version_1_file_without_a_decline_keeps_list_prices_flat_and_says_so() -> None:
    data, notes = migrate({"version": 1, "preferences": {"horizon_months": 24}})
    assert data["version"] == 2
    assert "api_price_decline_per_year" not in data["preferences"]
    assert any("flat by default" in n for n in notes)


def test_a_version_2_file_is_not_touched() -> None:
    data = {"version": 2, "preferences": {"follow_capability_trend": True}}
    assert migrate(data) == (data, ())


def test_a_migrated_scenario_saves_as_version_2_and_reopens_unchanged() -> None:
    scenario = load_scenario(SAVED_BY_V1)
    again = scenario_from_dict(json.loads(dump_scenario(scenario)))
    assert again == scenario


def test_a_bad_value_in_a_version_1_file_is_named_by_its_new_field() -> None:
    from advisor.errors import InputError

    with pytest.raises(InputError) as info:
        scenario_from_dict({"version": 1, "preferences": {"api_price_decline_per_year": "fast"}})
    assert "preferences.capability_price_decline_per_year" in str(info.value)
