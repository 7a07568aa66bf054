"""Many owned-GPU entries: the report lists a few and counts the rest (no single huge cell)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from advisor.report.html import render_html
from advisor.scenario import Scenario
from advisor.scenario.model import Hardware, OwnedGpu
from advisor.scenario.validate import MAX_OWNED_ENTRIES


def test_fifty_owned_entries_show_eight_and_a_count(
    evaluate_scenario: Callable[[Any], Any],
) -> None:
    owned = tuple(
        OwnedGpu(gpu="a100-sxm-80gb", count=1 + n % 8, age_years=(n % 10) / 2)
        for n in range(MAX_OWNED_ENTRIES)
    )
    scenario = dataclasses.replace(Scenario(), hardware=Hardware(owned=owned))
    html = render_html(evaluate_scenario(scenario), scenario)
    (cell,) = re.findall(r"<th>GPUs owned</th><td>(.*?)</td>", html, re.S)
    assert cell.count(" x a100-sxm-80gb") == 8
    assert f"and {MAX_OWNED_ENTRIES - 8} more entries" in cell
    assert len(cell) < 600
