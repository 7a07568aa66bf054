"""The structured risk register, derived from the deployability records behind each option."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from advisor.constraints.apply import HOST_CLASS_LABELS, PROTECTED, DeployPlan, where
from advisor.constraints.options import WEEKS_PER_MONTH, api_needs, lead_time_for
from advisor.cost.options import Option
from advisor.cost.risk import Level, Risk, RiskCategory


def severity(likelihood: Level, impact: Level) -> Level:
    """A 3x3 risk matrix: likelihood x impact of 6 or more is high, 3-4 medium, 1-2 low.

    A low-likelihood, high-impact risk is medium, not high: the higher of the two would rate
    every rare licence clause like a likely outage.
    """
    product = int(likelihood) * int(impact)
    return Level.HIGH if product >= 6 else Level.MEDIUM if product >= 3 else Level.LOW


@dataclass
class _Draft:
    category: RiskCategory
    text: str
    mitigation: str
    likelihood: Level
    impact: Level
    source: str
    options: list[str] = field(default_factory=list)


class _Register:
    def __init__(self) -> None:
        self.drafts: dict[tuple[RiskCategory, str], _Draft] = {}

    def add(
        self,
        option: str,
        category: RiskCategory,
        text: str,
        mitigation: str,
        likelihood: Level,
        impact: Level,
        source: str = "",
    ) -> None:
        key = (category, text)
        d = self.drafts.get(key)
        if d is None:
            d = self.drafts[key] = _Draft(category, text, mitigation, likelihood, impact, source)
        if option not in d.options:
            d.options.append(option)

    def risks(self) -> tuple[Risk, ...]:
        out = [
            Risk(
                category=d.category,
                severity=severity(d.likelihood, d.impact),
                text=d.text,
                mitigation=d.mitigation,
                likelihood=d.likelihood,
                impact=d.impact,
                options=tuple(d.options),
                source=d.source,
            )
            for d in self.drafts.values()
        ]
        out.sort(key=lambda r: (-r.severity, -r.likelihood, r.category.value, r.text))
        return tuple(out)


def _api_risks(reg: _Register, plan: DeployPlan, opt: Option) -> None:
    w = plan.scenario.workload
    protected = w.data_sensitivity in PROTECTED
    for mid, name, need in api_needs(plan, opt):
        ep = plan.endpoints.get(mid)
        if ep is not None:
            if ep.eligibility:
                reg.add(
                    opt.name,
                    RiskCategory.COMPLIANCE,
                    f"{name} on {ep.endpoint} (data processed in {where(ep.processing)}) needs "
                    f"{ep.eligibility}",
                    "Confirm eligibility with the provider before committing; otherwise use "
                    "another endpoint in the same region.",
                    Level.MEDIUM,
                    Level.HIGH,
                    ep.source,
                )
            if "global" in ep.processing and protected:
                reg.add(
                    opt.name,
                    RiskCategory.RESIDENCY,
                    f"{ep.endpoint} makes no commitment on where {name} processes your "
                    f"{w.data_sensitivity} data",
                    "Use a regional endpoint (e.g. in your own cloud account) or set the "
                    "scenario's residency so only pinned endpoints qualify.",
                    Level.MEDIUM,
                    Level.MEDIUM,
                    ep.source,
                )
            if protected and not ep.zero_retention:
                reg.add(
                    opt.name,
                    RiskCategory.SECURITY,
                    f"No zero-data-retention commitment on record for {ep.endpoint}: "
                    f"{w.data_sensitivity} prompts may be stored by the provider",
                    "Negotiate zero data retention or confirm the retention period in the DPA.",
                    Level.MEDIUM,
                    Level.MEDIUM,
                    ep.source,
                )
        if need.status == "ok" and need.tier is not None and need.tier.rank > 1:
            reg.add(
                opt.name,
                RiskCategory.CAPACITY,
                "Peak load is throttled until the account reaches the tier: " + need.text(name),
                "Reach the tier before launch (it takes spend and waiting days) or ask the "
                "provider for higher limits.",
                Level.HIGH if need.tier.rank >= 4 else Level.MEDIUM,
                Level.HIGH,
                need.tier.source,
            )
        elif need.status == "above_known" and need.highest is not None:
            reg.add(
                opt.name,
                RiskCategory.CAPACITY,
                need.text(name),
                "Ask the provider for the higher tier's limits or for provisioned throughput "
                "before launch.",
                Level.HIGH,
                Level.HIGH,
                need.highest.source,
            )
        elif need.status == "unknown":
            reg.add(
                opt.name,
                RiskCategory.CAPACITY,
                need.text(name),
                "Check the account's rate limits against the peak before launch.",
                Level.LOW,
                Level.MEDIUM,
            )


def _licence_risks(reg: _Register, plan: DeployPlan, opt: Option) -> None:
    if opt.sized is None:
        return
    lic = plan.licences.get(opt.sized.model)
    w = plan.scenario.workload
    if lic is None:
        reg.add(
            opt.name,
            RiskCategory.LICENCE,
            f"No licence record for {opt.sized.model}: its terms were not checked",
            "Have legal review the model's licence before deployment.",
            Level.MEDIUM,
            Level.HIGH,
        )
        return
    unverified = " (terms not re-verified)" if lic.basis == "assumption" else ""
    if lic.monthly_active_users_limit and w.monthly_active_users is None:
        reg.add(
            opt.name,
            RiskCategory.LICENCE,
            f"{lic.name}: above {lic.monthly_active_users_limit:,} monthly active users a "
            f"separate licence is needed{unverified}",
            "State the product's monthly active users in the scenario so the limit is checked.",
            Level.LOW,
            Level.HIGH,
            lic.source,
        )
    if lic.eu_domicile_excluded and w.organisation_domicile == "":
        reg.add(
            opt.name,
            RiskCategory.LICENCE,
            f"{lic.name} grants no rights to companies with their principal place of business "
            "in the EU (multimodal models)",
            "State the organisation's domicile in the scenario; an EU company must pick another "
            "model.",
            Level.MEDIUM,
            Level.HIGH,
            lic.source,
        )
    if lic.acceptable_use_policy:
        reg.add(
            opt.name,
            RiskCategory.LICENCE,
            f"{lic.name}: use must follow its acceptable-use policy{unverified}",
            f"Review {lic.acceptable_use_policy} against your use cases.",
            Level.LOW,
            Level.MEDIUM,
            lic.source,
        )
    if lic.other_terms:
        reg.add(
            opt.name,
            RiskCategory.LICENCE,
            f"{lic.name}: {lic.other_terms}",
            "Have legal confirm your use is covered.",
            Level.LOW,
            Level.HIGH,
            lic.source,
        )


def _hardware_risks(reg: _Register, plan: DeployPlan, opt: Option) -> None:
    w = plan.scenario.workload
    hiring = plan.scenario.team.hiring_months
    if opt.gpu is not None:
        cls = plan.gpu_classes.get(opt.gpu.id)
        if cls is not None and cls.datacentre_use == "not_permitted":
            reg.add(
                opt.name,
                RiskCategory.HARDWARE,
                f"{opt.gpu.name} is a {cls.deployment_class} card: {cls.licence_terms}",
                "Use data-centre or workstation-class GPUs, or have legal confirm the "
                "deployment is not a data centre.",
                Level.HIGH,
                Level.HIGH,
                cls.source,
            )
    if opt.offer is not None:
        h = plan.hosting.get(opt.offer.id)
        provider = opt.offer.provider
        if h is not None and h.host_class != "first_party":
            reg.add(
                opt.name,
                RiskCategory.SECURITY,
                f"{provider} runs this offer on "
                f"{HOST_CLASS_LABELS.get(h.host_class, h.host_class)}",
                "Review the provider's security terms and the hosts' certifications; prefer "
                "first-party data centres for sensitive data.",
                Level.MEDIUM,
                Level.HIGH if w.data_sensitivity in PROTECTED else Level.MEDIUM,
                h.source,
            )
        if h is not None and "global" in h.jurisdictions:
            reg.add(
                opt.name,
                RiskCategory.RESIDENCY,
                f"{provider}'s price is for a pool not pinned to a location: the data centre "
                "that runs the deployment is not fixed",
                "Pin the data centre (region) when ordering.",
                Level.MEDIUM,
                Level.MEDIUM,
                h.source,
            )
        elif h is not None and len(h.jurisdictions) > 1:
            reg.add(
                opt.name,
                RiskCategory.RESIDENCY,
                f"{provider} can run this offer in {where(h.jurisdictions)}: the region must be "
                "chosen and its stock of the GPU checked",
                "Pin the region in the order and confirm the GPU is stocked there.",
                Level.LOW,
                Level.MEDIUM,
                h.source,
            )
        if h is not None and not h.certifications:
            reg.add(
                opt.name,
                RiskCategory.COMPLIANCE,
                f"No security certification (SOC 2, ISO 27001) on record for {provider}'s offer",
                "Ask the provider for its attestations before moving data there.",
                Level.MEDIUM,
                Level.MEDIUM,
                h.source,
            )
        lt = lead_time_for(plan, opt.offer.gpu, "rental")
        if lt is not None:
            reg.add(
                opt.name,
                RiskCategory.SUPPLY,
                f"Rented GPU capacity or quota may not be available on demand "
                f"({lt.low_weeks:g}-{lt.high_weeks:g} weeks to secure)",
                "Request quota early and keep a second provider qualified.",
                Level.LOW,
                Level.MEDIUM,
                lt.source,
            )
    if opt.purchased_gpus and opt.gpu is not None:
        lt = lead_time_for(plan, opt.gpu.id, "purchase")
        if lt is not None:
            late = lt.high_weeks / WEEKS_PER_MONTH > hiring
            reg.add(
                opt.name,
                RiskCategory.SUPPLY,
                f"GPU servers ({opt.gpu.name}) take {lt.low_weeks:g}-{lt.high_weeks:g} weeks to "
                "arrive",
                "Order early and bridge with an API or rented GPUs until delivery.",
                Level.HIGH if late else Level.MEDIUM,
                Level.MEDIUM,
                lt.source,
            )


def risk_register(plan: DeployPlan, options: Sequence[Option]) -> tuple[Risk, ...]:
    """The risks of the allowed options, from the records behind them (not from sentences).

    Args:
        plan: The constraints' plan (records used for each API model, offer, model, GPU).
        options: The options as ranked (names identify them in ``Risk.options``).

    Returns:
        Risks with category, likelihood, impact, mitigation and the options they affect,
        most severe first.
    """
    reg = _Register()
    for opt in options:
        if not opt.allowed:
            continue
        _api_risks(reg, plan, opt)
        _licence_risks(reg, plan, opt)
        _hardware_risks(reg, plan, opt)
    return reg.risks()
