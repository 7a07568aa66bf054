"""Step 4: GPUs already owned, whether buying or renting is allowed, power and amortisation."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtWidgets import QVBoxLayout, QWidget

from advisor.currency import CURRENCIES
from advisor.scenario import OwnedGpu, Scenario
from advisor.scenario.model import DEPLOYMENTS, PRECISION_CHOICES, RENTAL_TERMS
from ui.money import current_rate
from ui.widgets.editors import CheckEdit, ChoiceEdit, MultiCheck, NumberEdit, OptionalNumber
from ui.widgets.fields import FieldRow
from ui.widgets.rows import Column, RowsEditor
from ui.wizard.base import ScenarioPage, columns
from ui.wizard.state import ScenarioState

TERM_LABELS = {"on_demand": "On demand", "reserved": "Reserved (1-3 years)", "spot": "Spot"}
DEPLOYMENT_LABELS = {
    "datacentre": "Our data centre",
    "colocation": "A colocation rack",
    "workstation": "Workstations (desk-side)",
}
PRECISION_LABELS = {
    "bf16": "BF16 (full)",
    "fp8": "FP8",
    "int8": "INT8",
    "int4": "INT4",
    "fp4": "FP4",
}


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class HardwarePage(ScenarioPage):
    prefixes = ("hardware", "preferences")

    def __init__(self, state: ScenarioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.setTitle("Hardware")
        self.setSubTitle(
            "GPUs you already own, whether you may buy or rent more, and what power and space "
            "cost you. Leave a default ticked to use the catalog's sourced figure."
        )
        owned_box, oform = self.group("GPUs you already own")
        self.owned = RowsEditor(
            [
                Column(
                    "gpu",
                    "GPU",
                    lambda: ChoiceEdit(self._gpu_items()),
                    "The GPU model (from the catalog).",
                    stretch=1,
                ),
                Column(
                    "count",
                    "Count",
                    lambda: NumberEdit(minimum=-1000, maximum=1e7, integer=True, step=1),
                    "How many of them are free for this workload.",
                ),
                Column(
                    "age_years",
                    "Age (years)",
                    lambda: NumberEdit(minimum=-100, maximum=1000, decimals=1, step=0.5),
                    "How old they are; older GPUs have less book value left.",
                ),
            ],
            new_row=lambda: {"gpu": "a100-sxm-80gb", "count": 8, "age_years": 1.0},
            add_text="Add &owned GPUs",
            empty_text="None: every self-hosted option buys or rents its GPUs.",
        )
        self.owned_row = FieldRow(self.owned)
        self.register("hardware.owned", self.owned_row)
        self.owned.edited.connect(self._edited)
        oform.addRow(self.owned_row)

        src_box, src = self.group("Getting more GPUs")
        self.add_field(
            src,
            "hardware.buying_allowed",
            "",
            CheckEdit("&Buying GPUs is allowed"),
            tip="Whether the organisation may buy servers (capital expense).",
        )
        self.add_field(
            src,
            "hardware.renting_allowed",
            "",
            CheckEdit("R&enting cloud GPUs is allowed"),
            tip="Whether GPUs may be rented from cloud providers.",
        )
        self.add_field(
            src,
            "hardware.deployment",
            "Bought GPUs r&un in:",
            ChoiceEdit([(d, DEPLOYMENT_LABELS.get(d, d)) for d in DEPLOYMENTS]),
            tip="Consumer (GeForce) cards are left out of data-centre and colocation builds: "
            "their driver licence does not permit data-centre deployment.",
        )
        self.add_field(
            src,
            "hardware.accept_consumer_gpu_risk",
            "",
            CheckEdit("Include consumer GPUs anyway (accept the licence risk)"),
            tip="Keeps GeForce cards in the comparison; the risk register then lists the "
            "driver licence clause.",
        )
        self.providers = MultiCheck(any_text="&Any provider in the catalog", columns=4)
        self.add_field(
            src,
            "hardware.cloud_providers",
            "&Providers:",
            self.providers,
            tip="Cloud providers you may rent from; untick 'Any' to choose.",
        )
        self.add_field(
            src,
            "hardware.rental_term",
            "Rental &term:",
            ChoiceEdit([(t, TERM_LABELS.get(t, t)) for t in RENTAL_TERMS]),
            tip="On demand is flexible; reserved is cheaper for a commitment; spot is cheapest "
            "but can be interrupted.",
        )

        run_box, run = self.group("Running owned GPUs")
        self.electricity = OptionalNumber(
            "Catalog default",
            NumberEdit(minimum=-100, maximum=1000, decimals=4, step=0.01, money=True),
        )
        self.add_field(
            run,
            "hardware.electricity_usd_per_kwh",
            "E&lectricity:",
            self.electricity,
            "USD per kWh",
            "What you pay for power.",
        )
        self.pue = OptionalNumber(
            "Catalog default", NumberEdit(minimum=0, maximum=100, decimals=2, step=0.05)
        )
        self.add_field(
            run,
            "hardware.pue",
            "P&UE:",
            self.pue,
            "ratio",
            "Power usage effectiveness: total data-centre power / IT power (1.1 is very good, "
            "1.6 is typical).",
        )
        self.colo = OptionalNumber(
            "Catalog default",
            NumberEdit(minimum=-1e5, maximum=1e6, decimals=0, step=10, money=True),
        )
        self.add_field(
            run,
            "hardware.colocation_usd_per_kw_month",
            "&Colocation:",
            self.colo,
            "USD per kW-month",
            "Rack space and cooling per kW of equipment; 0 if you run your own data centre.",
        )
        self.add_field(
            run,
            "hardware.amortisation_years",
            "Amorti&sation:",
            NumberEdit(minimum=-100, maximum=1000, decimals=1, step=0.5),
            "years",
            "Over how many years bought hardware is written off.",
        )

        plan_box, plan = self.group("Plan")
        self.add_field(
            plan,
            "preferences.horizon_months",
            "&Horizon:",
            NumberEdit(minimum=-1000, maximum=10_000, integer=True, step=6),
            "months",
            "How far ahead costs are added up (growth and price trends included).",
        )
        self.add_field(
            plan,
            "preferences.currency",
            "C&urrency:",
            ChoiceEdit([(c, c) for c in CURRENCIES]),
            tip="Show and type money in this currency; files and the catalog keep US dollars.",
        )
        self.rate = OptionalNumber(
            "ECB reference rate", NumberEdit(minimum=0, maximum=1000, decimals=4, step=0.01)
        )
        self.add_field(
            plan,
            "preferences.usd_per_currency_unit",
            "E&xchange rate:",
            self.rate,
            "US dollars per unit",
            "Your own rate, or the European Central Bank's reference rate (source and date in "
            "the report).",
        )
        self.add_field(
            plan,
            "preferences.precisions",
            "Precisio&ns:",
            MultiCheck([(p, PRECISION_LABELS.get(p, p)) for p in PRECISION_CHOICES], columns=5),
            tip="Number formats you accept for self-hosted models; lower precision needs fewer "
            "GPUs but loses a little quality.",
        )

        lay = QVBoxLayout(self.body)
        lay.addWidget(columns([owned_box, src_box], [run_box, plan_box]))

    def _gpu_items(self) -> list[tuple[str, str]]:
        cat = self.state.catalog
        if cat is None:
            return [("a100-sxm-80gb", "NVIDIA A100 SXM4 80GB")]
        return [(g.id, g.name) for g in cat.gpus]

    def catalog_changed(self) -> None:
        cat = self.state.catalog
        if cat is None:
            return
        self.providers.set_items([(p, p) for p in sorted({o.provider for o in cat.cloud_offers})])
        for i in range(self.owned.row_count()):
            self.owned.editors(i)["gpu"].set_items(self._gpu_items())  # type: ignore[attr-defined]
        rate = current_rate()
        for key, box, fmt, money in (
            ("electricity_price_usd_per_kwh", self.electricity, "{:.4f}", True),
            ("pue", self.pue, "{:.2f}", False),
            ("colocation_usd_per_kw_month", self.colo, "{:,.0f}", True),
        ):
            found = cat.assumption(key)
            if found is not None:
                # The default reads in the currency shown (the catalog keeps US dollars).
                shown = rate.from_usd(found.value) if money else found.value
                box.set_default(f"Catalog default ({fmt.format(shown)})", float(found.value))
        rate_text = "ECB reference rate" + (
            f" ({rate.usd_per_unit:.4f})" if rate.code != "USD" and rate.basis != "user" else ""
        )
        self.rate.set_default_text(rate_text)

    def collect(self, scenario: Scenario) -> Scenario:
        scenario = super().collect(scenario)
        h = scenario.hardware
        # Money fields are Decimal in the scenario; the spin boxes give floats.
        return dataclasses.replace(
            scenario,
            hardware=dataclasses.replace(
                h,
                electricity_usd_per_kwh=_money(self.electricity.value()),
                colocation_usd_per_kw_month=_money(self.colo.value()),
            ),
        )

    def collect_extra(self, scenario: Scenario) -> Scenario:
        owned = tuple(OwnedGpu(r["gpu"], r["count"], r["age_years"]) for r in self.owned.values())
        return dataclasses.replace(
            scenario, hardware=dataclasses.replace(scenario.hardware, owned=owned)
        )

    def load_extra(self, scenario: Scenario) -> None:
        self.owned.set_values(
            [
                {"gpu": o.gpu, "count": o.count, "age_years": o.age_years}
                for o in scenario.hardware.owned
            ]
        )
