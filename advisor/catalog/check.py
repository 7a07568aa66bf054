"""Integrity and completeness of the catalog against what the product promises to cover."""

from __future__ import annotations

from typing import Any

from advisor.catalog.deploy_check import check_deployability
from advisor.catalog.price_data import provenance
from advisor.catalog.snapshot import Catalog

REQUIRED_MODELS = [
    "llama-2-7b",
    "llama-2-13b",
    "llama-2-70b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-3.3-70b",
    "llama-4-scout",
    "llama-4-maverick",
    "mistral-7b",
    "mixtral-8x7b",
    "mixtral-8x22b",
    "mistral-small-24b",
    "qwen2.5-7b",
    "qwen2.5-14b",
    "qwen2.5-32b",
    "qwen2.5-72b",
    "qwen3-8b",
    "qwen3-14b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "deepseek-v3",
    "deepseek-r1",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "gemma-2-9b",
    "gemma-2-27b",
    "gemma-3-4b",
    "gemma-3-12b",
    "gemma-3-27b",
    "phi-4",
    "gpt-j-6b",
    "falcon-40b",
    "falcon-180b",
]
REQUIRED_GPUS = [
    "b200-sxm-180gb",
    "h200-sxm-141gb",
    "h100-sxm-80gb",
    "h100-pcie-80gb",
    "h100-nvl-94gb",
    "a100-sxm-80gb",
    "a100-sxm-40gb",
    "a100-pcie-80gb",
    "l40s-48gb",
    "l40-48gb",
    "l4-24gb",
    "a10g-24gb",
    "a10-24gb",
    "rtx-a6000-48gb",
    "rtx-6000-ada-48gb",
    "rtx-4090-24gb",
    "rtx-5090-32gb",
    "v100-sxm2-32gb",
    "t4-16gb",
    "mi300x-192gb",
    "mi325x-256gb",
    "gaudi2-96gb",
    "gaudi3-128gb",
]
REQUIRED_ROLES = ("ml_engineer", "mlops_engineer", "research_scientist", "sre")
MINIMUMS = {
    "model": 35,
    "gpu": 22,
    "cloud": 40,
    "scored_models": 40,
    "cloud_providers": 6,
    "staff_regions": 3,
}


def check_catalog(catalog: Catalog) -> dict[str, Any]:
    """Check references between records and coverage of the required contents.

    Returns:
        ``{"ok": bool, "counts": {...}, "problems": [...], "warnings": [...], "data": {...}}``;
        ``data`` says how new the data is and where the prices come from.
    """
    problems: list[str] = []
    warnings: list[str] = []
    gpu_ids = {g.id for g in catalog.gpus}
    model_ids = {m.id for m in catalog.models}
    api_ids = {a.id for a in catalog.api_models}
    scored = {s.model for s in catalog.scores}
    providers = {o.provider for o in catalog.cloud_offers}
    regions = {s.region for s in catalog.staff}
    counts = {
        "api_models": len(catalog.api_models),
        "api_providers": len({a.provider for a in catalog.api_models}),
        "open_models": len(catalog.models),
        "gpus": len(catalog.gpus),
        "cloud_offers": len(catalog.cloud_offers),
        "cloud_providers": len(providers),
        "scores": len(catalog.scores),
        "scored_models": len(scored),
        # API models the engine can choose from: scored directly, or hosted copies of scored
        # open models (see api_extras.yaml open_model).
        "scored_api_models": len(
            {s[4:] for s in scored if s.startswith("api:")} & api_ids
            | {
                f"{e.provider}/{e.model}"
                for e in catalog.api_extras
                if e.open_model in scored and f"{e.provider}/{e.model}" in api_ids
            }
        ),
        "staff_rows": len(catalog.staff),
        "staff_regions": len(regions),
        "assumptions": len(catalog.assumptions),
        "perf_measurements": len(catalog.perf),
    }
    for mid in REQUIRED_MODELS:
        if mid not in model_ids:
            problems.append(f"required open model {mid} is missing")
    for gid in REQUIRED_GPUS:
        if gid not in gpu_ids:
            problems.append(f"required GPU {gid} is missing")
    for key, minimum in (
        ("open_models", MINIMUMS["model"]),
        ("gpus", MINIMUMS["gpu"]),
        ("cloud_offers", MINIMUMS["cloud"]),
        ("scored_models", MINIMUMS["scored_models"]),
        ("cloud_providers", MINIMUMS["cloud_providers"]),
        ("staff_regions", MINIMUMS["staff_regions"]),
    ):
        if counts[key] < minimum:
            problems.append(f"{key}: {counts[key]} (at least {minimum} expected)")
    for region in regions:
        roles = {s.role for s in catalog.staff if s.region == region}
        for role in REQUIRED_ROLES:
            if role not in roles:
                warnings.append(f"staffing: no {role} in region {region}")
    for offer in catalog.cloud_offers:
        if offer.gpu not in gpu_ids:
            problems.append(f"cloud offer {offer.id}: unknown GPU {offer.gpu}")
    for score in catalog.scores:
        if score.model.startswith("api:"):
            if score.model[4:] not in api_ids:
                warnings.append(
                    f"score {score.id}: API model {score.model[4:]} not in genai-prices"
                )
        elif score.model not in model_ids:
            problems.append(f"score {score.id}: unknown open model {score.model}")
    for extra in catalog.api_extras:
        if extra.open_model is None:
            continue
        if extra.open_model not in model_ids:
            problems.append(f"api extra {extra.id}: unknown open model {extra.open_model}")
        if f"{extra.provider}/{extra.model}" not in api_ids:
            warnings.append(f"api extra {extra.id}: hosted model not in genai-prices")
    for perf in catalog.perf:
        if perf.model not in model_ids:
            problems.append(f"measurement {perf.id}: unknown model {perf.model}")
        if perf.gpu not in gpu_ids:
            problems.append(f"measurement {perf.id}: unknown GPU {perf.gpu}")
        if perf.arrivals not in (None, "burst", "steady", "static"):
            problems.append(f"measurement {perf.id}: arrivals must be burst, steady or static")
    for group, records in catalog.seed_groups().items():
        for r in records:
            if not r.source or not r.as_of:
                problems.append(f"{group} {r.id}: missing source or as_of")
    deploy_problems, deploy_warnings, deploy_counts = check_deployability(catalog)
    problems += deploy_problems
    warnings += deploy_warnings
    counts.update(deploy_counts)
    assumed = sum(1 for g in catalog.seed_groups().values() for r in g if r.basis == "assumption")
    counts["records_marked_assumption"] = assumed
    return {
        "ok": not problems,
        "counts": counts,
        "problems": problems,
        "warnings": warnings,
        "data": {what: text for what, text in provenance(catalog.as_of, catalog.meta)},
    }
