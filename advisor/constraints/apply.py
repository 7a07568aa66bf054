"""Filter the catalog by a scenario's residency, sensitivity, hardware and licence rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from advisor.catalog.deploy_check import hosting_for
from advisor.catalog.deploy_records import (
    GLOBAL,
    ApiEndpoint,
    CloudHosting,
    GpuClass,
    ModelLicence,
)
from advisor.catalog.records import ApiModel, CloudOffer, OpenModel
from advisor.catalog.snapshot import Catalog, with_records
from advisor.constraints.exclusion import Exclusion, ExclusionRule
from advisor.constraints.ratelimits import needed_tier, peak_load
from advisor.cost.options import is_reasoning_api
from advisor.scenario.model import Scenario

RESTRICTED = ("restricted", "regulated")  # the regulated level of data sensitivity
PROTECTED = ("confidential", *RESTRICTED)
HOST_CLASS_LABELS = {
    "first_party": "the provider's own data centres",
    "partner_datacentre": "partner data centres run for the provider",
    "marketplace": "independent sellers on a marketplace",
    "community": "individual community hosts",
    "cloud_tenancy": "your own cloud account",
    "inference_host": "a third-party inference host",
}
JURISDICTION_LABELS = {
    "eu": "the EU",
    "uk": "the UK",
    "us": "the US",
    "cn": "China",
    GLOBAL: "anywhere",
}


def where(codes: tuple[str, ...]) -> str:
    """Jurisdiction codes in words: ('eu', 'uk') -> 'the EU or the UK'."""
    return " or ".join(JURISDICTION_LABELS.get(c, c.upper()) for c in codes) or "an unknown place"


@dataclass(frozen=True)
class DeployPlan:
    """The scenario and catalog after the constraints, with what was left out and why.

    Attributes:
        scenario: the scenario, minus owned GPUs that may not be used.
        catalog: the catalog minus excluded API models, cloud offers, GPUs and open models.
        source: the catalog before filtering (for names and records).
        exclusions: what was left out, each with its rule and reason.
        warnings: plain-words summaries for the warnings list.
        endpoints: API model id -> the endpoint that satisfies the constraints.
        licences: open model id -> its licence record.
        hosting: cloud offer id -> its hosting record.
        gpu_classes: GPU id -> its deployment class record.
    """

    scenario: Scenario
    catalog: Catalog
    source: Catalog
    exclusions: tuple[Exclusion, ...] = ()
    warnings: tuple[str, ...] = ()
    endpoints: Mapping[str, ApiEndpoint] = field(default_factory=dict)
    licences: Mapping[str, ModelLicence] = field(default_factory=dict)
    hosting: Mapping[str, CloudHosting] = field(default_factory=dict)
    gpu_classes: Mapping[str, GpuClass] = field(default_factory=dict)


def endpoints_for(catalog: Catalog, model: ApiModel) -> list[ApiEndpoint]:
    """Endpoint records that serve an API model (provider and a matching model glob)."""
    return [
        e
        for e in catalog.endpoints
        if e.provider == model.provider and any(fnmatchcase(model.model, g) for g in e.models)
    ]


def licence_for(catalog: Catalog, model_id: str) -> ModelLicence | None:
    return next((lic for lic in catalog.licences if model_id in lic.models), None)


def _endpoint_sensitivity_problem(e: ApiEndpoint, level: str) -> str:
    if level not in PROTECTED:
        return ""
    if "dpa" not in e.certifications:
        return f"{e.endpoint}: no data-processing agreement (DPA) on record"
    if level in RESTRICTED:
        if not {"soc2", "iso27001"} & set(e.certifications):
            return f"{e.endpoint}: no SOC 2 or ISO 27001 attestation on record"
        if e.host_class == "inference_host":
            return f"{e.endpoint}: {HOST_CLASS_LABELS['inference_host']}"
    return ""


def _hosting_sensitivity_problem(h: CloudHosting, level: str) -> str:
    if level not in PROTECTED:
        return ""
    if h.host_class in ("community", "marketplace"):
        return f"runs on {HOST_CLASS_LABELS[h.host_class]}"
    if level in RESTRICTED:
        if h.host_class != "first_party":
            return f"runs on {HOST_CLASS_LABELS.get(h.host_class, h.host_class)}"
        if not {"soc2", "iso27001"} & set(h.certifications):
            return "no SOC 2 or ISO 27001 attestation on record"
    return ""


def _api_scope(scenario: Scenario, catalog: Catalog) -> list[ApiModel]:
    """The API models the comparison would consider (scored, allowed provider)."""
    from advisor.cost.market import has_scores

    scored = {s.model[4:] for s in catalog.scores if s.model.startswith("api:")}
    allowed = set(scenario.preferences.api_providers)
    # Hosted open-weight models carry their open model's scores, so they are in scope too.
    return [
        m
        for m in catalog.api_models
        if (not allowed or m.provider in allowed) and has_scores(catalog, m, scored)
    ]


def _check_api(
    scenario: Scenario, catalog: Catalog, model: ApiModel
) -> tuple[ApiEndpoint | None, Exclusion | None]:
    w = scenario.workload
    residency, level = w.data_residency, w.data_sensitivity
    name = f"{model.provider_name} {model.name}"
    eps = endpoints_for(catalog, model)
    if not eps:
        if residency in ("eu", "uk", "us") or level in PROTECTED:
            rule = ExclusionRule.RESIDENCY if residency != "any" else ExclusionRule.SENSITIVITY
            return None, Exclusion(
                "api_model",
                model.id,
                name,
                rule,
                f"no endpoint of {model.provider_name} is on record with where it processes data "
                "and the agreements it offers",
            )
        return None, None
    in_region = eps if residency == "any" else [e for e in eps if set(e.processing) <= {residency}]
    if not in_region:
        seen = "; ".join(f"{e.endpoint}: {where(e.processing)}" for e in eps)
        return None, Exclusion(
            "api_model",
            model.id,
            name,
            ExclusionRule.RESIDENCY,
            f"no endpoint processes the data only in {where((residency,))} ({seen})",
            eps[0].source,
        )
    problems = [_endpoint_sensitivity_problem(e, level) for e in in_region]
    ok = [e for e, why in zip(in_region, problems, strict=True) if not why]
    if not ok:
        return None, Exclusion(
            "api_model",
            model.id,
            name,
            ExclusionRule.SENSITIVITY,
            f"{level} data: " + "; ".join(problems),
            in_region[0].source,
        )
    # Prefer an endpoint that needs no special eligibility (e.g. an enterprise agreement).
    ok.sort(key=lambda e: (e.eligibility is not None, e.host_class != "first_party"))
    return ok[0], None


def _check_rate(scenario: Scenario, catalog: Catalog, model: ApiModel) -> Exclusion | None:
    """Out when even the smallest task's peak exceeds the highest self-serve tier published."""
    shares = [t.share for t in scenario.workload.tasks if t.share > 0]
    if not shares:
        return None
    need = needed_tier(catalog, model, peak_load(scenario, min(shares), is_reasoning_api(model)))
    if need.status != "above_top":
        return None
    assert need.highest is not None
    name = f"{model.provider_name} {model.name}"
    return Exclusion(
        "api_model",
        model.id,
        name,
        ExclusionRule.RATE_LIMIT,
        need.text(name) + " (even serving only your smallest task)",
        need.highest.source,
    )


def _check_offer(
    scenario: Scenario, offer: CloudOffer, hosting: CloudHosting | None, gpu_name: str
) -> Exclusion | None:
    w = scenario.workload
    residency, level = w.data_residency, w.data_sensitivity
    name = f"{offer.provider} {offer.instance} ({offer.region or 'no region'}, {gpu_name})"
    if hosting is None:
        if residency != "any" or level in PROTECTED:
            return Exclusion(
                "cloud_offer",
                offer.id,
                name,
                ExclusionRule.RESIDENCY if residency != "any" else ExclusionRule.SENSITIVITY,
                "no hosting record says where this offer runs or who runs it",
            )
        return None
    if residency in ("eu", "uk", "us") and residency not in hosting.jurisdictions:
        if GLOBAL in hosting.jurisdictions:
            why = (
                f"the price is for region '{offer.region}', a pool not pinned to "
                f"{where((residency,))}"
            )
        else:
            why = (
                f"runs in {where(hosting.jurisdictions)} ({offer.region}), "
                f"not {where((residency,))}"
            )
        return Exclusion(
            "cloud_offer", offer.id, name, ExclusionRule.RESIDENCY, why, hosting.source
        )
    problem = _hosting_sensitivity_problem(hosting, level)
    if problem:
        return Exclusion(
            "cloud_offer",
            offer.id,
            name,
            ExclusionRule.SENSITIVITY,
            f"{level} data: {problem}",
            hosting.source,
        )
    return None


def _check_model(
    scenario: Scenario, model: OpenModel, lic: ModelLicence | None
) -> Exclusion | None:
    if lic is None:
        return None
    w = scenario.workload
    name = f"{model.name} ({lic.name})"
    if not lic.commercial_use:
        why = "the licence does not permit commercial use"
    elif (
        lic.monthly_active_users_limit is not None
        and w.monthly_active_users is not None
        and w.monthly_active_users > lic.monthly_active_users_limit
    ):
        why = (
            f"your {w.monthly_active_users:,.0f} monthly active users exceed the licence's "
            f"{lic.monthly_active_users_limit:,} (a separate licence from the licensor is needed)"
        )
    elif lic.eu_domicile_excluded and w.organisation_domicile == "eu":
        why = (
            "the licence grants no rights to a company with its principal place of business "
            "in the EU (multimodal models)"
        )
    else:
        return None
    return Exclusion("open_model", model.id, name, ExclusionRule.MODEL_LICENCE, why, lic.source)


def apply_constraints(scenario: Scenario, catalog: Catalog) -> DeployPlan:
    """Leave out what the scenario's rules forbid, and say what and why.

    Residency (eu, uk, us) keeps API models with an endpoint that processes only there and cloud
    offers placeable there; confidential data excludes community and marketplace hosts and API
    endpoints without a DPA; restricted (regulated) data also needs SOC 2 or ISO 27001 and the
    provider's own data centres. Consumer GPUs, whose driver licence forbids data-centre use, are
    left out unless the deployment is a workstation (bought cards) or the risk is accepted.
    Open models whose licence the scenario breaks are left out. On-premises residency is
    enforced where options are built (APIs and rentals stay visible as not allowed).

    Args:
        scenario: The buyer's situation.
        catalog: The full catalog.

    Returns:
        The plan: filtered scenario and catalog, exclusions, warnings and the records used.
    """
    w, hw = scenario.workload, scenario.hardware
    exclusions: list[Exclusion] = []
    warnings: list[str] = []
    on_premises = w.data_residency == "on_premises"

    endpoints: dict[str, ApiEndpoint] = {}
    dropped_api: set[str] = set()
    for m in _api_scope(scenario, catalog):
        if on_premises:
            continue
        ep, exc = _check_api(scenario, catalog, m)
        if exc is None:
            exc = _check_rate(scenario, catalog, m)
        if exc is not None:
            exclusions.append(exc)
            dropped_api.add(m.id)
        elif ep is not None:
            endpoints[m.id] = ep

    classes = {c.id: c for c in catalog.gpu_classes}
    gpu_name = {g.id: g.name for g in catalog.gpus}
    dropped_gpus: set[str] = set()
    no_rental_gpus: set[str] = set()
    for g in catalog.gpus:
        c = classes.get(g.id)
        if c is None or c.datacentre_use != "not_permitted":
            continue
        owned_ok = hw.deployment == "workstation" or hw.accept_consumer_gpu_risk
        if not hw.accept_consumer_gpu_risk:
            no_rental_gpus.add(g.id)
        if not owned_ok:
            dropped_gpus.add(g.id)
            exclusions.append(
                Exclusion(
                    "gpu",
                    g.id,
                    g.name,
                    ExclusionRule.HARDWARE_LICENCE,
                    f"{c.deployment_class} card: {c.licence_terms} The deployment is "
                    f"'{hw.deployment}'; set it to workstation or accept the risk to include it",
                    c.source,
                )
            )

    hosting: dict[str, CloudHosting] = {}
    dropped_offers: set[str] = set()
    allowed_providers = set(hw.cloud_providers)
    for o in catalog.cloud_offers:
        h = hosting_for(catalog, o.id)
        if h is not None:
            hosting[o.id] = h
        if o.gpu in dropped_gpus:
            dropped_offers.add(o.id)
            continue
        if (allowed_providers and o.provider not in allowed_providers) or on_premises:
            continue
        if o.gpu in no_rental_gpus:
            c = classes[o.gpu]
            dropped_offers.add(o.id)
            exclusions.append(
                Exclusion(
                    "cloud_offer",
                    o.id,
                    f"{o.provider} {o.instance} ({gpu_name.get(o.gpu, o.gpu)})",
                    ExclusionRule.HARDWARE_LICENCE,
                    f"a consumer card in a data centre: {c.licence_terms}",
                    c.source,
                )
            )
            continue
        exc = _check_offer(scenario, o, h, gpu_name.get(o.gpu, o.gpu))
        if exc is not None:
            exclusions.append(exc)
            dropped_offers.add(o.id)

    licences: dict[str, ModelLicence] = {}
    dropped_models: set[str] = set()
    for model in catalog.models:
        lic = licence_for(catalog, model.id)
        if lic is not None:
            licences[model.id] = lic
        exc = _check_model(scenario, model, lic)
        if exc is not None:
            exclusions.append(exc)
            dropped_models.add(model.id)

    owned = []
    for mine in hw.owned:
        gid = catalog.gpu(mine.gpu).id
        if gid in dropped_gpus:
            exclusions.append(
                Exclusion(
                    "owned_gpus",
                    gid,
                    f"your {mine.count} x {gpu_name.get(gid, gid)}",
                    ExclusionRule.HARDWARE_LICENCE,
                    "consumer cards you own may not serve from a data centre under their driver "
                    "licence; set hardware.deployment to workstation or accept the risk",
                    classes[gid].source,
                )
            )
            warnings.append(
                f"Your {mine.count} x {gpu_name.get(gid, gid)} are left out: consumer cards may "
                "not serve from a data centre under their driver licence."
            )
        else:
            owned.append(mine)

    kinds = (
        ("api_model", "API model"),
        ("cloud_offer", "cloud offer"),
        ("gpu", "GPU"),
        ("open_model", "open model"),
    )
    listed = []
    for kind, word in kinds:
        n = sum(1 for x in exclusions if x.kind == kind)
        if n:
            listed.append(f"{n} {word}{'' if n == 1 else 's'}")
    if listed:
        warnings.append(
            f"The scenario's residency, data and licence rules left out {', '.join(listed)}; "
            "the exclusions list says which and why."
        )
    filtered = with_records(
        catalog,
        api_models=[m for m in catalog.api_models if m.id not in dropped_api],
        cloud_offers=[o for o in catalog.cloud_offers if o.id not in dropped_offers],
        gpus=[g for g in catalog.gpus if g.id not in dropped_gpus],
        models=[m for m in catalog.models if m.id not in dropped_models],
    )
    new_scenario = scenario
    if len(owned) != len(hw.owned):
        new_scenario = dataclasses.replace(
            scenario, hardware=dataclasses.replace(hw, owned=tuple(owned))
        )
    return DeployPlan(
        scenario=new_scenario,
        catalog=filtered,
        source=catalog,
        exclusions=tuple(exclusions),
        warnings=tuple(warnings),
        endpoints=endpoints,
        licences=licences,
        hosting=hosting,
        gpu_classes=classes,
    )
