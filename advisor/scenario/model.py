"""Scenario dataclasses with defaults a newcomer can accept (money as Decimal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SCHEMA_VERSION = 2  # 2: list-price vs capability-level trends, discount rate (see migrate.py)
DAYS_PER_MONTH = Decimal("30.4375")  # 365.25 / 12
HOURS_PER_MONTH = 730.5

TASK_TYPES = ("extraction", "summarisation", "rag_qa", "chat", "code", "agents", "reasoning")
SENSITIVITY = ("public", "internal", "confidential", "restricted")
RESIDENCY = ("any", "us", "eu", "uk", "on_premises")
# Where the organisation has its principal place of business ("" = not stated).
DOMICILES = ("", "eu", "uk", "us", "other")
DEPLOYMENTS = ("datacentre", "colocation", "workstation")  # where bought GPUs would run
PRECISION_CHOICES = ("bf16", "fp8", "int8", "int4", "fp4")
RENTAL_TERMS = ("on_demand", "reserved", "spot")
ENGINE_CHOICES = ("vllm", "sglang", "trtllm", "tgi", "lmdeploy")  # capability.model.ENGINES


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
    data_sensitivity: str = "internal"  # "restricted" is the regulated level
    data_residency: str = "any"
    # "" = not stated: licence terms that depend on it then carry a risk instead of a check.
    organisation_domicile: str = ""
    monthly_active_users: float | None = None  # of the product built on it (licence user caps)


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
    deployment: str = "datacentre"  # datacentre | colocation | workstation (bought GPUs)
    accept_consumer_gpu_risk: bool = False  # allow GeForce cards despite their driver licence


@dataclass(frozen=True)
class Preferences:
    horizon_months: int = 36
    currency: str = "USD"  # what money is shown and typed in; files keep US dollars
    usd_per_currency_unit: float | None = None  # your own rate; None = the ECB reference rate
    precisions: tuple[str, ...] = ("bf16", "fp8", "int4")  # precisions you accept for builds
    api_providers: tuple[str, ...] = ()  # empty = every provider with scored models
    # Price trends (None = catalog default). The list price of the chosen API model (default
    # flat) is not the fall in the price of a capability level, which a buyer only gets by
    # switching models every model refresh, on an API or on its own GPUs alike.
    api_list_price_decline_per_year: float | None = None
    capability_price_decline_per_year: float | None = None
    follow_capability_trend: bool = False
    gpu_price_decline_per_year: float | None = None
    discount_rate_per_year: float | None = None  # cost of capital for the NPV; None = catalog
    include_deprecated_api_models: bool = False
    failover_replicas: int = 1
    engine: str = "vllm"  # serving engine for self-hosted builds (older files: vllm)
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
    # What was assumed when an older file was read (kept with the scenario, shown with results).
    migration_notes: tuple[str, ...] = ()
    # Paths of important fields a loaded file left out (their defaults were used); not saved.
    defaulted: tuple[str, ...] = field(default=(), compare=False, metadata={"internal": True})

    @property
    def monthly_requests(self) -> float:
        return self.workload.requests_per_day * float(DAYS_PER_MONTH)

    @property
    def monthly_tokens(self) -> float:
        w = self.workload
        return self.monthly_requests * (w.input_tokens_per_request + w.output_tokens_per_request)
