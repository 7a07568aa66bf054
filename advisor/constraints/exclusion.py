"""What a scenario's constraints left out of the comparison, and why."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ExclusionRule(StrEnum):
    """The rule that excluded something."""

    RESIDENCY = "residency"
    SENSITIVITY = "sensitivity"
    HARDWARE_LICENCE = "hardware_licence"
    MODEL_LICENCE = "model_licence"
    RATE_LIMIT = "rate_limit"
    CAPACITY = "capacity"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ExclusionRule.RESIDENCY: "Data residency",
    ExclusionRule.SENSITIVITY: "Data sensitivity",
    ExclusionRule.HARDWARE_LICENCE: "Hardware licence",
    ExclusionRule.MODEL_LICENCE: "Model licence",
    ExclusionRule.RATE_LIMIT: "Rate limit",
    ExclusionRule.CAPACITY: "Capacity",
}


@dataclass(frozen=True)
class Exclusion:
    """One thing left out of the comparison.

    Attributes:
        kind: what it is: ``api_model``, ``cloud_offer``, ``gpu``, ``open_model``, ``owned_gpus``
            or ``option``.
        item: its catalog id (or the option's name).
        name: how users know it.
        rule: the rule that left it out.
        reason: why, in plain words, with the figures.
        source: the catalog record or URL the reason rests on.
    """

    kind: str
    item: str
    name: str
    rule: ExclusionRule
    reason: str
    source: str = ""
