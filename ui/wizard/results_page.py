"""Step 6: the ranked options, the recommendation in words, and the charts, kept live."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from advisor.recommend.result import Evaluation
from advisor.recommend.summary import summary_sentence
from advisor.report.format import ms
from ui.results.deployability import DeployabilityTabs
from ui.results.live import LiveEvaluator
from ui.results.table_model import OptionsModel
from ui.wizard.base import StepPage


class ResultsPage(StepPage):
    def __init__(self, live: LiveEvaluator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live = live
        self.setTitle("Results")
        self.setSubTitle(
            "Ranked options for your scenario. Go back and change any input: the results "
            "update as you type."
        )
        self.charts: Any = None  # created on first show (lazy pyqtgraph import)
        self._shared = False  # the splitter's first division of the height is done
        lay = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("resultsStatus")
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rationale = QLabel()
        self.rationale.setWordWrap(True)
        self.rationale.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.status)
        lay.addWidget(self.headline)

        self.model = OptionsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("Ranked options")
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setObjectName("optionDetail")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Three panes a user can resize: the ranked table (at least five rows), the reasons
        # with the selected option's detail, and the charts. The middle pane scrolls rather
        # than being cut on a laptop screen.
        self.table.setMinimumHeight(self._rows_height(5))
        # The reasons and the selected option's detail share one scrolling pane.
        why = QWidget()
        why_lay = QVBoxLayout(why)
        why_lay.setContentsMargins(0, 0, 0, 0)
        why_lay.addWidget(self.rationale)
        why_lay.addWidget(self.detail)
        why_lay.addStretch(1)
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.detail_scroll.setWidget(why)
        self.detail_scroll.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail_scroll)
        self.chart_holder = QWidget()
        QVBoxLayout(self.chart_holder).setContentsMargins(0, 0, 0, 0)
        self.tabs = DeployabilityTabs(self.chart_holder)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 4)
        lay.addWidget(self.splitter, 1)

        live.evaluation_changed.connect(self.show_evaluation)
        live.status_changed.connect(self._status)
        self._status(live.status)

    def _rows_height(self, rows: int) -> int:
        head = self.table.horizontalHeader().sizeHint().height()
        row = self.table.verticalHeader().defaultSectionSize()
        return head + rows * row + 2 * self.table.frameWidth() + 2

    def ensure_charts(self) -> None:
        if self.charts is None:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                from ui.results.charts import ChartsPanel

                self.charts = ChartsPanel()
            finally:
                QGuiApplication.restoreOverrideCursor()
            self.chart_holder.layout().addWidget(self.charts)
            self.charts.set_evaluation(self.live.evaluation)

    def _share_the_height(self) -> None:
        # Once, on first show: table 35 %, reasons 15 %, charts 50 % (the user may drag after).
        h = self.splitter.height()
        if h > 0:
            self.splitter.setSizes([int(h * 0.35), int(h * 0.15), int(h * 0.5)])
            self._shared = True

    def initializePage(self) -> None:
        if not self._shared:
            QTimer.singleShot(0, self._share_the_height)
        self.ensure_charts()
        self.show_evaluation(self.live.evaluation)
        if self.live.status != "computing" and not self.live.is_current():
            self.live.schedule()

    def isComplete(self) -> bool:
        return self.live.evaluation is not None

    def _status(self, status: str) -> None:
        text = {
            "computing": "⟳ Updating…",
            "ready": "✓ Up to date",
            "waiting": "Loading the catalog…",
        }.get(status, self.live.message)
        self.status.setText(text)
        color = "#b3261e" if status in ("failed", "invalid") else "#555555"
        self.status.setStyleSheet(f"color: {color};")

    def show_evaluation(self, ev: Evaluation | None) -> None:
        self.model.set_evaluation(ev)
        self.tabs.set_evaluation(ev)
        if self.charts is not None:
            self.charts.set_evaluation(ev)
        if ev is None:
            self.headline.setText("")
            self.rationale.setText("")
            self.detail.setText("")
        else:
            rec = ev.recommendation
            if rec is not None:
                # The answer first (vendor, model, where it runs), as in the report and emails.
                self.headline.setText(
                    f"<span style='font-size:13pt'><b>Recommended:</b> "
                    f"{escape(summary_sentence(ev))}</span><br>"
                    f"<span style='color:#555555'>Option #1: {escape(rec.name)} "
                    f"(${rec.cost_per_million_tokens_usd:,.2f} per million tokens)</span>"
                )
            else:
                self.headline.setText("<b>No option is allowed for this scenario.</b>")
            lines = list(ev.rationale[1:] if rec is not None else ev.rationale)
            lines += [f"⚠ {w}" for w in ev.warnings]
            self.rationale.setText("<br>".join(escape(x) for x in lines))
            if self.model.rowCount() and self.table.currentIndex().row() < 0:
                self.table.selectRow(0)
        self.announce_complete()

    def _show_detail(self, current: Any, _previous: Any = None) -> None:
        if not current.isValid():
            self.detail.setText("")
            return
        o = self.model.option(current.row())
        parts = ", ".join(f"{p.label} ${p.monthly_usd:,.0f}" for p in o.parts)
        routes = "; ".join(
            f"{r.task_name} → {r.model_name}" + (" (self-hosted)" if r.self_hosted else "")
            for r in o.routes
        )
        bits = [f"<b>#{o.rank} {escape(o.name)}</b>", f"Monthly: {escape(parts)}"]
        if routes:
            bits.append(f"Models: {escape(routes)}")
        c = o.capacity
        if c is not None:
            bits.append(
                f"Serving: {c.replicas} replica(s) × {c.gpus_per_replica} GPU(s), {c.precision}, "
                f"first token {ms(c.ttft_ms)} (P90 {ms(c.ttft_ms_p90)}), "
                f"{c.tokens_per_s_per_user:,.0f} tokens/s per user "
                f"(P90 {1000.0 / c.tpot_ms_p90 if c.tpot_ms_p90 else 0:,.0f}), {c.engine}"
            )
        if o.notes:
            bits.append("Terms: " + escape("; ".join(o.notes)))
        if o.risks:
            bits.append("Risks: " + escape("; ".join(o.risks)))
        if not o.allowed:
            bits.append(
                f"<span style='color:#b3261e'>Not allowed: {escape(o.not_allowed_reason)}</span>"
            )
        self.detail.setText("<br>".join(bits))
