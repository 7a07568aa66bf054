"""Money shown in USD, EUR or GBP at the ECB's reference rate (sourced, dated, overridable)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
import yaml

from advisor.currency import exchange_rate
from advisor.errors import InputError
from advisor.paths import bundled_path
from advisor.report.format import display_currency, usd, usd_short
from advisor.scenario import Scenario, validate


def test_the_reference_rates_carry_their_source_and_date() -> None:
    data = yaml.safe_load((bundled_path("resources") / "exchange_rates.yaml").read_text())
    assert data["source"].startswith("https://www.ecb.europa.eu/")
    assert data["as_of"] == "2026-10-30" and data["basis"] == "published"
    eur = exchange_rate("EUR")
    assert eur.usd_per_unit == Decimal(str(data["per_eur"]["USD"]))
    assert (eur.as_of, eur.source, eur.basis) == (data["as_of"], data["source"], "published")
    gbp = exchange_rate("GBP")  # a cross rate through the euro
    expected = Decimal(str(data["per_eur"]["USD"])) / Decimal(str(data["per_eur"]["GBP"]))
    assert gbp.usd_per_unit == expected and gbp.basis == "derived"
    assert exchange_rate("USD").usd_per_unit == 1


@pytest.mark.parametrize("code", ["USD", "EUR", "GBP"])
def test_converting_there_and_back_keeps_the_amount(code: str) -> None:
    rate = exchange_rate(code)
    amount = Decimal("12345.67")
    assert rate.to_usd(rate.from_usd(amount)).quantize(Decimal("0.01")) == amount


def test_a_users_own_rate_replaces_the_reference_and_says_so() -> None:
    rate = exchange_rate("EUR", 1.1)
    assert rate.usd_per_unit == Decimal("1.1") and rate.basis == "user"
    assert rate.describe() == "Amounts in EUR at 1 EUR = 1.1000 USD (your rate)."
    assert "ECB reference rate of 2026-10-30" in exchange_rate("EUR").describe()
    with pytest.raises(InputError, match="must be one of USD, EUR, GBP"):
        exchange_rate("JPY")
    with pytest.raises(InputError, match="usd_per_currency_unit"):
        exchange_rate("GBP", -1.0)


def test_amounts_are_shown_in_the_display_currency_only_inside_its_block() -> None:
    with display_currency("€", Decimal("1.1172")):
        assert usd(Decimal("1117.20")) == "€1,000"
        assert usd_short(2_234_400) == "€2.00M"
    assert usd(Decimal("1117.20")) == "$1,117"


def test_scenarios_accept_usd_eur_gbp_and_name_the_field_otherwise() -> None:
    def with_prefs(**kw: object) -> Scenario:
        s = Scenario()
        return dataclasses.replace(s, preferences=dataclasses.replace(s.preferences, **kw))

    for code in ("USD", "EUR", "GBP"):
        assert not [p for p in validate(with_prefs(currency=code), None) if "curr" in p.field]
    bad = [p for p in validate(with_prefs(currency="JPY"), None) if p.severity == "error"]
    assert [p.field for p in bad] == ["preferences.currency"]
    bad = validate(with_prefs(currency="EUR", usd_per_currency_unit=0.0), None)
    assert "preferences.usd_per_currency_unit" in [p.field for p in bad]
