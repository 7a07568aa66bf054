"""Cloud GPU offers from the SkyPilot catalog's per-cloud CSVs, merged with our reviewed YAML.

Which value wins (the rule ``advisor catalog update`` applies, also in resources/catalog/README.md):

1. A user's override of a field always wins (applied when the catalog is loaded).
2. For the same provider, instance type and region, the imported on-demand and spot prices replace
   the reviewed YAML's when the import is as new or newer (its as-of date is not older). The YAML
   keeps its GPU id (reviewed), its reserved price and term (SkyPilot has none), and the row keeps
   its YAML id so overrides stay attached.
3. YAML offers SkyPilot lacks (other providers, regions such as ``global``, reserved-only offers)
   stay as they are; imported offers the YAML lacks are added.

An imported row carries the CSV's URL as its source, the download's data date as its as-of date
and ``basis: imported``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from advisor.paths import bundled

MAPPING_FILE = "skypilot_gpus.yaml"
REQUIRED_COLUMNS = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region")
IMPORTED_BASIS = "imported"


@dataclass(frozen=True)
class Rule:
    """One mapping rule: cloud + accelerator name (+ instance-type pattern) -> our GPU id."""

    cloud: str
    accelerator: str
    gpu: str
    instance: re.Pattern[str] | None = None

    def matches(self, cloud: str, accelerator: str, instance: str) -> bool:
        return (
            self.cloud == cloud
            and self.accelerator == accelerator
            and (self.instance is None or bool(self.instance.search(instance)))
        )


@dataclass(frozen=True)
class GpuMapping:
    """The reviewed mapping file: which clouds to import and how their GPUs map to ours."""

    clouds: tuple[str, ...]
    rules: tuple[Rule, ...]

    def gpu_for(self, cloud: str, accelerator: str, instance: str) -> str | None:
        for rule in self.rules:
            if rule.matches(cloud, accelerator, instance):
                return rule.gpu
        return None


def load_mapping() -> GpuMapping:
    """Read resources/catalog/skypilot_gpus.yaml."""
    text = (bundled("resources") / "catalog" / MAPPING_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    rules = tuple(
        Rule(
            cloud=str(r["cloud"]),
            accelerator=str(r["accelerator"]),
            gpu=str(r["gpu"]),
            instance=re.compile(str(r["instance"]), re.IGNORECASE) if r.get("instance") else None,
        )
        for r in data["rules"]
    )
    return GpuMapping(clouds=tuple(str(c) for c in data["clouds"]), rules=rules)


def slug(text: str) -> str:
    """Lower-case id part: runs of anything but letters and digits become one dash."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _price(text: str | None, field: str, line: int) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"line {line}: {field} {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"line {line}: {field} {text!r} is not a price")
    return value


@dataclass(frozen=True)
class ParsedCloud:
    """The GPU offers read from one cloud's CSV, and how many GPU rows no rule mapped."""

    cloud: str
    rows: tuple[dict[str, Any], ...]
    unmapped: int


def parse_vms_csv(
    text: str, cloud: str, mapping: GpuMapping, *, source: str, as_of: str
) -> ParsedCloud:
    """Turn one SkyPilot ``vms.csv`` into catalog cloud-offer rows (one per instance and region).

    Several rows per instance and region (one per availability zone) become one offer: the
    lowest on-demand price (they agree in practice) and the highest spot price, so the spot
    figure is one the buyer can count on in any zone of the region.

    Args:
        text: The CSV text.
        cloud: SkyPilot's cloud name, used as our provider id (``aws``, ``lambda``, ``runpod``).
        mapping: The reviewed accelerator mapping.
        source: The CSV's URL (each row's source).
        as_of: The download's data date (each row's as-of date).

    Returns:
        The parsed offers.

    Raises:
        ValueError: The text is not a SkyPilot vms.csv (missing columns, bad numbers, no GPU rows).
    """
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValueError(f"not a SkyPilot vms.csv: missing column(s) {', '.join(missing)}")
    offers: dict[tuple[str, str], dict[str, Any]] = {}
    unmapped = 0
    gpu_rows = 0
    for line, row in enumerate(reader, start=2):
        if None in row or None in row.values():
            raise ValueError(f"line {line}: wrong number of fields (truncated or damaged file)")
        accelerator = (row["AcceleratorName"] or "").strip()
        instance = (row["InstanceType"] or "").strip()
        if not accelerator or not instance:
            continue  # CPU-only machines, or GCP's accelerator-only rows (no whole instance)
        gpu_rows += 1
        try:
            count_f = float(row["AcceleratorCount"] or "nan")
        except ValueError:
            raise ValueError(
                f"line {line}: AcceleratorCount {row['AcceleratorCount']!r} is not a number"
            ) from None
        on_demand = _price(row.get("Price"), "Price", line)
        spot = _price(row.get("SpotPrice"), "SpotPrice", line)
        if not count_f >= 1 or count_f != int(count_f) or on_demand is None or on_demand == 0:
            continue  # fractional GPUs or no on-demand price: nothing we can compare
        gpu = mapping.gpu_for(cloud, accelerator, instance)
        if gpu is None:
            unmapped += 1
            continue
        region = (row["Region"] or "").strip()
        key = (instance, region)
        known = offers.get(key)
        if known is None:
            offers[key] = {
                "id": f"{cloud}-{slug(instance)}-{slug(region)}",
                "provider": cloud,
                "instance": instance,
                "region": region,
                "gpu": gpu,
                "gpu_count": int(count_f),
                "on_demand": on_demand,
                "spot": spot,
            }
        else:
            known["on_demand"] = min(known["on_demand"], on_demand)
            if spot is not None:
                known["spot"] = spot if known["spot"] is None else max(known["spot"], spot)
    if gpu_rows == 0:
        raise ValueError("no GPU instances in the file")
    rows = tuple(
        {
            "id": o["id"],
            "provider": o["provider"],
            "instance": o["instance"],
            "region": o["region"],
            "gpu": o["gpu"],
            "gpu_count": o["gpu_count"],
            "on_demand_usd_per_hour": str(o["on_demand"]),
            "reserved_usd_per_hour": None,
            "reserved_term": None,
            "spot_usd_per_hour": None if o["spot"] is None else str(o["spot"]),
            "source": source,
            "as_of": as_of,
            "basis": IMPORTED_BASIS,
            "note": f"Imported from the SkyPilot catalog ({cloud} vms.csv) by catalog update.",
        }
        for o in offers.values()
    )
    return ParsedCloud(cloud, rows, unmapped)


def _key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        str(row["provider"]).lower(),
        str(row["instance"]).lower(),
        str(row.get("region") or "").lower(),
    )


def merge_offers(
    reviewed: Iterable[Mapping[str, Any]], imported: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Reviewed YAML offers merged with imported ones by the rule in this module's docstring.

    Returns:
        The cloud-offer rows to store (reviewed order first, then new imported offers).
    """
    by_key = {_key(r): dict(r) for r in imported}
    out: list[dict[str, Any]] = []
    ids: set[str] = set()
    for row in reviewed:
        merged = dict(row)
        new = by_key.pop(_key(row), None)
        if new is not None and str(new["as_of"]) >= str(row.get("as_of") or ""):
            reserved = ""
            if row.get("reserved_usd_per_hour") is not None:
                reserved = (
                    f" Reserved price {row['reserved_usd_per_hour']} ({row.get('reserved_term')}) "
                    f"from {row['source']} as of {row['as_of']}."
                )
            merged.update(
                on_demand_usd_per_hour=new["on_demand_usd_per_hour"],
                spot_usd_per_hour=new["spot_usd_per_hour"],
                source=new["source"],
                as_of=new["as_of"],
                basis=IMPORTED_BASIS,
                note=f"{new['note']} Replaces the reviewed on-demand and spot prices.{reserved}",
            )
        out.append(merged)
        ids.add(str(merged["id"]))
    for row in by_key.values():
        new_row = dict(row)
        if new_row["id"] in ids:
            new_row["id"] = f"{new_row['id']}-skypilot"
        ids.add(new_row["id"])
        out.append(new_row)
    return out
