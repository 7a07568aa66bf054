"""Report rows for the risk register and the appendix of what the constraints left out."""

from __future__ import annotations

from typing import Any

from advisor.constraints.exclusion import ExclusionRule
from advisor.recommend.result import Evaluation

KIND_LABELS = {
    "api_model": "API model",
    "cloud_offer": "Cloud GPU offer",
    "gpu": "GPU",
    "open_model": "Open model",
    "owned_gpus": "GPUs you own",
    "option": "Option",
}


def risk_register_rows(ev: Evaluation) -> tuple[dict[str, Any], ...]:
    """One row per risk of the register, with the ranks of the options it affects."""
    rank = {o.name: o.rank for o in ev.options}
    rows = []
    for r in ev.risk_register:
        ranks = sorted(rank[n] for n in r.options if n in rank)
        rows.append(
            {
                "category": r.category.label,
                "severity": r.severity.label,
                "likelihood": r.likelihood.label,
                "impact": r.impact.label,
                "text": r.text,
                "mitigation": r.mitigation,
                "options": ", ".join(f"#{k}" for k in ranks) or "all",
                "source": r.source,
            }
        )
    return tuple(rows)


def exclusion_groups(ev: Evaluation) -> tuple[dict[str, Any], ...]:
    """The exclusions grouped by rule (in the rule's order), each row what and why."""
    out = []
    for rule in ExclusionRule:
        rows = [
            {
                "kind": KIND_LABELS.get(x.kind, x.kind),
                "name": x.name,
                "reason": x.reason,
                "source": x.source,
            }
            for x in ev.exclusions
            if x.rule == rule
        ]
        if rows:
            out.append({"rule": rule.label, "count": len(rows), "rows": rows})
    return tuple(out)
