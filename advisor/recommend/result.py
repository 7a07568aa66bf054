"""The evaluation result: plain frozen dataclasses that the CLI, GUI and report all read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.recommend.flip import DecisionFlip

from advisor.constraints.exclusion import Exclusion
from advisor.cost.risk import Risk

CENT = Decimal("0.01")


def money(value: float) -> Decimal:
    """Round a float amount once, to cents, for showing."""
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostPart:
    component: str
    label: str
    monthly_usd: Decimal


@dataclass(frozen=True)
class RouteView:
    task: str
    task_name: str
    share: float
    model: str
    model_name: str
    self_hosted: bool
    monthly_usd: Decimal | None  # API spend for this task; None when self-hosted
    vendor: str = ""  # the API provider or the open model's publisher ("Google", "Qwen")


@dataclass(frozen=True)
class CapacityView:
    model: str
    gpu: str
    gpu_name: str
    precision: str
    gpus_per_replica: int
    replicas: int
    total_gpus: int
    utilisation: float
    ttft_ms: float
    tpot_ms: float
    tokens_per_s_per_user: float
    meets_latency: bool
    provider: str | None
    instance: str | None
    weights_gb: float = 0.0  # all weights of one replica at its precision
    kv_cache_gb_per_sequence: float = 0.0  # for one request's input + output tokens
    memory_usable_gb: float = 0.0  # GPU memory of one replica the engine may use
    max_sequences: int = 0  # sequences of that length that fit in one replica
    ttft_ms_p90: float = 0.0  # pessimistic end of the serving model's error band
    tpot_ms_p90: float = 0.0
    engine: str = "vllm"


@dataclass(frozen=True)
class OptionView:
    rank: int
    kind: str
    name: str
    monthly_cost_usd: Decimal
    horizon_cost_usd: Decimal
    cost_per_million_tokens_usd: Decimal
    parts: tuple[CostPart, ...]
    routes: tuple[RouteView, ...]
    capacity: CapacityView | None
    risks: tuple[str, ...]
    meets_latency: bool
    allowed: bool
    not_allowed_reason: str
    notes: tuple[str, ...]
    # Rented fleets: replicas billed in each month of the horizon relative to month one, as the
    # volume grows (steps of whole replicas and instances); empty for other options.
    fleet_factor: tuple[float, ...] = ()
    # ``horizon_cost_usd`` is the net present value at the discount rate (the ranking's basis);
    # this is the plain sum of the same months (what the monthly spreadsheet adds up to).
    horizon_cost_undiscounted_usd: Decimal = Decimal(0)


@dataclass(frozen=True)
class BreakEven:
    monthly_tokens: float | None
    reason: str
    build_option: str | None
    buy_option: str | None
    current_monthly_tokens: float


@dataclass(frozen=True)
class CrossoverSeries:
    option: str
    kind: str
    monthly_cost_usd: tuple[float, ...]


@dataclass(frozen=True)
class Crossover:
    monthly_tokens: tuple[float, ...]
    series: tuple[CrossoverSeries, ...]


@dataclass(frozen=True)
class TornadoBar:
    key: str
    label: str
    low_input: float
    high_input: float
    low_cost_usd: Decimal  # horizon cost of today's recommendation at the low value
    high_cost_usd: Decimal
    low_choice: str
    high_choice: str
    flips: bool
    basis: str


@dataclass(frozen=True)
class Range:
    option: str
    kind: str
    p10: Decimal
    p50: Decimal
    p90: Decimal
    base: Decimal = Decimal(0)  # the headline figure (every input at its base value)


@dataclass(frozen=True)
class Uncertainty:
    draws: int
    ranges: tuple[Range, ...]
    probability_build_cheaper: float | None


@dataclass(frozen=True)
class TaskFit:
    task: str
    task_name: str
    share: float
    cheapest_api: str | None
    cheapest_api_monthly_usd: Decimal | None
    smallest_open_model: str | None
    good_enough_models: tuple[str, ...]
    premium_model: str | None  # cheapest reasoning/frontier API good enough for the task
    overbuying_monthly_usd: Decimal | None  # premium minus cheapest, when a small one suffices
    requirement: str
    cheapest_api_name: str | None = None  # display names of the ids above
    smallest_open_model_name: str | None = None
    premium_model_name: str | None = None


@dataclass(frozen=True)
class InputUsed:
    key: str
    label: str
    value: str
    source: str
    as_of: str
    basis: str


@dataclass(frozen=True)
class Evaluation:
    scenario_name: str
    organisation: str
    horizon_months: int
    monthly_tokens: float
    monthly_requests: float
    options: tuple[OptionView, ...]
    recommendation: OptionView | None
    rationale: tuple[str, ...]
    break_even: BreakEven
    crossover: Crossover
    sensitivity: tuple[TornadoBar, ...]
    uncertainty: Uncertainty
    task_fit: tuple[TaskFit, ...]
    inputs: tuple[InputUsed, ...]
    sources: tuple[tuple[str, str, str], ...]
    warnings: tuple[str, ...]
    catalog_as_of: str
    genai_prices_version: str
    # (label, statement): data as of, API prices, cloud GPU prices (advisor.catalog.price_data)
    price_sources: tuple[tuple[str, str], ...] = ()
    exclusions: tuple[Exclusion, ...] = ()  # what the deployability rules left out, and why
    risk_register: tuple[Risk, ...] = ()  # structured risks of the allowed options
    # How far each uncertain input must move to change the recommendation (advisor.recommend.flip).
    decision_flips: tuple[DecisionFlip, ...] = ()
    # Loaded monthly cost of one person in each of the scenario's roles, in the scenario's
    # order: the user's figure or the catalog's for the team's region.
    role_costs_usd: tuple[Decimal, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract (decimal strings for money)."""
        from advisor.recommend.serialise import evaluation_to_json

        return evaluation_to_json(self)
