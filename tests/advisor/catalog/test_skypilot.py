"""SkyPilot vms.csv rows become cloud offers; the merge rule with the reviewed YAML."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from advisor.catalog import skypilot
from advisor.catalog.seeds import SEED_KINDS, load_seed
from advisor.catalog.snapshot import Catalog

AWS_HEADER = (
    "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,"
    "Region,AvailabilityZone\n"
)
RUNPOD_HEADER = (
    "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Region,SpotPrice,"
    "Price,AvailabilityZone\n"
)


def parse(text: str, cloud: str = "aws", as_of: str = "2026-12-01") -> skypilot.ParsedCloud:
    return skypilot.parse_vms_csv(
        text, cloud, skypilot.load_mapping(), source=f"https://x/{cloud}/vms.csv", as_of=as_of
    )


def test_every_mapped_gpu_is_in_the_catalog(catalog: Catalog) -> None:
    gpus = {g.id for g in catalog.gpus}
    mapping = skypilot.load_mapping()
    assert mapping.rules
    assert {r.gpu for r in mapping.rules} <= gpus
    assert {r.cloud for r in mapping.rules} == set(mapping.clouds)


def test_columns_are_read_by_name_whatever_their_order() -> None:
    aws = parse(AWS_HEADER + "g6.xlarge,L4,1.0,4,16,,0.8048,0.3512,us-east-1,use1-az1\n")
    runpod = parse(RUNPOD_HEADER + "1x_L4_SECURE,L4,1.0,4,16,L4,US,0.2,0.43,US-TX-1\n", "runpod")
    assert aws.rows[0]["on_demand_usd_per_hour"] == "0.8048"
    assert aws.rows[0]["spot_usd_per_hour"] == "0.3512"
    assert (runpod.rows[0]["on_demand_usd_per_hour"], runpod.rows[0]["region"]) == ("0.43", "US")


def test_zones_of_a_region_make_one_offer_with_the_highest_spot_price() -> None:
    rows = (
        "p5.48xlarge,H100,8.0,192,2048,,55.04,24.10,us-east-1,use1-az4\n"
        "p5.48xlarge,H100,8.0,192,2048,,55.04,26.50,us-east-1,use1-az6\n"
        "p5.48xlarge,H100,8.0,192,2048,,55.04,,us-east-1,use1-az1\n"
    )
    (offer,) = parse(AWS_HEADER + rows).rows
    assert offer["id"] == "aws-p5-48xlarge-us-east-1"
    assert (offer["gpu"], offer["gpu_count"]) == ("h100-sxm-80gb", 8)
    assert (offer["on_demand_usd_per_hour"], offer["spot_usd_per_hour"]) == ("55.04", "26.50")
    assert (offer["source"], offer["as_of"], offer["basis"]) == (
        "https://x/aws/vms.csv",
        "2026-12-01",
        "imported",
    )


@pytest.mark.parametrize(
    ("cloud", "instance", "accelerator", "gpu"),
    [
        ("lambda", "gpu_1x_h100_pcie", "H100", "h100-pcie-80gb"),
        ("lambda", "gpu_8x_h100_sxm5", "H100", "h100-sxm-80gb"),
        ("aws", "p4d.24xlarge", "A100", "a100-sxm-40gb"),
        ("aws", "p4de.24xlarge", "A100-80GB", "a100-sxm-80gb"),
        ("runpod", "1x_A100-80GB_SECURE", "A100-80GB", "a100-pcie-80gb"),
        ("runpod", "1x_A100-80GB-SXM_SECURE", "A100-80GB-SXM", "a100-sxm-80gb"),
        ("runpod", "1x_H100_SECURE", "H100", "h100-pcie-80gb"),
    ],
)
def test_the_same_accelerator_name_maps_by_cloud_and_instance_type(
    cloud: str, instance: str, accelerator: str, gpu: str
) -> None:
    assert skypilot.load_mapping().gpu_for(cloud, accelerator, instance) == gpu


def test_unmapped_fractional_and_cpu_rows_are_skipped_never_guessed() -> None:
    rows = (
        "a1.large,,,2,4,,0.051,0.051,us-east-1,use1-az2\n"  # no GPU
        "inf2.xlarge,Inferentia2,1.0,4,16,,0.7582,0.21,us-east-1,use1-az1\n"  # no mapping
        "p3.2xlarge,V100,1.0,8,61,,3.06,0.9,us-east-1,use1-az1\n"  # V100 16GB: not ours
        "g6.xlarge,L4,0.5,4,16,,0.40,,us-east-1,use1-az1\n"  # half a GPU
        "g6.xlarge,L4,1.0,4,16,,0.8048,,us-east-1,use1-az1\n"
    )
    parsed = parse(AWS_HEADER + rows)
    assert [r["instance"] for r in parsed.rows] == ["g6.xlarge"]
    assert parsed.unmapped == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("InstanceType,Price\nx,1\n", "missing column(s) AcceleratorName, AcceleratorCount"),
        (AWS_HEADER + "a1.large,,,2,4,,0.051,0.051,us-east-1,use1-az2\n", "no GPU instances"),
        (AWS_HEADER + "g6.xlarge,L4,1.0,4,16,,-1,,us-east-1,az\n", "is not a price"),
        (AWS_HEADER + "g6.xlarge,L4,one,4,16,,1,,us-east-1,az\n", "AcceleratorCount 'one'"),
        (AWS_HEADER + "g6.xlarge,L4,1.0,4,16,,1,,us-east-1\n", "wrong number of fields"),
        ("<html><body>rate limited</body></html>", "missing column"),
    ],
)
def test_a_file_that_is_not_a_skypilot_catalog_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def _reviewed() -> list[dict[str, Any]]:
    return load_seed(SEED_KINDS["cloud"])


def _imported(**changes: Any) -> dict[str, Any]:
    row = {
        "id": "aws-p5-48xlarge-us-east-1",
        "provider": "aws",
        "instance": "p5.48xlarge",
        "region": "us-east-1",
        "gpu": "h100-pcie-80gb",  # deliberately not the reviewed GPU: the reviewed one stays
        "gpu_count": 8,
        "on_demand_usd_per_hour": "50",
        "reserved_usd_per_hour": None,
        "reserved_term": None,
        "spot_usd_per_hour": "20",
        "source": "https://x/aws/vms.csv",
        "as_of": "2099-01-01",
        "basis": "imported",
        "note": "imported",
    }
    return {**row, **changes}


def test_a_newer_import_replaces_on_demand_and_spot_and_keeps_the_reviewed_rest() -> None:
    reviewed = _reviewed()
    before = next(r for r in reviewed if r["id"] == "aws-p5-48xlarge-us-east-1")
    merged = skypilot.merge_offers(reviewed, [_imported()])
    assert len(merged) == len(reviewed)
    after = next(r for r in merged if r["id"] == "aws-p5-48xlarge-us-east-1")
    assert (after["on_demand_usd_per_hour"], after["spot_usd_per_hour"]) == ("50", "20")
    assert (after["source"], after["as_of"], after["basis"]) == (
        "https://x/aws/vms.csv",
        "2099-01-01",
        "imported",
    )
    for field in ("gpu", "gpu_count", "reserved_usd_per_hour", "reserved_term"):
        assert after[field] == before[field]
    assert [r for r in merged if r["id"] != after["id"]] == [
        r for r in reviewed if r["id"] != after["id"]
    ]


def test_an_older_import_leaves_the_reviewed_offer_alone() -> None:
    reviewed = _reviewed()
    merged = skypilot.merge_offers(reviewed, [_imported(as_of="2001-01-01")])
    assert merged == reviewed


def test_an_import_keeps_a_reviewed_reserved_price_and_says_where_it_came_from() -> None:
    reviewed = [
        {
            **_imported(),
            "gpu": "h100-sxm-80gb",
            "reserved_usd_per_hour": "30",
            "reserved_term": "1 year",
            "source": "https://aws.example/pricing",
            "as_of": "2026-11-09",
            "basis": "published",
        }
    ]
    (merged,) = skypilot.merge_offers(reviewed, [_imported()])
    assert (merged["reserved_usd_per_hour"], merged["reserved_term"]) == ("30", "1 year")
    assert "Reserved price 30 (1 year) from https://aws.example/pricing" in merged["note"]
    assert Decimal(merged["on_demand_usd_per_hour"]) == Decimal("50")


def test_an_imported_offer_whose_id_is_taken_by_another_reviewed_offer_gets_its_own_id() -> None:
    reviewed = [{**_imported(), "region": "global", "basis": "published"}]  # same id, other region
    merged = skypilot.merge_offers(reviewed, [_imported()])
    assert [r["id"] for r in merged] == [
        "aws-p5-48xlarge-us-east-1",
        "aws-p5-48xlarge-us-east-1-skypilot",
    ]
