"""A scenario's peak load against the published per-tier rate limits of an API provider."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from advisor.catalog.deploy_records import RateLimit
from advisor.catalog.records import ApiModel
from advisor.catalog.snapshot import Catalog
from advisor.scenario.model import DAYS_PER_MONTH, Scenario

MINUTES_PER_MONTH = float(DAYS_PER_MONTH) * 24 * 60


@dataclass(frozen=True)
class PeakLoad:
    """Requests and tokens per minute in the busiest hour, for the share of work a model serves."""

    rpm: float
    input_tpm: float  # uncached input tokens
    output_tpm: float

    @property
    def total_tpm(self) -> float:
        return self.input_tpm + self.output_tpm


@dataclass(frozen=True)
class TierNeed:
    """The lowest published tier that carries a peak load, or why none does.

    status: ``ok`` (``tier`` carries it), ``above_top`` (more than the highest self-serve tier
    published: negotiated limits or provisioned throughput), ``above_known`` (more than every
    tier on record, and higher tiers exist whose limits are not on record) or ``unknown`` (no
    limits on record for this model).
    """

    status: str
    tier: RateLimit | None
    highest: RateLimit | None
    load: PeakLoad

    def text(self, model_name: str) -> str:
        """The need in plain words."""
        load = self.load
        peak = (
            f"peak {load.rpm:,.0f} requests, {load.input_tpm:,.0f} input and "
            f"{load.output_tpm:,.0f} output tokens a minute"
        )
        if self.status == "ok" and self.tier is not None:
            how = f" ({self.tier.qualification})" if self.tier.qualification else ""
            return f"{model_name}: {peak} needs {self.tier.tier}{how} or higher"
        if self.status == "above_top" and self.highest is not None:
            return (
                f"{model_name}: {peak} exceeds the highest published tier ({self.highest.tier}: "
                f"{_limits(self.highest)}); needs negotiated limits or provisioned throughput"
            )
        if self.status == "above_known" and self.highest is not None:
            return (
                f"{model_name}: {peak} exceeds {self.highest.tier} ({_limits(self.highest)}); "
                "the limits of higher tiers are not on record"
            )
        return f"{model_name}: {peak}; no published rate limits on record"


def _limits(t: RateLimit) -> str:
    parts = []
    if t.rpm:
        parts.append(f"{t.rpm:,} RPM")
    if t.tpm:
        parts.append(f"{t.tpm:,} {'input ' if t.tpm_counts == 'input' else ''}TPM")
    if t.otpm:
        parts.append(f"{t.otpm:,} output TPM")
    return ", ".join(parts)


def peak_load(scenario: Scenario, share: float, reasoning: bool = False) -> PeakLoad:
    """The busiest-hour load of ``share`` of the requests (batch requests wait, so they are out).

    Args:
        scenario: The buyer's situation.
        share: Share of all requests the model serves.
        reasoning: A reasoning model emits ``reasoning_output_multiplier`` times the tokens.
    """
    w = scenario.workload
    per_minute = scenario.monthly_requests / MINUTES_PER_MONTH * w.peak_to_average
    rpm = per_minute * share * (1.0 - w.batch_share)
    out = w.output_tokens_per_request * (w.reasoning_output_multiplier if reasoning else 1.0)
    return PeakLoad(
        rpm=rpm,
        input_tpm=rpm * w.input_tokens_per_request * (1.0 - w.cached_input_share),
        output_tpm=rpm * out,
    )


def tiers_for(catalog: Catalog, model: ApiModel) -> list[RateLimit]:
    """The model's published tiers, lowest first."""
    found = [
        t
        for t in catalog.rate_limits
        if t.provider == model.provider and any(fnmatchcase(model.model, g) for g in t.models)
    ]
    return sorted(found, key=lambda t: t.rank)


def _carries(t: RateLimit, load: PeakLoad) -> bool:
    tokens = load.input_tpm if t.tpm_counts == "input" else load.total_tpm
    return (
        (t.rpm is None or load.rpm <= t.rpm)
        and (t.tpm is None or tokens <= t.tpm)
        and (t.otpm is None or load.output_tpm <= t.otpm)
    )


def needed_tier(catalog: Catalog, model: ApiModel, load: PeakLoad) -> TierNeed:
    """The lowest published tier of ``model`` whose limits carry ``load``."""
    tiers = tiers_for(catalog, model)
    if not tiers:
        return TierNeed("unknown", None, None, load)
    for t in tiers:
        if _carries(t, load):
            return TierNeed("ok", t, tiers[-1], load)
    top = tiers[-1]
    return TierNeed("above_top" if top.top_tier else "above_known", None, top, load)
