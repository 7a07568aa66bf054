"""Benchmark: the PDF report end to end against WeasyPrint alone on the same HTML.

Run from the repository root (a throw-away catalog is built in a temporary folder unless
``ADVISOR_CATALOG`` is set)::

    .venv/bin/python benchmarks/bench_report.py [--repeat 3] [--example NAME ...] [--json]

For each example scenario (evaluated once, outside the timings) the script times, in the same
run and interleaved, ``advisor.report.write_pdf`` end to end (context, charts, template, layout,
PDF, atomic write) and WeasyPrint alone turning the very HTML that call rendered into PDF bytes
(same URL fetcher, no file written). After one warm-up of each (imports, font loading, template
compilation: paid once per process), the best of ``--repeat`` runs is kept. Goals: the full
report under 3 s, and at most 1.3 times WeasyPrint alone. The first, cold call is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL_SECONDS = 3.0
GOAL_RATIO = 1.3


def _weasyprint_alone(html: str) -> tuple[float, int]:
    from weasyprint import HTML

    from advisor.paths import bundled_path
    from advisor.report.fetcher import BundledFilesFetcher

    root = bundled_path("templates")
    start = time.perf_counter()
    document = HTML(
        string=html, base_url=root.as_uri() + "/", url_fetcher=BundledFilesFetcher(root)
    ).render()
    document.write_pdf()
    return time.perf_counter() - start, len(document.pages)


def run(names: list[str], repeat: int, folder: Path) -> dict[str, Any]:
    from advisor.catalog.snapshot import load_catalog
    from advisor.paths import bundled_path
    from advisor.recommend import evaluate
    from advisor.report import write_pdf
    from advisor.scenario import load_scenario

    catalog = load_catalog()
    examples = bundled_path("resources") / "examples"
    out: dict[str, Any] = {"repeat": repeat, "examples": {}}
    cold = True
    for name in names:
        scenario = load_scenario(examples / f"{name}.json")
        ev = evaluate(scenario, catalog)
        pdf, html_path = folder / f"{name}.pdf", folder / f"{name}.html"
        start = time.perf_counter()
        info = write_pdf(ev, scenario, pdf, html_path)
        first = time.perf_counter() - start
        html = html_path.read_text(encoding="utf-8")
        _weasyprint_alone(html)  # warm-up of the comparison side
        full, alone = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            info = write_pdf(ev, scenario, pdf)
            full.append(time.perf_counter() - start)
            seconds, pages = _weasyprint_alone(html)
            alone.append(seconds)
            assert pages == info.pages
        out["examples"][name] = {
            "pages": info.pages,
            "pdf_bytes": info.size_bytes,
            "first_call_s": first,
            "first_call_includes_imports": cold,
            "write_pdf_s": min(full),
            "write_pdf_median_s": statistics.median(full),
            "weasyprint_alone_s": min(alone),
            "weasyprint_alone_median_s": statistics.median(alone),
            "ratio": min(full) / min(alone),
        }
        cold = False
    rows = out["examples"].values()
    out["worst_write_pdf_s"] = max(r["write_pdf_s"] for r in rows)
    out["worst_ratio"] = max(r["ratio"] for r in rows)
    out["meets_goals"] = out["worst_write_pdf_s"] < GOAL_SECONDS and out["worst_ratio"] < GOAL_RATIO
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per side (best kept)")
    parser.add_argument(
        "--example", action="append", default=None, help="example name (default: all)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        if not os.environ.get("ADVISOR_CATALOG"):
            os.environ["ADVISOR_CATALOG"] = str(Path(tmp) / "catalog.sqlite")
            os.environ.setdefault("ADVISOR_DATA_DIR", str(Path(tmp) / "data"))
            os.environ.setdefault("ADVISOR_CONFIG_DIR", str(Path(tmp) / "config"))
        from advisor.paths import bundled_path

        names = args.example or sorted(
            p.stem for p in (bundled_path("resources") / "examples").glob("*.json")
        )
        result = run(names, max(args.repeat, 1), Path(tmp))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{'example':28} {'pages':>5} {'write_pdf':>10} {'WeasyPrint':>11} {'ratio':>6}  first call"
    )
    for name, r in result["examples"].items():
        note = " (with imports)" if r["first_call_includes_imports"] else ""
        times = f"{r['write_pdf_s']:>9.2f}s {r['weasyprint_alone_s']:>10.2f}s"
        print(
            f"{name:28} {r['pages']:>5} {times} {r['ratio']:>6.2f}  {r['first_call_s']:.2f}s{note}"
        )
    verdict = "meets" if result["meets_goals"] else "MISSES"
    print(
        f"worst: write_pdf {result['worst_write_pdf_s']:.2f}s (goal < {GOAL_SECONDS:.0f}s), "
        f"ratio {result['worst_ratio']:.2f} (goal < {GOAL_RATIO}): {verdict} the goals "
        f"(best of {result['repeat']} runs each)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
