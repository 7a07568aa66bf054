"""The scenario: a typed, validated, versioned description of workload, team and hardware."""

from advisor.scenario.io import dump_scenario, load_scenario, save_scenario, scenario_from_dict
from advisor.scenario.model import (
    SCHEMA_VERSION,
    TASK_TYPES,
    Hardware,
    OwnedGpu,
    Preferences,
    Role,
    Scenario,
    TaskShare,
    Team,
    Workload,
)
from advisor.scenario.validate import validate

__all__ = [
    "SCHEMA_VERSION",
    "TASK_TYPES",
    "Hardware",
    "OwnedGpu",
    "Preferences",
    "Role",
    "Scenario",
    "TaskShare",
    "Team",
    "Workload",
    "dump_scenario",
    "load_scenario",
    "save_scenario",
    "scenario_from_dict",
    "validate",
]
