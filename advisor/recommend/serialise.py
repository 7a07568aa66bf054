"""The evaluation as JSON-ready data (the `advisor evaluate --json` contract)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.recommend.result import Evaluation


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def evaluation_to_json(ev: Evaluation) -> dict[str, Any]:
    rec = ev.recommendation
    data: dict[str, Any] = {
        "scenario": ev.scenario_name,
        "organisation": ev.organisation,
        "horizon_months": ev.horizon_months,
        "monthly_tokens": round(ev.monthly_tokens),
        "monthly_requests": round(ev.monthly_requests),
        "recommendation": None
        if rec is None
        else {
            "name": rec.name,
            "kind": rec.kind,
            "monthly_cost_usd": str(rec.monthly_cost_usd),
            "horizon_cost_usd": str(rec.horizon_cost_usd),
            "rationale": " ".join(ev.rationale),
        },
        "options": [_plain(o) for o in ev.options],
        "break_even": _plain(ev.break_even),
        "crossover": _plain(ev.crossover),
        "sensitivity": _plain(ev.sensitivity),
        "uncertainty": {
            "draws": ev.uncertainty.draws,
            "probability_build_cheaper": ev.uncertainty.probability_build_cheaper,
            "options": {
                r.option: {
                    "kind": r.kind,
                    "base": str(r.base),
                    "p10": str(r.p10),
                    "p50": str(r.p50),
                    "p90": str(r.p90),
                }
                for r in ev.uncertainty.ranges
            },
        },
        "task_fit": _plain(ev.task_fit),
        "inputs": _plain(ev.inputs),
        "sources": [{"what": w, "source": s, "as_of": a} for w, s, a in ev.sources],
        "warnings": list(ev.warnings),
        "exclusions": [{**_plain(x), "rule_label": x.rule.label} for x in ev.exclusions],
        "risk_register": [
            {
                "category": r.category.value,
                "severity": r.severity.label,
                "likelihood": r.likelihood.label,
                "impact": r.impact.label,
                "text": r.text,
                "mitigation": r.mitigation,
                "options": list(r.options),
                "source": r.source,
            }
            for r in ev.risk_register
        ],
        "catalog_as_of": ev.catalog_as_of,
        "genai_prices_version": ev.genai_prices_version,
        "price_sources": [{"what": w, "statement": t} for w, t in ev.price_sources],
        "decision_flips": _plain(ev.decision_flips),
    }
    # p10/p50/p90 also directly under uncertainty for the best options, as documented.
    return data
