"""Evaluate a scenario: build the options, rank them, and explain and stress the choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from advisor.capability import quality
from advisor.capability.estimate import estimate
from advisor.capability.model import Calibration
from advisor.catalog import price_data
from advisor.catalog.records import ApiModel
from advisor.catalog.snapshot import Catalog
from advisor.constraints import (
    DeployPlan,
    Exclusion,
    annotate_options,
    apply_constraints,
    dropped_input_warnings,
    risk_register,
)
from advisor.cost import inputs as cost_inputs
from advisor.cost.market import same_model_api_option
from advisor.cost.options import (
    COMPONENT_LABELS,
    Context,
    Line,
    Option,
    TaskRoute,
    api_candidates,
    api_cost_per_request,
    api_option,
    api_people,
    build_options,
    cheapest_api_routes,
    is_reasoning_api,
    open_candidates,
)
from advisor.errors import InputError, Problem
from advisor.recommend.breakeven import horizon_break_even, horizon_crossover
from advisor.recommend.budget import budget_sentence
from advisor.recommend.flip import decision_flips
from advisor.recommend.result import (
    BreakEven,
    CapacityView,
    CostPart,
    Evaluation,
    InputUsed,
    OptionView,
    Range,
    RouteView,
    TaskFit,
    TornadoBar,
    Uncertainty,
    money,
)
from advisor.recommend.summary import vendor_of
from advisor.recommend.uncertainty import Horizon, drivers
from advisor.scenario.model import Scenario
from advisor.scenario.validate import validate

BUILD_KINDS = ("rented", "owned", "hybrid")


def _hybrid_options(
    ctx: Context, candidates: Sequence[ApiModel], routes_all: Sequence[TaskRoute]
) -> list[Option]:
    """Split the tasks between a self-hosted model and APIs.

    Either way round: a small self-hosted model for the simple bulk and an API for the hard rest,
    or (the reverse) one self-hosted model for a single heavy task, APIs for everything else.
    """
    tasks = [t.task for t in ctx.scenario.workload.tasks]
    share_of = {t.task: t.share for t in ctx.scenario.workload.tasks}
    subsets: dict[frozenset[str], float] = {}
    for m in ctx.catalog.models:
        for p in ctx.scenario.preferences.precisions:
            ok = frozenset(t for t in tasks if quality.fit(ctx.catalog, m.id, t, p).good_enough)
            if ok and len(ok) < len(tasks):
                subsets[ok] = sum(share_of[t] for t in ok)
    if len(tasks) > 2:
        for t in tasks:
            subsets.setdefault(frozenset((t,)), share_of[t])
    out = []
    api_by_task = {r.task: r for r in routes_all}
    # The team integrates the API as well as running its own deployment.
    integration = api_people(ctx)
    for subset, share in sorted(subsets.items(), key=lambda kv: -kv[1])[:4]:
        rest = [t for t in tasks if t not in subset]
        if any(t not in api_by_task for t in rest):
            continue
        labels = quality.task_names(ctx.catalog)
        names = ", ".join(labels.get(t, t).lower() for t in tasks if t in subset)
        for build in build_options(ctx, sorted(subset), share, limit=1):
            api_routes = [api_by_task[t] for t in rest]
            spend = sum(r.usd_per_request * ctx.task_requests[r.task] for r in api_routes)
            lines = (
                *build.lines,
                integration,
                Line("api_tokens", spend, "linear", ("volume", "api_price")),
            )
            name = f"Hybrid: {build.name} for {names} ({share:.0%} of requests) + API for the rest"
            out.append(
                replace(
                    build,
                    kind="hybrid",
                    name=name,
                    lines=lines,
                    routes=tuple(
                        sorted((*build.routes, *api_routes), key=lambda r: tasks.index(r.task))
                    ),
                    risks=tuple(
                        dict.fromkeys(
                            (*build.risks, "two stacks to run: an API and your own deployment")
                        )
                    ),
                    allowed=build.allowed and ctx.scenario.workload.data_residency != "on_premises",
                    not_allowed_reason=build.not_allowed_reason
                    or (
                        "the data must stay on premises, so no public API may receive it"
                        if ctx.scenario.workload.data_residency == "on_premises"
                        else ""
                    ),
                )
            )
    return out


def _task_fit(ctx: Context, candidates: Sequence[ApiModel]) -> list[TaskFit]:
    names = quality.task_names(ctx.catalog)
    per_req = {m.id: api_cost_per_request(ctx, m)[0] for m in candidates}
    out = []
    for t in ctx.scenario.workload.tasks:
        ok = [m for m in candidates if quality.fit(ctx.catalog, f"api:{m.id}", t.task).good_enough]
        requests = ctx.task_requests[t.task]
        cheapest = min(ok, key=lambda m: per_req[m.id]) if ok else None
        premium = [
            m for m in ok if is_reasoning_api(m) or quality.is_premium(ctx.catalog, f"api:{m.id}")
        ]
        prem = min(premium, key=lambda m: per_req[m.id]) if premium else None
        open_ok = open_candidates(ctx, [t.task])
        smallest = min(open_ok, key=lambda mp: mp[0].active_params_b)[0] if open_ok else None
        over = None
        if cheapest is not None and prem is not None and prem.id != cheapest.id:
            over = money((per_req[prem.id] - per_req[cheapest.id]) * requests)
        reqs = sorted((r for r in ctx.catalog.tasks if r.task == t.task), key=lambda r: r.priority)
        requirement = "; or ".join(f"{r.benchmark} >= {r.min_score:g}" for r in reqs[:3])
        good = sorted({m.id for m, _ in open_ok} | {f"api:{m.id}" for m in ok})
        out.append(
            TaskFit(
                task=t.task,
                task_name=names.get(t.task, t.task),
                share=t.share,
                cheapest_api=cheapest.id if cheapest else None,
                cheapest_api_monthly_usd=money(per_req[cheapest.id] * requests)
                if cheapest
                else None,
                smallest_open_model=smallest.id if smallest else None,
                good_enough_models=tuple(good),
                premium_model=prem.id if prem else None,
                overbuying_monthly_usd=over,
                requirement=requirement,
                cheapest_api_name=f"{cheapest.provider_name} {cheapest.name}" if cheapest else None,
                smallest_open_model_name=smallest.name if smallest else None,
                premium_model_name=f"{prem.provider_name} {prem.name}" if prem else None,
            )
        )
    return out


def rented_fleet_factor(opt: Option, scenario: Scenario) -> tuple[float, ...]:
    """Replicas billed each month relative to month one, for a rented fleet as volume grows."""
    if opt.fleet is None or opt.offer is None:
        return ()
    months = np.arange(scenario.preferences.horizon_months, dtype=np.float64)
    growth = (1.0 + scenario.workload.monthly_growth) ** months
    units = opt.fleet.units_array(growth) / opt.fleet.units(1.0)
    return tuple(float(u) for u in units)


def _view(
    opt: Option,
    rank: int,
    total: float,
    monthly_tokens: float,
    ctx: Context,
    task_names: dict[str, str],
) -> OptionView:
    parts: dict[str, float] = {}
    for line in opt.lines:
        parts[line.component] = parts.get(line.component, 0.0) + line.monthly
    cap = None
    if opt.sized is not None and opt.gpu is not None:
        s = opt.sized
        w = ctx.scenario.workload
        model = ctx.catalog.model(s.model)
        out_tokens = w.output_tokens_per_request * (
            w.reasoning_output_multiplier if model.reasoning else 1.0
        )
        try:
            mem = estimate(
                model,
                opt.gpu,
                s.gpus_per_replica,
                s.precision,
                max(1, round(w.input_tokens_per_request)),
                max(1, round(out_tokens)),
                None,
                ctx.cal,
            )
            memory = (
                mem.weights_gb,
                mem.kv_cache_gb_per_sequence,
                mem.memory_usable_gb,
                mem.max_concurrency,
            )
        except InputError:  # e.g. a reasoning model's longer answer beyond its context
            memory = (0.0, 0.0, 0.0, 0)
        cap = CapacityView(
            model=s.model,
            gpu=s.gpu,
            gpu_name=opt.gpu.name,
            precision=s.precision,
            gpus_per_replica=s.gpus_per_replica,
            replicas=s.replicas,
            total_gpus=s.total_gpus,
            utilisation=s.utilisation,
            ttft_ms=s.ttft_ms,
            tpot_ms=s.tpot_ms,
            tokens_per_s_per_user=s.tokens_per_s_per_user,
            meets_latency=s.meets_latency,
            provider=opt.offer.provider if opt.offer else None,
            instance=opt.offer.instance if opt.offer else None,
            weights_gb=memory[0],
            kv_cache_gb_per_sequence=memory[1],
            memory_usable_gb=memory[2],
            max_sequences=memory[3],
            ttft_ms_p90=s.ttft_ms_p90,
            tpot_ms_p90=s.tpot_ms_p90,
            engine=s.engine,
        )
    routes = tuple(
        RouteView(
            r.task,
            task_names.get(r.task, r.task),
            r.share,
            r.model,
            r.model_name,
            r.self_hosted,
            None if r.self_hosted else money(r.usd_per_request * ctx.task_requests[r.task]),
            vendor_of(ctx.catalog, r.model),
        )
        for r in opt.routes
    )
    return OptionView(
        rank=rank,
        kind=opt.kind,
        name=opt.name,
        monthly_cost_usd=money(opt.monthly),
        horizon_cost_usd=money(total),
        cost_per_million_tokens_usd=money(opt.monthly / monthly_tokens * 1e6),
        parts=tuple(CostPart(k, COMPONENT_LABELS.get(k, k), money(v)) for k, v in parts.items()),
        routes=routes,
        capacity=cap,
        risks=opt.risks,
        meets_latency=opt.meets_latency,
        allowed=opt.allowed,
        not_allowed_reason=opt.not_allowed_reason,
        notes=opt.notes,
        fleet_factor=rented_fleet_factor(opt, ctx.scenario),
    )


def _flip_end(bar: TornadoBar, chosen: str) -> str:
    return "low" if bar.low_choice != chosen else "high"


def _rationale(
    ev_opts: Sequence[OptionView],
    rec: OptionView | None,
    be: BreakEven,
    prob: float | None,
    flips: Sequence[TornadoBar],
    monthly_tokens: float,
) -> list[str]:
    if rec is None:
        return ["No option meets the constraints; see the warnings."]
    out = []
    runner = next((o for o in ev_opts if o is not rec and o.allowed), None)
    kind_text = {
        "api": "buying through APIs",
        "rented": "building on rented GPUs",
        "owned": "building on your own GPUs",
        "hybrid": "a hybrid of APIs and your own deployment",
    }[rec.kind]
    out.append(
        f"Recommended: {kind_text} — {rec.name}, at about ${rec.monthly_cost_usd:,.0f} a "
        f"month (${rec.horizon_cost_usd:,.0f} over the horizon in net present value, "
        f"${rec.horizon_cost_undiscounted_usd:,.0f} undiscounted)."
    )
    if runner is not None:
        gap = runner.horizon_cost_usd - rec.horizon_cost_usd
        out.append(f"The runner-up, {runner.name}, costs ${gap:,.0f} more over the horizon.")
    buy = next((o for o in ev_opts if o.name == be.buy_option), None)
    if be.monthly_tokens is not None and buy is not None and not buy.allowed:
        out.append(
            f"APIs are ruled out here ({buy.not_allowed_reason}); were they allowed, "
            f"self-hosting would break even at about {be.monthly_tokens / 1e6:,.0f} million "
            "tokens a month."
        )
    elif be.monthly_tokens is not None:
        ratio = be.monthly_tokens / monthly_tokens if monthly_tokens else float("inf")
        out.append(
            f"Self-hosting breaks even at about {be.monthly_tokens / 1e6:,.0f} million "
            f"tokens a month, {ratio:,.1f} times your volume."
        )
    else:
        out.append(f"Break-even: {be.reason}.")
    if prob is not None:
        out.append(f"In {prob:.0%} of the simulated futures building is cheaper than buying.")
    if flips:
        out.append(
            "The decision flips if "
            + "; or if ".join(
                f"{f.label.lower()} moves to its {_flip_end(f, rec.name)} value" for f in flips[:3]
            )
            + "."
        )
    else:
        out.append("No single uncertain input, moved across its range, changes the decision.")
    return out


@dataclass(frozen=True)
class Candidates:
    """Every option built for a scenario, before ranking, with what was needed to build them."""

    ctx: Context
    options: tuple[Option, ...]
    api_routes: tuple[TaskRoute, ...]  # cheapest good-enough API per task
    api_models: tuple[ApiModel, ...]
    warnings: tuple[str, ...]
    plan: DeployPlan | None = None  # the deployability constraints applied
    exclusions: tuple[Exclusion, ...] = ()  # what they left out, and why

    @property
    def bridging_api_monthly(self) -> float:
        """API spend per month that bridges the months before a build goes live.

        Zero where no public API may receive the data: nothing bridges, the build is late.
        """
        if len(self.api_routes) != len(self.ctx.scenario.workload.tasks):
            return 0.0
        if self.ctx.scenario.workload.data_residency == "on_premises":
            return 0.0
        return sum(r.usd_per_request * self.ctx.task_requests[r.task] for r in self.api_routes)


def candidate_options(
    scenario: Scenario, catalog: Catalog, cal: Calibration | None = None
) -> Candidates:
    """Build every sensible option for a scenario (API, rented, owned, hybrid), unranked.

    Raises:
        InputError: the scenario has errors, or nothing in the catalog can serve its tasks.
    """
    problems = [p for p in validate(scenario, catalog) if p.severity == "error"]
    if problems:
        raise InputError(*problems)
    cal = cal or Calibration.from_catalog(catalog)
    # Residency, sensitivity, hardware and model licences: build only from what may be deployed.
    loaded, plan = scenario, apply_constraints(scenario, catalog)
    scenario, catalog = plan.scenario, plan.catalog
    inputs = cost_inputs.resolve(scenario, catalog)
    ctx = Context(scenario, catalog, inputs, cal)
    warnings: list[str] = [
        p.message for p in validate(scenario, catalog) if p.severity == "warning"
    ] + list(plan.warnings)
    tasks = [t.task for t in scenario.workload.tasks]
    candidates = api_candidates(ctx)
    routes, notes = cheapest_api_routes(ctx, candidates)
    warnings += notes
    options: list[Option] = []
    if len(routes) == len(tasks):
        options.append(
            api_option(ctx, "Buy: cheapest good-enough API model per task", routes, candidates)
        )
        single = [
            m
            for m in candidates
            if all(quality.fit(catalog, f"api:{m.id}", t).good_enough for t in tasks)
        ]
        best = min(single, key=lambda m: api_cost_per_request(ctx, m)[0]) if single else None
        if len(tasks) > 1 and best is not None and any(r.model != f"api:{best.id}" for r in routes):
            per = api_cost_per_request(ctx, best)[0]
            r1 = [
                TaskRoute(
                    t.task, t.share, f"api:{best.id}", best.name, False, per, is_reasoning_api(best)
                )
                for t in scenario.workload.tasks
            ]
            options.append(
                api_option(
                    ctx, f"Buy: {best.provider_name} {best.name} for every task", r1, candidates
                )
            )
    builds = build_options(ctx, tasks, 1.0, limit=2)
    options += builds
    # The same open model on an API, beside each build of it (hosted open weights).
    seen = {tuple(r.model for r in o.routes) for o in options if o.kind == "api"}
    for build in builds:
        same = same_model_api_option(ctx, build, candidates)
        if same is not None and tuple(r.model for r in same.routes) not in seen:
            options.append(same)
            seen.add(tuple(r.model for r in same.routes))
    options += _hybrid_options(ctx, candidates, routes)
    if not any(o.kind in BUILD_KINDS for o in options):
        warnings.append(
            "no open-weight model in the catalog is good enough for every task at "
            "the accepted precisions, within the context length needed"
        )
    options, ruled_out = annotate_options(options, plan, ctx)
    warnings += dropped_input_warnings(loaded, ctx, options)
    if not options:
        raise InputError(
            Problem(
                "workload.tasks",
                "error",
                "no API or open-weight model in the catalog is good enough for these tasks",
            )
        )
    return Candidates(
        ctx,
        tuple(options),
        tuple(routes),
        tuple(candidates),
        tuple(warnings),
        plan,
        (*plan.exclusions, *ruled_out),
    )


def evaluate(scenario: Scenario, catalog: Catalog, cal: Calibration | None = None) -> Evaluation:
    """Compare every sensible way to get the capability for a scenario.

    Args:
        scenario: The buyer's situation.
        catalog: The catalog snapshot.
        cal: Efficiency factors (default: the catalog's calibration).

    Returns:
        The ranked options with break-even, crossover, sensitivity, uncertainty and task fit.

    Raises:
        InputError: the scenario has errors (each named by its field path).
    """
    cal = cal or Calibration.from_catalog(catalog)
    cands = candidate_options(scenario, catalog, cal)
    ctx, inputs = cands.ctx, cands.ctx.inputs
    options = list(cands.options)
    candidates = list(cands.api_models)
    warnings = list(cands.warnings)
    names = quality.task_names(catalog)
    bridging = cands.bridging_api_monthly
    drv = drivers(scenario, inputs, cal)
    refresh = inputs["model_refresh_interval_months"]
    horizon = Horizon(scenario, options, drv, bridging, refresh)
    base = horizon.totals(horizon.base_draws())[0]

    def order(i: int) -> tuple[bool, bool, float]:
        o = options[i]
        return (not o.allowed, not o.meets_latency, float(base[i]))

    ranked = sorted(range(len(options)), key=order)
    options = [options[i] for i in ranked]
    base = base[ranked]
    horizon = Horizon(scenario, options, drv, bridging, refresh)
    plain = horizon.totals(horizon.base_draws(), discounted=False)[0]
    mtok = scenario.monthly_tokens
    views = [
        replace(
            _view(o, k + 1, float(base[k]), mtok, ctx, names),
            horizon_cost_undiscounted_usd=money(float(plain[k])),
        )
        for k, o in enumerate(options)
    ]
    warnings += list(scenario.migration_notes)
    rec_idx = next((k for k, o in enumerate(options) if o.allowed), None)
    rec = views[rec_idx] if rec_idx is not None else None
    if rec is not None and not rec.meets_latency:
        warnings.append("no deployment meets the latency targets; the recommendation misses them")
    for o in options:
        if o.allowed and not o.meets_latency and o.kind != "api":
            warnings.append(f"{o.name} misses the latency target at peak")
            break

    def best_of(kinds: Sequence[str]) -> int | None:
        return next((k for k, o in enumerate(options) if o.kind in kinds and o.allowed), None)

    b_build = best_of(("rented", "owned"))
    # The break-even is computed against the best API even where the API is ruled out, so the
    # buyer sees what the constraint costs; the reason then says so.
    b_buy = next((k for k, o in enumerate(options) if o.kind == "api"), None)
    # Same basis as the ranking: horizon totals (NPV), never month-1 costs.
    be = horizon_break_even(horizon, b_build, b_buy, mtok)
    if b_buy is not None and not options[b_buy].allowed:
        be = replace(
            be,
            reason=be.reason + f" (the API is ruled out here: {options[b_buy].not_allowed_reason})",
        )

    # Crossover: average monthly cost over the horizon against volume, best option per kind.
    picks = [
        k
        for kinds in (("api",), ("rented",), ("owned",), ("hybrid",))
        if (k := best_of(kinds)) is not None
    ]
    crossover = horizon_crossover(horizon, picks, mtok)

    # Sensitivity: each driver at its low and high value, all else at base.
    allowed_idx = [k for k, o in enumerate(options) if o.allowed]
    # The options the recommendation is chosen from: allowed, and meeting the latency targets
    # where any does (the tornado and the decision flips use the same set).
    eligible = [k for k in allowed_idx if options[k].meets_latency] or allowed_idx
    bars = []
    if rec_idx is not None:
        # One vectorised call: row 2i is driver i at its low value, row 2i+1 at its high.
        draws = horizon.base_draws(2 * len(drv))
        for i, d in enumerate(drv):
            draws[d.key][2 * i] = d.low
            draws[d.key][2 * i + 1] = d.high
        tot = horizon.totals(draws)
        for i, d in enumerate(drv):
            choices = [
                options[eligible[int(np.argmin(tot[row, eligible]))]].name
                for row in (2 * i, 2 * i + 1)
            ]
            flips = any(c != options[rec_idx].name for c in choices)
            bars.append(
                TornadoBar(
                    d.key,
                    d.label,
                    d.low,
                    d.high,
                    money(tot[2 * i, rec_idx]),
                    money(tot[2 * i + 1, rec_idx]),
                    choices[0],
                    choices[1],
                    flips,
                    d.basis,
                )
            )
        bars.sort(key=lambda b: -abs(float(b.high_cost_usd - b.low_cost_usd)))

    # Monte Carlo over all drivers at once.
    n = scenario.preferences.monte_carlo_draws
    sample = horizon.sample(n, scenario.preferences.seed)
    totals = horizon.totals(sample)
    ranges = []
    for k, o in enumerate(options):
        p10, p50, p90 = np.percentile(totals[:, k], [10, 50, 90])
        ranges.append(
            Range(o.name, o.kind, money(p10), money(p50), money(p90), money(float(base[k])))
        )
    builds = [k for k in allowed_idx if options[k].kind in BUILD_KINDS]
    buys = [k for k in allowed_idx if options[k].kind == "api"]
    prob = None
    if builds and buys:
        prob = float(np.mean(totals[:, builds].min(axis=1) < totals[:, buys].min(axis=1)))
    unc = Uncertainty(n, tuple(ranges), prob)

    flip_points = decision_flips(horizon.totals, drv, [o.name for o in options], eligible)
    flipping = [b for b in bars if b.flips]
    rationale = _rationale(views, rec, be, prob, flipping, mtok)
    spread = next((r for r in ranges if rec is not None and r.option == rec.name), None)
    budget = budget_sentence(rec, spread, scenario.preferences.horizon_months)
    if budget:
        rationale.append(budget)
    inputs_used = tuple(
        InputUsed(a.key, a.label, f"{a.value:g} {a.unit}".strip(), a.source, a.as_of, a.basis)
        for a in inputs.values.values()
    ) + tuple(
        InputUsed(
            f"people.{role}",
            f"{role.replace('_', ' ')} (loaded, monthly)",
            f"{count:g} x ${cost:,.0f} x {share:.0%} of time",
            src,
            "",
            "user" if src in cost_inputs.USER_SOURCES else "published",
        )
        for role, count, share, cost, src in inputs.people_detail
    )
    sources: dict[tuple[str, str, str], None] = {}
    for o in options:
        for s in o.sources:
            sources[s] = None
    return Evaluation(
        scenario_name=scenario.name,
        organisation=scenario.organisation,
        horizon_months=scenario.preferences.horizon_months,
        monthly_tokens=mtok,
        monthly_requests=scenario.monthly_requests,
        options=tuple(views),
        recommendation=rec,
        rationale=tuple(rationale),
        break_even=be,
        crossover=crossover,
        sensitivity=tuple(bars),
        uncertainty=unc,
        task_fit=tuple(_task_fit(ctx, candidates)),
        inputs=inputs_used,
        sources=tuple(sources),
        warnings=tuple(dict.fromkeys(warnings)),
        exclusions=cands.exclusions,
        risk_register=risk_register(cands.plan, options) if cands.plan else (),
        catalog_as_of=catalog.as_of,
        genai_prices_version=catalog.meta.get("genai_prices_version", ""),
        price_sources=price_data.provenance(catalog.as_of, catalog.meta),
        decision_flips=flip_points,
        role_costs_usd=tuple(Decimal(str(d[3])) for d in inputs.people_detail),
    )
