"""Money shown and typed in USD, EUR or GBP, at a sourced reference rate the user may override.

The engine, the catalog and scenario files keep US dollars (the catalog's source currency);
only what a person reads or types is converted. The rates are the ECB's euro reference rates in
``resources/exchange_rates.yaml`` (source and as-of date kept with them).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import yaml

from advisor.errors import InputError, Problem
from advisor.paths import bundled_path

CURRENCIES = ("USD", "EUR", "GBP")
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class ExchangeRate:
    """How many US dollars one unit of ``code`` is worth, and where that figure comes from.

    Attributes:
        code: USD, EUR or GBP.
        usd_per_unit: US dollars for one unit of the currency (1 for USD).
        as_of: The date of the published rate ("" for the user's own).
        source: The publisher's URL, or "entered by the user".
        basis: "published" (the ECB's rate), "derived" (a cross rate through the euro),
            "user" (the scenario's override) or "identity" (USD).
    """

    code: str
    usd_per_unit: Decimal
    as_of: str
    source: str
    basis: str

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.code]

    def from_usd(self, amount: Decimal | float) -> Decimal:
        """An amount in US dollars expressed in this currency."""
        return Decimal(str(amount)) / self.usd_per_unit

    def to_usd(self, amount: Decimal | float) -> Decimal:
        """An amount in this currency expressed in US dollars."""
        return Decimal(str(amount)) * self.usd_per_unit

    def describe(self) -> str:
        """ "1 EUR = 1.1172 USD (ECB reference rate of 2026-10-30)" for reports and the app."""
        if self.code == "USD":
            return "Amounts in US dollars (the catalog's currency)."
        rate = self.usd_per_unit.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        if self.basis == "user":
            return f"Amounts in {self.code} at 1 {self.code} = {rate} USD (your rate)."
        how = "ECB reference rate" if self.basis == "published" else "ECB cross rate via EUR"
        return f"Amounts in {self.code} at 1 {self.code} = {rate} USD ({how} of {self.as_of})."


@functools.cache
def _reference() -> dict[str, ExchangeRate]:
    path = bundled_path("resources") / "exchange_rates.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    per_eur = {k: Decimal(str(v)) for k, v in data["per_eur"].items()}
    usd_per_eur = per_eur["USD"]
    src, as_of = str(data["source"]), str(data["as_of"])
    return {
        "USD": ExchangeRate("USD", Decimal(1), "", "", "identity"),
        "EUR": ExchangeRate("EUR", usd_per_eur, as_of, src, "published"),
        "GBP": ExchangeRate("GBP", usd_per_eur / per_eur["GBP"], as_of, src, "derived"),
    }


def exchange_rate(code: str, override_usd_per_unit: float | None = None) -> ExchangeRate:
    """The rate for showing money in ``code``: the user's own, else the ECB reference rate.

    Args:
        code: USD, EUR or GBP.
        override_usd_per_unit: The scenario's own rate (US dollars per unit), or None.

    Returns:
        The rate with its source and date.

    Raises:
        InputError: an unknown currency or a rate that is not a positive number.
    """
    if code not in CURRENCIES:
        raise InputError(
            Problem("preferences.currency", "error", f"must be one of {', '.join(CURRENCIES)}")
        )
    if code == "USD" or override_usd_per_unit is None:
        return _reference()[code]
    if not 0 < override_usd_per_unit < 1000:
        raise InputError(
            Problem("preferences.usd_per_currency_unit", "error", "must be above 0 and below 1000")
        )
    value = Decimal(str(override_usd_per_unit))
    return ExchangeRate(code, value, "", "entered by the user", "user")
