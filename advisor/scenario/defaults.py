"""Fields a scenario file left out (their defaults were used); checks of deployability fields."""

from __future__ import annotations

from typing import Any

from advisor.errors import Problem
from advisor.scenario.model import DEPLOYMENTS, DOMICILES, Scenario

# Fields whose default silently shapes the answer; a file without them gets a warning each.
IMPORTANT_FIELDS = (
    "workload.tasks",
    "workload.requests_per_day",
    "workload.input_tokens_per_request",
    "workload.output_tokens_per_request",
    "workload.peak_to_average",
    "workload.data_sensitivity",
    "workload.data_residency",
    "team.region",
    "team.roles",
    "preferences.horizon_months",
)


def defaulted_paths(data: Any) -> tuple[str, ...]:
    """The IMPORTANT_FIELDS a parsed scenario file does not set (its defaults were used)."""
    out = []
    for path in IMPORTANT_FIELDS:
        node = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            out.append(path)
    return tuple(out)


def default_value(path: str) -> Any:
    """The default a new Scenario has at ``path`` (e.g. ``workload.requests_per_day``)."""
    node: Any = Scenario()
    for part in path.split("."):
        node = getattr(node, part)
    return node


def deployability_problems(scenario: Scenario) -> list[Problem]:
    """Checks of the residency-, licence- and hardware-related fields."""
    p: list[Problem] = []
    w, hw = scenario.workload, scenario.hardware
    if w.organisation_domicile not in DOMICILES:
        choices = ", ".join(d or '"" (not stated)' for d in DOMICILES)
        p.append(Problem("workload.organisation_domicile", "error", f"must be one of {choices}"))
    if w.monthly_active_users is not None and not 0 <= w.monthly_active_users <= 1e10:
        p.append(
            Problem("workload.monthly_active_users", "error", "must be between 0 and 10 billion")
        )
    if hw.deployment not in DEPLOYMENTS:
        p.append(
            Problem("hardware.deployment", "error", f"must be one of {', '.join(DEPLOYMENTS)}")
        )
    return p
