"""The scenario's deployability fields: checked by name, saved and read back, defaults named."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.errors import InputError
from advisor.scenario import Hardware, Scenario, Workload, validate
from advisor.scenario.io import dump_scenario, scenario_from_dict


@pytest.mark.parametrize(
    ("scenario", "path"),
    [
        (
            Scenario(workload=Workload(organisation_domicile="mars")),
            "workload.organisation_domicile",
        ),
        (Scenario(workload=Workload(monthly_active_users=-1.0)), "workload.monthly_active_users"),
        (Scenario(hardware=Hardware(deployment="garage")), "hardware.deployment"),
        (Scenario(workload=Workload(data_residency="ch")), "workload.data_residency"),
    ],
)
def test_a_bad_deployability_field_is_an_error_naming_it(scenario: Scenario, path: str) -> None:
    errors = [p for p in validate(scenario) if p.severity == "error"]
    assert [p.field for p in errors] == [path]


def test_uk_residency_is_valid() -> None:
    assert not validate(Scenario(workload=Workload(data_residency="uk")))


def test_the_fields_survive_a_save_and_load() -> None:
    s = Scenario(
        workload=Workload(organisation_domicile="eu", monthly_active_users=1e6),
        hardware=Hardware(deployment="workstation", accept_consumer_gpu_risk=True),
    )
    import json

    back = scenario_from_dict(json.loads(dump_scenario(s)))
    assert back == s


def test_defaulted_paths_are_recorded_but_never_saved_nor_read_from_a_file() -> None:
    s = scenario_from_dict({"workload": {"requests_per_day": 5}})
    assert "workload.requests_per_day" not in s.defaulted
    assert "workload.input_tokens_per_request" in s.defaulted
    assert "defaulted" not in dump_scenario(s)
    with pytest.raises(InputError, match="defaulted: unknown field"):
        scenario_from_dict({"defaulted": ["x"]})
    assert dataclasses.replace(s, defaulted=()) == s
