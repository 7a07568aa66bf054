"""Seed kinds (file, table, fields) of the deployability records; registered in seeds.SEED_KINDS.

This module imports nothing from ``seeds`` (which imports it), so the field kinds are spelled
out: they are the same strings as ``seeds.STR`` and friends.
"""

from __future__ import annotations

from collections.abc import Mapping

STR, INT, NUM, BOOL, STRLIST = "str", "int", "num", "bool", "strlist"

# (kind name, seed file, table, fields {name: (field kind, required)})
DeploySpec = tuple[str, str, str, Mapping[str, tuple[str, bool]]]

DEPLOY_KINDS: tuple[DeploySpec, ...] = (
    (
        "endpoint",
        "api_endpoints.yaml",
        "api_endpoints",
        {
            "id": (STR, True),
            "provider": (STR, True),
            "models": (STRLIST, True),
            "operator": (STR, True),
            "endpoint": (STR, True),
            "processing": (STRLIST, True),
            "storage": (STRLIST, False),
            "host_class": (STR, True),
            "certifications": (STRLIST, False),
            "zero_retention": (BOOL, False),
            "eligibility": (STR, False),
        },
    ),
    (
        "hosting",
        "cloud_hosting.yaml",
        "cloud_hosting",
        {
            "id": (STR, True),
            "provider": (STR, True),
            "offers": (STRLIST, True),
            "jurisdictions": (STRLIST, True),
            "host_class": (STR, True),
            "certifications": (STRLIST, False),
        },
    ),
    (
        "gpu_class",
        "gpu_classes.yaml",
        "gpu_classes",
        {
            "id": (STR, True),
            "deployment_class": (STR, True),
            "datacentre_use": (STR, True),
            "licence_terms": (STR, True),
        },
    ),
    (
        "licence",
        "model_licences.yaml",
        "model_licences",
        {
            "id": (STR, True),
            "name": (STR, True),
            "models": (STRLIST, True),
            "commercial_use": (BOOL, True),
            "monthly_active_users_limit": (INT, False),
            "eu_domicile_excluded": (BOOL, False),
            "acceptable_use_policy": (STR, False),
            "attribution": (STR, False),
            "output_use": (STR, False),
            "other_terms": (STR, False),
        },
    ),
    (
        "rate_limit",
        "rate_limits.yaml",
        "rate_limits",
        {
            "id": (STR, True),
            "provider": (STR, True),
            "models": (STRLIST, True),
            "tier": (STR, True),
            "rank": (INT, True),
            "rpm": (INT, False),
            "tpm": (INT, False),
            "otpm": (INT, False),
            "tpm_counts": (STR, False),
            "qualification": (STR, False),
            "top_tier": (BOOL, False),
        },
    ),
    (
        "lead_time",
        "lead_times.yaml",
        "lead_times",
        {
            "id": (STR, True),
            "applies_to": (STR, True),
            "how": (STR, True),
            "low_weeks": (NUM, True),
            "high_weeks": (NUM, True),
        },
    ),
)
DEPLOY_KIND_NAMES = frozenset(k[0] for k in DEPLOY_KINDS)
