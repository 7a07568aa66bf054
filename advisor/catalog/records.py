"""Immutable records of the catalog: GPUs, open models, cloud offers, people, API models, scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

PriceTiers = tuple[tuple[int, Decimal], ...]


@dataclass(frozen=True)
class Sourced:
    """Where a record's figures come from."""

    source: str
    as_of: str
    basis: str = "published"
    note: str | None = None
    overridden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gpu(Sourced):
    id: str = ""
    name: str = ""
    vendor: str = ""
    architecture: str | None = None
    aliases: tuple[str, ...] = ()
    form_factor: str | None = None
    memory_gb: float = 0.0
    memory_bandwidth_gbs: float = 0.0
    bf16_tflops: float = 0.0
    fp8_tflops: float | None = None
    fp4_tflops: float | None = None
    int8_tops: float | None = None
    interconnect: str | None = None
    interconnect_gbs: float | None = None
    tdp_w: float = 0.0
    release_year: int | None = None
    purchase_price_usd: Decimal | None = None
    price_basis: str | None = None
    price_note: str | None = None
    price_source: str | None = None
    price_as_of: str | None = None


@dataclass(frozen=True)
class OpenModel(Sourced):
    id: str = ""
    name: str = ""
    family: str | None = None
    hf_repo: str = ""
    aliases: tuple[str, ...] = ()
    release_date: str | None = None
    total_params_b: float = 0.0
    active_params_b: float = 0.0
    layers: int = 0
    hidden_size: int = 0
    intermediate_size: int | None = None
    attention_heads: int = 0
    kv_heads: int = 0
    head_dim: int = 0
    vocab_size: int = 0
    tie_word_embeddings: bool = False
    max_context: int = 0
    attention: str = "gqa"
    sliding_window: int | None = None
    sliding_window_layers: int | None = None
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    moe_experts: int | None = None
    moe_experts_per_token: int | None = None
    moe_shared_experts: int | None = None
    reasoning: bool = False
    licence: str = ""

    @property
    def is_moe(self) -> bool:
        return bool(self.moe_experts)


@dataclass(frozen=True)
class QualityScore(Sourced):
    id: str = ""
    model: str = ""
    benchmark: str = ""
    score: float = 0.0
    setting: str | None = None


@dataclass(frozen=True)
class CloudOffer(Sourced):
    id: str = ""
    provider: str = ""
    instance: str = ""
    region: str | None = None
    gpu: str = ""
    gpu_count: int = 1
    on_demand_usd_per_hour: Decimal = Decimal(0)
    reserved_usd_per_hour: Decimal | None = None
    reserved_term: str | None = None
    spot_usd_per_hour: Decimal | None = None

    @property
    def usd_per_gpu_hour(self) -> Decimal:
        return self.on_demand_usd_per_hour / self.gpu_count


@dataclass(frozen=True)
class StaffCost(Sourced):
    id: str = ""
    role: str = ""
    region: str = ""
    base_salary_annual: Decimal | None = None
    currency: str | None = None
    loaded_monthly_usd: Decimal = Decimal(0)
    loading_factor: float | None = None


@dataclass(frozen=True)
class ApiExtra(Sourced):
    id: str = ""
    provider: str = ""
    model: str = "*"
    batch_discount: float | None = None
    rate_limit_rpm: int | None = None
    rate_limit_tpm: int | None = None
    rate_limit_tier: str | None = None
    private_deployment: bool = False
    open_model: str | None = None  # the open-weight model a hosted API model serves
    hosted_precision: str | None = None  # its serving precision where the provider says so
    ttft_ms: float | None = None  # published median time to first token
    output_tokens_per_s: float | None = None  # published median output speed


@dataclass(frozen=True)
class Assumption(Sourced):
    id: str = ""
    value: Decimal = Decimal(0)
    unit: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    description: str | None = None


@dataclass(frozen=True)
class PerfMeasurement(Sourced):
    id: str = ""
    model: str = ""
    gpu: str = ""
    gpu_count: int = 1
    tensor_parallel: int | None = None
    expert_parallel: int | None = None
    replicas: int | None = None
    precision: str = "bf16"
    kv_precision: str | None = None
    engine: str | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None
    concurrency: int | None = None
    scenario: str | None = None
    output_tokens_per_s: float | None = None
    total_tokens_per_s: float | None = None
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    speculative: bool = False
    split: str | None = None
    source_id: str | None = None  # independent publisher/suite, for leave-one-source-out validation
    arrivals: str | None = None  # burst | steady | static: how requests reached the engine


@dataclass(frozen=True)
class TaskRequirement(Sourced):
    id: str = ""
    task: str = ""
    name: str = ""
    benchmark: str = ""
    min_score: float = 0.0
    priority: int = 1
    description: str | None = None


@dataclass(frozen=True)
class Calibration(Sourced):
    id: str = ""
    value: float = 0.0
    description: str | None = None


@dataclass(frozen=True)
class PriceSet:
    """One price variant of an API model: price key -> (base USD per unit, tiers)."""

    variant: str
    constraint: str | None
    prices: dict[str, tuple[Decimal, PriceTiers]] = field(default_factory=dict)

    def get(self, key: str) -> tuple[Decimal, PriceTiers] | None:
        return self.prices.get(key)


@dataclass(frozen=True)
class ApiModel(Sourced):
    id: str = ""  # provider/model
    provider: str = ""
    provider_name: str = ""
    model: str = ""
    name: str = ""
    context_window: int | None = None
    deprecated: bool = False
    price_comments: str | None = None
    price_sets: tuple[PriceSet, ...] = ()

    def price_set(self, variant: str = "standard") -> PriceSet | None:
        return next((p for p in self.price_sets if p.variant == variant), None)

    @property
    def standard(self) -> PriceSet:
        found = self.price_set("standard")
        assert found is not None, self.id
        return found
