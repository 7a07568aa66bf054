"""What the report template shows: an Evaluation and its Scenario turned into plain rows and text.

The template only lays things out; every sentence that depends on the numbers, every table row
and every chart is prepared here, so that the wording can be tested without rendering a PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from advisor.recommend.summary import summary_sentence
from advisor.report import charts, deployability
from advisor.report.flip_chart import decision_tornado
from advisor.report.format import (
    ms,
    multiple,
    num,
    pct,
    tokens,
    tokens_words,
    usd,
    usd_cell,
    usd_short,
)

if TYPE_CHECKING:
    from advisor.recommend.result import Evaluation, OptionView, TornadoBar
    from advisor.scenario.model import Scenario

REPORT_TITLE = "LLM sourcing recommendation"
BUILD_KINDS = ("rented", "owned", "hybrid")
KIND_LABELS = charts.KIND_LABELS
NOTES_LIMIT = 3_000  # characters of the scenario's notes printed (the file keeps them all)
RUNNING_TITLE_WIDTH = 330.0  # px at the header's 10 px type: the left 55 % of the header
RATE_DRIVERS = ("api_price", "gpu_rental_price")
TIE_SHARE = 0.02  # a runner-up within 2 % of the horizon cost is a tie on cost

RESIDENCY_TEXT = {
    "any": "no residency constraint",
    "us": "must be processed in the US",
    "eu": "must be processed in the EU",
    "uk": "must be processed in the UK",
    "on_premises": "must stay on premises",
}


@dataclass(frozen=True)
class Row:
    """One labelled value of a table; ``assumed`` marks values the user did not enter."""

    label: str
    value: str
    note: str = ""
    assumed: bool = False


@dataclass(frozen=True)
class Tile:
    """A figure of the executive summary."""

    caption: str
    value: str
    detail: str = ""
    kind: str = ""


@dataclass
class Lever:
    """An input that would (or would not) flip the decision, in words."""

    label: str
    text: str
    flips: bool


@dataclass
class ReportContext:
    """Everything the template reads (nothing else is passed to it)."""

    title: str
    doc_title: str
    running_title: str
    organisation: str
    scenario_name: str
    generated: str
    generated_iso: str
    app_name: str
    app_version: str
    author: str
    description: str
    keywords: str
    catalog_as_of: str
    genai_prices_version: str
    price_sources: tuple[tuple[str, str], ...]
    horizon_months: int
    recommendation: OptionView | None
    runner_up: OptionView | None
    other_side: OptionView | None
    summary_sentences: tuple[str, ...]
    scope: str
    option_tiles: tuple[Tile, ...]
    metric_tiles: tuple[Tile, ...]
    no_effect: tuple[str, ...]
    levers: tuple[Lever, ...]
    levers_flip: bool
    warnings: tuple[str, ...]
    notes_paragraphs: tuple[str, ...]
    notes_shortened: int
    workload_rows: tuple[Row, ...]
    tasks: tuple[tuple[str, str], ...]
    team_rows: tuple[Row, ...]
    roles: tuple[dict[str, Any], ...]
    hardware_rows: tuple[Row, ...]
    owned_gpus: tuple[dict[str, str], ...]
    preference_rows: tuple[Row, ...]
    assumptions: tuple[dict[str, str], ...]
    options: tuple[dict[str, Any], ...]
    break_even: dict[str, str]
    capacity: tuple[dict[str, Any], ...]
    latency_targets: dict[str, str]
    task_fit: tuple[dict[str, Any], ...]
    overbuying_total: str
    tornado: tuple[dict[str, Any], ...]
    uncertainty: tuple[dict[str, str], ...]
    probability_text: str
    draws: str
    qualitative: tuple[dict[str, str], ...]
    risk_groups: tuple[dict[str, Any], ...]
    inputs: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, str], ...]
    charts: dict[str, str] = field(default_factory=dict)
    risk_register: tuple[dict[str, Any], ...] = ()
    exclusions: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- small helpers ----------------------------------------------------------------------------


def _f(value: Decimal | float | None) -> float:
    return float(value) if value is not None else 0.0


def _part(option: OptionView | None, component: str) -> float:
    if option is None:
        return 0.0
    return sum(_f(p.monthly_usd) for p in option.parts if p.component == component)


def bare_name(name: str) -> str:
    """An option's name without its "Buy: " or "Hybrid: " prefix (when a kind label precedes it)."""
    return re.sub(r"^(Buy|Hybrid): ", "", name)


def short_name(option: OptionView) -> str:
    """An option's name without the long hybrid tail, for charts and tiles."""
    name = option.name
    if option.kind == "hybrid":
        name = re.sub(r" \+ API for the rest$", " + API", name)
    return name


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _words(key: str) -> str:
    return key.replace("_", " ")


_FRACTION = re.compile(r"^(?P<v>[-+]?[\d.]+(?:e[-+]?\d+)?) fraction(?: of)? ?(?P<rest>.*)$")
_USD = re.compile(r"^(?P<v>[-+]?[\d.]+(?:e[-+]?\d+)?) USD ?(?P<rest>.*)$")
_PLAIN = re.compile(r"^(?P<v>[-+]?[\d.]+(?:e[-+]?\d+)?) ?(?P<rest>.*)$")


def pretty_value(text: str) -> str:
    """An engine input value (``0.3 fraction of TDP``) as a reader writes it (``30% of TDP``)."""
    text = text.strip()
    if m := _FRACTION.match(text):
        rest = m["rest"]
        rest = f"of {rest}" if rest and not rest.startswith(("per ", "of ")) else rest
        return f"{pct(float(m['v']), 1 if float(m['v']) * 100 % 1 else 0)} {rest}".strip()
    if m := _USD.match(text):
        v = float(m["v"])
        amount = usd(v, cents=v < 100 and v != int(v))
        if v < 1 and v != 0:
            amount = f"${v:g}"
        return f"{amount} {m['rest']}".strip()
    if m := _PLAIN.match(text):
        v = float(m["v"])
        return f"{num(v, 0 if v == int(v) else 2 if abs(v) < 100 else 1)} {m['rest']}".strip()
    return text


def driver_range(bar: TornadoBar) -> str:
    """The range an uncertain input was moved across, in words."""
    if bar.key in RATE_DRIVERS:
        return f"{pct(bar.low_input)} to {pct(bar.high_input)} a year"
    return f"{multiple(bar.low_input)} to {multiple(bar.high_input)} today's value"


def _driver_end(bar: TornadoBar, low: bool) -> str:
    value = bar.low_input if low else bar.high_input
    if bar.key in RATE_DRIVERS:
        return f"{pct(value)} a year"
    return f"{multiple(value)} today's value"


# --- the parts of the report ------------------------------------------------------------------


def _runner_up(ev: Evaluation) -> OptionView | None:
    rec = ev.recommendation
    return next((o for o in ev.options if o.allowed and o is not rec), None)


def _other_side(ev: Evaluation, rec: OptionView | None) -> OptionView | None:
    """The best option on the other side of buy-or-build (allowed or not, to show the cost)."""
    if rec is None:
        return None
    want_build = rec.kind == "api"
    side = [o for o in ev.options if (o.kind in BUILD_KINDS) == want_build]
    allowed = [o for o in side if o.allowed]
    return next(iter(allowed or side), None)


def _summary_sentences(
    ev: Evaluation, runner: OptionView | None, other: OptionView | None
) -> tuple[str, ...]:
    rec = ev.recommendation
    if rec is None:
        return (
            "No option meets the constraints of this scenario, so there is no recommendation.",
            "The warnings below say what rules each option out; relaxing one of them (for "
            "example data residency or the hardware allowed) opens up options.",
        )
    first = summary_sentence(ev)  # the answer first: vendor, model and where it runs
    be = ev.break_even
    clauses = []
    if runner is not None:
        gap = _f(runner.horizon_cost_usd) - _f(rec.horizon_cost_usd)
        share = gap / _f(rec.horizon_cost_usd) if _f(rec.horizon_cost_usd) else 0.0
        if share < TIE_SHARE:
            clauses.append(
                f"The runner-up, {runner.name}, costs only {usd(gap)} ({pct(share, 1)}) more "
                "over the horizon: a tie on cost, to be decided on the risks"
            )
        else:
            clauses.append(
                f"It costs {usd(gap)} less over the horizon than the runner-up, {runner.name}"
            )
    else:
        clauses.append("No other option meets the constraints")
    if other is not None and not other.allowed:
        clauses.append(f"buying is ruled out because {other.not_allowed_reason}")
    elif be.monthly_tokens is not None and ev.monthly_tokens > 0:
        ratio = be.monthly_tokens / ev.monthly_tokens
        if rec.kind == "api":
            clauses.append(
                f"self-hosting would break even only at about {tokens_words(be.monthly_tokens)} "
                f"tokens a month, {multiple(ratio)} today's volume"
            )
        else:
            clauses.append(
                f"building pays off above about {tokens_words(be.monthly_tokens)} tokens a "
                f"month, and you run {multiple(1 / ratio if ratio else 0)} that"
            )
    return first, "; ".join(clauses) + "."


def _scope(ev: Evaluation) -> str:
    counts: dict[str, int] = {}
    for o in ev.options:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    kinds = ", ".join(f"{n} {KIND_LABELS.get(k, k).lower()}" for k, n in counts.items())
    ruled = sum(1 for o in ev.options if not o.allowed)
    text = (
        f"{len(ev.options)} options compared ({kinds}) for {tokens_words(ev.monthly_tokens)} "
        f"tokens a month ({num(ev.monthly_requests)} requests) over {ev.horizon_months} months"
    )
    if ruled:
        text += f"; {ruled} ruled out by the constraints"
    return text + f". Data as of {ev.catalog_as_of}; prices are dated in the sources."


def _tiles(
    ev: Evaluation, runner: OptionView | None, other: OptionView | None
) -> tuple[tuple[Tile, ...], tuple[Tile, ...]]:
    """The option tiles (recommended, runner-up, best of the other side) and the metric tiles."""
    rec = ev.recommendation
    months = ev.horizon_months
    options = []
    if rec is not None:
        options.append(
            Tile(
                "Recommended",
                usd(rec.monthly_cost_usd) + " a month",
                f"{usd(rec.horizon_cost_usd)} over {months} months",
                rec.kind,
            )
        )
    for caption, opt in (("Runner-up", runner), ("Best " + _side_word(rec), other)):
        if opt is None or (caption != "Runner-up" and opt is runner):
            continue
        detail = f"{usd(opt.horizon_cost_usd)} over {months} months"
        if not opt.allowed:
            detail += " (ruled out)"
        options.append(Tile(caption, usd(opt.monthly_cost_usd) + " a month", detail, opt.kind))
    metrics = []
    be = ev.break_even
    if be.monthly_tokens is not None:
        ratio = be.monthly_tokens / ev.monthly_tokens if ev.monthly_tokens else 0.0
        metrics.append(
            Tile(
                "Break-even volume a month",
                f"{tokens(be.monthly_tokens)} tokens",
                f"{multiple(ratio)} today's {tokens(ev.monthly_tokens)}",
            )
        )
    else:
        metrics.append(Tile("Break-even volume a month", "none in range", be.reason))
    prob = ev.uncertainty.probability_build_cheaper
    metrics.append(
        Tile(
            "Building beats buying",
            pct(prob) if prob is not None else "n/a",
            f"of {num(ev.uncertainty.draws)} simulated futures"
            if prob is not None
            else "needs an allowed build and an allowed API option",
        )
    )
    spread = next(
        (r for r in ev.uncertainty.ranges if rec is not None and r.option == rec.name), None
    )
    if spread is not None:
        metrics.append(
            Tile(
                "Recommended, P10 to P90",
                f"{usd_short(spread.p10)} to {usd_short(spread.p90)}",
                f"over {months} months; median {usd_short(spread.p50)}, "
                f"base case {usd_short(spread.base)}",
            )
        )
    return tuple(options), tuple(metrics)


def _side_word(rec: OptionView | None) -> str:
    if rec is None:
        return "alternative"
    return "build" if rec.kind == "api" else "buy (API)"


def _levers(ev: Evaluation) -> tuple[tuple[Lever, ...], bool]:
    rec = ev.recommendation
    flips = [b for b in ev.sensitivity if b.flips]
    out = []
    if rec is not None and flips:
        for b in flips[:3]:
            low = b.low_choice != rec.name
            choice = b.low_choice if low else b.high_choice
            out.append(
                Lever(
                    b.label,
                    f"at {_driver_end(b, low)} the best option becomes {choice}",
                    True,
                )
            )
        return tuple(out), True
    for b in ev.sensitivity[:3]:
        out.append(
            Lever(
                b.label,
                f"across {driver_range(b)} the horizon cost of the recommendation moves "
                f"between {usd(min(b.low_cost_usd, b.high_cost_usd))} and "
                f"{usd(max(b.low_cost_usd, b.high_cost_usd))}; the choice stays the same",
                False,
            )
        )
    lever = _volume_lever(ev)
    if lever is not None:
        out.append(lever)
    return tuple(out), False


def _volume_lever(ev: Evaluation) -> Lever | None:
    """How far volume would have to move for the cheaper side of build-or-buy to change."""
    rec, be = ev.recommendation, ev.break_even
    other = _other_side(ev, rec)
    if rec is None or other is None or not other.allowed or be.monthly_tokens is None:
        return None
    if not ev.monthly_tokens:
        return None
    ratio = be.monthly_tokens / ev.monthly_tokens
    words = f"about {tokens_words(be.monthly_tokens)} tokens a month ({multiple(ratio)} today's)"
    if rec.kind == "api" and ratio > 1:
        return Lever(
            "Volume far beyond its range", f"building becomes cheaper above {words}", False
        )
    if rec.kind in BUILD_KINDS and ratio < 1:
        return Lever("Volume far below today's", f"buying becomes cheaper below {words}", False)
    return None


def _notes(text: str) -> tuple[tuple[str, ...], int]:
    shortened = 0
    if len(text) > NOTES_LIMIT:
        shortened = len(text)
        text = text[:NOTES_LIMIT].rstrip() + "…"
    paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())
    return paragraphs, shortened


def _scenario_rows(
    scenario: Scenario, ev: Evaluation
) -> tuple[tuple[Row, ...], tuple[Row, ...], tuple[Row, ...], tuple[Row, ...]]:
    w, t, h, p = scenario.workload, scenario.team, scenario.hardware, scenario.preferences
    workload = (
        Row("Requests a day", num(w.requests_per_day)),
        Row("Tokens a month", f"{tokens_words(ev.monthly_tokens)} ({num(ev.monthly_tokens)})"),
        Row("Input tokens per request", num(w.input_tokens_per_request)),
        Row("Output tokens per request", num(w.output_tokens_per_request)),
        Row("Input served from a prompt cache", pct(w.cached_input_share)),
        Row("Requests that can wait for a batch run", pct(w.batch_share)),
        Row("Peak hour vs average", multiple(w.peak_to_average)),
        Row("Hours a day near the peak", num(w.peak_hours_per_day, 1)),
        Row(
            "Time to first token at peak",
            ms(w.ttft_ms_target) if w.ttft_ms_target is not None else "no target",
        ),
        Row(
            "Streaming speed per user",
            f"{num(w.tokens_per_s_per_user_target, 1)} tokens/s"
            if w.tokens_per_s_per_user_target is not None
            else "no target",
        ),
        Row("Growth per month", pct(w.monthly_growth, 1)),
        Row("Reasoning models emit", f"{multiple(w.reasoning_output_multiplier)} output tokens"),
        Row("Longest prompt and answer", f"{num(w.context_tokens)} tokens"),
        Row("Data sensitivity", w.data_sensitivity),
        Row("Data residency", RESIDENCY_TEXT.get(w.data_residency, w.data_residency)),
    )
    team = (
        Row("Region (salary benchmarks)", t.region.upper()),
        Row("Share of time an API integration takes", pct(t.api_share_of_time)),
        Row("Months to hire before a build can go live", num(t.hiring_months, 1)),
        Row("Maintenance of a build", f"{num(t.maintenance_hours_per_month)} hours a month"),
    )

    elec = (
        Row("Electricity", f"${h.electricity_usd_per_kwh} per kWh")
        if h.electricity_usd_per_kwh is not None
        else Row("Electricity", "catalog default", "see Method and sources", True)
    )
    pue = (
        Row("Data-centre PUE", num(h.pue, 2))
        if h.pue is not None
        else Row("Data-centre PUE", "catalog default", "see Method and sources", True)
    )
    colo = (
        Row("Colocation", f"{usd(h.colocation_usd_per_kw_month)} per kW-month")
        if h.colocation_usd_per_kw_month is not None
        else Row("Colocation", "catalog default", "see Method and sources", True)
    )
    hardware = (
        Row("Buying GPUs allowed", _yes_no(h.buying_allowed)),
        Row("Renting cloud GPUs allowed", _yes_no(h.renting_allowed)),
        Row(
            "Cloud providers",
            ", ".join(h.cloud_providers) if h.cloud_providers else "any in the catalog",
        ),
        Row("Rental term", _words(h.rental_term)),
        elec,
        pue,
        colo,
        Row("Amortisation", f"{num(h.amortisation_years, 1)} years"),
    )
    api_decline = (
        Row("API list price decline", f"{pct(p.api_list_price_decline_per_year)} a year")
        if p.api_list_price_decline_per_year is not None
        else Row("API list price decline", "catalog trend", "see Method and sources", True)
    )
    gpu_decline = (
        Row("GPU rental price decline", f"{pct(p.gpu_price_decline_per_year)} a year")
        if p.gpu_price_decline_per_year is not None
        else Row("GPU rental price decline", "catalog trend", "see Method and sources", True)
    )
    prefs = (
        Row("Horizon", f"{p.horizon_months} months"),
        Row("Currency", p.currency),
        Row("Precisions accepted for builds", ", ".join(p.precisions)),
        Row(
            "API providers",
            ", ".join(p.api_providers) if p.api_providers else "any with scored models",
        ),
        api_decline,
        gpu_decline,
        Row("Failover replicas", num(p.failover_replicas)),
        Row("Monte Carlo draws", num(p.monte_carlo_draws)),
    )
    return workload, team, hardware, prefs


def _option_rows(ev: Evaluation) -> tuple[dict[str, Any], ...]:
    rec = ev.recommendation
    out = []
    for o in ev.options:
        status = "recommended" if o is rec else ("ruled out" if not o.allowed else "")
        routes = [
            {
                "task": r.task_name,
                "share": pct(r.share),
                "model": r.model_name,
                "where": "self-hosted" if r.self_hosted else "API",
                "monthly": usd(r.monthly_usd) if r.monthly_usd is not None else "in the build",
            }
            for r in o.routes
        ]
        out.append(
            {
                "rank": o.rank,
                "name": o.name,
                "kind": o.kind,
                "kind_label": KIND_LABELS.get(o.kind, o.kind),
                "monthly": usd_cell(o.monthly_cost_usd),
                "horizon": usd_cell(o.horizon_cost_usd),
                "horizon_plain": usd_cell(o.horizon_cost_undiscounted_usd),
                "per_mtok": usd(o.cost_per_million_tokens_usd, cents=True),
                "latency": "meets" if o.meets_latency else "misses",
                "meets_latency": o.meets_latency,
                "allowed": o.allowed,
                "reason": o.not_allowed_reason,
                "status": status,
                "recommended": o is rec,
                "routes": routes,
                "notes": list(o.notes),
                "parts": [
                    {"label": p.label, "monthly": usd(p.monthly_usd), "component": p.component}
                    for p in o.parts
                ],
            }
        )
    return tuple(out)


def _break_even(ev: Evaluation) -> dict[str, str]:
    be = ev.break_even
    out = {
        "reason": be.reason[:1].upper() + be.reason[1:],
        "in_chart": "",
        "build": be.build_option or "",
        "buy": be.buy_option or "",
        "today": tokens_words(be.current_monthly_tokens),
        "value": "",
        "ratio": "",
    }
    if be.monthly_tokens is not None:
        out["value"] = tokens_words(be.monthly_tokens)
        xs = ev.crossover.monthly_tokens
        if xs and not min(xs) <= be.monthly_tokens <= max(xs):
            out["in_chart"] = (
                f"The break-even volume, {tokens_words(be.monthly_tokens)} tokens a month, lies "
                "outside the range of the chart."
            )
        if be.current_monthly_tokens:
            out["ratio"] = multiple(be.monthly_tokens / be.current_monthly_tokens)
    return out


def _capacity(ev: Evaluation, scenario: Scenario) -> tuple[dict[str, Any], ...]:
    w = scenario.workload
    out = []
    for o in ev.options:
        c = o.capacity
        if c is None:
            continue
        ttft_ok = w.ttft_ms_target is None or c.ttft_ms <= w.ttft_ms_target
        speed_ok = (
            w.tokens_per_s_per_user_target is None
            or c.tokens_per_s_per_user >= w.tokens_per_s_per_user_target
        )
        where = f"{c.provider}, {c.instance}" if c.provider else "on premises"
        out.append(
            {
                "rank": o.rank,
                "name": short_name(o),
                "kind": o.kind,
                "gpu": c.gpu_name,
                "where": where,
                "precision": c.precision,
                "per_replica": num(c.gpus_per_replica),
                "replicas": num(c.replicas),
                "total": num(c.total_gpus),
                "utilisation": pct(c.utilisation),
                "ttft": ms(c.ttft_ms),
                "ttft_p90": ms(c.ttft_ms_p90),
                "engine": c.engine,
                "ttft_ok": ttft_ok,
                "speed": f"{num(c.tokens_per_s_per_user, 1)}/s",
                "speed_ok": speed_ok,
                "tpot": ms(c.tpot_ms),
                "meets": c.meets_latency,
                "memory": (
                    f"{num(c.weights_gb, 1)} GB of weights + {num(c.kv_cache_gb_per_sequence, 2)} "
                    f"GB of KV cache per request, in {num(c.memory_usable_gb, 0)} GB usable "
                    f"per replica: up to {num(c.max_sequences)} requests at once"
                ),
            }
        )
    return tuple(out)


def _task_fit(ev: Evaluation) -> tuple[tuple[dict[str, Any], ...], str]:
    out = []
    total = 0.0
    for t in ev.task_fit:
        over = _f(t.overbuying_monthly_usd)
        total += over
        apis = [m for m in t.good_enough_models if m.startswith("api:")]
        opens = [m for m in t.good_enough_models if not m.startswith("api:")]
        out.append(
            {
                "task": t.task_name,
                "share": pct(t.share),
                "requirement": t.requirement or "–",
                "cheapest_api": t.cheapest_api_name or t.cheapest_api or "none good enough",
                "cheapest_monthly": usd(t.cheapest_api_monthly_usd)
                if t.cheapest_api_monthly_usd is not None
                else "–",
                "smallest_open": t.smallest_open_model_name
                or t.smallest_open_model
                or "none good enough",
                "premium": t.premium_model_name or t.premium_model or "–",
                "overbuying": usd(over) if t.overbuying_monthly_usd is not None else "",
                "overbuying_year": usd(over * 12) if t.overbuying_monthly_usd is not None else "",
                "flag": over > 0,
                "n_api": len(apis),
                "n_open": len(opens),
                "open_models": ", ".join(opens),
            }
        )
    return tuple(out), usd(total) if total else ""


def _tornado(ev: Evaluation) -> tuple[dict[str, Any], ...]:
    rec = ev.recommendation
    out = []
    for b in ev.sensitivity:
        out.append(
            {
                "label": b.label,
                "range": driver_range(b),
                "low_cost": usd(b.low_cost_usd),
                "high_cost": usd(b.high_cost_usd),
                "change": _choice_change(b, rec),
                "flips": b.flips,
                "basis": b.basis,
            }
        )
    return tuple(out)


def _no_effect(bar: TornadoBar) -> bool:
    return abs(_f(bar.high_cost_usd) - _f(bar.low_cost_usd)) < 0.5 and not bar.flips


def _choice_change(bar: TornadoBar, rec: OptionView | None) -> str:
    if rec is None:
        return ""
    changes = []
    if bar.low_choice != rec.name:
        changes.append(f"at low: {bar.low_choice}")
    if bar.high_choice != rec.name:
        changes.append(f"at high: {bar.high_choice}")
    return "; ".join(changes) or "unchanged"


def _uncertainty(ev: Evaluation) -> tuple[dict[str, str], ...]:
    ranks = {o.name: o for o in ev.options}
    out = []
    for r in ev.uncertainty.ranges:
        o = ranks.get(r.option)
        out.append(
            {
                "rank": str(o.rank) if o else "",
                "name": r.option,
                "kind": r.kind,
                "kind_label": KIND_LABELS.get(r.kind, r.kind),
                "base": usd(r.base),
                "p10": usd(r.p10),
                "p50": usd(r.p50),
                "p90": usd(r.p90),
                "allowed": "" if o is None or o.allowed else "ruled out",
            }
        )
    return tuple(out)


def _probability_text(ev: Evaluation) -> str:
    prob = ev.uncertainty.probability_build_cheaper
    n = num(ev.uncertainty.draws)
    if prob is None:
        return (
            "The probability that building beats buying is not computed: it needs at least one "
            "allowed build option and one allowed API option."
        )
    if prob == 0:
        return f"In none of the {n} simulated futures is building cheaper than buying."
    if prob == 1:
        return f"In all {n} simulated futures building is cheaper than buying."
    return f"In {pct(prob)} of {n} simulated futures building is cheaper than buying."


def _qualitative(ev: Evaluation, scenario: Scenario) -> tuple[dict[str, str], ...]:
    w, t = scenario.workload, scenario.team
    buy = next((o for o in ev.options if o.kind == "api"), None)
    build = next((o for o in ev.options if o.kind in BUILD_KINDS and o.allowed), None) or next(
        (o for o in ev.options if o.kind in BUILD_KINDS), None
    )
    refresh = next((i.value for i in ev.inputs if i.key == "model_refresh_interval_months"), "")
    if buy is not None and not buy.allowed:
        buy_residency = f"Ruled out: {buy.not_allowed_reason}."
    elif w.data_residency in ("us", "eu", "uk"):
        buy_residency = (
            f"Prompts go to the provider; the data {RESIDENCY_TEXT[w.data_residency]}, so only "
            "endpoints that process it there are compared (the appendix lists the others); "
            "sign the provider's data-processing agreement."
        )
    else:
        buy_residency = "Prompts go to the provider under its data-processing terms."
    if w.data_sensitivity in ("confidential", "restricted"):
        buy_residency += f" {w.data_sensitivity.capitalize()} data needs zero-retention terms."
    where = "your data centre" if build is not None and build.kind == "owned" else "your cloud"
    build_residency = f"Data stays in {where}; you choose the region and the logging."

    def money(option: OptionView | None, component: str) -> str:
        return usd(_part(option, component))

    rows = [
        {
            "factor": "Data residency and confidentiality",
            "buy": buy_residency,
            "build": build_residency,
        },
        {
            "factor": "Lock-in",
            "buy": "Prompts and evaluations get tuned to one vendor's models, which it retires "
            "on its own schedule.",
            "build": "Open weights can move between clouds and serving stacks; the stack "
            "itself becomes yours to keep current.",
        },
        {
            "factor": "Maintenance",
            "buy": f"The provider runs the service; the integration takes "
            f"{pct(t.api_share_of_time)} of the team ({money(buy, 'people')} a month).",
            "build": f"{num(t.maintenance_hours_per_month)} hours a month of patching, upgrades "
            f"and incidents ({money(build, 'maintenance')} a month); your team is on call.",
        },
        {
            "factor": "Liability and compliance",
            "buy": "Security and output risk are shared with the provider under its terms; a "
            "vendor review is still needed.",
            "build": f"You own security, compliance and output risk: review priced at "
            f"{money(build, 'compliance')} a month.",
        },
        {
            "factor": "Switching to a better model",
            "buy": "A configuration change plus re-running your evaluations.",
            "build": f"Re-serving and re-evaluating a new open model every "
            f"{pretty_value(refresh) or 'few months'}: {money(build, 'switching')} a month.",
        },
    ]
    if build is None:
        for row in rows:
            row["build"] = "No self-hosted option is available for this scenario."
    if buy is None:
        for row in rows:
            row["buy"] = "No API option is good enough for every task."
    return tuple(rows)


_RISK_GROUPS = (
    ("Data residency and confidentiality", ("data", "residency", "confidential", "restricted")),
    ("Lock-in and deprecation", ("lock-in", "deprecation", "licence", "rate limit")),
    ("Maintenance and people", ("maintenance", "hiring", "no people", "two stacks")),
    ("Switching", ("switching",)),
    ("Capital and capacity", ("capital", "price is an estimate", "spot")),
)


def _risk_groups(ev: Evaluation) -> tuple[dict[str, Any], ...]:
    rec = ev.recommendation
    picked: list[OptionView] = []
    for o in (rec, _runner_up(ev), _other_side(ev, rec)):
        if o is not None and o not in picked:
            picked.append(o)
    out = []
    for o in picked:
        groups: dict[str, list[str]] = {}
        for risk in o.risks:
            low = risk.lower()
            group = next(
                (g for g, keys in _RISK_GROUPS if any(k in low for k in keys)), "Other risks"
            )
            groups.setdefault(group, []).append(risk)
        out.append(
            {
                "rank": o.rank,
                "name": o.name,
                "kind": o.kind,
                "role": "Recommended"
                if o is rec
                else ("Runner-up" if o is _runner_up(ev) else f"Best {_side_word(rec)}"),
                "groups": [{"group": g, "risks": rs} for g, rs in groups.items()],
                "reason": "" if o.allowed else o.not_allowed_reason,
            }
        )
    return tuple(out)


def _inputs(ev: Evaluation) -> tuple[dict[str, Any], ...]:
    order = {"assumption": 0, "derived": 1, "published": 2, "user": 3}
    rows = [
        {
            "label": i.label,
            "value": pretty_value(i.value),
            "basis": i.basis,
            "assumption": i.basis == "assumption",
            "source": i.source,
            "link": i.source if i.source.startswith(("https://", "http://")) else "",
            "as_of": i.as_of or "–",
        }
        for i in ev.inputs
    ]
    rows.sort(key=lambda r: order.get(str(r["basis"]), 9))
    return tuple(rows)


def _sources(ev: Evaluation) -> tuple[dict[str, str], ...]:
    return tuple(
        {
            "what": what,
            "source": src or "not recorded",
            "link": src if src.startswith(("https://", "http://")) else "",
            "as_of": as_of or "–",
        }
        for what, src, as_of in ev.sources
    )


def _charts(ev: Evaluation, runner: OptionView | None, other: OptionView | None) -> dict[str, str]:
    rec = ev.recommendation
    out: dict[str, str] = {}
    rows = [
        charts.StackRow(
            f"{o.rank}. {short_name(o)}",
            tuple((p.component, p.label, _f(p.monthly_usd)) for p in o.parts),
            muted=not o.allowed,
            highlight=o is rec,
        )
        for o in ev.options
    ]
    out["breakdown"] = charts.cost_breakdown(rows, "Monthly cost of each option, by component")
    cross = ev.crossover
    series = [
        charts.LineSeries(
            bare_name(s.option),
            s.kind,
            s.monthly_cost_usd,
            rec is not None and s.option == rec.name,
        )
        for s in cross.series
    ]
    be_series = next(
        (i for i, s in enumerate(cross.series) if s.option == ev.break_even.buy_option), None
    )
    out["crossover"] = charts.crossover(
        cross.monthly_tokens,
        series,
        ev.monthly_tokens,
        ev.break_even.monthly_tokens,
        be_series,
        "Average monthly cost over the horizon (NPV) against monthly volume",
    )
    trows = []
    if rec is not None:
        for b in ev.sensitivity:
            if _no_effect(b):
                continue
            flip_to = b.low_choice if b.low_choice != rec.name else b.high_choice
            trows.append(
                charts.TornadoRow(
                    b.label,
                    driver_range(b),
                    _f(b.low_cost_usd),
                    _f(b.high_cost_usd),
                    b.flips,
                    "flips" if not b.flips else f"flips to #{_rank_of(ev, flip_to)}",
                )
            )
    if rec is not None and trows:
        out["tornado"] = charts.tornado(
            trows, _f(rec.horizon_cost_usd), "Horizon cost of the recommendation"
        )
    ranks = {o.name: o for o in ev.options}
    rrows = [
        charts.RangeRow(
            f"{ranks[r.option].rank}. {short_name(ranks[r.option])}"
            if r.option in ranks
            else r.option,
            r.kind,
            _f(r.p10),
            _f(r.p50),
            _f(r.p90),
            rec is not None and r.option == rec.name,
            r.option in ranks and not ranks[r.option].allowed,
        )
        for r in ev.uncertainty.ranges
    ]
    if rrows:
        out["ranges"] = charts.ranges(rrows, "Horizon cost, P10 to P90")
    if rec is not None and ev.decision_flips:
        out["decision"] = decision_tornado(ev.decision_flips)
    compare: list[charts.BarRow] = []
    seen: list[OptionView] = []
    for caption, o in (
        ("Recommended", rec),
        ("Runner-up", runner),
        ("Best " + _side_word(rec), other),
    ):
        if o is not None and o not in seen:
            seen.append(o)
            compare.append(
                charts.BarRow(
                    f"{caption}: #{o.rank} {short_name(o)}",
                    o.kind,
                    _f(o.horizon_cost_usd),
                    o is rec,
                    "" if o.allowed else "(ruled out)",
                )
            )
    if compare:
        out["summary"] = charts.comparison(compare, f"Cost over {ev.horizon_months} months")
    return out


def _rank_of(ev: Evaluation, name: str) -> str:
    return next((str(o.rank) for o in ev.options if o.name == name), "?")


def build_context(
    ev: Evaluation, scenario: Scenario, today: dt.date | None = None
) -> ReportContext:
    """Prepare everything the report template shows.

    Args:
        ev: The evaluation of ``scenario``.
        scenario: The scenario as entered.
        today: The report date (default: today).

    Returns:
        The template context; text is plain (the template escapes it), charts are SVG.
    """
    from advisor.__about__ import __app_name__, __version__

    today = today or dt.date.today()
    rec = ev.recommendation
    runner = _runner_up(ev)
    other = _other_side(ev, rec)
    name = ev.scenario_name or "Untitled scenario"
    organisation = ev.organisation
    doc_title = f"{REPORT_TITLE}: {name}"
    levers, levers_flip = _levers(ev)
    task_names = {t.task: t.task_name for t in ev.task_fit}
    option_tiles, metric_tiles = _tiles(ev, runner, other)
    notes, shortened = _notes(scenario.notes)
    workload, team, hardware, prefs = _scenario_rows(scenario, ev)
    fit, overbuying = _task_fit(ev)
    # The PDF's Subject: the one summary sentence, which `advisor email` reads back.
    description = summary_sentence(ev)
    return ReportContext(
        title=REPORT_TITLE,
        doc_title=doc_title,
        running_title=charts.fit_text(name, RUNNING_TITLE_WIDTH, 10.0),
        organisation=organisation,
        scenario_name=name,
        generated=f"{today.day} {today:%B %Y}",
        generated_iso=today.isoformat(),
        app_name=__app_name__,
        app_version=__version__,
        author=organisation or __app_name__,
        description=description,
        keywords="LLM, sourcing, build or buy, API, GPU, total cost of ownership",
        catalog_as_of=ev.catalog_as_of,
        genai_prices_version=ev.genai_prices_version,
        price_sources=ev.price_sources,
        horizon_months=ev.horizon_months,
        recommendation=rec,
        runner_up=runner,
        other_side=other if other is not runner else None,
        summary_sentences=_summary_sentences(ev, runner, other),
        scope=_scope(ev),
        option_tiles=option_tiles,
        metric_tiles=metric_tiles,
        no_effect=tuple(b.label for b in ev.sensitivity if _no_effect(b)),
        levers=levers,
        levers_flip=levers_flip,
        warnings=ev.warnings,
        notes_paragraphs=notes,
        notes_shortened=shortened,
        workload_rows=workload,
        tasks=tuple(
            (task_names.get(t.task, _words(t.task)), pct(t.share)) for t in scenario.workload.tasks
        ),
        team_rows=team,
        roles=tuple(
            {
                "role": _words(r.role),
                "count": num(r.count, 0 if r.count == int(r.count) else 1),
                "share": pct(r.share_of_time),
                # The amount used, also where it came from the catalog (badge beside it).
                "cost": usd(ev.role_costs_usd[i])
                if i < len(ev.role_costs_usd)
                else usd(r.monthly_cost_usd),
                "assumed": r.monthly_cost_usd is None,
            }
            for i, r in enumerate(scenario.team.roles)
        ),
        hardware_rows=hardware,
        owned_gpus=tuple(
            {"gpu": g.gpu, "count": num(g.count), "age": f"{num(g.age_years, 1)} years"}
            for g in scenario.hardware.owned
        ),
        preference_rows=prefs,
        assumptions=tuple(
            {
                "label": i.label,
                "value": pretty_value(i.value),
                "source": i.source,
                "as_of": i.as_of or "–",
            }
            for i in ev.inputs
            if i.basis == "assumption"
        ),
        options=_option_rows(ev),
        break_even=_break_even(ev),
        capacity=_capacity(ev, scenario),
        latency_targets={
            "ttft": ms(scenario.workload.ttft_ms_target)
            if scenario.workload.ttft_ms_target is not None
            else "none",
            "speed": f"{num(scenario.workload.tokens_per_s_per_user_target, 1)} tokens/s"
            if scenario.workload.tokens_per_s_per_user_target is not None
            else "none",
        },
        task_fit=fit,
        overbuying_total=overbuying,
        tornado=_tornado(ev),
        uncertainty=_uncertainty(ev),
        probability_text=_probability_text(ev),
        draws=num(ev.uncertainty.draws),
        qualitative=_qualitative(ev, scenario),
        risk_groups=_risk_groups(ev),
        inputs=_inputs(ev),
        sources=_sources(ev),
        charts=_charts(ev, runner, other if other is not runner else None),
        risk_register=deployability.risk_register_rows(ev),
        exclusions=deployability.exclusion_groups(ev),
    )
