"""Step 3: the people a self-hosted deployment would need, and what they cost."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtWidgets import QVBoxLayout, QWidget

from advisor.report.format import usd
from advisor.scenario import Role, Scenario
from ui.widgets.editors import ChoiceEdit, NumberEdit, OptionalNumber
from ui.widgets.fields import FieldRow
from ui.widgets.rows import Column, RowsEditor
from ui.wizard.base import ScenarioPage, columns
from ui.wizard.state import ScenarioState
from ui.wizard.workload import share

REGION_LABELS = {"us": "United States", "uk": "United Kingdom", "de": "Germany", "eu": "EU"}
ROLE_LABELS = {
    "ml_engineer": "ML engineer",
    "mlops_engineer": "MLOps engineer",
    "research_scientist": "Research scientist",
    "sre": "Site reliability engineer",
}


def _cost_editor() -> OptionalNumber:
    return OptionalNumber(
        "Catalog", NumberEdit(minimum=-1e9, maximum=1e9, step=500, decimals=0, money=True)
    )


class TeamPage(ScenarioPage):
    prefixes = ("team",)

    def __init__(self, state: ScenarioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.setTitle("Team")
        self.setSubTitle(
            "Who would build and run a self-hosted deployment, and how much of their time it "
            "would take. An API integration needs a little of the same people's time."
        )
        where, form = self.group("Where")
        self.region = ChoiceEdit(self._region_items())
        self.add_field(
            form,
            "team.region",
            "&Region:",
            self.region,
            tip="Where the team works; it sets the catalog's loaded salary for each role.",
        )

        people, pform = self.group("People")
        self.roles = RowsEditor(
            [
                Column(
                    "role",
                    "Role",
                    lambda: ChoiceEdit(self._role_items()),
                    "The job; the catalog knows its loaded cost per region.",
                    stretch=1,
                ),
                Column(
                    "count",
                    "Count",
                    lambda: NumberEdit(minimum=-1000, maximum=1e6, decimals=1, step=1),
                    "Number of people (fractions for part-timers or contractors).",
                ),
                Column(
                    "share_of_time",
                    "Time on it (%)",
                    share,
                    "Share of their working time the self-hosted deployment takes.",
                ),
                Column(
                    "monthly_cost_usd",
                    "Loaded cost (USD / month)",
                    _cost_editor,
                    "Salary plus taxes, benefits and overhead, per person per month. Tick "
                    "'Catalog' to use the catalog's figure for the region (shown in brackets).",
                ),
            ],
            new_row=lambda: {
                "role": "ml_engineer",
                "count": 1.0,
                "share_of_time": 0.25,
                "monthly_cost_usd": None,
            },
            add_text="&Add a role",
            empty_text="No people: a build would have nobody to run it.",
        )
        self.roles_row = FieldRow(self.roles)
        self.register("team.roles", self.roles_row)
        self.roles.edited.connect(self._edited)
        pform.addRow(self.roles_row)

        effort, eform = self.group("Effort")
        self.add_field(
            eform,
            "team.api_share_of_time",
            "API &integration:",
            share(),
            "% of their time",
            "Share of the same people's time that building on an API takes (prompts, "
            "evaluations, monitoring).",
        )
        self.add_field(
            eform,
            "team.hiring_months",
            "&Hiring time:",
            NumberEdit(minimum=-100, maximum=1000, decimals=1, step=1),
            "months",
            "Months before a self-hosted build can go live; an API bridges the gap.",
        )
        self.add_field(
            eform,
            "team.maintenance_hours_per_month",
            "&Maintenance:",
            NumberEdit(minimum=-1000, maximum=1e6, step=5),
            "hours per month",
            "Patching, upgrades and incidents of a self-hosted deployment.",
        )
        lay = QVBoxLayout(self.body)
        lay.addWidget(columns([where, people, effort]))

    # --- catalog-backed choices -----------------------------------------------------------
    def _region_items(self) -> list[tuple[str, str]]:
        cat = self.state.catalog
        regions = sorted({s.region for s in cat.staff}) if cat else ["us", "uk", "de"]
        return [(r, f"{REGION_LABELS.get(r, r.upper())} ({r})") for r in regions]

    def _role_items(self) -> list[tuple[str, str]]:
        cat = self.state.catalog
        roles = sorted({s.role for s in cat.staff}) if cat else list(ROLE_LABELS)
        return [(r, ROLE_LABELS.get(r, r.replace("_", " "))) for r in roles]

    def catalog_changed(self) -> None:
        self.region.set_items(self._region_items())
        for i in range(self.roles.row_count()):
            self.roles.editors(i)["role"].set_items(self._role_items())  # type: ignore[attr-defined]

    def catalog_cost(self, role: str, region: str) -> Decimal | None:
        cat = self.state.catalog
        if cat is None:
            return None
        found = next((s for s in cat.staff if s.role == role and s.region == region), None)
        return found.loaded_monthly_usd if found else None

    # --- scenario <-> editors -------------------------------------------------------------
    def collect_extra(self, scenario: Scenario) -> Scenario:
        roles = tuple(
            Role(
                r["role"],
                r["count"],
                r["share_of_time"],
                None if r["monthly_cost_usd"] is None else Decimal(str(r["monthly_cost_usd"])),
            )
            for r in self.roles.values()
        )
        return dataclasses.replace(scenario, team=dataclasses.replace(scenario.team, roles=roles))

    def load_extra(self, scenario: Scenario) -> None:
        self.roles.set_values(
            [
                {
                    "role": r.role,
                    "count": r.count,
                    "share_of_time": r.share_of_time,
                    "monthly_cost_usd": None
                    if r.monthly_cost_usd is None
                    else float(r.monthly_cost_usd),
                }
                for r in scenario.team.roles
            ]
        )

    def after_edit(self) -> None:
        region = self.state.scenario.team.region
        for i in range(self.roles.row_count()):
            eds = self.roles.editors(i)
            cost = self.catalog_cost(eds["role"].value(), region)  # type: ignore[attr-defined]
            text = f"Catalog ({usd(cost)})" if cost is not None else "Catalog (none)"
            eds["monthly_cost_usd"].set_default(  # type: ignore[attr-defined]
                text, float(cost) if cost is not None else None
            )
