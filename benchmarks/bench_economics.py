"""Economics check: buyer scenarios recomputed by hand, line by line against `advisor evaluate`.

The hand calculation below does not call the engine's cost code. It reads prices from the
genai-prices package (``calc_price``, one request at a time) and from the seed files in
resources/catalog/, and it takes from the engine's JSON only what is physics or a choice, not
money: which model serves each task, and the GPUs, instance and utilisation of a deployment.
It then recomputes, with plain loops over the months:

- API token spend per task and per month, and the people on the API side;
- the GPU rental bill of a rented deployment (whole instances, replicas at peak and off-peak);
- the horizon totals: growth, list-price trend, model switching steps, discounting (NPV) and
  the plain (undiscounted) sum.

Then it checks invariants of the advice:

- doubling the volume doubles the API spend;
- a flat-price world and a 90 %-a-year world each give a break-even that agrees with the
  ranking (the build is cheaper over the horizon exactly when the break-even is below today);
- a cost both options share does not change the recommendation.

Usage: ``python benchmarks/bench_economics.py`` (prints a table; exit 1 if a check fails).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from genai_prices import Usage, calc_price, data_snapshot

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "resources" / "catalog"
EXAMPLES = ROOT / "resources" / "examples"
DAYS_PER_MONTH = 365.25 / 12
HOURS_PER_MONTH = 730.5
REASONING = re.compile(
    r"(^|/)(o1|o3|o4)(-|$)|reasoner|thinking|(^|/)gpt-5(?!.*chat)|deepseek-r1", re.IGNORECASE
)
REFRESH = "model_refresh_interval_months"
TOLERANCE = 0.0005  # relative; the engine's JSON rounds amounts to cents

_failures: list[str] = []


def check(ok: bool, what: str) -> str:
    if not ok:
        _failures.append(what)
    return "ok" if ok else "MISMATCH"


def seeds(name: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((SEEDS / name).read_text()))


ASSUMPTIONS = {a["id"]: a for a in seeds("assumptions.yaml")}
OFFERS = seeds("cloud_offers.yaml")
STAFF = seeds("staffing.yaml")
EXTRAS = seeds("api_extras.yaml")


OPEN_REASONING = {m["id"] for m in seeds("open_models.yaml") if m.get("reasoning")}
# Hosted copies of open reasoning models emit reasoning tokens on an API as on your own GPUs.
HOSTED_REASONING = {
    f"{e['provider']}/{e['model']}" for e in EXTRAS if e.get("open_model") in OPEN_REASONING
}


def default(key: str) -> float:
    return float(ASSUMPTIONS[key]["value"])


# --- the buyers ---------------------------------------------------------------------------------


def tokens_to_requests(tokens_per_month: float, per_request: float) -> float:
    return tokens_per_month / per_request / DAYS_PER_MONTH


def buyer(name: str, tokens: float, **changes: Any) -> dict[str, Any]:
    """A version-2 scenario: 2,000 tokens in and 300 out a request unless changed."""
    work = {
        "tasks": [{"task": "rag_qa", "share": 1.0}],
        "requests_per_day": tokens_to_requests(tokens, 2_300),
        "input_tokens_per_request": 2000,
        "output_tokens_per_request": 300,
    }
    work.update(changes.pop("workload", {}))
    prefs = {"monte_carlo_draws": 500}
    prefs.update(changes.pop("preferences", {}))
    data: dict[str, Any] = {"version": 2, "name": name, "workload": work, "preferences": prefs}
    data.update(changes)
    return data


def buyers() -> list[tuple[str, dict[str, Any]]]:
    out = [
        ("1M tokens/month, RAG", buyer("tiny", 1e6)),
        (
            "100M tokens/month, chat",
            buyer("small", 1e8, workload={"tasks": [{"task": "chat", "share": 1.0}]}),
        ),
        (
            "10B tokens/month, latency-critical chat (500 ms)",
            buyer(
                "latency",
                1e10,
                workload={"tasks": [{"task": "chat", "share": 1.0}], "ttft_ms_target": 500},
            ),
        ),
        ("100B tokens/month, flat list prices", buyer("huge-flat", 1e11)),
        (
            "100B tokens/month, 90 %/yr list-price fall",
            buyer("huge-90", 1e11, preferences={"api_list_price_decline_per_year": 0.9}),
        ),
        (
            "100B tokens/month, following the capability trend",
            buyer("huge-switch", 1e11, preferences={"follow_capability_trend": True}),
        ),
        (
            "5B tokens/month, growing 5 %/month, 3 months to hire",
            buyer(
                "growing",
                5e9,
                workload={"monthly_growth": 0.05},
                team={"hiring_months": 3},
            ),
        ),
    ]
    for path in sorted(EXAMPLES.glob("*.json")):
        data = json.loads(path.read_text())
        data.setdefault("preferences", {})["monte_carlo_draws"] = 500
        out.append((f"example: {path.stem}", data))
    return out


# --- the engine, as a user runs it ---------------------------------------------------------------


def advisor_evaluate(data: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.json"
        path.write_text(json.dumps(data))
        run = subprocess.run(
            [sys.executable, "-m", "advisor.cli", "evaluate", str(path), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
    if run.returncode != 0:
        raise SystemExit(f"advisor evaluate failed: {run.stderr.strip()}")
    return dict(json.loads(run.stdout))


def scenario_of(data: dict[str, Any]) -> Any:
    """The scenario as the app reads it (for its defaults: the hand calculation needs them)."""
    from advisor.scenario.io import scenario_from_dict

    return scenario_from_dict(data)


# --- the hand calculation -----------------------------------------------------------------------


def genai_model(provider_id: str, model_id: str) -> tuple[Any, Any]:
    snap = data_snapshot.get_snapshot()
    provider = next(p for p in snap.providers if p.id == provider_id)
    return provider, next((m for m in provider.models if m.id == model_id), None)


def genai_price(usage: Usage, provider_id: str, model_id: str, batch: bool = False) -> float:
    """genai-prices' own price for a usage, finding the model by its exact id in the provider
    (``calc_price`` matches refs by pattern, which misses some hosted ids)."""
    context = {"processing": "batch"} if batch else None
    provider, model = genai_model(provider_id, model_id)
    if model is None:
        calc = calc_price(usage, model_id, provider_id=provider_id, price_context=context)
        return float(calc.total_price)
    return float(model.calc_price(usage, provider, price_context=context).total_price)


def has_batch_price(provider_id: str, model_id: str) -> bool:
    _, model = genai_model(provider_id, model_id)
    variants = getattr(model, "price_variants", None) or ()
    return any(dict(v.when) == {"processing": "batch"} for v in variants)


def api_request_usd(model_id: str, w: Any) -> tuple[float | None, str]:
    """One request's price from genai-prices; None where batch pricing is not hand-checked."""
    provider, model = model_id.split("/", 1)
    out = w.output_tokens_per_request
    if REASONING.search(model_id) or model_id in HOSTED_REASONING:
        out *= w.reasoning_output_multiplier
    inp = round(w.input_tokens_per_request)
    usage = Usage(
        input_tokens=inp,
        cache_read_tokens=min(round(w.input_tokens_per_request * w.cached_input_share), inp),
        output_tokens=round(out),
    )
    price = float(genai_price(usage, provider, model))
    if w.batch_share <= 0:
        return price, ""
    if has_batch_price(provider, model):
        batch = genai_price(usage, provider, model, batch=True)
        return (1 - w.batch_share) * price + w.batch_share * batch, ""
    discount = next(
        (
            float(e["batch_discount"])
            for e in EXTRAS
            if e["provider"] == provider
            and e.get("batch_discount") is not None
            and fnmatch.fnmatchcase(model.lower(), str(e["model"]).lower())
        ),
        None,
    )
    if discount is None:
        return price, ""  # no published batch price or discount: the batch share at list
    return (1 - w.batch_share) * price + w.batch_share * price * (1 - discount), ""


def people_monthly(team: Any, api: bool) -> float:
    total = 0.0
    for r in team.roles:
        if r.monthly_cost_usd is not None:
            cost = float(r.monthly_cost_usd)
        else:
            cost = float(
                next(
                    s["loaded_monthly_usd"]
                    for s in STAFF
                    if s["role"] == r.role and s["region"] == team.region
                )
            )
        total += cost * r.count * (team.api_share_of_time if api else r.share_of_time)
    return total


def trend(t: int, decline: float) -> float:
    return float((1 - min(max(decline, -1.0), 0.99)) ** (t / 12))


def switch_step(t: int, decline: float, every: float) -> float:
    if every <= 0:
        return 1.0
    return float((1 - decline) ** (math.floor(t / every) * every / 12))


def rented_bill(option: dict[str, Any], s: Any, volume: float) -> float | None:
    """Month's GPU rental at ``volume`` x today's load, from the seed price of the instance."""
    cap = option["capacity"]
    offer = next(
        (
            o
            for o in OFFERS
            if o["provider"] == cap["provider"] and o["instance"] == cap["instance"]
        ),
        None,
    )
    if offer is None:
        return None
    term = s.hardware.rental_term
    hourly = float(offer["on_demand_usd_per_hour"])
    if term == "reserved" and offer.get("reserved_usd_per_hour"):
        hourly = float(offer["reserved_usd_per_hour"])
    elif term == "spot" and offer.get("spot_usd_per_hour"):
        hourly = float(offer["spot_usd_per_hour"])
    per_gpu_hour = hourly / offer["gpu_count"]
    w = s.workload
    avg = s.workload.requests_per_day * DAYS_PER_MONTH / (DAYS_PER_MONTH * 86400)
    # Capacity of one replica, from the engine's utilisation (physics, not money).
    capacity = avg / (cap["utilisation"] * cap["replicas"])
    failover = s.preferences.failover_replicas
    per_replica = cap["gpus_per_replica"]

    def billed(load: float) -> float:
        replicas = max(1, math.ceil(load / capacity - 1e-9)) + failover
        gpus = replicas * per_replica
        return math.ceil(gpus / offer["gpu_count"] - 1e-9) * offer["gpu_count"] / per_replica

    peak = avg * volume * w.peak_to_average
    share = w.peak_hours_per_day / 24
    if term == "reserved":
        units = billed(peak)
    else:
        off = max(0.0, (avg * volume - peak * share) / (1 - share)) if share < 1 else 0.0
        units = share * billed(peak) + (1 - share) * billed(off)
    return units * per_replica * per_gpu_hour * HOURS_PER_MONTH


def hand_horizon(
    option: dict[str, Any],
    s: Any,
    api_monthly: float | None,
    discounted: bool,
    bridging: float = 0.0,
) -> float | None:
    """Horizon total of an API or rented option, month by month.

    ``bridging``: the monthly API spend (cheapest good-enough model per task) a build pays
    until its team is hired and it goes live.
    """
    p = s.preferences
    months = p.horizon_months
    rate = (
        p.discount_rate_per_year
        if p.discount_rate_per_year is not None
        else default("discount_rate_per_year")
    )
    if not discounted:
        rate = 0.0
    list_decline = (
        p.api_list_price_decline_per_year
        if p.api_list_price_decline_per_year is not None
        else default("api_list_price_decline_per_year")
    )
    cap_decline = (
        p.capability_price_decline_per_year
        if p.capability_price_decline_per_year is not None
        else default("capability_price_decline_per_year")
    )
    every = default("model_refresh_interval_months") if p.follow_capability_trend else 0.0
    gpu_decline = (
        p.gpu_price_decline_per_year
        if p.gpu_price_decline_per_year is not None
        else default("gpu_rental_price_decline_per_year")
    )
    parts = {c["component"]: float(c["monthly_usd"]) for c in option["parts"]}
    total = 0.0
    hiring = min(s.team.hiring_months, months)
    for t in range(months):
        d = (1 + rate) ** (-t / 12)
        g = (1 + s.workload.monthly_growth) ** t
        step = switch_step(t, cap_decline, every)
        if option["kind"] == "api":
            assert api_monthly is not None
            total += d * api_monthly * g * trend(t, list_decline) * step
            total += d * sum(v for k, v in parts.items() if k != "api_tokens")
        elif option["kind"] == "rented":
            live = t >= hiring
            bill = rented_bill(option, s, g)
            if bill is None:
                return None
            if not live:
                total += d * bridging * g * trend(t, list_decline) * step
            if live:
                total += d * bill * trend(t, gpu_decline) * step
                total += d * parts.get("egress", 0.0) * g
                total += d * sum(
                    v for k, v in parts.items() if k not in ("gpu_rental", "egress", "people")
                )
            total += d * parts.get("people", 0.0)
        else:
            return None
    return total


# --- the comparison -----------------------------------------------------------------------------


def close(a: float, b: float, tol: float = TOLERANCE) -> bool:
    """Equal within ``tol`` (relative), or within a cent (the JSON's rounding)."""
    return abs(a - b) <= max(tol * max(abs(a), abs(b)), 0.01)


def compare(label: str, data: dict[str, Any]) -> dict[str, Any]:
    s = scenario_of(data)
    ev = advisor_evaluate(data)
    monthly_requests = s.workload.requests_per_day * DAYS_PER_MONTH
    print(f"\n== {label}: {ev['monthly_tokens'] / 1e6:,.1f}M tokens/month")
    print(f"   engine recommends: {ev['recommendation']['name'] if ev['recommendation'] else '-'}")
    rows = []
    # What bridges a build until it goes live: the cheapest good-enough API route per task,
    # recomputed by hand here too (zero where no public API may receive the data).
    bridging = 0.0
    if s.workload.data_residency != "on_premises" and all(
        t["cheapest_api"] for t in ev["task_fit"]
    ):
        for t in ev["task_fit"]:
            per, _ = api_request_usd(t["cheapest_api"], s.workload)
            share = next(x.share for x in s.workload.tasks if x.task == t["task"])
            bridging += (per or 0.0) * monthly_requests * share
    for option in ev["options"][:6]:
        kind = option["kind"]
        api_monthly = None
        if kind == "api":
            api_monthly = 0.0
            for r in option["routes"]:
                per, why = api_request_usd(r["model"][4:], s.workload)
                if per is None:
                    api_monthly = None
                    rows.append((option["name"], "API tokens", None, None, why))
                    break
                hand = per * monthly_requests * r["share"]
                api_monthly += hand
                rows.append(
                    (
                        option["name"],
                        f"  {r['task']} on {r['model_name']}",
                        hand,
                        float(r["monthly_usd"]),
                        "",
                    )
                )
            if api_monthly is not None:
                engine = sum(
                    float(c["monthly_usd"])
                    for c in option["parts"]
                    if c["component"] == "api_tokens"
                )
                rows.append((option["name"], "API tokens", api_monthly, engine, ""))
            people = people_monthly(s.team, api=True)
            engine = sum(
                float(c["monthly_usd"]) for c in option["parts"] if c["component"] == "people"
            )
            rows.append((option["name"], "people (API integration)", people, engine, ""))
        elif kind == "rented" and option["capacity"]:
            bill = rented_bill(option, s, 1.0)
            engine = sum(
                float(c["monthly_usd"]) for c in option["parts"] if c["component"] == "gpu_rental"
            )
            rows.append((option["name"], "GPU rental", bill, engine, ""))
            people = people_monthly(s.team, api=False)
            engine = sum(
                float(c["monthly_usd"]) for c in option["parts"] if c["component"] == "people"
            )
            rows.append((option["name"], "people (build)", people, engine, ""))
        if kind in ("api", "rented") and (kind != "api" or api_monthly is not None):
            for disc, field, what in (
                (True, "horizon_cost_usd", "horizon NPV"),
                (False, "horizon_cost_undiscounted_usd", "horizon, undiscounted"),
            ):
                hand_h = hand_horizon(option, s, api_monthly, disc, bridging)
                if hand_h is not None:
                    rows.append((option["name"], what, hand_h, float(option[field]), ""))
    for name, line, hand, engine, why in rows:
        if hand is None or engine is None:
            print(f"   {name[:48]:48} {line[:42]:42} {'':>14} {'':>14}  n/c: {why}")
            continue
        verdict = check(
            close(hand, engine), f"{label}: {name} {line}: hand {hand:,.2f} vs engine {engine:,.2f}"
        )
        print(f"   {name[:48]:48} {line[:42]:42} {hand:>14,.2f} {engine:>14,.2f}  {verdict}")
    return ev


# --- invariants ---------------------------------------------------------------------------------


def break_even_agrees(ev: dict[str, Any]) -> bool | None:
    be = ev["break_even"]
    opts = {o["name"]: o for o in ev["options"]}
    build, buy = opts.get(be["build_option"]), opts.get(be["buy_option"])
    if build is None or buy is None:
        return None
    b, a = float(build["horizon_cost_usd"]), float(buy["horizon_cost_usd"])
    if be["monthly_tokens"] is None:
        return (a < b) if be["reason"].startswith("never") else (b < a)
    return (be["monthly_tokens"] <= be["current_monthly_tokens"] * (1 + 1e-9)) == (b < a)


def invariants() -> None:
    print("\n== invariants")
    base = buyer("double", 2e9)
    doubled = json.loads(json.dumps(base))
    doubled["workload"]["requests_per_day"] *= 2
    one, two = advisor_evaluate(base), advisor_evaluate(doubled)
    api1 = next(o for o in one["options"] if o["kind"] == "api")
    api2 = next(o for o in two["options"] if o["kind"] == "api")
    t1 = sum(float(c["monthly_usd"]) for c in api1["parts"] if c["component"] == "api_tokens")
    t2 = sum(float(c["monthly_usd"]) for c in api2["parts"] if c["component"] == "api_tokens")
    same_models = [r["model"] for r in api1["routes"]] == [r["model"] for r in api2["routes"]]
    print(
        f"   doubling volume: API spend ${t1:,.2f} -> ${t2:,.2f} (x{t2 / t1:.4f}), same models: "
        f"{same_models}  {check(same_models and close(t2, 2 * t1, 1e-4), 'doubling volume')}"
    )
    for label, decline in (("flat list prices", 0.0), ("90 %/yr list-price fall", 0.9)):
        for tokens in (1e8, 1e10, 1e11):
            ev = advisor_evaluate(
                buyer("w", tokens, preferences={"api_list_price_decline_per_year": decline})
            )
            agrees = break_even_agrees(ev)
            be = ev["break_even"]["monthly_tokens"]
            be_text = f"{be / 1e9:,.2f}B tokens/month" if be else ev["break_even"]["reason"][:60]
            verdict = check(agrees is not False, f"{label} {tokens}")
            print(
                f"   {label:24} at {tokens / 1e9:6.1f}B: recommends "
                f"{ev['recommendation']['kind']:6} break-even {be_text:62} {verdict}"
            )
    shared_cost_invariant()


def shared_cost_invariant() -> None:
    """A cost every option pays alike (added to each in full) leaves the ranking unchanged."""
    from advisor.catalog.snapshot import load_catalog
    from advisor.cost.options import Line
    from advisor.recommend.evaluate import candidate_options
    from advisor.recommend.uncertainty import Horizon, drivers

    catalog = load_catalog()
    for tokens in (1e8, 1e10):
        s = scenario_of(buyer("shared", tokens))
        cands = candidate_options(s, catalog)
        drv = drivers(s, cands.ctx.inputs, cands.ctx.cal)

        def order(opts: list[Any], s: Any = s, drv: Any = drv, cands: Any = cands) -> list[str]:
            hz = Horizon(s, opts, drv, cands.bridging_api_monthly, cands.ctx.inputs[REFRESH])
            tot = hz.totals(hz.base_draws())[0]
            return [o.name for _, o in sorted(zip(tot, opts, strict=True), key=lambda p: p[0])]

        plain = order(list(cands.options))
        extra = [
            dataclasses.replace(o, lines=(*o.lines, Line("people", 50_000.0, "fixed", ())))
            for o in cands.options
        ]
        shifted = order(extra)
        print(
            f"   shared $50,000/month added to every option at {tokens / 1e9:g}B: ranking "
            f"unchanged: {plain == shifted}  {check(plain == shifted, 'shared cost')}"
        )


# --- the source argument ------------------------------------------------------------------------


def source_argument() -> None:
    """The essay's claim against our break-even, on one basis, for cheap and premium APIs."""
    from advisor.catalog.snapshot import load_catalog
    from advisor.cost.options import TaskRoute, api_cost_per_request, api_option, is_reasoning_api
    from advisor.recommend.breakeven import horizon_break_even
    from advisor.recommend.evaluate import candidate_options
    from advisor.recommend.uncertainty import Horizon, drivers
    from advisor.scenario import load_scenario

    catalog = load_catalog()
    s = load_scenario(EXAMPLES / "source-argument.json")
    cands = candidate_options(s, catalog)
    ctx = cands.ctx
    drv = drivers(s, ctx.inputs, ctx.cal)
    refresh = ctx.inputs["model_refresh_interval_months"]
    hz = Horizon(s, list(cands.options), drv, cands.bridging_api_monthly, refresh)
    tot = hz.totals(hz.base_draws())[0]
    builds = [k for k, o in enumerate(cands.options) if o.kind in ("rented", "owned") and o.allowed]
    best = min(builds, key=lambda k: tot[k])
    build = cands.options[best]
    people = float(ctx.inputs.people_monthly_usd)
    per_token = s.workload.input_tokens_per_request + s.workload.output_tokens_per_request
    print(f"\n== source argument: people ${people:,.0f}/month; build: {build.name}")
    for label, model_id in (
        ("Gemini Flash-class", "google/gemini-2.5-flash"),
        ("GPT-4o-class", "openai/gpt-4o"),
        ("Claude Opus-class", "anthropic/claude-opus-4-0"),
    ):
        model = catalog.api_model(model_id)
        per_request = api_cost_per_request(ctx, model)[0]
        routes = [
            TaskRoute(
                t.task,
                t.share,
                f"api:{model.id}",
                model.name,
                False,
                per_request,
                is_reasoning_api(model),
            )
            for t in s.workload.tasks
        ]
        api = api_option(ctx, f"Buy: {model.name}", routes, [model])
        pair = Horizon(s, [build, api], drv, cands.bridging_api_monthly, refresh)
        be = horizon_break_even(pair, 0, 1, s.monthly_tokens)
        people_only = people / (per_request / per_token)
        be_text = (
            f"{be.monthly_tokens / 1e6:,.0f}M tokens/month" if be.monthly_tokens else be.reason
        )
        print(
            f"   {label:20} {model.name:18} ${per_request / per_token * 1e6:8.3f}/M tokens | "
            f"people alone: {people_only / 1e6:9,.0f}M tokens/month | full break-even "
            f"({s.preferences.horizon_months} months, NPV): {be_text}"
        )


def main() -> int:
    for label, data in buyers():
        compare(label, data)
    invariants()
    source_argument()
    print(f"\n{len(_failures)} mismatch(es)")
    for f in _failures:
        print(f"   {f}")
    return 1 if _failures else 0


if __name__ == "__main__":
    sys.exit(main())
