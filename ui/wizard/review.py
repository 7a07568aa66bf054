"""Step 5: a readable summary of the whole scenario and anything worth a second look."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from advisor.scenario import Scenario
from ui.wizard.base import ScenarioPage
from ui.wizard.hardware import TERM_LABELS
from ui.wizard.state import ScenarioState
from ui.wizard.team import REGION_LABELS, ROLE_LABELS
from ui.wizard.workload import RESIDENCY_LABELS, SENSITIVITY_LABELS, TASK_LABELS


def _pct(x: float) -> str:
    return f"{x:.0%}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.1%}"


def summary_html(s: Scenario, problems: list) -> str:
    """The scenario in plain sentences, with errors and warnings first."""
    w, t, h, p = s.workload, s.team, s.hardware, s.preferences
    out = [f"<h2>{escape(s.name or 'Unnamed scenario')}</h2>"]
    if s.organisation:
        out.append(f"<p><i>{escape(s.organisation)}</i></p>")
    errors = [x for x in problems if x.severity == "error"]
    warnings = [x for x in problems if x.severity != "error"]
    if errors:
        out.append("<h3 style='color:#b3261e'>Fix before continuing</h3><ul>")
        out += [f"<li>{escape(x.field)}: {escape(x.message)}</li>" for x in errors]
        out.append("</ul>")
    if warnings:
        out.append("<h3 style='color:#8a5a00'>Worth a second look</h3><ul>")
        out += [f"<li>{escape(x.message)}</li>" for x in warnings]
        out.append("</ul>")
    mix = ", ".join(f"{escape(TASK_LABELS.get(x.task, x.task))} {_pct(x.share)}" for x in w.tasks)
    ttft = f"{w.ttft_ms_target:,.0f} ms" if w.ttft_ms_target is not None else "no target"
    tps = (
        f"{w.tokens_per_s_per_user_target:g} tokens/s per user"
        if w.tokens_per_s_per_user_target is not None
        else "no streaming target"
    )
    out.append("<h3>Workload</h3><ul>")
    out += [
        f"<li>Work: {mix}</li>",
        f"<li>{w.requests_per_day:,.0f} requests a day of {w.input_tokens_per_request:,.0f} input"
        f" and {w.output_tokens_per_request:,.0f} output tokens: about "
        f"<b>{s.monthly_tokens / 1e6:,.1f} million tokens a month</b>, growing "
        f"{_pct(w.monthly_growth)} a month</li>",
        f"<li>Peak {w.peak_to_average:g}× the average for {w.peak_hours_per_day:g} h a day; "
        f"first token within {ttft}, {tps}</li>",
        f"<li>{_pct(w.cached_input_share)} of input cached, {_pct(w.batch_share)} of requests "
        f"batchable; context {w.context_tokens:,} tokens</li>",
        f"<li>Data: {escape(SENSITIVITY_LABELS.get(w.data_sensitivity, w.data_sensitivity))}, "
        f"residency {escape(RESIDENCY_LABELS.get(w.data_residency, w.data_residency))}</li>",
        "</ul>",
    ]
    out.append("<h3>Team</h3><ul>")
    out.append(f"<li>Region: {escape(REGION_LABELS.get(t.region, t.region))}</li>")
    for r in t.roles:
        cost = (
            f"${r.monthly_cost_usd:,.0f} a month"
            if r.monthly_cost_usd is not None
            else "catalog cost"
        )
        out.append(
            f"<li>{r.count:g} × {escape(ROLE_LABELS.get(r.role, r.role))}, "
            f"{_pct(r.share_of_time)} of their time, {cost}</li>"
        )
    if not t.roles:
        out.append("<li>Nobody</li>")
    out.append(
        f"<li>API integration takes {_pct(t.api_share_of_time)} of their time; hiring takes "
        f"{t.hiring_months:g} months; maintenance {t.maintenance_hours_per_month:g} h a month</li>"
    )
    out.append("</ul><h3>Hardware</h3><ul>")
    for o in h.owned:
        out.append(f"<li>Owned: {o.count} × {escape(o.gpu)}, {o.age_years:g} years old</li>")
    allowed = [x for x, ok in (("buying", h.buying_allowed), ("renting", h.renting_allowed)) if ok]
    providers = ", ".join(h.cloud_providers) or "any provider"
    out.append(
        f"<li>{escape(' and '.join(allowed).capitalize() or 'Neither buying nor renting')} "
        f"allowed; {escape(TERM_LABELS.get(h.rental_term, h.rental_term).lower())} from "
        f"{escape(providers)}</li>"
    )
    out.append(
        f"<li>Amortised over {h.amortisation_years:g} years; horizon {p.horizon_months} months; "
        f"precisions {escape(', '.join(p.precisions))}</li></ul>"
    )
    return "".join(out)


class ReviewPage(ScenarioPage):
    prefixes = ("",)

    def __init__(self, state: ScenarioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.setTitle("Review")
        self.setSubTitle("Check the scenario. Next computes the recommendation.")
        self.summary = QTextBrowser()
        self.summary.setOpenLinks(False)
        QVBoxLayout(self.body).addWidget(self.summary)
        state.scenario_changed.connect(self._refresh)

    def _refresh(self) -> None:
        if self.isVisible():
            self.summary.setHtml(summary_html(self.state.scenario, self.state.problems))

    def initializePage(self) -> None:
        super().initializePage()
        self.summary.setHtml(summary_html(self.state.scenario, self.state.problems))

    def show_problems(self) -> None:
        # Problems are part of the summary; only the Next button needs updating.
        self.announce_complete()
