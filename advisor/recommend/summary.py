"""The answer in one sentence: vendor, model and where it runs, then what it costs.

One function for every place that states the answer first: the app's headline, the report's
cover and executive summary, the PDF's metadata and both email paths (app and CLI).
"""

from __future__ import annotations

from collections.abc import Sequence

from advisor.catalog.snapshot import Catalog
from advisor.errors import InputError
from advisor.recommend.result import Evaluation, OptionView, RouteView
from advisor.report.format import usd

NO_ANSWER = "No option meets the constraints of this scenario, so there is no recommendation."


def vendor_of(catalog: Catalog, model_ref: str) -> str:
    """Who makes or sells a model: the API provider ("Google") or the open model's publisher.

    Args:
        catalog: The catalog snapshot.
        model_ref: ``api:provider/model`` for an API model, else an open model id.

    Returns:
        The display name, or "" when the catalog does not know the model.
    """
    try:
        if model_ref.startswith("api:"):
            api = catalog.api_model(model_ref[4:])
            return api.provider_name or api.provider
        repo = catalog.model(model_ref).hf_repo
    except (InputError, LookupError, ValueError):
        return ""
    return repo.split("/", 1)[0] if "/" in repo else ""


def _model(route: RouteView) -> str:
    name = route.model_name
    # API models are named after their seller ("Google gemini 2.0 flash"); open models carry
    # their maker in the name already (Qwen3, Llama, Gemma), so no repo owner is prefixed.
    if route.self_hosted:
        return name
    if route.vendor and not name.lower().startswith(route.vendor.lower()):
        return f"{route.vendor} {name}"
    return name


def _tasks(routes: Sequence[RouteView]) -> str:
    names = [r.task_name[:1].lower() + r.task_name[1:] for r in routes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _api_part(routes: Sequence[RouteView], all_tasks: bool) -> str:
    by_model: dict[str, list[RouteView]] = {}
    for r in routes:
        by_model.setdefault(_model(r), []).append(r)
    if len(by_model) == 1:
        (model, rs), vendor = next(iter(by_model.items())), routes[0].vendor
        where = f"{vendor}'s API" if vendor else "its API"
        return f"buy {model} through {where}" + ("" if all_tasks else f" for {_tasks(rs)}")
    parts = [f"{model} for {_tasks(rs)}" for model, rs in by_model.items()]
    return "buy through APIs: " + "; ".join(parts)


def _hosted_part(o: OptionView, routes: Sequence[RouteView], all_tasks: bool) -> str:
    cap = o.capacity
    model = _model(routes[0]) if routes else (cap.model if cap else "an open-weight model")
    if cap is None:
        return f"self-host {model}"
    gpus = f"{cap.total_gpus} × {cap.gpu_name}"
    if cap.provider:
        where = f"on {gpus} rented from {cap.provider}"
    else:
        where = f"on {gpus} in your own data centre"
    tasks = "" if all_tasks or not routes else f" for {_tasks(routes)}"
    return f"self-host {model} ({cap.precision}) {where}{tasks}"


def answer_text(ev: Evaluation) -> str:
    """What to do, with vendor, model and where it runs (no costs); "" without an answer."""
    o = ev.recommendation
    if o is None:
        return ""
    hosted = [r for r in o.routes if r.self_hosted]
    bought = [r for r in o.routes if not r.self_hosted]
    if o.kind == "api" or (bought and not hosted and o.capacity is None):
        text = _api_part(bought, True) if bought else f"buy {o.name}"
    elif not bought:
        text = _hosted_part(o, hosted, True)
    else:
        text = f"{_hosted_part(o, hosted, False)}, and {_api_part(bought, False)}"
    return text[:1].upper() + text[1:]


def summary_sentence(ev: Evaluation) -> str:
    """The answer first, in one sentence, then its monthly and horizon cost.

    Args:
        ev: The evaluation.

    Returns:
        E.g. "Buy Google Gemini 2.0 Flash through Google's API: about $1,525 a month,
        $46,490 over 36 months." or a sentence saying that nothing is allowed.
    """
    o = ev.recommendation
    if o is None:
        return NO_ANSWER
    # usd() shows the amounts in the display currency in force (advisor.report.format).
    return (
        f"{answer_text(ev)}: about {usd(o.monthly_cost_usd)} a month, "
        f"{usd(o.horizon_cost_usd)} over {ev.horizon_months} months."
    )
