"""The risk register's record: what can go wrong with an option, how likely, how bad, what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class RiskCategory(StrEnum):
    """What kind of review a risk belongs to (security, legal, procurement, operations ...)."""

    SECURITY = "security"
    COMPLIANCE = "compliance"
    RESIDENCY = "residency"
    LICENCE = "licence"
    HARDWARE = "hardware"
    CAPACITY = "capacity"
    SUPPLY = "supply"
    VENDOR = "vendor"
    OPERATIONS = "operations"
    QUALITY = "quality"
    COST = "cost"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Level(IntEnum):
    """Likelihood, impact and severity on one three-step scale (ordered: HIGH > LOW)."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Risk:
    """One entry of the risk register.

    Attributes:
        category: the review it belongs to.
        severity: overall rating (by default the higher of likelihood and impact).
        text: what can go wrong, in plain words.
        mitigation: what the buyer can do about it.
        likelihood: how likely it is for this scenario.
        impact: how bad it is when it happens.
        options: ids of the options it affects (empty: all of them).
        source: where the fact behind it comes from (a URL or a catalog record), if any.
    """

    category: RiskCategory
    severity: Level
    text: str
    mitigation: str = ""
    likelihood: Level = Level.MEDIUM
    impact: Level = Level.MEDIUM
    options: tuple[str, ...] = ()
    source: str = ""
