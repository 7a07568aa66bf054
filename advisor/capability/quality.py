"""Quality fit: which models are good enough for each task type, from public benchmark scores."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from advisor.catalog.hosted import open_model_for
from advisor.catalog.snapshot import Catalog

_PENALTY_KEYS = {
    "fp8": "quality_penalty_fp8",
    "int8": "quality_penalty_int8",
    "int4": "quality_penalty_int4",
    "fp4": "quality_penalty_fp4",
}
# Models published in a 4-bit format are scored as released: no extra penalty at that precision.
NATIVE_PRECISION = {"gpt-oss-20b": "fp4", "gpt-oss-120b": "fp4"}


@dataclass(frozen=True)
class Fit:
    """How one model (at one precision) does on one task."""

    model: str  # open model id, or "api:provider/model"
    task: str
    precision: str
    benchmark: str | None  # the benchmark that decided, None when the model has no usable score
    score: float | None  # after the quantisation penalty
    min_score: float | None
    good_enough: bool
    margin: float | None  # score - min_score
    source: str | None

    @property
    def reason(self) -> str:
        if self.benchmark is None:
            return "no published score for this task's benchmarks"
        verdict = "meets" if self.good_enough else "falls short of"
        return f"{self.benchmark} {self.score:.1f} {verdict} the {self.min_score:.0f} needed"


def task_names(catalog: Catalog) -> dict[str, str]:
    """Task id -> display name, in catalog order."""
    out: dict[str, str] = {}
    for t in catalog.tasks:
        out.setdefault(t.task, t.name)
    return out


def penalty(catalog: Catalog, model: str, precision: str) -> float:
    """Relative score lost by running ``model`` at ``precision`` (0 for bf16/fp16 or native)."""
    if precision in ("bf16", "fp16") or NATIVE_PRECISION.get(model) == precision:
        return 0.0
    key = _PENALTY_KEYS.get(precision)
    found = catalog.assumption(key) if key else None
    return float(found.value) if found is not None else 0.0


def fit(catalog: Catalog, model: str, task: str, precision: str = "bf16") -> Fit:
    """Decide whether a model is good enough for a task.

    The first benchmark in the task's priority list that the model has a published score on
    decides; the best published score on that benchmark is used, less the quantisation penalty.
    """
    reqs = catalog.task_requirements(task)
    scores = catalog.best_scores(model)
    loss = penalty(catalog, model, precision)
    if not scores and model.startswith("api:"):
        # A hosted open-weight model carries its open model's scores, less the penalty of the
        # precision the provider serves it at.
        mapped = open_model_for(catalog, model)
        if mapped is not None:
            scores = catalog.best_scores(mapped[0])
            loss = penalty(catalog, mapped[0], mapped[1])
    for req in reqs:
        if req.benchmark in scores:
            raw, source = scores[req.benchmark]
            score = raw * (1.0 - loss)
            return Fit(
                model,
                task,
                precision,
                req.benchmark,
                score,
                req.min_score,
                score >= req.min_score,
                score - req.min_score,
                source,
            )
    return Fit(model, task, precision, None, None, None, False, None, None)


def good_enough(
    catalog: Catalog, models: Iterable[str], task: str, precision: str = "bf16"
) -> list[Fit]:
    """The models (of those given) that are good enough for a task, best margin first."""
    fits = [fit(catalog, m, task, precision) for m in models]
    return sorted((f for f in fits if f.good_enough), key=lambda f: -(f.margin or 0.0))


def is_premium(catalog: Catalog, model: str) -> bool:
    """A reasoning or frontier model: one that is good enough for hard reasoning."""
    if not model.startswith("api:"):
        m = next((x for x in catalog.models if x.id == model), None)
        if m is not None and m.reasoning:
            return True
    return fit(catalog, model, "reasoning").good_enough
