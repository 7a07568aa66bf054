"""`advisor compare A.json B.json [...] [--json] [-o compare.pdf]`: scenarios side by side."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from advisor.compare import Comparison
from advisor.errors import InputError, Problem
from advisor.report.format import tokens_words, usd


def register(sub: Any) -> None:
    """Add the ``compare`` subcommand to the ``advisor`` parser."""
    p = sub.add_parser("compare", help="compare two or more saved scenarios side by side")
    p.add_argument("scenarios", type=Path, nargs="+", help="scenario files (two or more)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p.add_argument("-o", "--output", type=Path, default=None, help="also write it as a PDF")
    p.add_argument("--draws", type=int, default=None, help="Monte Carlo draws (default 10,000)")
    p.set_defaults(func=run_compare)


def _rows(c: Comparison) -> list[dict[str, str]]:
    out = []
    for r in c.results:
        be = r.break_even_monthly_tokens
        out.append(
            {
                "label": r.label,
                "scenario_name": r.scenario_name,
                "summary": r.summary,
                "monthly": usd(r.monthly_cost_usd),
                "horizon": f"{usd(r.horizon_cost_usd)} over {r.horizon_months} months",
                "tokens": tokens_words(r.monthly_tokens),
                "break_even": f"{tokens_words(be)} tokens a month" if be else r.break_even_reason,
            }
        )
    return out


def verdict(c: Comparison) -> str:
    """One line: whether the answer changes between the scenarios."""
    if c.same_answer:
        option = c.results[0].option or "no option"
        return f"All {len(c.results)} scenarios recommend the same option: {option}."
    return "The answer changes: " + " / ".join(f"{r.label}: {r.summary}" for r in c.results)


def text(c: Comparison) -> str:
    """The comparison as plain text for the terminal."""
    lines = [verdict(c), ""]
    for row in _rows(c):
        lines.append(f"{row['label']} ({row['scenario_name']})")
        lines.append(f"  {row['summary']}")
        lines.append(f"  break-even: {row['break_even']}")
    lines += ["", "Inputs that differ:"]
    width = max((len(d.field) for d in c.differences), default=0)
    for d in c.differences:
        lines.append(f"  {d.field.ljust(width)}  " + " | ".join(d.values))
    if not c.differences:
        lines.append("  none (the notes may differ)")
    return "\n".join(lines) + "\n"


def render_html(c: Comparison, catalog_as_of: str, today: dt.date | None = None) -> str:
    """The comparison as HTML for the PDF (the report's safe Jinja environment)."""
    from advisor import __app_name__, __version__
    from advisor.report.html import environment

    day = today or dt.date.today()
    names = " vs ".join(r.label for r in c.results)
    return (
        environment()
        .get_template("compare.html.j2")
        .render(
            title=f"Scenarios compared: {names}",
            description=verdict(c),
            verdict=verdict(c),
            generated=f"{day.day} {day:%B %Y}",
            app_name=__app_name__,
            app_version=__version__,
            catalog_as_of=catalog_as_of,
            results=_rows(c),
            differences=c.differences,
        )
    )


def write_pdf(c: Comparison, catalog_as_of: str, path: Path) -> int:
    """Write the comparison as a PDF (atomically); return its page count."""
    from advisor.report.files import check_writable, write_atomically
    from advisor.report.pdf import render_pdf

    out = check_writable(path, "PDF")
    rendered = render_pdf(render_html(c, catalog_as_of))
    write_atomically(out, rendered.data)
    return rendered.pages


def run_compare(args: argparse.Namespace) -> int:
    from advisor.catalog.snapshot import load_catalog
    from advisor.compare import compare
    from advisor.report.cli import check_not_input
    from advisor.scenario import load_scenario

    if len(args.scenarios) < 2:
        raise InputError(Problem("scenarios", "error", "give at least two scenario files"))
    if args.draws is not None and not 100 <= args.draws <= 1_000_000:
        raise InputError(Problem("--draws", "error", "must be between 100 and 1,000,000"))
    if args.output is not None:
        for path in args.scenarios:
            check_not_input(args.output, path)
    scenarios = []
    for path in args.scenarios:
        scenario = load_scenario(path)
        if args.draws is not None:
            prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=args.draws)
            scenario = dataclasses.replace(scenario, preferences=prefs)
        scenarios.append((Path(path).stem, scenario))
    catalog = load_catalog()
    c = compare(scenarios, catalog)
    if args.json:
        sys.stdout.write(json.dumps(c.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(text(c))
    if args.output is not None:
        pages = write_pdf(c, catalog.as_of, args.output)
        sys.stderr.write(f"wrote {args.output} ({pages} pages)\n")
    return 0
