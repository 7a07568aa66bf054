"""The spreadsheet export: inputs, each option's monthly cost lines, crossover and sources.

The option sheets are a live model, not a dump: each month's cell is a formula of the line's
month-one amount and the factor rows (volume growth, API and GPU price trends, go-live), which
are formulas of the named driver cells on the Drivers sheet; every total is a ``=SUM(...)``.
An analyst can change a driver or a month-one amount and watch the totals follow. The engine's
own horizon total sits next to each formula total as a check.

User text (scenario name, organisation, notes) is always written as text, never as a formula.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.report.files import check_writable, write_atomically
from advisor.report.monthly import RULE_FACTORS, RULE_TEXT, Drivers, OptionMonths, all_months

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from advisor.recommend.result import Evaluation
    from advisor.scenario.model import Scenario

MONEY = '"$"#,##0'
MONEY_CENTS = '"$"#,##0.00'
PERCENT = "0.0%"
FACTOR = "0.0000"
INTEGER = "#,##0"
HEADER_FILL = "1F3A5F"
ASSUMPTION_FILL = "FFF3D6"
KIND_LABELS = {
    "api": "Buy (API)",
    "rented": "Rented GPUs",
    "owned": "Owned GPUs",
    "hybrid": "Hybrid",
}

# Factor rows of an option sheet, in order: (name, label, Excel formula with {t} for the month
# index cell). Names match advisor.report.monthly's factors.
FACTOR_ROWS = (
    ("volume", "Volume factor", "(1+growth)^{t}"),
    ("api_price", "API price factor", "(1-MIN(MAX(api_decline,0),0.99))^({t}/12)"),
    ("gpu_price", "GPU rental price factor", "(1-MIN(MAX(gpu_decline,0),0.99))^({t}/12)"),
    ("live", "Live (build running)", "IF({t}>=hiring_months,1,0)"),
    ("not_live", "Before go-live", "1-IF({t}>=hiring_months,1,0)"),
    ("fleet", "Replicas billed vs month 1 (from sizing)", None),
)
FIRST_MONTH_COL = 5  # column E: month 1


def _text(ws: Worksheet, row: int, col: int, value: object) -> Any:
    """Write a value; text is forced to be text even when it starts with '=' (no formulas)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, Decimal):
        value = float(value)
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _header(ws: Worksheet, row: int, labels: list[str], start: int = 1) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for i, label in enumerate(labels):
        cell = _text(ws, row, start + i, label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")


def _widths(ws: Worksheet, widths: dict[str, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[col].width = width


def _sheet_name(index: int) -> str:
    return f"Option {index}"


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A scenario as (field path, value) rows, the way its JSON file names the fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: list[tuple[str, Any]] = []
        for f in dataclasses.fields(value):
            if f.metadata.get("internal"):
                continue  # not part of the scenario file (e.g. which fields were defaulted)
            out += _flatten(getattr(value, f.name), f"{prefix}.{f.name}" if prefix else f.name)
        return out
    if isinstance(value, tuple):
        if value and all(dataclasses.is_dataclass(v) for v in value):
            out = []
            for i, v in enumerate(value):
                out += _flatten(v, f"{prefix}[{i}]")
            return out
        return [(prefix, ", ".join(str(v) for v in value) if value else "(none)")]
    if value is None:
        return [(prefix, "(catalog default)")]
    if isinstance(value, Decimal):
        return [(prefix, float(value))]
    return [(prefix, value)]


def _summary(
    wb: Workbook, ev: Evaluation, months: tuple[OptionMonths, ...], totals: dict[int, str]
) -> None:
    from openpyxl.styles import Font

    ws = wb.active
    ws.title = "Summary"
    _text(ws, 1, 1, f"LLM sourcing recommendation: {ev.scenario_name}").font = Font(
        bold=True, size=14
    )
    facts = [
        ("Organisation", ev.organisation),
        ("Scenario", ev.scenario_name),
        ("Exported", dt.date.today().isoformat()),
        ("Prices and specs as of", ev.catalog_as_of),
        ("Horizon (months)", ev.horizon_months),
        ("Tokens a month today", ev.monthly_tokens),
        (
            "Recommendation",
            ev.recommendation.name if ev.recommendation else "no option meets the constraints",
        ),
    ]
    for i, (label, value) in enumerate(facts, start=3):
        _text(ws, i, 1, label).font = Font(bold=True)
        cell = _text(ws, i, 2, value)
        if label == "Tokens a month today":
            cell.number_format = INTEGER
    row = len(facts) + 5
    _header(
        ws,
        row,
        [
            "Rank",
            "Option",
            "Kind",
            "Allowed",
            "Meets latency",
            "Monthly cost today",
            "Horizon total (formula)",
            "Horizon total (engine)",
            "Difference",
            "$ per million tokens",
        ],
    )
    for k, m in enumerate(months, start=1):
        o = m.option
        r = row + k
        _text(ws, r, 1, o.rank)
        _text(ws, r, 2, o.name)
        _text(ws, r, 3, KIND_LABELS.get(o.kind, o.kind))
        _text(ws, r, 4, "yes" if o.allowed else f"no: {o.not_allowed_reason}")
        _text(ws, r, 5, "yes" if o.meets_latency else "no")
        _text(ws, r, 6, o.monthly_cost_usd).number_format = MONEY
        ws.cell(row=r, column=7, value=f"={totals[k]}").number_format = MONEY
        _text(ws, r, 8, o.horizon_cost_undiscounted_usd).number_format = MONEY
        ws.cell(row=r, column=9, value=f"=G{r}-H{r}").number_format = MONEY_CENTS
        _text(ws, r, 10, o.cost_per_million_tokens_usd).number_format = MONEY_CENTS
    last = row + len(months)
    _text(ws, last + 2, 1, "Rationale").font = Font(bold=True)
    for i, line in enumerate(ev.rationale):
        _text(ws, last + 3 + i, 1, line)
    if ev.warnings:
        start = last + 4 + len(ev.rationale)
        _text(ws, start, 1, "Warnings").font = Font(bold=True)
        for i, w in enumerate(ev.warnings, start=1):
            _text(ws, start + i, 1, w)
    _widths(
        ws,
        {"A": 24, "B": 70, "C": 13, "D": 18, "E": 10, "F": 16, "G": 18, "H": 18, "I": 12, "J": 12},
    )
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _drivers(wb: Workbook, drv: Drivers) -> None:
    from openpyxl.styles import Font
    from openpyxl.workbook.defined_name import DefinedName

    ws = wb.create_sheet("Drivers")
    _text(
        ws, 1, 1, "Drivers of the monthly series (change them to see the totals move)"
    ).font = Font(bold=True, size=12)
    _header(ws, 3, ["Driver", "Value", "Name in formulas", "Meaning"])
    rows = [
        ("Monthly growth of requests", drv.monthly_growth, "growth", PERCENT,
         "volume in month t = today's x (1 + growth)^t"),
        ("API price decline per year", drv.api_decline_per_year, "api_decline", PERCENT,
         "API prices for the same capability fall by this share a year"),
        ("GPU rental price decline per year", drv.gpu_decline_per_year, "gpu_decline", PERCENT,
         "rental prices fall by this share a year"),
        ("Months before a build goes live", drv.hiring_months, "hiring_months", "0.0",
         "builds run (and pay GPUs and running costs) from this month index on; "
         "the cheapest API serves the load until then"),
        ("Horizon (months)", drv.months, "horizon_months", "0",
         "the option sheets have one column per month"),
    ]  # fmt: skip
    for i, (label, value, name, fmt, meaning) in enumerate(rows, start=4):
        _text(ws, i, 1, label)
        _text(ws, i, 2, value).number_format = fmt
        _text(ws, i, 3, name)
        _text(ws, i, 4, meaning)
        ref = f"Drivers!$B${i}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    _widths(ws, {"A": 36, "B": 12, "C": 18, "D": 90})


def _option_sheet(wb: Workbook, index: int, m: OptionMonths, drv: Drivers) -> str:
    """One option's cost lines month by month; returns the cell holding its formula total."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_name(index))
    o = m.option
    _text(ws, 1, 1, f"#{o.rank} {o.name}").font = Font(bold=True, size=12)
    status = "allowed" if o.allowed else f"ruled out: {o.not_allowed_reason}"
    _text(ws, 2, 1, f"{KIND_LABELS.get(o.kind, o.kind)}; {status}")
    first, n = FIRST_MONTH_COL, drv.months
    last_col = first + n - 1
    total_col = last_col + 1
    total_letter = get_column_letter(total_col)
    _header(ws, 4, ["", "Component", "Moves with", "Month-1 amount (today's volume)"])
    for t in range(n):
        _header(ws, 4, [f"Month {t + 1}"], start=first + t)
    _header(ws, 4, ["Total"], start=total_col)
    # Row 5: month index t (0 = first month); rows 6..: factor rows.
    _text(ws, 5, 2, "Month index t")
    for t in range(n):
        ws.cell(row=5, column=first + t, value=t)
    factor_row: dict[str, int] = {}
    for i, (name, label, formula) in enumerate(FACTOR_ROWS, start=6):
        factor_row[name] = i
        _text(ws, i, 2, label)
        for t in range(n):
            col = get_column_letter(first + t)
            if formula is None:  # the engine's replica count for this option (a value)
                value: object = o.fleet_factor[t] if o.fleet_factor else 1.0
            else:
                value = "=" + formula.format(t=f"{col}$5")
            cell = ws.cell(row=i, column=first + t, value=value)
            cell.number_format = FACTOR
    grey = Font(color="5B6475")
    for r in range(5, 6 + len(FACTOR_ROWS)):
        for c in range(1, total_col + 1):
            ws.cell(row=r, column=c).font = grey
    start = 7 + len(FACTOR_ROWS)
    _header(ws, start - 1, ["Cost lines (USD)"])
    for k, line in enumerate(m.lines):
        r = start + k
        _text(ws, r, 1, line.label)
        _text(ws, r, 2, line.component)
        _text(ws, r, 3, RULE_TEXT[line.rule])
        _text(ws, r, 4, round(line.base_usd, 2)).number_format = MONEY_CENTS
        factors = RULE_FACTORS[line.rule]
        for t in range(n):
            col = get_column_letter(first + t)
            refs = "".join(f"*{col}${factor_row[f]}" for f in factors)
            ws.cell(row=r, column=first + t, value=f"=$D{r}{refs}").number_format = MONEY
        ws.cell(
            row=r,
            column=total_col,
            value=f"=SUM({get_column_letter(first)}{r}:{get_column_letter(last_col)}{r})",
        ).number_format = MONEY
    end = start + len(m.lines) - 1
    total_row = end + 1
    bold = Font(bold=True)
    _text(ws, total_row, 1, "Total").font = bold
    if m.lines:
        ws.cell(row=total_row, column=4, value=f"=SUM(D{start}:D{end})").number_format = MONEY
        for t in range(n):
            col = get_column_letter(first + t)
            cell = ws.cell(row=total_row, column=first + t, value=f"=SUM({col}{start}:{col}{end})")
            cell.number_format = MONEY
            cell.font = bold
        grand = f"=SUM({total_letter}{start}:{total_letter}{end})"
    else:
        grand = "=0"
    cell = ws.cell(row=total_row, column=total_col, value=grand)
    cell.number_format = MONEY
    cell.font = bold
    fill = PatternFill("solid", fgColor="F3F5F8")
    for c in range(1, total_col + 1):
        ws.cell(row=total_row, column=c).fill = fill
    _text(ws, total_row + 2, 1, "Engine horizon total")
    _text(ws, total_row + 2, total_col, o.horizon_cost_undiscounted_usd).number_format = MONEY
    _text(ws, total_row + 3, 1, "Difference (rounding of the month-1 amounts to cents)")
    ws.cell(
        row=total_row + 3,
        column=total_col,
        value=f"={total_letter}{total_row}-{total_letter}{total_row + 2}",
    ).number_format = MONEY_CENTS
    _widths(ws, {"A": 26, "B": 22, "C": 44, "D": 16})
    for t in range(n + 1):
        ws.column_dimensions[get_column_letter(first + t)].width = 12
    ws.freeze_panes = ws.cell(row=5, column=first)
    return f"'{ws.title}'!${total_letter}${total_row}"


def _crossover(wb: Workbook, ev: Evaluation) -> None:
    ws = wb.create_sheet("Crossover")
    cross = ev.crossover
    _text(ws, 1, 1, "Monthly cost of the best option of each kind against monthly volume")
    _header(
        ws,
        3,
        ["Tokens a month", "Multiple of today"] + [f"{s.option} ({s.kind})" for s in cross.series],
    )
    for i, x in enumerate(cross.monthly_tokens):
        r = 4 + i
        _text(ws, r, 1, x).number_format = INTEGER
        today = ev.monthly_tokens or 1.0
        ws.cell(row=r, column=2, value=f"=A{r}/{today!r}").number_format = "0.00"
        for j, s in enumerate(cross.series):
            _text(ws, r, 3 + j, s.monthly_cost_usd[i]).number_format = MONEY
    r = 5 + len(cross.monthly_tokens)
    be = ev.break_even
    _text(ws, r, 1, "Break-even tokens a month")
    if be.monthly_tokens is not None:
        _text(ws, r, 2, be.monthly_tokens).number_format = INTEGER
    else:
        _text(ws, r, 2, "none in range")
    _text(ws, r + 1, 1, "Why")
    _text(ws, r + 1, 2, be.reason)
    _widths(ws, {"A": 22, "B": 18})
    for j in range(len(cross.series)):
        ws.column_dimensions[chr(ord("C") + j)].width = 40


def _sensitivity(wb: Workbook, ev: Evaluation) -> None:
    ws = wb.create_sheet("Sensitivity")
    _header(
        ws,
        1,
        ["Input", "Low", "High", "Horizon cost at low", "Horizon cost at high", "Best at low",
         "Best at high", "Flips", "Basis"],
    )  # fmt: skip
    for i, b in enumerate(ev.sensitivity, start=2):
        for c, value in enumerate(
            (b.label, b.low_input, b.high_input, b.low_cost_usd, b.high_cost_usd, b.low_choice,
             b.high_choice, "yes" if b.flips else "no", b.basis),
            start=1,
        ):  # fmt: skip
            cell = _text(ws, i, c, value)
            if c in (4, 5):
                cell.number_format = MONEY
    r = len(ev.sensitivity) + 4
    _text(ws, r, 1, f"Monte Carlo: {ev.uncertainty.draws} draws")
    prob = ev.uncertainty.probability_build_cheaper
    _text(ws, r + 1, 1, "Probability building is cheaper than buying")
    if prob is not None:
        _text(ws, r + 1, 2, prob).number_format = PERCENT
    else:
        _text(ws, r + 1, 2, "n/a")
    _header(ws, r + 3, ["Option", "Kind", "P10", "P50", "P90"])
    for i, rng in enumerate(ev.uncertainty.ranges, start=r + 4):
        _text(ws, i, 1, rng.option)
        _text(ws, i, 2, rng.kind)
        for c, v in enumerate((rng.p10, rng.p50, rng.p90), start=3):
            _text(ws, i, c, v).number_format = MONEY
    _widths(ws, {"A": 44, "B": 12, "C": 14, "D": 16, "E": 16, "F": 40, "G": 40, "H": 8, "I": 12})


def _task_fit(wb: Workbook, ev: Evaluation) -> None:
    ws = wb.create_sheet("Task fit")
    _header(
        ws,
        1,
        ["Task", "Share", "Quality bar", "Cheapest good-enough API", "Its monthly cost",
         "Smallest good-enough open model", "Premium model", "Over-buying a month",
         "Models good enough"],
    )  # fmt: skip
    for i, t in enumerate(ev.task_fit, start=2):
        _text(ws, i, 1, t.task_name)
        _text(ws, i, 2, t.share).number_format = PERCENT
        _text(ws, i, 3, t.requirement)
        _text(ws, i, 4, t.cheapest_api or "none")
        _text(ws, i, 5, t.cheapest_api_monthly_usd).number_format = MONEY
        _text(ws, i, 6, t.smallest_open_model or "none")
        _text(ws, i, 7, t.premium_model or "")
        _text(ws, i, 8, t.overbuying_monthly_usd).number_format = MONEY
        _text(ws, i, 9, ", ".join(t.good_enough_models))
    _widths(ws, {"A": 36, "B": 8, "C": 36, "D": 30, "E": 14, "F": 24, "G": 26, "H": 14, "I": 80})


def _inputs(wb: Workbook, ev: Evaluation, scenario: Scenario) -> None:
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet("Inputs")
    _text(ws, 1, 1, "The scenario as entered").font = Font(bold=True, size=12)
    _header(ws, 2, ["Field", "Value"])
    rows = _flatten(scenario)
    for i, (path, value) in enumerate(rows, start=3):
        _text(ws, i, 1, path)
        _text(ws, i, 2, value)
    r = len(rows) + 5
    _text(ws, r, 1, "Cost inputs the engine used").font = Font(bold=True, size=12)
    _text(ws, r + 1, 1, "Rows marked ASSUMPTION are the tool's assumptions, not published facts.")
    _header(ws, r + 2, ["Input", "Value", "Basis", "Source", "As of", "Key"])
    fill = PatternFill("solid", fgColor=ASSUMPTION_FILL)
    for i, item in enumerate(ev.inputs, start=r + 3):
        basis = "ASSUMPTION" if item.basis == "assumption" else item.basis
        for c, value in enumerate(
            (item.label, item.value, basis, item.source, item.as_of, item.key), start=1
        ):
            cell = _text(ws, i, c, value)
            if item.basis == "assumption":
                cell.fill = fill
    _widths(ws, {"A": 44, "B": 40, "C": 14, "D": 70, "E": 12, "F": 34})


def _sources(wb: Workbook, ev: Evaluation) -> None:
    ws = wb.create_sheet("Sources")
    _header(ws, 1, ["What", "Source", "As of"])
    for i, (what, src, as_of) in enumerate(ev.sources, start=2):
        _text(ws, i, 1, what)
        _text(ws, i, 2, src)
        _text(ws, i, 3, as_of)
    r = len(ev.sources) + 3
    for n, (what, statement) in enumerate(ev.price_sources):
        _text(ws, r + n, 1, what)
        _text(ws, r + n, 2, statement)
    _widths(ws, {"A": 50, "B": 90, "C": 12})


def workbook_bytes(evaluation: Evaluation, scenario: Scenario) -> bytes:
    """The export as .xlsx bytes (see the module docstring for its sheets)."""
    from openpyxl import Workbook

    drv, months = all_months(evaluation, scenario)
    wb = Workbook()
    _drivers(wb, drv)
    totals = {k: _option_sheet(wb, k, m, drv) for k, m in enumerate(months, start=1)}
    _summary(wb, evaluation, months, totals)
    _crossover(wb, evaluation)
    _sensitivity(wb, evaluation)
    _task_fit(wb, evaluation)
    _inputs(wb, evaluation, scenario)
    _sources(wb, evaluation)
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_xlsx(evaluation: Evaluation, scenario: Scenario, path: Path | str) -> Path:
    """Write the spreadsheet export atomically.

    Args:
        evaluation: The evaluation of ``scenario``.
        scenario: The scenario as entered.
        path: Where to write the workbook.

    Returns:
        The path written.

    Raises:
        InputError: the path cannot be written.
    """
    out = check_writable(path, "workbook")
    write_atomically(out, workbook_bytes(evaluation, scenario))
    return out
