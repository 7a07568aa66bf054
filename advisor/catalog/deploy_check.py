"""Checks of the deployability records: coverage of every model, GPU and offer, and valid values."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from advisor.catalog.deploy_records import (
    CERTIFICATIONS,
    DEPLOYMENT_CLASSES,
    HOST_CLASSES_API,
    HOST_CLASSES_CLOUD,
    CloudHosting,
)
from advisor.catalog.snapshot import Catalog


def hosting_for(catalog: Catalog, offer_id: str) -> CloudHosting | None:
    """The hosting record of a cloud offer: the one with the longest matching glob."""
    best: tuple[int, CloudHosting] | None = None
    for h in catalog.hosting:
        for pattern in h.offers:
            if fnmatchcase(offer_id, pattern) and (best is None or len(pattern) > best[0]):
                best = (len(pattern), h)
    return best[1] if best else None


def check_deployability(catalog: Catalog) -> tuple[list[str], list[str], dict[str, Any]]:
    """Every open model has a licence, every GPU a class, every offer a hosting record.

    Returns:
        (problems, warnings, counts) in the shape of ``check_catalog``'s parts.
    """
    problems: list[str] = []
    warnings: list[str] = []
    covered: dict[str, list[str]] = {}
    for lic in catalog.licences:
        for mid in lic.models:
            covered.setdefault(mid, []).append(lic.id)
    model_ids = {m.id for m in catalog.models}
    for m in catalog.models:
        ids = covered.get(m.id, [])
        if not ids:
            problems.append(f"open model {m.id}: no licence record in model_licences.yaml")
        elif len(ids) > 1:
            problems.append(
                f"open model {m.id}: in more than one licence record ({', '.join(ids)})"
            )
    for mid in sorted(set(covered) - model_ids):
        problems.append(f"licence record names unknown open model {mid}")
    classes = {c.id: c for c in catalog.gpu_classes}
    for g in catalog.gpus:
        if g.id not in classes:
            problems.append(f"GPU {g.id}: no deployment class in gpu_classes.yaml")
    for c in catalog.gpu_classes:
        if c.deployment_class not in DEPLOYMENT_CLASSES:
            problems.append(
                f"gpu class {c.id}: deployment_class must be one of {', '.join(DEPLOYMENT_CLASSES)}"
            )
        if c.id not in {g.id for g in catalog.gpus}:
            problems.append(f"gpu class {c.id}: unknown GPU")
    for o in catalog.cloud_offers:
        if hosting_for(catalog, o.id) is None:
            message = f"cloud offer {o.id}: no hosting record in cloud_hosting.yaml"
            if o.basis == "imported":
                # A downloaded price in a region we have not reviewed: the constraints leave it
                # out whenever residency or sensitivity matters, so it is a warning, not a fault.
                warnings.append(f"{message} (imported; left out under residency rules)")
            else:
                problems.append(message)
    for h in catalog.hosting:
        if h.host_class not in HOST_CLASSES_CLOUD:
            problems.append(
                f"hosting {h.id}: host_class must be one of {', '.join(HOST_CLASSES_CLOUD)}"
            )
    for e in catalog.endpoints:
        if e.host_class not in HOST_CLASSES_API:
            problems.append(
                f"endpoint {e.id}: host_class must be one of {', '.join(HOST_CLASSES_API)}"
            )
    certified: list[tuple[str, tuple[str, ...]]] = [
        *((e.id, e.certifications) for e in catalog.endpoints),
        *((h.id, h.certifications) for h in catalog.hosting),
    ]
    for rid, certs in certified:
        bad = [c for c in certs if c not in CERTIFICATIONS]
        if bad:
            problems.append(f"{rid}: unknown certification {', '.join(bad)}")
    scored_providers = {s.model[4:].split("/")[0] for s in catalog.scores if s.model[:4] == "api:"}
    with_endpoint = {e.provider for e in catalog.endpoints}
    for p in sorted(scored_providers - with_endpoint):
        warnings.append(f"API provider {p} has scored models but no endpoint record (residency)")
    for t in catalog.lead_times:
        if t.low_weeks > t.high_weeks:
            problems.append(f"lead time {t.id}: low_weeks is above high_weeks")
    counts = {
        "api_endpoints": len(catalog.endpoints),
        "cloud_hosting": len(catalog.hosting),
        "gpu_classes": len(catalog.gpu_classes),
        "model_licences": len(catalog.licences),
        "rate_limit_tiers": len(catalog.rate_limits),
        "lead_times": len(catalog.lead_times),
    }
    return problems, warnings, counts
