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
    """The exclusions grouped by rule (in the rule's order); one row per kind and reason.

    Offers left out for the same reason (e.g. every US instance of one provider) share a row,
    so the appendix stays a few pages long while naming each of them.
    """
    out = []
    for rule in ExclusionRule:
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        count = 0
        for x in ev.exclusions:
            if x.rule != rule:
                continue
            count += 1
            row = rows.setdefault(
                (x.kind, x.reason),
                {
                    "kind": KIND_LABELS.get(x.kind, x.kind),
                    "names": [],
                    "reason": x.reason,
                    "source": x.source,
                },
            )
            row["names"].append(x.name)
        if rows:
            grouped = [{**r, "name": "; ".join(r["names"])} for r in rows.values()]
            out.append({"rule": rule.label, "count": count, "rows": grouped})
    return tuple(out)
