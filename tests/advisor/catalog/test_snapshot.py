"""The loaded catalog snapshot: look-ups by id and alias, suggestions, and the coverage check."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from advisor.catalog.check import MINIMUMS, REQUIRED_GPUS, REQUIRED_MODELS, check_catalog
from advisor.catalog.records import CloudOffer
from advisor.catalog.snapshot import Catalog, normalise_id, with_records
from advisor.cost.api import TokenUsage, price_usage
from advisor.errors import InputError, NotFoundError


@pytest.mark.parametrize(
    "ref", ["h100", "H100", "H100-SXM-80GB", "h100-sxm-80gb", "  H100 SXM  ", "h100_sxm"]
)
def test_gpu_is_found_by_id_or_alias_whatever_the_case(catalog: Catalog, ref: str) -> None:
    assert catalog.gpu(ref).id == "h100-sxm-80gb"


@pytest.mark.parametrize(
    "ref",
    [
        "llama-3.1-70b",
        "LLAMA-3.1-70B",
        "meta-llama/Llama-3.1-70B-Instruct",
        "meta-llama/llama-3.1-70b-instruct",
        "Llama-3.1-70B-Instruct",
    ],
)
def test_open_model_is_found_by_id_repo_or_alias_whatever_the_case(
    catalog: Catalog, ref: str
) -> None:
    model = catalog.model(ref)
    assert model.id == "llama-3.1-70b"
    assert model.hf_repo == "meta-llama/Llama-3.1-70B-Instruct"


def test_every_record_is_found_by_its_own_id_and_every_alias(catalog: Catalog) -> None:
    for gpu in catalog.gpus:
        for ref in (gpu.id, gpu.id.upper(), *gpu.aliases):
            assert catalog.gpu(ref) is gpu, ref
    for model in catalog.models:
        for ref in (model.id, model.hf_repo, *model.aliases):
            assert catalog.model(ref) is model, ref


def test_aliases_do_not_collide_between_records(catalog: Catalog) -> None:
    for group in (catalog.gpus, catalog.models):
        owners: dict[str, str] = {}
        for record in group:
            for key in {normalise_id(k) for k in (record.id, *record.aliases)}:
                assert owners.setdefault(key, record.id) == record.id, (key, record.id)


@pytest.mark.parametrize(
    ("lookup", "ref", "suggested"),
    [
        ("gpu", "h10", "h100-sxm-80gb"),
        ("gpu", "a10O", "a100-sxm-80gb"),
        ("model", "llama-3.1-7b", "llama-3.1-70b"),
        ("model", "llama-3.1-7b", "llama-3.1-8b"),
        ("model", "qwen3-23b", "qwen3-32b"),
    ],
)
def test_unknown_id_raises_not_found_suggesting_close_ids(
    catalog: Catalog, lookup: str, ref: str, suggested: str
) -> None:
    with pytest.raises(NotFoundError) as info:
        getattr(catalog, lookup)(ref)
    message = str(info.value)
    assert f"unknown {lookup} {ref!r}" in message
    assert "did you mean" in message and suggested in message
    assert isinstance(info.value, InputError)  # the CLI turns it into exit 2
    assert info.value.problems[0].field == lookup


def test_unknown_id_with_nothing_close_lists_known_ids(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as info:
        catalog.gpu("quantum-abacus")
    assert "did you mean" not in str(info.value)
    assert "Known:" in str(info.value) and "a100-sxm-80gb" in str(info.value)


@pytest.mark.parametrize(
    ("ref", "provider", "expected"),
    [
        ("gpt-4o", None, "openai/gpt-4o"),
        ("openai/gpt-4o", None, "openai/gpt-4o"),
        ("OpenAI/GPT-4o", None, "openai/gpt-4o"),
        ("gpt-4o", "openai", "openai/gpt-4o"),
        ("claude-3-5-sonnet", None, "anthropic/claude-3-5-sonnet"),
        ("claude-3-5-sonnet-20241022", None, "anthropic/claude-3-5-sonnet"),
    ],
)
def test_api_model_is_found_as_genai_prices_finds_it(
    catalog: Catalog, ref: str, provider: str | None, expected: str
) -> None:
    assert catalog.api_model(ref, provider).id == expected


def test_unknown_api_model_suggests_close_ones(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as info:
        catalog.api_model("gpt-4oo")
    assert "did you mean" in str(info.value) and "openai/gpt-4o" in str(info.value)


def test_every_api_model_has_a_standard_price_set_even_free_ones(catalog: Catalog) -> None:
    free = [m for m in catalog.api_models if not m.standard.prices]
    assert free, "genai-prices lists free models with no prices"
    cost = price_usage(free[0], TokenUsage(input_tokens=1000, output_tokens=1000))
    assert cost.total_usd == 0 and cost.exact
    for model in catalog.api_models:
        assert model.price_sets[0].variant == "standard", model.id


def test_api_prices_are_exact_decimals_with_their_tiers(catalog: Catalog) -> None:
    gpt = catalog.api_model("openai/gpt-4o").standard.prices
    assert gpt["input_mtok"] == (Decimal("2.5"), ())
    flash = catalog.api_model("google/gemini-1.5-flash").standard.prices
    assert flash["input_mtok"] == (Decimal("0.075"), ((128_000, Decimal("0.15")),))


def test_snapshot_is_immutable(catalog: Catalog) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.gpus = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.gpus[0].memory_gb = 1.0  # type: ignore[misc]
    assert isinstance(catalog.gpus, tuple) and isinstance(catalog.api_models, tuple)


def test_snapshot_knows_where_its_data_comes_from(catalog: Catalog) -> None:
    import genai_prices

    assert catalog.meta["genai_prices_version"] == genai_prices.__version__
    assert catalog.as_of == max(r.as_of for g in catalog.seed_groups().values() for r in g)
    assert all(o.gpu == "h100-sxm-80gb" for o in catalog.offers_for("h100-sxm-80gb"))
    assert catalog.offers_for("h100-sxm-80gb")
    assert all(s.model == "llama-3.1-70b" for s in catalog.scores_for("llama-3.1-70b"))


# --- coverage ------------------------------------------------------------------------------


def test_catalog_check_reports_ok_on_the_bundled_seeds(catalog: Catalog) -> None:
    report = check_catalog(catalog)
    assert report["problems"] == []
    assert report["ok"] is True


def test_catalog_counts_meet_the_promised_minimums(catalog: Catalog) -> None:
    counts = check_catalog(catalog)["counts"]
    assert counts["open_models"] >= 35
    assert counts["gpus"] >= 22
    assert counts["cloud_offers"] >= 40
    assert counts["cloud_providers"] >= 6
    assert counts["scored_models"] >= 40
    assert counts["staff_regions"] >= 3
    assert counts["api_models"] > 1000
    assert MINIMUMS["model"] >= 35 and MINIMUMS["gpu"] >= 22  # the check is not weaker than this


def test_catalog_has_every_model_and_gpu_the_product_promises(catalog: Catalog) -> None:
    assert set(REQUIRED_MODELS) <= {m.id for m in catalog.models}
    assert set(REQUIRED_GPUS) <= {g.id for g in catalog.gpus}
    assert {"a100-sxm-80gb", "l40s-48gb", "l4-24gb", "a10g-24gb", "mi300x-192gb"} <= {
        g.id for g in catalog.gpus
    }


def test_catalog_check_finds_missing_records_and_broken_references(catalog: Catalog) -> None:
    broken_offer = dataclasses.replace(catalog.cloud_offers[0], gpu="no-such-gpu")
    assert isinstance(broken_offer, CloudOffer)
    damaged = with_records(
        catalog,
        gpus=[g for g in catalog.gpus if g.id != "h100-sxm-80gb"],
        cloud_offers=[broken_offer, *catalog.cloud_offers[1:]],
        staff=[s for s in catalog.staff if s.region == "us"],
    )
    report = check_catalog(damaged)
    assert report["ok"] is False
    problems = "\n".join(report["problems"])
    assert "required GPU h100-sxm-80gb is missing" in problems
    assert f"cloud offer {broken_offer.id}: unknown GPU no-such-gpu" in problems
    assert "staff_regions: 1 (at least 3 expected)" in problems
    assert catalog.gpu("h100").id == "h100-sxm-80gb"  # the original is unchanged


def test_catalog_check_flags_records_without_source(catalog: Catalog) -> None:
    unsourced = dataclasses.replace(catalog.gpus[0], source="")
    report = check_catalog(with_records(catalog, gpus=[unsourced, *catalog.gpus[1:]]))
    assert f"gpu {unsourced.id}: missing source or as_of" in report["problems"]
