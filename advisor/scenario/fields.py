"""The scenario file's field reference: every field with its type, unit, default and meaning.

Types and defaults come from the scenario dataclasses themselves; this module adds the unit and
the meaning. ``docs/scenario-fields.md`` and the app's Help page are generated from it, and a
test fails when a field is added without a description or the document is out of date.
Regenerate with ``python -m advisor.scenario.fields > docs/scenario-fields.md``.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from advisor.scenario import model

# (unit, meaning) per dotted path; "[]" marks a row of a table.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "name": ("", "A short name; it heads the report and names the file."),
    "organisation": ("", "Who the analysis is for; shown on the report."),
    "notes": ("", "Anything a reader of the report should know (printed, not used in sums)."),
    "version": ("", "The file format's version; written by the app."),
    "workload.tasks": ("", "The kinds of work and their shares; the shares add up to 1."),
    "workload.tasks[].task": (
        "",
        "The kind of work; it decides which models are good enough.",
    ),
    "workload.tasks[].share": ("fraction", "Share of all requests (0.7 = 70 %)."),
    "workload.requests_per_day": (
        "requests/day",
        "Average requests a day over a month (all users, all tasks).",
    ),
    "workload.input_tokens_per_request": (
        "tokens",
        "Prompt size: instructions + retrieved documents + conversation so far.",
    ),
    "workload.output_tokens_per_request": ("tokens", "Length of a typical answer."),
    "workload.cached_input_share": (
        "fraction",
        "Share of input tokens a prompt cache can serve (repeated system prompts, documents).",
    ),
    "workload.batch_share": (
        "fraction",
        "Share of requests that can wait for a batch API or an overnight run (cheaper).",
    ),
    "workload.peak_to_average": (
        "ratio",
        "Request rate in the busiest hour divided by the month's average rate; self-hosted "
        "GPUs are sized for the peak.",
    ),
    "workload.peak_hours_per_day": (
        "hours/day",
        "How many hours a day the load stays near its peak.",
    ),
    "workload.ttft_ms_target": (
        "ms",
        "Time to first token at peak load; null = no target.",
    ),
    "workload.tokens_per_s_per_user_target": (
        "tokens/s",
        "Streaming speed each user sees; people read about 5-10 tokens/s; null = no target.",
    ),
    "workload.monthly_growth": (
        "fraction/month",
        "How fast the request volume grows each month (0.05 = +5 %; negative = shrinking).",
    ),
    "workload.reasoning_output_multiplier": (
        "× output",
        "A reasoning model 'thinks' before answering: it emits this many times the tokens.",
    ),
    "workload.context_tokens": (
        "tokens",
        "The longest prompt plus answer that must fit in the model's context window.",
    ),
    "workload.data_sensitivity": (
        "",
        "How sensitive the prompts and documents are; confidential and restricted data narrow "
        "the providers that qualify.",
    ),
    "workload.data_residency": (
        "",
        "Where the data may be processed; on_premises rules out APIs and rented GPUs.",
    ),
    "team.region": ("", "Where the team works; it sets the catalog's loaded cost per role."),
    "team.roles": ("", "The people a self-hosted deployment needs."),
    "team.roles[].role": ("", "The job; the catalog knows its loaded cost per region."),
    "team.roles[].count": ("people", "Number of people (fractions for part-timers)."),
    "team.roles[].share_of_time": (
        "fraction",
        "Share of their working time the self-hosted deployment takes.",
    ),
    "team.roles[].monthly_cost_usd": (
        "USD/month",
        "Loaded cost per person (salary, taxes, benefits, overhead); null = the catalog's "
        "figure for the region.",
    ),
    "team.api_share_of_time": (
        "fraction",
        "Share of the same people's time that building on an API takes.",
    ),
    "team.hiring_months": (
        "months",
        "Months before a self-hosted build can go live; an API bridges the gap.",
    ),
    "team.maintenance_hours_per_month": (
        "hours/month",
        "Patching, upgrades and incidents of a self-hosted deployment.",
    ),
    "hardware.owned": ("", "GPUs you already own that are free for this workload."),
    "hardware.owned[].gpu": ("", "The GPU's catalog id (advisor catalog show --kind gpu)."),
    "hardware.owned[].count": ("GPUs", "How many of them are free for this workload."),
    "hardware.owned[].age_years": ("years", "How old they are; older GPUs have less value left."),
    "hardware.buying_allowed": ("", "Whether the organisation may buy servers."),
    "hardware.renting_allowed": ("", "Whether GPUs may be rented from cloud providers."),
    "hardware.cloud_providers": (
        "",
        "Cloud providers you may rent from; empty = every provider in the catalog.",
    ),
    "hardware.rental_term": (
        "",
        "On demand is flexible; reserved is cheaper for a commitment; spot is cheapest but can "
        "be interrupted.",
    ),
    "hardware.electricity_usd_per_kwh": (
        "USD/kWh",
        "What you pay for power; null = the catalog's sourced default.",
    ),
    "hardware.pue": (
        "ratio",
        "Power usage effectiveness: total data-centre power / IT power; null = catalog default.",
    ),
    "hardware.colocation_usd_per_kw_month": (
        "USD/kW-month",
        "Rack space and cooling per kW; 0 = your own data centre; null = catalog default.",
    ),
    "hardware.amortisation_years": ("years", "Over how many years bought hardware is written off."),
    "preferences.horizon_months": (
        "months",
        "How far ahead costs are added up (growth and price trends included).",
    ),
    "preferences.currency": (
        "",
        "The currency money is shown and typed in; the file's money fields stay in US dollars.",
    ),
    "preferences.usd_per_currency_unit": (
        "USD per unit",
        "Your own exchange rate; null = the ECB reference rate in resources/exchange_rates.yaml.",
    ),
    "preferences.precisions": (
        "",
        "Number formats you accept for self-hosted models; lower precision needs fewer GPUs.",
    ),
    "preferences.api_providers": (
        "",
        "API providers you may buy from; empty = every provider with scored models.",
    ),
    "preferences.gpu_price_decline_per_year": (
        "fraction/year",
        "Yearly fall in GPU rental prices; null = the catalog's sourced value.",
    ),
    "preferences.failover_replicas": (
        "replicas",
        "Spare replicas a self-hosted deployment keeps for failover.",
    ),
    "preferences.monte_carlo_draws": (
        "draws",
        "Simulated futures for the uncertainty ranges.",
    ),
    "preferences.seed": (
        "",
        "Random seed of the simulation (the same seed gives the same result).",
    ),
    "migration_notes": (
        "",
        "What was assumed when a file of an older format was opened (written by the app).",
    ),
    "workload.organisation_domicile": (
        "",
        "Where the organisation has its principal place of business; some model licences "
        'depend on it ("" = not stated).',
    ),
    "workload.monthly_active_users": (
        "users",
        "Monthly active users of the product built on the model, for licence user caps "
        "(null = not stated).",
    ),
    "hardware.deployment": (
        "",
        "Where bought GPUs would run; consumer cards are allowed only on workstations.",
    ),
    "hardware.accept_consumer_gpu_risk": (
        "",
        "Keep consumer (GeForce) cards in data-centre builds despite their driver licence.",
    ),
    "preferences.api_list_price_decline_per_year": (
        "fraction/year",
        "Yearly fall of a chosen API model's list price (null = the catalog's default: flat).",
    ),
    "preferences.capability_price_decline_per_year": (
        "fraction/year",
        "Yearly fall in the price of a capability level, got only by switching models "
        "(null = the catalog's default).",
    ),
    "preferences.follow_capability_trend": (
        "",
        "Plan to switch to cheaper models as they appear (APIs and self-hosting alike, with "
        "the switching effort).",
    ),
    "preferences.discount_rate_per_year": (
        "fraction/year",
        "Cost of capital for the net present value (null = the catalog's default).",
    ),
    "preferences.include_deprecated_api_models": (
        "",
        "Also consider API models their provider has deprecated.",
    ),
    "preferences.engine": (
        "",
        "Serving engine of self-hosted builds; it changes the serving estimates.",
    ),
}

CHOICES: dict[str, tuple[str, ...]] = {
    "workload.tasks[].task": model.TASK_TYPES,
    "workload.data_sensitivity": model.SENSITIVITY,
    "workload.data_residency": model.RESIDENCY,
    "hardware.rental_term": model.RENTAL_TERMS,
    "preferences.precisions": model.PRECISION_CHOICES,
    "preferences.currency": ("USD", "EUR", "GBP"),
    "workload.organisation_domicile": model.DOMICILES,
    "hardware.deployment": model.DEPLOYMENTS,
    "preferences.engine": model.ENGINE_CHOICES,
}


@dataclass(frozen=True)
class FieldDoc:
    """One field of the scenario file."""

    path: str
    type: str
    default: str
    unit: str
    meaning: str
    choices: tuple[str, ...] = ()


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if origin is tuple:
        inner = args[0] if args else Any
        return f"list of {_type_name(inner)}"
    if args and len(args) < len(typing.get_args(tp)):
        return f"{_type_name(args[0])} or null"
    if dataclasses.is_dataclass(tp):
        return "object"
    return {str: "text", float: "number", int: "integer", bool: "true/false"}.get(
        tp, getattr(tp, "__name__", str(tp)).replace("Decimal", "number")
    )


def _default_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        if not value:
            return "[]"
        if dataclasses.is_dataclass(value[0]):
            return f"{len(value)} row{'s' if len(value) > 1 else ''}"
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if value != "" else '""'


def _walk(cls: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    hints = typing.get_type_hints(cls)
    instance = cls()
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue  # worked out when a file is read, never saved
        tp, path = hints[f.name], f"{prefix}{f.name}"
        value = getattr(instance, f.name)
        if dataclasses.is_dataclass(tp):
            yield from _walk(tp, f"{path}.")
            continue
        yield path, tp, value
        args = typing.get_args(tp)
        if typing.get_origin(tp) is tuple and args and dataclasses.is_dataclass(args[0]):
            yield from _walk(args[0], f"{path}[].")


def field_docs() -> list[FieldDoc]:
    """Every field of the scenario file, in file order.

    Raises:
        KeyError: a field has no description (add it to DESCRIPTIONS).
    """
    out = []
    for path, tp, default in _walk(model.Scenario):
        unit, meaning = DESCRIPTIONS[path]
        out.append(
            FieldDoc(
                path, _type_name(tp), _default_text(default), unit, meaning, CHOICES.get(path, ())
            )
        )
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown() -> str:
    """The field reference as Markdown (``docs/scenario-fields.md``)."""
    lines = [
        "# Scenario file fields",
        "",
        "<!-- Generated by `python -m advisor.scenario.fields > docs/scenario-fields.md` from the "
        "scenario dataclasses (advisor/scenario/model.py) and advisor/scenario/fields.py; a test "
        "keeps it current. -->",
        "",
        "A scenario is a JSON file; every field may be left out to take its default. Shares are "
        "fractions (0.25 = 25 %); money is in US dollars. `[]` marks a row of a list.",
        "",
        "| Field | Type | Unit | Default | Meaning |",
        "|---|---|---|---|---|",
    ]
    for d in field_docs():
        meaning = d.meaning + (f" One of: {', '.join(d.choices)}." if d.choices else "")
        lines.append(
            f"| `{d.path}` | {_cell(d.type)} | {_cell(d.unit)} | {_cell(d.default)} | "
            f"{_cell(meaning)} |"
        )
    return "\n".join(lines) + "\n"


def html_table() -> str:
    """The same reference as an HTML table (the app's Help page)."""
    rows = "".join(
        f"<tr><td><code>{escape(d.path)}</code></td><td>{escape(d.unit)}</td>"
        f"<td>{escape(d.default)}</td><td>{escape(d.meaning)}"
        + (f" One of: {escape(', '.join(d.choices))}." if d.choices else "")
        + "</td></tr>"
        for d in field_docs()
    )
    return (
        "<table border='0' cellspacing='0' cellpadding='3'>"
        "<tr><th align='left'>Field</th><th align='left'>Unit</th><th align='left'>Default</th>"
        f"<th align='left'>Meaning</th></tr>{rows}</table>"
    )


if __name__ == "__main__":
    sys.stdout.write(markdown())
