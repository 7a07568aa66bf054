"""Candidate ways to get the capability (API, rented, owned, hybrid) with their monthly costs.

Internally costs are floats (they feed sweeps and Monte Carlo); results are rounded to Decimal
cents once, when shown. Each cost line knows how it grows with volume ("fixed", "linear" or
"units": installed or billed GPU replicas), which the break-even, crossover, sensitivity and
uncertainty analyses use without re-running the sizing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from advisor.capability import quality
from advisor.capability.model import Calibration
from advisor.capability.sizing import SizedDeployment, size_all
from advisor.capability.sizing import Workload as SizingWorkload
from advisor.catalog.records import ApiModel, CloudOffer, Gpu, OpenModel
from advisor.catalog.snapshot import Catalog
from advisor.cost.api import price_usage
from advisor.cost.inputs import OVERRIDE_SOURCE, CostInputs
from advisor.cost.market import (
    api_latency_notes,
    api_switching_lines,
    extra_matches,
    hosted_reasoning,
    listed,
    one_request_usage,
)
from advisor.cost.people import colocation_monthly, oncall_line
from advisor.scenario.model import DAYS_PER_MONTH, HOURS_PER_MONTH, Scenario

SECONDS_PER_MONTH = float(DAYS_PER_MONTH) * 86400.0
BYTES_PER_TOKEN = 4.0  # typical English text: about four characters per token
_REASONING_API = re.compile(
    r"(^|/)(o1|o3|o4)(-|$)|reasoner|thinking|(^|/)gpt-5(?!.*chat)|deepseek-r1", re.IGNORECASE
)

COMPONENT_LABELS = {
    "api_tokens": "API tokens",
    "gpu_rental": "GPU rental",
    "gpu_capital": "GPU depreciation",
    "hardware_support": "Hardware support",
    "power": "Power",
    "colocation": "Rack / colocation",
    "storage": "Storage",
    "egress": "Egress",
    "people": "People",
    "maintenance": "Maintenance",
    "compliance": "Liability / compliance",
    "switching": "Model switching",
    "oncall": "24x7 on-call",
}


@dataclass(frozen=True)
class Line:
    """One cost line of an option: monthly USD at today's volume, and how it scales."""

    component: str
    monthly: float
    scaling: str  # "fixed", "linear" (with tokens) or "units" (with GPU replicas)
    drivers: tuple[str, ...] = ()  # uncertain inputs it is proportional to
    # Paid once at purchase (bought hardware); ``monthly`` is then its straight-line share.
    upfront_usd: float = 0.0


@dataclass(frozen=True)
class Fleet:
    """A self-hosted deployment's replica arithmetic, for any volume multiple."""

    capacity_rps: float  # requests/s one replica serves within the latency targets
    gpus_per_replica: int
    failover: int
    peak_to_average: float
    peak_hours: float
    scale_down: bool  # billed by the hour and scaled to the load (on-demand / spot rental)
    avg_rps: float  # at volume multiple 1
    instance_gpus: int = 1  # rented in whole instances of this many GPUs

    def billed(self, replicas: int) -> float:
        """Replicas paid for when GPUs come in whole instances of ``instance_gpus``."""
        if self.instance_gpus <= 1:
            return float(replicas)
        gpus = replicas * self.gpus_per_replica
        instances = math.ceil(gpus / self.instance_gpus - 1e-9)
        return instances * self.instance_gpus / self.gpus_per_replica

    def units_array(self, x: np.ndarray[Any, np.dtype[np.float64]]) -> Any:
        """``units`` for many volume multiples at once (same arithmetic, numpy, in place)."""
        per_replica = self.avg_rps / self.capacity_rps  # replicas of average load at x = 1
        share = self.peak_hours / 24.0

        def replicas(load: Any) -> Any:
            load -= 1e-9
            np.ceil(load, out=load)
            np.maximum(load, 1.0, out=load)
            load += self.failover
            return load

        def billed(reps: Any) -> Any:
            if self.instance_gpus <= 1:
                return reps
            k = self.gpus_per_replica / self.instance_gpus  # instances per replica
            reps *= k
            reps -= 1e-9
            np.ceil(reps, out=reps)
            reps /= k
            return reps

        at_peak = billed(replicas(x * (per_replica * self.peak_to_average)))
        if not self.scale_down:
            return at_peak
        # Off-peak load: what is left of the day's requests after the peak hours.
        off_level = (
            max(0.0, (1.0 - self.peak_to_average * share) / (1.0 - share)) if (share < 1) else 0.0
        )
        at_off = billed(replicas(x * (per_replica * off_level)))
        at_peak *= share
        at_off *= 1.0 - share
        at_peak += at_off
        return at_peak

    def units(self, x: float) -> float:
        """Billed (or installed) replicas at ``x`` times today's volume."""
        avg = self.avg_rps * x
        peak = avg * self.peak_to_average
        at_peak = max(1, math.ceil(peak / self.capacity_rps - 1e-9)) + self.failover
        if not self.scale_down:
            return self.billed(at_peak)
        share = self.peak_hours / 24.0
        off = max(0.0, (avg - peak * share) / (1.0 - share)) if share < 1 else 0.0
        at_off = max(1, math.ceil(off / self.capacity_rps - 1e-9)) + self.failover
        return share * self.billed(at_peak) + (1.0 - share) * self.billed(at_off)


@dataclass(frozen=True)
class TaskRoute:
    """Which model serves one task in an option, and what that costs per request."""

    task: str
    share: float
    model: str  # "api:provider/model" or an open model id
    model_name: str
    self_hosted: bool
    usd_per_request: float
    reasoning: bool = False


@dataclass(frozen=True)
class Option:
    """One way to get the capability, with its cost lines and facts."""

    kind: str  # api | rented | owned | hybrid
    name: str
    lines: tuple[Line, ...]
    routes: tuple[TaskRoute, ...]
    sized: SizedDeployment | None = None
    fleet: Fleet | None = None
    gpu: Gpu | None = None
    offer: CloudOffer | None = None
    owned_gpus_used: int = 0
    purchased_gpus: int = 0
    risks: tuple[str, ...] = ()
    meets_latency: bool = True
    allowed: bool = True  # False when a hard constraint (e.g. on-premises data) rules it out
    not_allowed_reason: str = ""
    sources: tuple[tuple[str, str, str], ...] = ()  # (what, source, as_of)
    notes: tuple[str, ...] = ()
    # Bought hardware is sized for the horizon's last month: its "units" lines cover the fleet
    # for this multiple of today's volume.
    sized_for_volume: float = 1.0

    @property
    def monthly(self) -> float:
        return sum(line.monthly for line in self.lines)

    def monthly_at(self, x: float) -> float:
        """Monthly cost at ``x`` times today's volume (same deployment, re-counted replicas)."""
        v = self.sized_for_volume
        base_units = self.fleet.units(v) if self.fleet else 1.0
        units = self.fleet.units(x * v) if self.fleet else 1.0
        total = 0.0
        for line in self.lines:
            if line.scaling == "linear":
                total += line.monthly * x
            elif line.scaling == "units":
                total += line.monthly * units / base_units
            else:
                total += line.monthly
        return total

    def component(self, name: str) -> float:
        return sum(line.monthly for line in self.lines if line.component == name)


@dataclass
class Context:
    """What every option builder needs; made once per evaluation."""

    scenario: Scenario
    catalog: Catalog
    inputs: CostInputs
    cal: Calibration
    monthly_requests: float = 0.0
    task_requests: dict[str, float] = field(default_factory=dict)
    sized_cache: list[SizedDeployment] | None = None

    def __post_init__(self) -> None:
        self.monthly_requests = self.scenario.monthly_requests
        self.task_requests = {
            t.task: self.monthly_requests * t.share for t in self.scenario.workload.tasks
        }


# --- API ------------------------------------------------------------------------------------


def _source(
    what: str, source: str, as_of: str, overridden: tuple[str, ...]
) -> tuple[str, str, str]:
    """A (what, source, as of) citation; a figure the user overrode is credited to the user."""
    if overridden:
        return (f"{what} (your figure for {', '.join(overridden)})", OVERRIDE_SOURCE, "")
    return (what, source, as_of)


def is_reasoning_api(model: ApiModel) -> bool:
    return bool(_REASONING_API.search(model.id))


def _batch_discount(ctx: Context, model: ApiModel) -> float | None:
    for extra in ctx.catalog.api_extras:
        if (
            extra.provider == model.provider
            and extra_matches(extra.model, model.model)
            and extra.batch_discount is not None
        ):
            return float(extra.batch_discount)
    return None


def api_cost_per_request(ctx: Context, model: ApiModel) -> tuple[float, list[str]]:
    """USD per request on an API model: cached input, batch share and reasoning tokens included."""
    w = ctx.scenario.workload
    out_tokens = w.output_tokens_per_request
    notes = []
    if is_reasoning_api(model) or hosted_reasoning(ctx.catalog, model):
        out_tokens *= w.reasoning_output_multiplier
        notes.append(f"reasoning model: {w.reasoning_output_multiplier:g}x output tokens")
    # Price ONE request: long-context tiers depend on the tokens of a single request, so pricing
    # many requests as one usage would cross the 128K/200K thresholds wrongly (issue 13).
    usage = one_request_usage(w.input_tokens_per_request, out_tokens, w.cached_input_share)
    n = 1
    standard = float(price_usage(model, usage).total_usd) / n
    if w.batch_share <= 0:
        return standard, notes
    if model.price_set("processing=batch") is not None:
        batch = float(price_usage(model, usage, "processing=batch").total_usd) / n
    else:
        discount = _batch_discount(ctx, model)
        batch = standard * (1.0 - discount) if discount is not None else standard
        if discount is None:
            notes.append("no published batch discount: batch share priced at list")
    return (1 - w.batch_share) * standard + w.batch_share * batch, notes


def api_candidates(ctx: Context) -> list[ApiModel]:
    """API models with published scores, allowed providers, priceable for tokens."""
    scored = {s.model[4:] for s in ctx.catalog.scores if s.model.startswith("api:")}
    allowed = set(ctx.scenario.preferences.api_providers)
    out = []
    for m in ctx.catalog.api_models:
        if not listed(ctx.catalog, m, scored, ctx.scenario):
            continue
        if allowed and m.provider not in allowed:
            continue
        std = m.standard.prices
        if "input_mtok" not in std or "output_mtok" not in std:
            continue
        out.append(m)
    return out


def _residency_block(ctx: Context) -> str:
    w = ctx.scenario.workload
    if w.data_residency == "on_premises":
        return "the data must stay on premises, so no public API may receive it"
    return ""


def _api_risks(ctx: Context, models: Sequence[ApiModel]) -> list[str]:
    w = ctx.scenario.workload
    risks = [
        "lock-in: prompts and evaluations are tuned to one vendor's models",
        "deprecation: API models are retired on the vendor's schedule",
    ]
    if w.data_sensitivity in ("confidential", "restricted"):
        risks.append(
            f"{w.data_sensitivity} data leaves your network: needs a DPA and zero-retention terms"
        )
    # Residency is enforced by advisor.constraints (only endpoints processing in the region
    # are compared), so it is no longer a risk sentence here.
    peak_tpm = (
        ctx.monthly_requests
        / SECONDS_PER_MONTH
        * w.peak_to_average
        * 60.0
        * (w.input_tokens_per_request + w.output_tokens_per_request)
    )
    for m in models:
        for e in ctx.catalog.api_extras:
            if e.provider == m.provider and e.rate_limit_tpm and peak_tpm > e.rate_limit_tpm:
                risks.append(
                    f"rate limit: peak {peak_tpm:,.0f} tokens/min exceeds {m.provider}'s "
                    f"{e.rate_limit_tier or 'published'} tier ({e.rate_limit_tpm:,} TPM)"
                )
                break
    return list(dict.fromkeys(risks))


def _people_line(ctx: Context, share_factor: float, component: str = "people") -> Line:
    return Line(
        component,
        float(ctx.inputs.people_monthly_usd) * share_factor,
        "fixed",
        ("people_cost", "share_of_time"),
    )


def api_people(ctx: Context) -> Line:
    team = ctx.scenario.team
    total = sum(
        float(cost) * count * team.api_share_of_time
        for _, count, _, cost, _ in ctx.inputs.people_detail
    )
    return Line("people", total, "fixed", ("people_cost",))


def cheapest_api_routes(
    ctx: Context, candidates: Sequence[ApiModel], tasks: Sequence[str] | None = None
) -> tuple[list[TaskRoute], list[str]]:
    """For each task, the cheapest API model good enough for it."""
    routes = []
    notes: list[str] = []
    per_request = {}
    for m in candidates:
        per_request[m.id] = api_cost_per_request(ctx, m)
    for t in ctx.scenario.workload.tasks:
        if tasks is not None and t.task not in tasks:
            continue
        ok = [m for m in candidates if quality.fit(ctx.catalog, f"api:{m.id}", t.task).good_enough]
        if not ok:
            notes.append(f"no scored API model is good enough for {t.task}")
            continue
        best = min(ok, key=lambda m: per_request[m.id][0])
        routes.append(
            TaskRoute(
                t.task,
                t.share,
                f"api:{best.id}",
                best.name,
                False,
                per_request[best.id][0],
                is_reasoning_api(best),
            )
        )
    return routes, notes


def api_option(
    ctx: Context, name: str, routes: Sequence[TaskRoute], candidates: Sequence[ApiModel]
) -> Option:
    spend = sum(r.usd_per_request * ctx.task_requests[r.task] for r in routes)
    used = [m for m in candidates if f"api:{m.id}" in {r.model for r in routes}]
    lines = (
        Line("api_tokens", spend, "linear", ("volume", "api_price")),
        api_people(ctx),
        *api_switching_lines(ctx),
    )
    block = _residency_block(ctx)
    sources = tuple(
        _source(f"{m.provider_name} {m.name} prices", m.source, m.as_of, m.overridden) for m in used
    )
    return Option(
        kind="api",
        name=name,
        lines=lines,
        routes=tuple(routes),
        risks=tuple(_api_risks(ctx, used)),
        allowed=not block,
        not_allowed_reason=block,
        sources=sources,
        notes=tuple(api_latency_notes(ctx, used)),
    )


# --- self-hosted ----------------------------------------------------------------------------


def _sizing_workload(ctx: Context, share: float, model: OpenModel) -> SizingWorkload:
    w = ctx.scenario.workload
    out = w.output_tokens_per_request * (w.reasoning_output_multiplier if model.reasoning else 1)
    return SizingWorkload(
        requests_per_s=max(ctx.monthly_requests * share / SECONDS_PER_MONTH, 1e-9),
        peak_to_average=w.peak_to_average,
        input_tokens=w.input_tokens_per_request,
        output_tokens=out,
        ttft_ms_target=w.ttft_ms_target,
        tokens_per_s_per_user_target=w.tokens_per_s_per_user_target,
        failover_replicas=ctx.scenario.preferences.failover_replicas,
        engine=ctx.scenario.preferences.engine,
        prefix_cache_hit=w.cached_input_share,
    )


def open_candidates(ctx: Context, tasks: Sequence[str]) -> list[tuple[OpenModel, str]]:
    """(model, precision) pairs good enough for every given task, within the context needed."""
    out = []
    for m in ctx.catalog.models:
        if m.max_context < ctx.scenario.workload.context_tokens:
            continue
        for p in ctx.scenario.preferences.precisions:
            if all(quality.fit(ctx.catalog, m.id, t, p).good_enough for t in tasks):
                out.append((m, p))
    return out


def _build_common_lines(ctx: Context, model: OpenModel) -> list[Line]:
    inp = ctx.inputs
    weights_gb = model.total_params_b * 2.0  # stored at 16-bit before quantisation
    return [
        _people_line(ctx, 1.0),
        Line(
            "maintenance",
            float(inp.hourly_rate_usd) * ctx.scenario.team.maintenance_hours_per_month,
            "fixed",
            ("people_cost",),
        ),
        Line("compliance", inp["compliance_review_usd_per_year"] / 12.0, "fixed", ("compliance",)),
        Line(
            "switching",
            inp["engineer_hours_per_model_switch"]
            * float(inp.hourly_rate_usd)
            / inp["model_refresh_interval_months"],
            "fixed",
            ("switch_hours", "people_cost"),
        ),
        Line(
            "storage",
            weights_gb * inp["weight_copies_stored"] * inp["storage_usd_per_gb_month"],
            "fixed",
            (),
        ),
    ]


def _build_risks(ctx: Context, model: OpenModel) -> list[str]:
    team = ctx.scenario.team
    risks = [
        "maintenance burden: your team patches, upgrades and answers the pager",
        "switching: moving to a better open model means re-serving and re-evaluating",
    ]
    if not any(r.count > 0 and r.share_of_time > 0 for r in team.roles):
        risks.append("no people assigned: nobody would run this deployment")
    if team.hiring_months > 0:
        risks.append(f"hiring: {team.hiring_months:g} months before it can go live")
    if "llama" in model.licence.lower():
        risks.append(f"licence: {model.licence} has use and size conditions")
    return risks


def _offers(ctx: Context, gpu: Gpu, tp: int) -> list[CloudOffer]:
    allowed = set(ctx.scenario.hardware.cloud_providers)
    return [
        o
        for o in ctx.catalog.offers_for(gpu.id)
        if o.gpu_count >= tp and (not allowed or o.provider in allowed)
    ]


def _hourly(offer: CloudOffer, term: str) -> tuple[float, str]:
    if term == "reserved" and offer.reserved_usd_per_hour is not None:
        return float(offer.reserved_usd_per_hour), "reserved"
    if term == "spot" and offer.spot_usd_per_hour is not None:
        return float(offer.spot_usd_per_hour), "spot"
    return float(offer.on_demand_usd_per_hour), "on demand"


def rented_option(
    ctx: Context, model: OpenModel, sized: SizedDeployment, share: float, label: str
) -> Option | None:
    """The cheapest allowed cloud offer for a sized deployment, as an option."""
    gpu = ctx.catalog.gpu(sized.gpu)
    term = ctx.scenario.hardware.rental_term
    best = None
    # Instances are rented whole: the cheapest offer is the one with the lowest bill for the
    # fleet, not the lowest price per GPU-hour (an 8-GPU instance for 2 GPUs bills all 8).
    for offer in _offers(ctx, gpu, sized.gpus_per_replica):
        hourly, how = _hourly(offer, term)
        per_gpu_hour = hourly / offer.gpu_count
        fleet = replace(
            _fleet(ctx, sized, share, scale_down=how != "reserved"),
            instance_gpus=offer.gpu_count,
        )
        bill = fleet.units(1.0) * sized.gpus_per_replica * per_gpu_hour
        if best is None or bill < best[0]:
            best = (bill, per_gpu_hour, offer, how, fleet)
    if best is None:
        return None
    _, per_gpu_hour, offer, how, fleet = best
    units = fleet.units(1.0)
    gpu_hours = units * sized.gpus_per_replica * HOURS_PER_MONTH
    w = ctx.scenario.workload
    out_tokens_month = ctx.monthly_requests * share * w.output_tokens_per_request
    lines = [
        Line("gpu_rental", gpu_hours * per_gpu_hour, "units", ("gpu_rental_price", "perf")),
        Line(
            "egress",
            out_tokens_month * BYTES_PER_TOKEN / 1e9 * ctx.inputs["egress_usd_per_gb"],
            "linear",
            ("volume",),
        ),
        *_build_common_lines(ctx, model),
    ]
    lines += [x for x in (oncall_line(ctx, sized.total_gpus),) if x is not None]
    risks = _build_risks(ctx, model)
    if how == "spot":
        risks.append("spot capacity can be reclaimed at short notice")
    notes = []
    if offer.gpu_count > 1 and offer.gpu_count > sized.total_gpus:
        notes.append(
            f"{offer.instance} is rented whole: {offer.gpu_count} GPUs billed for the "
            f"{sized.total_gpus} the deployment needs at peak"
        )
    if ctx.scenario.workload.data_residency == "on_premises":
        allowed, reason = False, "the data must stay on premises, so no cloud GPUs"
    else:
        allowed, reason = True, ""
    name = (
        f"{label}{model.name} on {sized.total_gpus} x {gpu.name} ({offer.provider}, {how}, "
        f"{sized.precision})"
    )
    return Option(
        kind="rented",
        name=name,
        lines=tuple(lines),
        routes=(),
        sized=sized,
        fleet=fleet,
        gpu=gpu,
        offer=offer,
        risks=tuple(risks),
        meets_latency=sized.meets_latency,
        allowed=allowed,
        not_allowed_reason=reason,
        notes=tuple(notes),
        sources=(
            _source(
                f"{offer.provider} {offer.instance} price",
                offer.source,
                offer.as_of,
                offer.overridden,
            ),
            (f"{gpu.name} specs", gpu.source, gpu.as_of),
            (f"{model.name} architecture", model.source, model.as_of),
        ),
    )


def _fleet(ctx: Context, sized: SizedDeployment, share: float, scale_down: bool) -> Fleet:
    w = ctx.scenario.workload
    return Fleet(
        capacity_rps=sized.capacity_requests_per_s,
        gpus_per_replica=sized.gpus_per_replica,
        failover=ctx.scenario.preferences.failover_replicas,
        peak_to_average=w.peak_to_average,
        peak_hours=w.peak_hours_per_day,
        scale_down=scale_down,
        avg_rps=ctx.monthly_requests * share / SECONDS_PER_MONTH,
    )


def _resale_fraction(ctx: Context, age_years: float) -> float:
    # Exponential decay through the sourced 3-year resale point.
    base: float = ctx.inputs["gpu_resale_value_after_3y"]
    return float(base ** (age_years / 3.0))


def owned_option(
    ctx: Context, model: OpenModel, sized: SizedDeployment, share: float, label: str
) -> Option | None:
    """Run on GPUs already owned (topped up by purchases when allowed) or bought new."""
    hw = ctx.scenario.hardware
    gpu = ctx.catalog.gpu(sized.gpu)
    owned = sum(o.count for o in hw.owned if ctx.catalog.gpu(o.gpu).id == gpu.id)
    age = max((o.age_years for o in hw.owned if ctx.catalog.gpu(o.gpu).id == gpu.id), default=0)
    fleet = _fleet(ctx, sized, share, scale_down=False)
    growth = (1.0 + ctx.scenario.workload.monthly_growth) ** max(
        ctx.scenario.preferences.horizon_months - 1, 0
    )
    needed = int(fleet.units(max(growth, 1.0))) * sized.gpus_per_replica
    used_owned = min(owned, needed)
    to_buy = needed - used_owned
    if to_buy > 0 and (not hw.buying_allowed or gpu.purchase_price_usd is None):
        return None
    price = float(gpu.purchase_price_usd) if gpu.purchase_price_usd is not None else 0.0
    inp = ctx.inputs
    capex_per_gpu = price * (1.0 + inp["gpu_server_overhead_fraction"])
    amort_months = hw.amortisation_years * 12.0
    residual = _resale_fraction(ctx, hw.amortisation_years)
    horizon = ctx.scenario.preferences.horizon_months
    # Owned GPUs: their market value keeps falling while you use them (opportunity cost).
    owned_decline = (
        price * (_resale_fraction(ctx, age) - _resale_fraction(ctx, age + horizon / 12.0)) / horizon
        if used_owned
        else 0.0
    )
    bought_capital = to_buy * capex_per_gpu * (1.0 - residual) / amort_months
    owned_capital = used_owned * owned_decline
    installed_kw = needed * gpu.tdp_w / 1000.0 * (1.0 + inp["server_power_overhead_fraction"])
    installed_replicas = needed // sized.gpus_per_replica
    util = min(sized.utilisation * sized.replicas / max(installed_replicas, 1), 1.0)
    idle = inp["gpu_idle_power_fraction"]
    kwh_idle = installed_kw * idle * HOURS_PER_MONTH * inp["pue"]
    kwh_load = installed_kw * (1.0 - idle) * util * HOURS_PER_MONTH * inp["pue"]
    kwh_price = inp["electricity_price_usd_per_kwh"]
    # Support covers every GPU in service, the ones you already own as well as the bought ones.
    support = needed * price * inp["hardware_support_fraction_per_year"] / 12.0
    lines = [
        *(
            [
                Line(
                    "gpu_capital",
                    bought_capital,
                    "units",
                    ("gpu_purchase_price", "perf"),
                    upfront_usd=to_buy * capex_per_gpu,
                )
            ]
            if to_buy
            else []
        ),
        Line("gpu_capital", owned_capital, "units", ("gpu_purchase_price", "perf")),
        Line("hardware_support", support, "units", ("gpu_purchase_price", "perf")),
        Line("power", kwh_idle * kwh_price, "units", ("electricity", "perf")),
        Line("power", kwh_load * kwh_price, "linear", ("electricity", "volume")),
        Line("colocation", colocation_monthly(ctx, installed_kw), "units", ("perf",)),
        *_build_common_lines(ctx, model),
    ]
    lines += [x for x in (oncall_line(ctx, needed),) if x is not None]
    risks = _build_risks(ctx, model)
    if to_buy:
        risks.append(
            f"capital: {to_buy} GPUs to buy up front "
            f"(about ${to_buy * capex_per_gpu:,.0f} with servers)"
        )
    if gpu.price_basis in ("estimate", None) and to_buy:
        risks.append("GPU price is an estimate: get a quote")
    if used_owned and not to_buy:
        how = f"on {used_owned} of your {owned} {gpu.name}"
    elif used_owned:
        how = f"on {used_owned} of your {gpu.name} + {to_buy} bought"
    else:
        how = f"on {to_buy} x {gpu.name} bought"
    name = f"{label}{model.name} {how} ({sized.precision})"
    notes = []
    if growth > 1.0:
        notes.append(
            f"sized for month {horizon}'s volume ({growth:.1f}x today) because bought "
            "hardware cannot scale with the load"
        )
    return Option(
        kind="owned",
        name=name,
        lines=tuple(lines),
        routes=(),
        # What is installed (sized for the horizon's peak), so names and capacity agree.
        sized=replace(sized, replicas=installed_replicas, total_gpus=needed, utilisation=util),
        fleet=fleet,
        gpu=gpu,
        owned_gpus_used=used_owned,
        purchased_gpus=to_buy,
        sized_for_volume=max(growth, 1.0),
        risks=tuple(risks),
        meets_latency=sized.meets_latency,
        notes=tuple(notes),
        sources=(
            (f"{gpu.name} specs", gpu.source, gpu.as_of),
            _source(
                f"{gpu.name} price",
                gpu.price_source or "",
                gpu.price_as_of or "",
                tuple(f for f in gpu.overridden if f == "purchase_price_usd"),
            ),
            (f"{model.name} architecture", model.source, model.as_of),
        ),
    )


def _routes_self(ctx: Context, model: OpenModel, tasks: Sequence[str]) -> list[TaskRoute]:
    return [
        TaskRoute(t.task, t.share, model.id, model.name, True, 0.0, model.reasoning)
        for t in ctx.scenario.workload.tasks
        if t.task in tasks
    ]


def _sized_full(ctx: Context) -> list[SizedDeployment]:
    """Every model x GPU x GPU count x accepted precision, sized once per evaluation for the
    whole load (a replica's capacity does not depend on the load, only the replica count)."""
    if ctx.sized_cache is None:
        models = [
            m for m in ctx.catalog.models if m.max_context >= ctx.scenario.workload.context_tokens
        ]
        precisions = tuple(sorted(set(ctx.scenario.preferences.precisions)))
        sized: list[SizedDeployment] = []
        for reasoning in (False, True):
            group = [m for m in models if m.reasoning == reasoning]
            if group:
                wl = _sizing_workload(ctx, 1.0, group[0])
                sized += size_all(wl, group, list(ctx.catalog.gpus), ctx.cal, precisions)
        # Keep every GPU count (tensor-parallel size) that meets the latency target, or all of
        # them where none does: the options are then chosen by the cost of the whole fleet
        # (whole instances, replicas at peak, failover), not by capacity per GPU.
        groups: dict[tuple[str, str, str], list[SizedDeployment]] = {}
        for sd in sized:
            groups.setdefault((sd.model, sd.gpu, sd.precision), []).append(sd)
        kept: list[SizedDeployment] = []
        for variants in groups.values():
            meeting = [sd for sd in variants if sd.meets_latency]
            kept += meeting or variants
        ctx.sized_cache = kept
    return ctx.sized_cache


def _rescale(ctx: Context, sized: SizedDeployment, share: float) -> SizedDeployment:
    """The same deployment serving ``share`` of the load: fewer replicas, same capacity each."""
    if share == 1.0:
        return sized
    avg = ctx.monthly_requests * share / SECONDS_PER_MONTH
    peak = avg * ctx.scenario.workload.peak_to_average
    replicas = max(1, math.ceil(peak / sized.capacity_requests_per_s - 1e-9)) + (
        ctx.scenario.preferences.failover_replicas
    )
    return replace(
        sized,
        replicas=replicas,
        total_gpus=replicas * sized.gpus_per_replica,
        utilisation=avg / (replicas * sized.capacity_requests_per_s),
    )


def build_options(
    ctx: Context, tasks: Sequence[str], share: float, label: str = "", limit: int = 3
) -> list[Option]:
    """The cheapest rented and owned deployments of models good enough for ``tasks``."""
    cands = open_candidates(ctx, tasks)
    if not cands:
        return []
    models = sorted({m for m, _ in cands}, key=lambda m: m.id)
    gpus = list(ctx.catalog.gpus)
    out: list[Option] = []
    by_model_prec = {(m.id, p) for m, p in cands}
    sized_all = [s for s in _sized_full(ctx) if (s.model, s.precision) in by_model_prec]
    model_by_id = {m.id: m for m in models}
    hw = ctx.scenario.hardware
    gpu_by_id = {g.id: g for g in gpus}
    owned_count: dict[str, int] = {}
    for o in hw.owned:
        gid = ctx.catalog.gpu(o.gpu).id
        owned_count[gid] = owned_count.get(gid, 0) + o.count
    term = hw.rental_term
    cheapest_hour: dict[tuple[str, int, int], float | None] = {}
    kwh_price = ctx.inputs["electricity_price_usd_per_kwh"]
    amort_months = hw.amortisation_years * 12.0

    def rental_per_hour(gpu_id: str, tp: int, gpus: int) -> float | None:
        """The cheapest hourly bill for ``gpus`` GPUs, rented in whole instances."""
        key = (gpu_id, tp, gpus)
        if key not in cheapest_hour:
            bills = [
                math.ceil(gpus / o.gpu_count) * _hourly(o, term)[0]
                for o in _offers(ctx, gpu_by_id[gpu_id], tp)
            ]
            cheapest_hour[key] = min(bills) if bills else None
        return cheapest_hour[key]

    # Rank every sized deployment by a quick estimate of its hardware cost, then build full
    # options only for the best few models of each kind.
    avg = ctx.monthly_requests * share / SECONDS_PER_MONTH
    peak = avg * ctx.scenario.workload.peak_to_average
    failover = ctx.scenario.preferences.failover_replicas
    growth = max(
        (1.0 + ctx.scenario.workload.monthly_growth)
        ** max(ctx.scenario.preferences.horizon_months - 1, 0),
        1.0,
    )
    overhead = ctx.inputs["gpu_server_overhead_fraction"]
    quick_rented: dict[str, tuple[tuple[bool, float], SizedDeployment]] = {}
    quick_owned: dict[str, tuple[tuple[bool, float], SizedDeployment]] = {}
    for sd in sized_all:
        replicas = max(1, math.ceil(peak / sd.capacity_requests_per_s - 1e-9)) + failover
        gpus_needed = replicas * sd.gpus_per_replica
        if hw.renting_allowed:
            bill = rental_per_hour(sd.gpu, sd.gpus_per_replica, gpus_needed)
            if bill is not None:
                key = (not sd.meets_latency, bill)
                if sd.model not in quick_rented or key < quick_rented[sd.model][0]:
                    quick_rented[sd.model] = (key, sd)
        gpu = gpu_by_id[sd.gpu]
        # Bought hardware is sized for the horizon's last month (as owned_option does).
        installed = (
            max(1, math.ceil(peak * growth / sd.capacity_requests_per_s - 1e-9)) + failover
        ) * sd.gpus_per_replica
        to_buy = max(installed - owned_count.get(sd.gpu, 0), 0)
        if to_buy and (gpu.purchase_price_usd is None or not hw.buying_allowed):
            continue
        price = float(gpu.purchase_price_usd or 0)
        monthly = (
            to_buy * price * (1.0 + overhead) / amort_months
            + installed * gpu.tdp_w / 1000.0 * HOURS_PER_MONTH * kwh_price
        )
        key = (not sd.meets_latency, monthly)
        if sd.model not in quick_owned or key < quick_owned[sd.model][0]:
            quick_owned[sd.model] = (key, sd)

    def rank(o: Option) -> tuple[bool, float]:
        return (not o.meets_latency, o.monthly)

    for quick, make in ((quick_rented, rented_option), (quick_owned, owned_option)):
        best = sorted(quick.values(), key=lambda kv: kv[0])[: limit + 2]
        built = []
        for _, sd in best:
            model = model_by_id[sd.model]
            opt = make(ctx, model, _rescale(ctx, sd, share), share, label)
            if opt is not None:
                built.append(replace(opt, routes=tuple(_routes_self(ctx, model, tasks))))
        out += sorted(built, key=rank)[:limit]
    return out
