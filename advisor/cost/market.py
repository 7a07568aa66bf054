"""The API market the engine may choose from: listed models, one-request pricing, latency notes."""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from advisor.catalog.hosted import open_model_for
from advisor.catalog.records import ApiExtra, ApiModel
from advisor.catalog.snapshot import Catalog
from advisor.cost.api import TokenUsage
from advisor.scenario.model import Scenario

if TYPE_CHECKING:
    from advisor.cost.options import Context, Line, Option


def extra_matches(pattern: str, model: str) -> bool:
    """Whether an api_extras model pattern (``*``, ``gemini*`` or an exact id) covers a model."""
    return fnmatch.fnmatchcase(model.lower(), pattern.lower())


def one_request_usage(input_tokens: float, output_tokens: float, cached_share: float) -> TokenUsage:
    """The token usage of ONE request (long-context tiers are decided per request)."""
    inp = max(round(input_tokens), 0)
    cached = min(max(round(input_tokens * cached_share), 0), inp)
    return TokenUsage(inp, max(round(output_tokens), 0), cached)


def has_scores(catalog: Catalog, model: ApiModel, scored: Collection[str]) -> bool:
    """Scored directly, or a hosted copy of an open model that has scores."""
    if model.id in scored:
        return True
    mapped = open_model_for(catalog, model.id)
    return mapped is not None and bool(catalog.best_scores(mapped[0]))


def listed(catalog: Catalog, model: ApiModel, scored: Collection[str], scenario: Scenario) -> bool:
    """Whether an API model may be chosen: scored, and not deprecated unless the user asks."""
    if model.deprecated and not scenario.preferences.include_deprecated_api_models:
        return False
    return has_scores(catalog, model, scored)


def api_switching_lines(ctx: Context) -> list[Line]:
    """Switching effort of an API buyer who follows the capability-level price trend.

    The falling price of a capability level is only had by moving to newer, cheaper models:
    re-evaluating, re-prompting and rolling out, as a self-hoster does on each model refresh.
    """
    from advisor.cost.options import Line

    if not ctx.scenario.preferences.follow_capability_trend:
        return []
    inp = ctx.inputs
    monthly = (
        inp["engineer_hours_per_model_switch"]
        * float(inp.hourly_rate_usd)
        / inp["model_refresh_interval_months"]
    )
    return [Line("switching", monthly, "fixed", ("switch_hours", "people_cost"))]


def _published(extras: Sequence[ApiExtra], model: ApiModel) -> ApiExtra | None:
    for e in extras:
        if (
            e.provider == model.provider
            and extra_matches(e.model, model.model)
            and (e.ttft_ms is not None or e.output_tokens_per_s is not None)
        ):
            return e
    return None


def api_latency_notes(ctx: Context, models: Sequence[ApiModel]) -> list[str]:
    """The workload's latency targets checked against published API figures, or "not checked"."""
    w = ctx.scenario.workload
    if w.ttft_ms_target is None and w.tokens_per_s_per_user_target is None:
        return []
    out = []
    for m in models:
        e = _published(ctx.catalog.api_extras, m)
        name = f"{m.provider_name} {m.name}"
        if e is None:
            out.append(
                f"latency not checked for {name}: no published time-to-first-token or "
                "output speed in the catalog"
            )
            continue
        parts = []
        if w.ttft_ms_target is not None and e.ttft_ms is not None:
            verdict = "meets" if e.ttft_ms <= w.ttft_ms_target else "misses"
            parts.append(
                f"time to first token {e.ttft_ms:,.0f} ms {verdict} the "
                f"{w.ttft_ms_target:,.0f} ms target"
            )
        if w.tokens_per_s_per_user_target is not None and e.output_tokens_per_s is not None:
            verdict = (
                "meets" if e.output_tokens_per_s >= w.tokens_per_s_per_user_target else ("misses")
            )
            parts.append(
                f"output speed {e.output_tokens_per_s:,.0f} tokens/s {verdict} the "
                f"{w.tokens_per_s_per_user_target:,.0f} tokens/s target"
            )
        if parts:
            out.append(f"{name}: " + "; ".join(parts) + f" (published: {e.source})")
    return out


def hosted_reasoning(catalog: Catalog, model: ApiModel) -> bool:
    """A hosted copy of an open reasoning model (it emits reasoning tokens on an API too)."""
    mapped = open_model_for(catalog, model.id)
    if mapped is None:
        return False
    return any(m.id == mapped[0] and m.reasoning for m in catalog.models)


def hosted_open_model(catalog: Catalog, model: ApiModel) -> str | None:
    """The open model id a hosted API model serves, for the "same model" comparison."""
    mapped = open_model_for(catalog, model.id)
    return mapped[0] if mapped else None


def same_model_api_option(
    ctx: Context, build: Option, candidates: Sequence[ApiModel]
) -> Option | None:
    """The open model of a self-hosted option, bought from the cheapest API that hosts it.

    Ranks "the same model: on an API or on your own GPUs" side by side.
    """
    from advisor.cost.options import TaskRoute, api_cost_per_request, api_option

    if build.sized is None:
        return None
    hosted = [m for m in candidates if hosted_open_model(ctx.catalog, m) == build.sized.model]
    if not hosted:
        return None
    best = min(hosted, key=lambda m: api_cost_per_request(ctx, m)[0])
    per = api_cost_per_request(ctx, best)[0]
    routes = [
        TaskRoute(t.task, t.share, f"api:{best.id}", best.name, False, per)
        for t in ctx.scenario.workload.tasks
    ]
    model = ctx.catalog.model(build.sized.model)
    return api_option(
        ctx,
        f"Buy the same model: {model.name} on {best.provider_name} ({best.name})",
        routes,
        [best],
    )
