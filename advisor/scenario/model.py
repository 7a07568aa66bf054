"""Scenario dataclasses with defaults a newcomer can accept (money as Decimal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SCHEMA_VERSION = 1
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
HOURS_PER_MONTH = 730.5

TASK_TYPES = ("extraction", "summarisation", "rag_qa", "chat", "code", "agents", "reasoning")
SENSITIVITY = ("public", "internal", "confidential", "restricted")
RESIDENCY = ("any", "us", "eu", "on_premises")
PRECISION_CHOICES = ("bf16", "fp8", "int8", "int4", "fp4")
RENTAL_TERMS = ("on_demand", "reserved", "spot")


@dataclass(frozen=True)
class TaskShare:
    """One kind of work and its share of all requests."""

    task: str = "rag_qa"
    share: float = 1.0


@dataclass(frozen=True)
class Workload:
    """What the LLM has to do, how much and how fast."""

    tasks: tuple[TaskShare, ...] = (TaskShare("rag_qa", 1.0),)
    requests_per_day: float = 10_000.0
    input_tokens_per_request: float = 2_000.0
    output_tokens_per_request: float = 300.0
    cached_input_share: float = 0.0  # share of input tokens a prompt cache can serve
    batch_share: float = 0.0  # share of requests that may wait for a batch API / overnight run
    peak_to_average: float = 3.0  # busiest hour's request rate / the month's average rate
    peak_hours_per_day: float = 8.0  # hours a day the load sits near its peak
    ttft_ms_target: float | None = 2_000.0  # time to first token at peak, ms
    tokens_per_s_per_user_target: float | None = 15.0  # streaming speed each user sees
    monthly_growth: float = 0.0  # 0.05 = +5 % requests per month
    reasoning_output_multiplier: float = 3.0  # a reasoning model emits this many times the tokens
    context_tokens: int = 8_192  # longest prompt + answer that must fit
    data_sensitivity: str = "internal"
    data_residency: str = "any"


@dataclass(frozen=True)
class Role:
    """People who would build and run a self-hosted deployment."""

    role: str = "ml_engineer"
    count: float = 1.0
    share_of_time: float = 0.33  # share of their time the deployment takes
    monthly_cost_usd: Decimal | None = None  # loaded cost; None = catalog figure for the region


@dataclass(frozen=True)
class Team:
    region: str = "us"
    roles: tuple[Role, ...] = (
        Role("ml_engineer", 1.0, 0.33),
        Role("research_scientist", 1.0, 0.33),
    )
    api_share_of_time: float = 0.05  # share of the same people an API integration takes
    hiring_months: float = 0.0  # months before a build can go live (APIs bridge the gap)
    maintenance_hours_per_month: float = 20.0  # patching, upgrades, incidents of a build


@dataclass(frozen=True)
class OwnedGpu:
    gpu: str = "a100-sxm-80gb"
    count: int = 8
    age_years: float = 1.0


@dataclass(frozen=True)
class Hardware:
    owned: tuple[OwnedGpu, ...] = ()
    buying_allowed: bool = True
    renting_allowed: bool = True
    cloud_providers: tuple[str, ...] = ()  # empty = every provider in the catalog
    rental_term: str = "on_demand"
    electricity_usd_per_kwh: Decimal | None = None  # None = catalog default
    pue: float | None = None
    colocation_usd_per_kw_month: Decimal | None = None  # None = catalog; 0 = own data centre
    amortisation_years: float = 3.0


@dataclass(frozen=True)
class Preferences:
    horizon_months: int = 36
    currency: str = "USD"  # what money is shown and typed in; files keep US dollars
    usd_per_currency_unit: float | None = None  # your own rate; None = the ECB reference rate
    precisions: tuple[str, ...] = ("bf16", "fp8", "int4")  # precisions you accept for builds
    api_providers: tuple[str, ...] = ()  # empty = every provider with scored models
    api_price_decline_per_year: float | None = None  # None = catalog default
    gpu_price_decline_per_year: float | None = None
    failover_replicas: int = 1
    monte_carlo_draws: int = 10_000
    seed: int = 20261129


@dataclass(frozen=True)
class Scenario:
    """Everything the engine needs about one buyer's situation."""

    name: str = "New scenario"
    organisation: str = ""
    notes: str = ""
    workload: Workload = field(default_factory=Workload)
    team: Team = field(default_factory=Team)
    hardware: Hardware = field(default_factory=Hardware)
    preferences: Preferences = field(default_factory=Preferences)
    version: int = SCHEMA_VERSION

    @property
    def monthly_requests(self) -> float:
        return self.workload.requests_per_day * float(DAYS_PER_MONTH)

    @property
    def monthly_tokens(self) -> float:
        w = self.workload
        return self.monthly_requests * (w.input_tokens_per_request + w.output_tokens_per_request)
