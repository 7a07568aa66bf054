"""Terms that apply to each option, options a rate limit rules out, and warnings on drops."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from advisor.catalog.deploy_records import CERTIFICATION_LABELS, LeadTime
from advisor.constraints.apply import HOST_CLASS_LABELS, DeployPlan, where
from advisor.constraints.exclusion import Exclusion, ExclusionRule
from advisor.constraints.ratelimits import TierNeed, needed_tier, peak_load
from advisor.cost.options import (
    Context,
    Option,
    _fleet,
    _sized_full,
    is_reasoning_api,
    open_candidates,
)
from advisor.errors import InputError
from advisor.scenario.defaults import default_value
from advisor.scenario.model import Scenario

WEEKS_PER_MONTH = 365.25 / 12 / 7


def api_needs(plan: DeployPlan, opt: Option) -> list[tuple[str, str, TierNeed]]:
    """(model id, display name, tier need) for each API model an option calls, at its share."""
    shares: dict[str, float] = {}
    for r in opt.routes:
        if not r.self_hosted and r.model.startswith("api:"):
            shares[r.model[4:]] = shares.get(r.model[4:], 0.0) + r.share
    out = []
    for mid, share in shares.items():
        try:
            model = plan.source.api_model(mid)
        except InputError:  # a route to a model no longer in the catalog: nothing to check
            continue
        load = peak_load(plan.scenario, share, is_reasoning_api(model))
        out.append(
            (mid, f"{model.provider_name} {model.name}", needed_tier(plan.source, model, load))
        )
    return out


def lead_time_for(plan: DeployPlan, gpu_id: str, how: str) -> LeadTime | None:
    cls = plan.gpu_classes.get(gpu_id)
    klass = cls.deployment_class if cls else "datacentre"
    return next((t for t in plan.source.lead_times if t.applies_to == klass and t.how == how), None)


def _licence_note(plan: DeployPlan, model_id: str) -> str | None:
    lic = plan.licences.get(model_id)
    if lic is None:
        return None
    terms = []
    if lic.monthly_active_users_limit:
        terms.append(
            f"above {lic.monthly_active_users_limit:,} monthly active users a separate licence "
            "is needed"
        )
    if lic.eu_domicile_excluded:
        terms.append("no rights for companies based in the EU (multimodal models)")
    if lic.attribution:
        terms.append(lic.attribution)
    if lic.acceptable_use_policy:
        terms.append(f"acceptable-use policy: {lic.acceptable_use_policy}")
    if lic.output_use:
        terms.append(f"outputs: {lic.output_use}")
    if lic.other_terms:
        terms.append(lic.other_terms)
    return f"Licence {lic.name}: " + "; ".join(terms) if terms else f"Licence {lic.name}"


def annotate_options(
    options: Sequence[Option], plan: DeployPlan, ctx: Context
) -> tuple[list[Option], list[Exclusion]]:
    """Add where data goes, licence terms, rate-limit tiers and lead times to each option.

    An option whose API load exceeds the highest self-serve tier published is ruled out (kept
    in the list as not allowed, with the reason), like an API under on-premises data.

    Returns:
        The annotated options and the options ruled out, as exclusions.
    """
    out: list[Option] = []
    ruled_out: list[Exclusion] = []
    hiring = ctx.scenario.team.hiring_months
    on_premises = ctx.scenario.workload.data_residency == "on_premises"
    for opt in options:
        notes = list(opt.notes)
        allowed, reason = opt.allowed, opt.not_allowed_reason
        if on_premises and not allowed and opt.kind in ("api", "rented", "hybrid"):
            # On-premises data is enforced where options are built: they stay in the list as
            # not allowed (so the cost of the rule shows), and are listed as excluded too.
            ruled_out.append(
                Exclusion("option", opt.name, opt.name, ExclusionRule.RESIDENCY, reason)
            )
        for mid, name, need in api_needs(plan, opt):
            ep = plan.endpoints.get(mid)
            if ep is not None:
                certs = ", ".join(CERTIFICATION_LABELS.get(c, c) for c in ep.certifications)
                text = f"{name} through {ep.endpoint}: data processed in {where(ep.processing)}"
                if certs:
                    text += f"; {certs} on record"
                if ep.eligibility:
                    text += f"; needs {ep.eligibility}"
                notes.append(text)
            if need.status != "unknown":
                notes.append("Rate limit: " + need.text(name))
            if need.status == "above_top" and allowed:
                allowed, reason = False, "rate limit: " + need.text(name)
                ruled_out.append(
                    Exclusion(
                        "option",
                        opt.name,
                        opt.name,
                        ExclusionRule.RATE_LIMIT,
                        need.text(name),
                        need.highest.source if need.highest else "",
                    )
                )
        model_id = opt.sized.model if opt.sized is not None else None
        if model_id:
            lic_note = _licence_note(plan, model_id)
            if lic_note:
                notes.append(lic_note)
        if opt.offer is not None:
            h = plan.hosting.get(opt.offer.id)
            if h is not None:
                notes.append(
                    f"{opt.offer.provider} {opt.offer.region or ''}: runs in "
                    f"{where(h.jurisdictions)} on "
                    f"{HOST_CLASS_LABELS.get(h.host_class, h.host_class)}"
                )
        if opt.purchased_gpus and opt.gpu is not None:
            lt = lead_time_for(plan, opt.gpu.id, "purchase")
            if lt is not None:
                lo, hi = lt.low_weeks / WEEKS_PER_MONTH, lt.high_weeks / WEEKS_PER_MONTH
                text = (
                    f"GPU purchase lead time {lt.low_weeks:g}-{lt.high_weeks:g} weeks "
                    f"({lo:.0f}-{hi:.0f} months)"
                )
                if hi > hiring:
                    text += (
                        f": the build may not go live for {math.ceil(hi):g} months, longer than "
                        f"the {hiring:g} months of hiring the costs bridge with API spend"
                    )
                notes.append(text)
        out.append(
            replace(
                opt, notes=tuple(dict.fromkeys(notes)), allowed=allowed, not_allowed_reason=reason
            )
        )
    return out, ruled_out


def _owned_shortfall(ctx: Context) -> list[str]:
    """Why no option runs on the GPUs the buyer owns (the owned option would vanish silently)."""
    hw = ctx.scenario.hardware
    tasks = [t.task for t in ctx.scenario.workload.tasks]
    good = {m.id for m, _ in open_candidates(ctx, tasks)}
    growth = (1.0 + ctx.scenario.workload.monthly_growth) ** max(
        ctx.scenario.preferences.horizon_months - 1, 0
    )
    out = []
    by_gpu: dict[str, int] = {}
    for o in hw.owned:
        gid = ctx.catalog.gpu(o.gpu).id
        by_gpu[gid] = by_gpu.get(gid, 0) + o.count
    for gid, count in by_gpu.items():
        gpu = ctx.catalog.gpu(gid)
        fits = [s for s in _sized_full(ctx) if s.gpu == gid and s.model in good]
        if not fits:
            out.append(
                f"No option runs on your {count} x {gpu.name}: no open model good enough for "
                "the tasks fits on them at the accepted precisions and context length."
            )
            continue
        needed = min(
            int(_fleet(ctx, s, 1.0, scale_down=False).units(max(growth, 1.0))) * s.gpus_per_replica
            for s in fits
        )
        if needed <= count:
            continue  # it fits; the option was ranked out, not dropped
        month = ctx.scenario.preferences.horizon_months
        grow = (
            f" at month {month} ({growth:.1f}x today's volume with "
            f"{ctx.scenario.workload.monthly_growth:.0%} monthly growth)"
            if growth > 1.0
            else ""
        )
        if not hw.buying_allowed:
            why = "and buying GPUs is not allowed"
        elif gpu.purchase_price_usd is None:
            why = "and the catalog has no purchase price to top them up"
        else:
            continue
        out.append(
            f"No option runs on your {count} x {gpu.name}: the smallest good-enough deployment "
            f"needs {needed} of them{grow} {why}."
        )
    return out


def dropped_input_warnings(
    scenario: Scenario, ctx: Context, options: Sequence[Option]
) -> list[str]:
    """Warnings for inputs left out without a word: defaulted fields, unused owned GPUs.

    Args:
        scenario: The scenario as loaded (its ``defaulted`` paths name fields the file lacked).
        ctx: The evaluation context (after the constraints).
        options: Every option built.
    """
    out = []
    for path in scenario.defaulted:
        value = default_value(path)
        current: object = scenario
        for part in path.split("."):
            current = getattr(current, part)
        if current != value:
            continue  # set since the file was read (e.g. in the wizard)
        if isinstance(value, tuple):
            shown = "list"  # tasks, roles: a list is not worth spelling out here
        elif isinstance(value, float | int):
            shown = f"{value:,g}"
        else:
            shown = repr(value)
        out.append(f"{path} is not in the scenario file: evaluated with the default {shown}.")
    if ctx.scenario.hardware.owned and not any(o.owned_gpus_used for o in options):
        out += _owned_shortfall(ctx)
    out += _lead_time_warning(ctx, options)
    return out


def _lead_time_warning(ctx: Context, options: Sequence[Option]) -> list[str]:
    """Bought GPUs that may arrive after the hiring months the horizon bridges with API spend."""
    hiring = ctx.scenario.team.hiring_months
    classes = {c.id: c.deployment_class for c in ctx.catalog.gpu_classes}
    for o in options:
        if not (o.allowed and o.purchased_gpus and o.gpu is not None):
            continue
        klass = classes.get(o.gpu.id, "datacentre")
        lt = next(
            (t for t in ctx.catalog.lead_times if t.applies_to == klass and t.how == "purchase"),
            None,
        )
        if lt is not None and lt.high_weeks / WEEKS_PER_MONTH > hiring:
            return [
                f"Bought {o.gpu.name} servers take {lt.low_weeks:g}-{lt.high_weeks:g} weeks to "
                f"arrive, longer than the {hiring:g} months of hiring the horizon bridges with "
                "API spend; the cost of bridging the extra months is not included."
            ]
    return []
