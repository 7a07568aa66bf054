"""Seeded fuzz of the input boundary: generated scenarios, override files and override commands
through the CLI entry point, counting exit codes, the slowest run and the largest memory.

Usage: python benchmarks/fuzz_inputs.py [--scenarios 2000] [--catalog-ops 500] [--seed 17]
       [--workers 2]

Each worker process copies the catalog, then runs its share in-process through
``advisor.cli.main`` (stdout and stderr swallowed). Per run it records the exit code, the wall
time and the worker's peak RSS after the run (``ru_maxrss``, so a run is charged with the
highest memory the worker ever reached). A run still going after 60 s is stopped by an alarm
and counted as a hang. The goal (issue 17): 0 exit-1 results, 0 runs over 10 s, 0 over 1 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import random
import resource
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "resources" / "examples").glob("*.json"))
HANG_S = 60

NUMBERS = [
    "0", "-1", "1", "0.5", "1.0", "2", "3", "36", "120", "121", "1e3", "1e6", "1e9", "1e10",
    "1e15", "1e300", "1e999", "1e999999", "1e-999", "-1e308", "NaN", "Infinity", "-Infinity",
    "9" * 50, "9" * 5000, "4294967296", "1000000", "0.000001", "100000",
]  # fmt: skip
TEXTS = [
    "", "x", "mars", "us", "eu", "\u0000", "a\nb", "\x1b[2J", "\ud800", "x\u0085y", "\u2028",
    "=?utf-8?b?SGkNCkJjYzogZUB4LnRlc3Q=?=", "a" * 300, "rag_qa", "h100-sxm-80gb", "fp8", "int4",
    "ml_engineer", "on_demand", "spot", "aws", "openai", "\ufeff",
]  # fmt: skip
FIELDS: dict[str, list[str]] = {
    "": ["name", "organisation", "notes", "version"],
    "workload": [
        "requests_per_day", "input_tokens_per_request", "output_tokens_per_request",
        "cached_input_share", "batch_share", "peak_to_average", "peak_hours_per_day",
        "ttft_ms_target", "tokens_per_s_per_user_target", "monthly_growth",
        "reasoning_output_multiplier", "context_tokens", "data_sensitivity", "data_residency",
        "tasks",
    ],
    "team": ["region", "roles", "api_share_of_time", "hiring_months",
             "maintenance_hours_per_month"],
    "hardware": ["owned", "buying_allowed", "renting_allowed", "cloud_providers", "rental_term",
                 "electricity_usd_per_kwh", "pue", "colocation_usd_per_kw_month",
                 "amortisation_years"],
    "preferences": ["horizon_months", "currency", "precisions", "api_providers",
                    "api_price_decline_per_year", "gpu_price_decline_per_year",
                    "failover_replicas", "monte_carlo_draws", "seed"],
}  # fmt: skip
OVERRIDES = [
    ("gpu", "h100-sxm-80gb", "purchase_price_usd"), ("gpu", "a100-sxm-80gb", "tdp_w"),
    ("gpu", "a100-sxm-80gb", "memory_gb"), ("gpu", "h100-sxm-80gb", "bf16_tflops"),
    ("gpu", "h100-sxm-80gb", "name"), ("staff", "ml_engineer|us", "loaded_monthly_usd"),
    ("api", "openai/gpt-4o", "input_mtok"), ("api", "openai/gpt-4o", "output_mtok"),
    ("assumption", "pue", "value"), ("assumption", "model_refresh_interval_months", "value"),
    ("assumption", "electricity_price_usd_per_kwh", "value"),
    ("assumption", "colocation_usd_per_kw_month", "value"),
    ("cloud", "runpod-1x-rtx4090-secure-global", "on_demand_usd_per_hour"),
    ("api_extra", "openai", "batch_discount"), ("nope", "x", "y"),
]  # fmt: skip


def _raw(rng: random.Random) -> str:
    """A JSON value as text: a raw number literal, a string, a list or an object."""
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(NUMBERS)
    if pick < 0.75:
        return json.dumps(rng.choice(TEXTS))
    if pick < 0.8:
        return rng.choice(["true", "false", "null", "[]", "{}"])
    if pick < 0.85:
        depth = rng.choice([5, 40, 1000, 100_000])
        return "[" * depth + "]" * depth
    if pick < 0.93:
        item = json.dumps(
            {
                "gpu": rng.choice(["a100-sxm-80gb", "h100-sxm-80gb", "zz"]),
                "count": rng.randint(1, 64),
                "age_years": rng.randint(0, 5),
            }
        )
        return "[" + ", ".join([item] * rng.choice([1, 3, 49, 51, 200])) + "]"
    return "[" + ", ".join(_raw(rng) for _ in range(rng.randint(1, 3))) + "]"


def scenario_text(rng: random.Random) -> bytes:
    data = json.loads(rng.choice(EXAMPLES).read_text())
    marks = {}
    plausible_only = rng.random() < 0.4
    for n in range(rng.randint(1, 4)):
        group = rng.choice(list(FIELDS))
        field = rng.choice(FIELDS[group])
        node = data if not group else data.setdefault(group, {})
        if not isinstance(node, dict):
            continue
        old = node.get(field)
        numeric = isinstance(old, int | float) and not isinstance(old, bool)
        if plausible_only and not numeric:
            continue
        if numeric and (plausible_only or rng.random() < 0.5):
            # A plausible change (most fuzz values are refused): these reach the engine.
            node[field] = type(old)(old * rng.choice([0, 0.5, 2, 3, 10]))  # type: ignore[misc]
            continue
        node[field] = f"@@{n}@@"
        marks[f'"@@{n}@@"'] = _raw(rng)
    text = json.dumps(data)
    for mark, raw in marks.items():
        text = text.replace(mark, raw)
    out = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.05:
        out = b"\xef\xbb\xbf" + out
    if rng.random() < 0.03:
        out = out[: rng.randint(0, len(out))]  # truncated
    return out


def override_file(rng: random.Random, folder: Path, n: int) -> Path:
    rows = []
    for _ in range(rng.randint(0, 4)):
        kind, record, field = rng.choice(OVERRIDES)
        rows.append((kind, record, field, rng.choice(NUMBERS + TEXTS)))
    if rng.random() < 0.5:
        path = folder / f"o{n}.json"
        body = ", ".join(
            "{" + f'"kind": {json.dumps(k)}, "record_id": {json.dumps(r)}, '
            f'"field": {json.dumps(f)}, "value": '
            + (v if v in NUMBERS and rng.random() < 0.5 else json.dumps(v))
            + "}"
            for k, r, f, v in rows
        )
        path.write_bytes(("[" + body + "]").encode("utf-8", "surrogatepass"))
    else:
        path = folder / f"o{n}.csv"
        lines = ["kind,record_id,field,value"] + [
            ",".join(json.dumps(x) for x in row) for row in rows
        ]
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    return path


class _Hang(Exception):
    pass


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Hang


def _run(argv: list[str]) -> tuple[int, float, int]:
    from advisor.cli import main

    start = time.perf_counter()
    signal.alarm(HANG_S)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = main(argv)
    except _Hang:
        code = -1
    finally:
        signal.alarm(0)
    elapsed = time.perf_counter() - start
    return code, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker(job: tuple[int, int, int, int, str]) -> list[tuple[str, int, float, int, str]]:
    index, seed, scenarios, ops, catalog = job
    signal.signal(signal.SIGALRM, _alarm)
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz{index}-"))
    own = folder / "catalog.sqlite"
    shutil.copyfile(catalog, own)
    os.environ["ADVISOR_CATALOG"] = str(own)
    os.environ["ADVISOR_DATA_DIR"] = str(folder / "data")
    rng = random.Random(seed * 1000 + index)
    results = []
    for n in range(scenarios):
        path = folder / f"s{n}.json"
        path.write_bytes(scenario_text(rng))
        code, elapsed, rss = _run(["evaluate", str(path)])
        results.append(("scenario", code, elapsed, rss, str(path) if code not in (0, 2) else ""))
        if code not in (0, 2):
            shutil.copyfile(path, folder / f"failed-{n}.json")
    for n in range(ops):
        if rng.random() < 0.5:
            kind, record, field = rng.choice(OVERRIDES)
            argv = ["catalog", "override", kind, record, field,
                    rng.choice(NUMBERS + TEXTS).replace("\x00", "")]  # fmt: skip
            label = "override"
        else:
            argv = ["catalog", "import", str(override_file(rng, folder, n))]
            label = "import"
        code, elapsed, rss = _run(argv)
        results.append((label, code, elapsed, rss, " ".join(argv) if code not in (0, 2) else ""))
        if code == 0 and rng.random() < 0.2:  # accepted figures must still evaluate
            code, elapsed, rss = _run(["evaluate", str(rng.choice(EXAMPLES)), "--draws", "1000"])
            results.append(("evaluate-after-override", code, elapsed, rss, ""))
    if all(r[1] in (0, 2) for r in results):
        shutil.rmtree(folder, ignore_errors=True)  # failing inputs are kept for a look
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=2000)
    parser.add_argument("--catalog-ops", type=int, default=500)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from advisor.catalog.db import ensure_catalog

    base = Path(tempfile.mkdtemp(prefix="fuzz-catalog-")) / "catalog.sqlite"
    ensure_catalog(base)
    jobs = []
    for i in range(args.workers):
        share = args.scenarios // args.workers + (i < args.scenarios % args.workers)
        ops = args.catalog_ops // args.workers + (i < args.catalog_ops % args.workers)
        jobs.append((i, args.seed, share, ops, str(base)))
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = [r for part in pool.map(worker, jobs) for r in part]
    wall = time.perf_counter() - start
    shutil.rmtree(base.parent, ignore_errors=True)
    print(f"fuzz_inputs: seed {args.seed}, {args.workers} workers, {wall:.0f} s wall")
    for label in ("scenario", "override", "import", "evaluate-after-override"):
        rows = [r for r in results if r[0] == label]
        if not rows:
            continue
        codes = Counter(r[1] for r in rows)
        slowest = max(r[2] for r in rows)
        print(
            f"  {label:24} runs {len(rows):5}  exit codes "
            + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items()))
            + f"  slowest {slowest:.2f} s  over 10 s: {sum(r[2] > 10 for r in rows)}"
        )
    peak_mib = max(r[3] for r in results) / 1024
    bad = [r for r in results if r[1] not in (0, 2)]
    print(f"  peak RSS of any worker: {peak_mib:.0f} MiB; runs over 1 GiB: "
          f"{sum(r[3] > 1024 * 1024 for r in results)}")  # fmt: skip
    print(f"  exit 1 or hang: {len(bad)}")
    for r in bad[:20]:
        print(f"    {r[0]} exit {r[1]}: {r[4]}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
