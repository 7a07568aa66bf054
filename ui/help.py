"""The in-app manual: method, each step, reading the charts, sources, glossary, every field.

Opened from Help > Manual, the wizard's Help button and F1 on any page (at that page's section).
The field reference is the same one ``docs/scenario-fields.md`` is generated from.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from advisor.scenario.fields import html_table

# Anchors in the order of the wizard's pages (page id -> anchor).
PAGE_ANCHORS = ("welcome", "workload", "team", "hardware", "review", "results", "report")

METHOD = """
<p>The advisor compares every sensible way to get the capability your workload needs:
<b>buy</b> (pay an API per token), <b>rent</b> GPUs and self-host an open-weight model,
<b>own</b> GPUs (bought, or ones you already have), and <b>hybrid</b> (a self-hosted model for
some tasks, an API for the rest). For each task it keeps only the models whose quality scores
are good enough for that kind of work, then prices each option month by month over the horizon,
with your growth and the catalog's price trends. Self-hosted options are sized for the peak
hour and your latency targets (memory for weights and KV cache, prefill and decode speed,
replicas plus failover), and carry the people, power, space, maintenance, compliance and
model-switching costs an API does not. Options are ranked by cost over the horizon among those
that meet your constraints and latency targets.</p>
<p>Then the answer is stress-tested: each uncertain input is moved on its own to find how far
it must move to change the answer (<i>What changes the answer</i>), and all are drawn together
thousands of times (Monte Carlo) to give ranges and the probability that building beats
buying.</p>
"""

STEPS = {
    "welcome": (
        "1. Welcome",
        "Start a new scenario, open a saved one or start from an example. The name and "
        "organisation head the report; notes are printed but not used in any sum.",
    ),
    "workload": (
        "2. Workload",
        "The kinds of work and their shares (they must add up to 100 %), the volume in requests "
        "a day and tokens per request, peaks and latency targets, caching and batching, and how "
        "sensitive the data is and where it may be processed. Where the organisation is based "
        "and its monthly active users matter for model licences (Llama 4 grants no rights to "
        "companies based in the EU; Llama and Qwen cap monthly users). The volume line under "
        "the form shows the tokens a month every cost is computed from.",
    ),
    "team": (
        "3. Team",
        "The people a self-hosted deployment needs, the share of their time it takes and their "
        "loaded monthly cost (tick 'Catalog' to use the catalog's sourced figure for the "
        "region). An API integration takes a little of the same people's time.",
    ),
    "hardware": (
        "4. Hardware",
        "GPUs you own, whether you may buy or rent more and from whom, where the hardware is "
        "deployed (a data centre rules out consumer GeForce cards, whose driver licence forbids "
        "it, unless you accept that risk), and what power and space cost you. Leave a default "
        "ticked to use the catalog's sourced figure.",
    ),
    "review": (
        "5. Review",
        "Everything you entered on one page, with any problem the engine found. Next computes "
        "the recommendation.",
    ),
    "results": (
        "6. Results",
        "The headline says the answer first: the vendor and model, where it runs, and what it "
        "costs a month and over the horizon. The table ranks every option; select one to see "
        "its cost parts, models, serving estimate and risks. Results update as you type.",
    ),
    "report": (
        "7. Report",
        "A PDF for colleagues and management with the same answer, the charts and the source "
        "and date of every price and spec; a spreadsheet with live formulas; email either.",
    ),
}

CHARTS = (
    (
        "Cost breakdown",
        "Stacked bars of each top option's monthly cost, split into its parts (API tokens, "
        "people, GPU rental or depreciation, power, space, ...). The y-axis is US dollars a "
        "month ($1.5k = 1,500).",
    ),
    (
        "Crossover",
        "Monthly cost of the best option of each kind against monthly volume, on log-log axes "
        "(x: tokens a month, 1M = a million, 1G = a billion; y: dollars a month). The dashed "
        "line is today's volume, the orange one the break-even where building starts to beat "
        "buying.",
    ),
    (
        "What changes the answer",
        "For each uncertain input, how far it must move, lower (left) or higher (right), before "
        "another option becomes the cheapest. Lengths count plausible moves: 1 is the low or "
        "high estimate the catalog gives (dashed lines). Orange bars mean a plausible move "
        "changes the answer; blue ones need a larger move. The text under the chart gives the "
        "value there and the new answer; inputs missing from the chart do not change it even "
        "at ×100.",
    ),
    (
        "Uncertainty",
        "The cost over the horizon of each option across thousands of simulated futures: the "
        "bar spans P10 to P90 (eight futures in ten fall inside), the diamond is the median "
        "(P50).",
    ),
)

SOURCES = """
<p>Every price and spec comes from the catalog, and every catalog record carries its source
and an as-of date (Tools &gt; Catalog browser lists them; the report cites each one). API
prices come from the genai-prices package; GPU specs, cloud offers, salaries and model scores
from the bundled seed files. Figures that are our own estimates are marked
<i>assumption</i> with the reasoning. What you enter (your salaries, your power price, your
overrides) is credited to you, never to a published source. The engine's own figures (GPUs
needed, latency, break-even, ranges) are computed from those inputs.</p>
"""

GLOSSARY = (
    ("Token", "A piece of text a model reads or writes; about ¾ of an English word."),
    ("TTFT", "Time to first token: how long a user waits before the answer starts."),
    ("Tokens/s per user", "How fast the answer streams once it has started."),
    ("Peak / average", "The busiest hour's request rate divided by the month's average."),
    ("Loaded cost", "Salary plus taxes, benefits and overhead for one person."),
    ("Break-even", "The monthly volume at which building costs the same as buying."),
    ("Horizon", "The months over which costs are added up."),
    ("Replica", "One copy of a self-hosted model on its own GPUs; more replicas serve more."),
    (
        "Precision (bf16, fp8, int4)",
        "How many bits each weight takes; fewer bits need less "
        "GPU memory and lose a little quality.",
    ),
    ("PUE", "Power usage effectiveness: a data centre's total power over its IT power."),
    ("Amortisation", "Writing bought hardware off over a number of years."),
    ("Hybrid", "A self-hosted model for some tasks, an API for the others."),
    (
        "P10 / P50 / P90",
        "The values one in ten, five in ten and nine in ten simulated futures stay under.",
    ),
)


def manual_html() -> str:
    """The whole manual as one HTML document with an anchor per section and per page."""
    steps = "".join(
        f"<h3><a name='{anchor}'></a>{escape(title)}</h3><p>{escape(text)}</p>"
        for anchor, (title, text) in STEPS.items()
    )
    charts = "".join(f"<h3>{escape(t)}</h3><p>{escape(d)}</p>" for t, d in CHARTS)
    glossary = "".join(f"<dt><b>{escape(t)}</b></dt><dd>{escape(d)}</dd>" for t, d in GLOSSARY)
    return (
        "<h1>LLM Sourcing Advisor: manual</h1>"
        "<p><a href='#method'>How the advice is made</a> · <a href='#steps'>Each step</a> · "
        "<a href='#charts'>Reading the charts</a> · <a href='#sources'>Where figures come "
        "from</a> · <a href='#glossary'>Glossary</a> · <a href='#fields'>Every field</a></p>"
        f"<h2><a name='method'></a>How the advice is made</h2>{METHOD}"
        f"<h2><a name='steps'></a>Each step</h2>{steps}"
        f"<h2><a name='charts'></a>Reading the charts</h2>{charts}"
        f"<h2><a name='sources'></a>Where each figure comes from</h2>{SOURCES}"
        f"<h2><a name='glossary'></a>Glossary</h2><dl>{glossary}</dl>"
        "<h2><a name='fields'></a>Every field of a scenario</h2>"
        "<p>The names are those of the scenario file; the wizard shows the same fields with "
        "shares in per cent. Units and defaults as the engine uses them.</p>"
        f"{html_table()}"
    )


class HelpDialog(QDialog):
    """A non-modal window showing the manual; ``show_section`` scrolls to an anchor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Manual")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(manual_html())
        self.anchor = ""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)
        self.resize(820, 640)

    def show_section(self, anchor: str) -> None:
        self.anchor = anchor
        self.show()
        self.raise_()
        self.browser.scrollToAnchor(anchor)


def anchor_for_page(page_id: int) -> str:
    """The manual's section for a wizard page id (the method for anything else)."""
    return PAGE_ANCHORS[page_id] if 0 <= page_id < len(PAGE_ANCHORS) else "method"
