"""Deployability records: API endpoints, hosting, GPU classes, licences, rate limits, lead times."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.catalog.records import Sourced

# Jurisdiction codes used by the records and by a scenario's residency.
GLOBAL = "global"  # a price or endpoint whose processing location is not pinned
HOST_CLASSES_API = ("first_party", "cloud_tenancy", "inference_host")
HOST_CLASSES_CLOUD = ("first_party", "partner_datacentre", "marketplace", "community")
DEPLOYMENT_CLASSES = ("datacentre", "workstation", "consumer")
CERTIFICATIONS = ("soc2", "iso27001", "hipaa_baa", "dpa")
CERTIFICATION_LABELS = {
    "soc2": "SOC 2",
    "iso27001": "ISO 27001",
    "hipaa_baa": "HIPAA BAA",
    "dpa": "GDPR DPA",
}


@dataclass(frozen=True)
class ApiEndpoint(Sourced):
    """Where an API provider's models can be called and where the data is then processed."""

    id: str = ""
    provider: str = ""
    models: tuple[str, ...] = ("*",)
    operator: str = ""
    endpoint: str = ""
    processing: tuple[str, ...] = ()
    storage: tuple[str, ...] = ()
    host_class: str = "first_party"
    certifications: tuple[str, ...] = ()
    zero_retention: bool = False
    eligibility: str | None = None


@dataclass(frozen=True)
class CloudHosting(Sourced):
    """Where the cloud offers matching ``offers`` run and who runs the machines."""

    id: str = ""
    provider: str = ""
    offers: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    host_class: str = "first_party"
    certifications: tuple[str, ...] = ()


@dataclass(frozen=True)
class GpuClass(Sourced):
    """A GPU's deployment class and the licence terms that say where it may run (id = GPU id)."""

    id: str = ""
    deployment_class: str = "datacentre"
    datacentre_use: str = "permitted"
    licence_terms: str = ""


@dataclass(frozen=True)
class ModelLicence(Sourced):
    """One open-weight licence and the open models it covers."""

    id: str = ""
    name: str = ""
    models: tuple[str, ...] = ()
    commercial_use: bool = True
    monthly_active_users_limit: int | None = None
    eu_domicile_excluded: bool = False
    acceptable_use_policy: str | None = None
    attribution: str | None = None
    output_use: str | None = None
    other_terms: str | None = None


@dataclass(frozen=True)
class RateLimit(Sourced):
    """One published usage tier of an API provider for the models matching ``models``."""

    id: str = ""
    provider: str = ""
    models: tuple[str, ...] = ("*",)
    tier: str = ""
    rank: int = 1
    rpm: int | None = None
    tpm: int | None = None
    otpm: int | None = None
    tpm_counts: str | None = None  # "input" or "total"
    qualification: str | None = None
    top_tier: bool = False


@dataclass(frozen=True)
class LeadTime(Sourced):
    """Weeks until hardware of a deployment class can serve, bought or rented."""

    id: str = ""
    applies_to: str = "datacentre"
    how: str = "purchase"
    low_weeks: float = 0.0
    high_weeks: float = 0.0
