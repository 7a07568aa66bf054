"""Step 2: what the LLM has to do, how much of it, how fast, and how sensitive the data is."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from advisor.scenario import Scenario, TaskShare
from advisor.scenario.model import DOMICILES, RESIDENCY, SENSITIVITY, TASK_TYPES
from ui.widgets.editors import ChoiceEdit, NumberEdit, OptionalNumber
from ui.widgets.fields import FieldRow
from ui.widgets.rows import Column, RowsEditor
from ui.wizard.base import ScenarioPage, columns
from ui.wizard.state import ScenarioState

TASK_LABELS = {
    "extraction": "Extraction and classification",
    "summarisation": "Summarisation",
    "rag_qa": "Question answering over documents (RAG)",
    "chat": "General chat assistant",
    "code": "Code generation",
    "agents": "Agents with tools",
    "reasoning": "Hard reasoning",
}
SENSITIVITY_LABELS = {
    "public": "Public",
    "internal": "Internal",
    "confidential": "Confidential",
    "restricted": "Restricted (regulated)",
}
RESIDENCY_LABELS = {
    "any": "Anywhere",
    "us": "United States",
    "eu": "European Union",
    "uk": "United Kingdom",
    "on_premises": "On our premises only",
}
DOMICILE_LABELS = {
    "": "Not stated",
    "eu": "European Union",
    "uk": "United Kingdom",
    "us": "United States",
    "other": "Elsewhere",
}


def share(**kw: float) -> NumberEdit:
    """A share of 0..1 shown as a percentage (wider than valid so the engine can explain)."""
    return NumberEdit(minimum=-100, maximum=1000, decimals=1, step=5, factor=100, **kw)


class WorkloadPage(ScenarioPage):
    prefixes = ("workload",)

    def __init__(self, state: ScenarioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.setTitle("Workload")
        self.setSubTitle("What will the model do, how often, and how quickly must it answer?")

        mix_box, mix_form = self.group("Kinds of work")
        self.tasks = RowsEditor(
            [
                Column(
                    "task",
                    "Task",
                    lambda: ChoiceEdit([(t, TASK_LABELS.get(t, t)) for t in TASK_TYPES]),
                    "The kind of work; it decides which models are good enough.",
                    stretch=1,
                ),
                Column("share", "Share of requests (%)", share, "Share of all requests."),
            ],
            new_row=self._new_task,
            add_text="&Add a kind of work",
        )
        self.tasks_row = FieldRow(self.tasks)
        self.register("workload.tasks", self.tasks_row)
        self.tasks.edited.connect(self._edited)
        mix_form.addRow(self.tasks_row)
        self.total = QLabel()
        self.total.setObjectName("derived")
        mix_form.addRow(self.total)

        vol_box, vol = self.group("Volume")
        self.add_field(
            vol,
            "workload.requests_per_day",
            "&Requests:",
            NumberEdit(minimum=0, maximum=1e11, step=1000),
            "per day",
            "Average requests a day over a month (all users, all tasks).",
        )
        self.add_field(
            vol,
            "workload.input_tokens_per_request",
            "&Input tokens:",
            NumberEdit(minimum=0, maximum=1e8, step=100),
            "per request",
            "Prompt size: instructions + retrieved documents + conversation so far. "
            "One token is about ¾ of an English word.",
        )
        self.add_field(
            vol,
            "workload.output_tokens_per_request",
            "O&utput tokens:",
            NumberEdit(minimum=0, maximum=1e8, step=50),
            "per request",
            "Length of a typical answer (a reasoning model emits more; see below).",
        )
        self.add_field(
            vol,
            "workload.context_tokens",
            "Con&text length:",
            NumberEdit(minimum=0, maximum=1e8, step=1024, integer=True),
            "tokens",
            "The longest prompt plus answer that must fit in the model's context window.",
        )
        self.add_field(
            vol,
            "workload.monthly_growth",
            "&Growth:",
            share(),
            "% per month",
            "How fast the request volume grows each month (0 = flat; negative = shrinking).",
        )
        self.add_field(
            vol,
            "workload.reasoning_output_multiplier",
            "Reasoning o&verhead:",
            NumberEdit(minimum=0, maximum=1000, decimals=1, step=0.5),
            "× output",
            "A reasoning model 'thinks' before answering: it emits this many times the tokens.",
        )
        self.volume = QLabel()
        self.volume.setObjectName("derived")
        vol.addRow(self.volume)

        peak_box, peak = self.group("Peaks and latency")
        self.add_field(
            peak,
            "workload.peak_to_average",
            "&Peak / average:",
            NumberEdit(minimum=0, maximum=1000, decimals=1, step=0.5),
            "×",
            "Request rate in the busiest hour divided by the month's average rate. "
            "Self-hosted GPUs must be sized for the peak.",
        )
        self.add_field(
            peak,
            "workload.peak_hours_per_day",
            "Peak &hours:",
            NumberEdit(minimum=0, maximum=100, decimals=1, step=0.5),
            "h per day",
            "How many hours a day the load stays near its peak.",
        )
        self.add_field(
            peak,
            "workload.ttft_ms_target",
            "&First token within:",
            OptionalNumber("No target", NumberEdit(minimum=0, maximum=1e7, step=100)),
            "ms",
            "Time to first token at peak load: how long a user waits before the answer starts.",
        )
        self.add_field(
            peak,
            "workload.tokens_per_s_per_user_target",
            "&Streaming speed:",
            OptionalNumber("No target", NumberEdit(minimum=0, maximum=1e5, decimals=1, step=1)),
            "tokens/s per user",
            "How fast each user sees the answer stream; people read about 5-10 tokens/s.",
        )

        disc_box, disc = self.group("Caching and batching")
        self.add_field(
            disc,
            "workload.cached_input_share",
            "&Cached input:",
            share(),
            "% of input tokens",
            "Share of input tokens a prompt cache can serve (repeated system prompts, documents).",
        )
        self.add_field(
            disc,
            "workload.batch_share",
            "&Batchable:",
            share(),
            "% of requests",
            "Share of requests that can wait for a batch API or an overnight run (cheaper).",
        )

        data_box, data = self.group("Data")
        self.add_field(
            data,
            "workload.data_sensitivity",
            "Sensiti&vity:",
            ChoiceEdit([(s, SENSITIVITY_LABELS.get(s, s)) for s in SENSITIVITY]),
            tip="How sensitive the prompts and documents are; confidential and restricted data "
            "narrow the providers that qualify.",
        )
        self.add_field(
            data,
            "workload.data_residency",
            "Resi&dency:",
            ChoiceEdit([(r, RESIDENCY_LABELS.get(r, r)) for r in RESIDENCY]),
            tip="Where the data may be processed. 'On our premises only' rules out APIs and "
            "rented GPUs.",
        )
        self.add_field(
            data,
            "workload.organisation_domicile",
            "Organisation &based in:",
            ChoiceEdit([(d, DOMICILE_LABELS.get(d, d)) for d in DOMICILES]),
            tip="Where the organisation has its principal place of business; some model "
            "licences (Llama 4) grant no rights to companies based in the EU.",
        )
        self.add_field(
            data,
            "workload.monthly_active_users",
            "Monthly &users:",
            OptionalNumber(
                "Not stated", NumberEdit(minimum=0, maximum=1e11, decimals=0, step=1000)
            ),
            "users",
            "Monthly active users of the product built on the model; some licences cap them "
            "(Llama: 700 million, Qwen: 100 million).",
        )

        lay = QVBoxLayout(self.body)
        lay.addWidget(columns([mix_box, vol_box], [peak_box, disc_box, data_box]))

    @staticmethod
    def _new_task() -> dict[str, object]:
        return {"task": "extraction", "share": 0.0}

    def collect_extra(self, scenario: Scenario) -> Scenario:
        tasks = tuple(TaskShare(r["task"], r["share"]) for r in self.tasks.values())
        return dataclasses.replace(
            scenario, workload=dataclasses.replace(scenario.workload, tasks=tasks)
        )

    def load_extra(self, scenario: Scenario) -> None:
        self.tasks.set_values([{"task": t.task, "share": t.share} for t in scenario.workload.tasks])

    def after_edit(self) -> None:
        s = self.state.scenario
        total = sum(t.share for t in s.workload.tasks)
        self.total.setText(
            f"Total: {total:.0%}" + ("" if abs(total - 1) <= 0.005 else " (must be 100%)")
        )
        try:
            self.volume.setText(
                f"≈ {s.monthly_requests:,.0f} requests and "
                f"{s.monthly_tokens / 1e6:,.1f} million tokens a month"
            )
        except (ArithmeticError, ValueError):
            self.volume.setText("")
