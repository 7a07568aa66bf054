"""Money in the app in USD, EUR or GBP: money boxes, unit labels and amounts follow the scenario.

The scenario keeps US dollars. A money box shows ``usd / rate`` and gives back US dollars; unit
labels that say "USD" say the chosen currency; amounts formatted with advisor.report.format
(the results headline, catalog defaults) use it too.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QWidget

from advisor.currency import ExchangeRate, exchange_rate
from advisor.errors import InputError
from advisor.report.format import set_display_currency
from advisor.scenario import Scenario

_rate: ExchangeRate = exchange_rate("USD")


def money_factor() -> float:
    """Shown per US dollar: what a new money box multiplies by."""
    return float(Decimal(1) / _rate.usd_per_unit)


def current_rate() -> ExchangeRate:
    return _rate


def rate_of(scenario: Scenario) -> ExchangeRate:
    """The scenario's rate; US dollars while its currency or rate is invalid."""
    prefs = scenario.preferences
    try:
        return exchange_rate(prefs.currency, prefs.usd_per_currency_unit)
    except InputError:
        return exchange_rate("USD")


class CurrencyFollower(QObject):
    """Keeps the pages' money boxes and labels in the scenario's currency."""

    def __init__(self, state: QObject, pages: list[QWidget]) -> None:
        super().__init__(state)
        self.state = state
        self.pages = pages
        state.scenario_changed.connect(self.update)  # type: ignore[attr-defined]
        self.update()

    def update(self) -> None:
        global _rate
        rate = rate_of(self.state.scenario)  # type: ignore[attr-defined]
        if rate == _rate:
            return
        _rate = rate
        set_display_currency(rate.symbol, rate.usd_per_unit)
        from ui.widgets.editors import NumberEdit

        for page in self.pages:
            for label in page.findChildren(QLabel):
                original = label.property("usd_text")
                if original is None and "USD" in label.text():
                    original = label.text()
                    label.setProperty("usd_text", original)
                if original:
                    label.setText(str(original).replace("USD", rate.code))
            for box in page.findChildren(NumberEdit):
                if box.money:
                    box.factor = money_factor()
            refresh = getattr(page, "refresh", None)
            if refresh is not None:
                refresh()  # defaults and values again, at the new factor
