"""A figure the user overrides is credited to the user, and only sensible overrides are stored."""

from __future__ import annotations

import pytest

from advisor.catalog import db as catalog_db
from advisor.catalog.overrides import apply_overrides
from advisor.catalog.snapshot import load_catalog
from advisor.errors import InputError
from advisor.recommend import evaluate
from advisor.scenario import Preferences, Role, Scenario, Team


def override(path, *rows):
    with catalog_db.open_db(path) as db:
        apply_overrides(
            db, [dict(zip(("kind", "record_id", "field", "value"), r, strict=True)) for r in rows]
        )


def test_overridden_salary_and_assumption_are_credited_to_the_user(fresh_catalog_path):
    override(
        fresh_catalog_path,
        ("staff", "ml_engineer|us", "loaded_monthly_usd", "30000"),
        ("assumption", "pue", "value", "1.2"),
    )
    catalog = load_catalog(fresh_catalog_path)
    scenario = Scenario(
        team=Team(roles=(Role("ml_engineer", 1, 0.5),)),
        preferences=Preferences(monte_carlo_draws=200),
    )
    ev = evaluate(scenario, catalog)
    used = {i.key: i for i in ev.inputs}
    assert used["people.ml_engineer"].basis == "user"
    assert used["people.ml_engineer"].source == "your override in the catalog"
    assert "30,000" in used["people.ml_engineer"].value
    assert used["pue"].basis == "user" and used["pue"].value.startswith("1.2")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (("staff", "ml_engineer|us", "base_salary_annual", "180000"), "row 1.field"),
        (("assumption", "pue", "value", "0.5"), "row 1.value"),
        (("assumption", "capability_price_decline_per_year", "value", "3"), "row 1.value"),
        (("gpu", "h100-sxm-80gb", "memory_gb", "0"), "row 1.value"),
        (("model", "llama-3.1-8b", "layers", "10"), "row 1.kind"),
    ],
)
def test_overrides_that_would_change_nothing_or_make_no_sense_are_refused(
    fresh_catalog_path, row, field
):
    with pytest.raises(InputError) as info:
        override(fresh_catalog_path, row)
    assert field in {p.field for p in info.value.problems}


def test_api_price_override_accepts_the_column_name_catalog_show_prints(fresh_catalog_path):
    override(fresh_catalog_path, ("api", "openai/gpt-4o", "input_usd_per_mtok", "2.00"))
    model = load_catalog(fresh_catalog_path).api_model("openai/gpt-4o")
    assert model.overridden == ("input_mtok",)
    assert str(model.standard.prices["input_mtok"][0]) == "2.00"
