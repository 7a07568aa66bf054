"""`advisor report SCENARIO -o report.pdf` and `advisor export SCENARIO -o results.xlsx`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.bounds import whole_number_arg
from advisor.errors import InputError, Problem

if TYPE_CHECKING:
    from advisor.recommend.result import Evaluation
    from advisor.scenario.model import Scenario


def register(sub: Any) -> None:
    """Add the ``report`` and ``export`` subcommands to the ``advisor`` parser."""
    p = sub.add_parser("report", help="write the recommendation report as a PDF")
    p.add_argument("scenario", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, help="the PDF to write")
    p.add_argument("--html", type=Path, default=None, help="also write the HTML that was rendered")
    p.add_argument(
        "--draws",
        type=whole_number_arg(0, 10**9),
        default=None,
        help="Monte Carlo draws (default 10,000)",
    )
    p.set_defaults(func=run_report)

    e = sub.add_parser(
        "export", help="write inputs, monthly costs and sources to an .xlsx workbook"
    )
    e.add_argument("scenario", type=Path)
    e.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file to write")
    e.add_argument(
        "--draws",
        type=whole_number_arg(0, 10**9),
        default=None,
        help="Monte Carlo draws (default 10,000)",
    )
    e.set_defaults(func=run_export)


def _evaluate(args: argparse.Namespace) -> tuple[Evaluation, Scenario]:
    import dataclasses

    from advisor.catalog.snapshot import load_catalog
    from advisor.errors import InputError, Problem
    from advisor.recommend import evaluate
    from advisor.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if args.draws is not None:
        if not 100 <= args.draws <= 1_000_000:
            raise InputError(Problem("--draws", "error", "must be between 100 and 1,000,000"))
        prefs = dataclasses.replace(scenario.preferences, monte_carlo_draws=args.draws)
        scenario = dataclasses.replace(scenario, preferences=prefs)
    return evaluate(scenario, load_catalog()), scenario


def check_not_input(output: Path, scenario: Path) -> None:
    """Never overwrite the scenario file the output is made from."""
    try:
        same = Path(output).expanduser().resolve() == Path(scenario).expanduser().resolve()
    except OSError:
        same = False
    if same:
        raise InputError(
            Problem(str(output), "error", "is the scenario file itself; choose another output")
        )


def run_report(args: argparse.Namespace) -> int:
    from advisor.report import write_pdf
    from advisor.report.files import check_writable

    # Refuse unwritable paths before the (slower) evaluation and rendering.
    check_not_input(args.output, args.scenario)
    check_writable(args.output, "PDF")
    if args.html is not None:
        check_not_input(args.html, args.scenario)
        check_writable(args.html, "HTML")
    ev, scenario = _evaluate(args)
    info = write_pdf(ev, scenario, args.output, args.html)
    extra = f" and {info.html_path}" if info.html_path else ""
    sys.stdout.write(f"wrote {info.path}{extra} ({info.pages} pages, {info.seconds:.1f} s)\n")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from advisor.report import write_xlsx
    from advisor.report.files import check_writable

    check_not_input(args.output, args.scenario)
    check_writable(args.output, "workbook")
    ev, scenario = _evaluate(args)
    path = write_xlsx(ev, scenario, args.output)
    sys.stdout.write(f"wrote {path} ({len(ev.options)} options, {ev.horizon_months} months)\n")
    return 0
