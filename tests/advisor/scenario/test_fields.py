"""The scenario field reference covers every field and docs/scenario-fields.md is current."""

from __future__ import annotations

from pathlib import Path

from advisor.scenario import fields
from advisor.scenario.model import Scenario

DOC = Path(__file__).resolve().parents[3] / "docs" / "scenario-fields.md"


def test_every_scenario_field_has_exactly_one_description() -> None:
    walked = [path for path, _tp, _default in fields._walk(Scenario)]
    assert len(walked) == len(set(walked))
    assert set(walked) == set(fields.DESCRIPTIONS), (
        "add a description for each new field (and drop those of removed fields) in "
        "advisor/scenario/fields.py"
    )


def test_the_field_reference_in_docs_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == fields.markdown(), (
        "regenerate: python -m advisor.scenario.fields > docs/scenario-fields.md"
    )


def test_types_defaults_and_choices_come_from_the_scenario_itself() -> None:
    docs = {d.path: d for d in fields.field_docs()}
    assert docs["workload.requests_per_day"].default == f"{Scenario().workload.requests_per_day:g}"
    assert docs["workload.ttft_ms_target"].type == "number or null"
    assert docs["team.roles[].monthly_cost_usd"].default == "null"
    assert "on_premises" in docs["workload.data_residency"].choices
    assert docs["preferences.horizon_months"].type == "integer"
