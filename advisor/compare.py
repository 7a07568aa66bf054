"""Compare saved scenarios side by side: the inputs that differ and what each one recommends.

For "today" against "with 3x growth", or two vendors' quotes: each scenario is evaluated on the
same catalog, and the comparison lists only the inputs that differ, then for each scenario the
answer (the shared summary sentence), its monthly and horizon cost and the break-even volume.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from advisor.catalog.snapshot import Catalog
from advisor.errors import InputError, Problem
from advisor.recommend import evaluate
from advisor.recommend.result import Evaluation
from advisor.recommend.summary import summary_sentence
from advisor.scenario.model import Scenario

# Free text that says nothing about the decision; shown by name only.
IGNORED_FIELDS = ("notes",)


@dataclass(frozen=True)
class InputDifference:
    """One input whose value is not the same in every scenario (values in scenario order)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioResult:
    """What one scenario recommends, with the figures a buyer compares."""

    label: str
    scenario_name: str
    summary: str  # the shared one-sentence answer
    option: str | None  # the recommended option's name
    kind: str | None
    monthly_cost_usd: Decimal | None
    horizon_cost_usd: Decimal | None
    horizon_months: int
    monthly_tokens: float
    break_even_monthly_tokens: float | None
    break_even_reason: str


@dataclass(frozen=True)
class Comparison:
    """Scenarios side by side.

    Attributes:
        results: One per scenario, in the order given.
        differences: The inputs that differ, in the scenario file's field order.
        same_answer: Whether every scenario recommends the same option.
    """

    results: tuple[ScenarioResult, ...]
    differences: tuple[InputDifference, ...]
    same_answer: bool

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (money as decimal strings), the `advisor compare --json` contract."""

        def money(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {
            "same_answer": self.same_answer,
            "differences": [{"field": d.field, "values": list(d.values)} for d in self.differences],
            "scenarios": [
                {
                    "label": r.label,
                    "scenario": r.scenario_name,
                    "summary": r.summary,
                    "recommendation": r.option,
                    "kind": r.kind,
                    "monthly_cost_usd": money(r.monthly_cost_usd),
                    "horizon_cost_usd": money(r.horizon_cost_usd),
                    "horizon_months": r.horizon_months,
                    "monthly_tokens": round(r.monthly_tokens),
                    "break_even_monthly_tokens": None
                    if r.break_even_monthly_tokens is None
                    else round(r.break_even_monthly_tokens),
                    "break_even_reason": r.break_even_reason,
                }
                for r in self.results
            ],
        }


def _text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if value is None:
        return "default"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return ", ".join(_text(v) for v in value) if value else "none"
    return str(value)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted field paths of a scenario to their values (lists of records by row)."""
    out: dict[str, Any] = {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            out.update(_flatten(getattr(value, f.name), f"{prefix}{f.name}."))
        return out
    if isinstance(value, tuple | list) and value and dataclasses.is_dataclass(value[0]):
        for i, item in enumerate(value):
            out.update(_flatten(item, f"{prefix[:-1]}[{i}]."))
        return out
    out[prefix[:-1]] = value
    return out


def differing_inputs(scenarios: Sequence[Scenario]) -> tuple[InputDifference, ...]:
    """The inputs that are not the same in every scenario.

    Args:
        scenarios: Two or more scenarios.

    Returns:
        One InputDifference per differing field path; a field missing in one scenario (a
        shorter list of roles, say) shows as "—" there.
    """
    flat = [_flatten(s) for s in scenarios]
    order: dict[str, None] = {}
    for f in flat:
        order.update(dict.fromkeys(f))
    out = []
    for path in order:
        if path.split(".")[0].split("[")[0] in IGNORED_FIELDS:
            continue
        values = [f.get(path, _MISSING) for f in flat]
        if any(v != values[0] for v in values[1:]):
            out.append(
                InputDifference(path, tuple("—" if v is _MISSING else _text(v) for v in values))
            )
    # An empty table in one scenario and rows in another: the rows say it, not "none | —".
    paths = [d.field for d in out]
    return tuple(d for d in out if not any(p.startswith(d.field + "[") for p in paths))


_MISSING = object()


def _result(label: str, ev: Evaluation) -> ScenarioResult:
    rec = ev.recommendation
    return ScenarioResult(
        label=label,
        scenario_name=ev.scenario_name,
        summary=summary_sentence(ev),
        option=rec.name if rec else None,
        kind=rec.kind if rec else None,
        monthly_cost_usd=rec.monthly_cost_usd if rec else None,
        horizon_cost_usd=rec.horizon_cost_usd if rec else None,
        horizon_months=ev.horizon_months,
        monthly_tokens=ev.monthly_tokens,
        break_even_monthly_tokens=ev.break_even.monthly_tokens,
        break_even_reason=ev.break_even.reason,
    )


def compare(
    scenarios: Sequence[tuple[str, Scenario]],
    catalog: Catalog,
    evaluations: Sequence[Evaluation] | None = None,
) -> Comparison:
    """Evaluate scenarios on one catalog and set them side by side.

    Args:
        scenarios: (label, scenario) pairs, e.g. the file names; two or more.
        catalog: The catalog snapshot every scenario is evaluated on.
        evaluations: Evaluations already made for the same scenarios (the app has them).

    Returns:
        The comparison.

    Raises:
        InputError: fewer than two scenarios, or a scenario with errors (named by its label).
    """
    if len(scenarios) < 2:
        raise InputError(Problem("scenarios", "error", "give at least two scenarios to compare"))
    evs = list(evaluations) if evaluations is not None else []
    if not evs:
        for label, scenario in scenarios:
            try:
                evs.append(evaluate(scenario, catalog))
            except InputError as exc:
                raise InputError(
                    *(Problem(f"{label}: {p.field}", p.severity, p.message) for p in exc.problems)
                ) from exc
    results = tuple(_result(label, ev) for (label, _s), ev in zip(scenarios, evs, strict=True))
    return Comparison(
        results=results,
        differences=differing_inputs([s for _label, s in scenarios]),
        same_answer=len({r.option for r in results}) == 1,
    )
