"""Deployability: residency, sensitivity, hardware and model licences, rate limits, lead times.

``apply_constraints`` filters the catalog for a scenario before options are built and says what
it left out and why; ``annotate_options`` adds the terms that apply to each option;
``risk_register`` derives the structured risks from the same records.
"""

from advisor.constraints.apply import DeployPlan, apply_constraints
from advisor.constraints.exclusion import Exclusion, ExclusionRule
from advisor.constraints.options import annotate_options, dropped_input_warnings
from advisor.constraints.register import risk_register

__all__ = [
    "DeployPlan",
    "Exclusion",
    "ExclusionRule",
    "annotate_options",
    "apply_constraints",
    "dropped_input_warnings",
    "risk_register",
]
