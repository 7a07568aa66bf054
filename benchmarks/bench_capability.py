"""Speed and accuracy of the capability engine.

1. One `estimate(...)` in-process (goal: well under 1 ms), median over many calls.
2. Sizing the whole catalog (every open model x GPU x {1, 2, 4, 8} GPUs x {bf16, fp8, fp4, int4})
   for one workload (goal: under 200 ms), cold (column grid built) and warm (grid cached).
3. Validation, headline: leave-one-source-out cross-validation. For every source (``source_id``
   of perf_measurements.yaml) the efficiency factors are fitted on all OTHER sources and the
   held-out source is predicted; median absolute error and the share within +-25 % are shown per
   metric (throughput, TTFT, TPOT), per engine, per GPU vendor and per source, with the
   in-sample figure (factors fitted on every row) beside it, and the number of fitted
   parameters.
4. Speculative decoding: each measured speculative row against its same-source twin without
   speculation (measured speed-up) next to the model's speed-up with the default draft settings.

Runs on a catalog built fresh from the bundled seeds in a temporary folder (the per-user catalog
is not touched), or on ``--catalog PATH``:

    .venv/bin/python benchmarks/bench_capability.py [--catalog PATH] [--calls N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from advisor.capability import sizing, validation
from advisor.capability.estimate import estimate
from advisor.capability.model import Calibration, Serving, engine_of
from advisor.capability.sizing import SIZING_PRECISIONS, TP_SIZES, Workload, size_all
from advisor.catalog.db import build_fresh
from advisor.catalog.snapshot import Catalog, load_catalog


def _times(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.3f} ms"


def bench_estimate(catalog: Catalog, cal: Calibration, calls: int) -> None:
    print("== one estimate, in-process ==")
    cases = [
        ("llama-3.1-70b", "h100", 2, "fp8", 1000, 500, None),
        ("llama-3.1-8b", "l4", 1, "bf16", 2000, 300, 8),
        ("deepseek-r1", "b200", 8, "fp4", 8000, 1000, None),
        ("gpt-oss-120b", "mi300x", 1, "fp8", 1000, 1000, 64),
    ]
    for model_id, gpu_id, n, precision, inp, out, conc in cases:
        model, gpu = catalog.model(model_id), catalog.gpu(gpu_id)

        def one(
            model: object = model,
            gpu: object = gpu,
            n: int = n,
            precision: str = precision,
            inp: int = inp,
            out: int = out,
            conc: int | None = conc,
        ) -> object:
            return estimate(model, gpu, n, precision, inp, out, conc, cal)  # type: ignore[arg-type]

        one()  # warm-up (imports, allocator)
        ts = sorted(_times(one, calls))
        label = f"{model_id} on {n} x {gpu_id} {precision} {inp}/{out} c={conc}"
        print(
            f"  {label:52} median {ts[len(ts) // 2] * 1e6:7.1f} us   "
            f"p90 {ts[int(len(ts) * 0.9)] * 1e6:7.1f} us   ({calls} calls)"
        )


def bench_sizing(catalog: Catalog, cal: Calibration, repeats: int = 5) -> None:
    print("== sizing the whole catalog for one workload ==")
    models, gpus = catalog.models, catalog.gpus
    combos = len(models) * len(gpus) * len(TP_SIZES) * len(SIZING_PRECISIONS)
    workload = Workload(
        requests_per_s=20.0,
        peak_to_average=3.0,
        input_tokens=1500,
        output_tokens=400,
        ttft_ms_target=1000.0,
        tokens_per_s_per_user_target=20.0,
    )
    print(
        f"  {len(models)} models x {len(gpus)} GPUs x GPUs per replica {TP_SIZES} x "
        f"{SIZING_PRECISIONS} = {combos} deployments, {len(sizing._BATCHES)} batch sizes each"
    )

    def timed() -> tuple[float, float]:
        w0, c0 = time.perf_counter(), time.process_time()
        size_all(workload, models, gpus, cal)
        return time.perf_counter() - w0, time.process_time() - c0

    cold, warm = [], []
    for _ in range(repeats):
        sizing._grid.cache_clear()
        cold.append(timed())
        warm.append(timed())
        warm.append(timed())
    sized = size_all(workload, models, gpus, cal)
    met = sum(s.meets_latency for s in sized)
    print(f"  {len(sized)} fit in memory, {met} meet the latency targets")
    for label, runs in (("cold (grid built): ", cold), ("warm (grid cached):", warm)):
        wall, cpu = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"  {label} wall median {_ms(statistics.median(wall))}  min {_ms(min(wall))}   "
            f"CPU median {_ms(statistics.median(cpu))}  ({len(runs)} runs)"
        )


def _print_table(
    title: str,
    by: str,
    loso: list[validation.Comparison],
    insample: list[validation.Comparison],
) -> None:
    held = validation.table(loso, by)
    ins = validation.table(insample, by)
    print(f"  -- {title} --")
    print(f"    {'group':34} {'n':>4}  {'LOSO med':>9} {'+-25%':>6} {'bias':>7}   {'in-sample':>9}")
    for key, s in held.items():
        i = ins[key]
        print(
            f"    {key:34} {int(s['n']):4}  {s['median_ape']:8.1f}% {s['within_25']:5.0f}% "
            f"{s['median_signed']:+6.0f}%   {i['median_ape']:8.1f}%"
        )


def bench_validation(catalog: Catalog, cal: Calibration) -> None:
    print("== validation: leave-one-source-out cross-validation (headline) ==")
    rows, skipped = validation.usable_rows(catalog)
    sources = sorted({validation.source_of(r) for r in rows})
    print(
        f"  rows: {len(catalog.perf)} measured, {len(rows)} used from {len(sources)} sources, "
        f"{len(skipped)} skipped"
    )
    reasons: dict[str, int] = {}
    for _, reason in skipped:
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"    skipped {count:3}: {reason}")
    t0 = time.perf_counter()
    loso = validation.leave_one_source_out(catalog, rows)
    fitted = validation.fit(catalog, rows)
    insample = validation.compare(catalog, rows, fitted)
    params = validation.identified(catalog, rows)
    print(
        f"  fitted parameters: {len(params)} ({', '.join(params)}); "
        f"{len(sources)} folds in {time.perf_counter() - t0:.1f} s"
    )
    print(
        "  targets: LOSO median |error| <= 15 % throughput, <= 20 % TTFT/TPOT; "
        ">= 70 % within +-25 %"
    )
    _print_table("per metric", "", loso, insample)
    _print_table("per engine", "engine", loso, insample)
    _print_table("per GPU vendor", "vendor", loso, insample)
    _print_table("per regime (low: concurrency <= 16)", "regime", loso, insample)
    _print_table("per source (held out)", "source", loso, insample)
    shipped = validation.compare(catalog, rows, cal)
    summary = validation.table(shipped, "")
    print(
        "  the catalog's calibration.yaml on the same rows (in-sample): "
        + ", ".join(f"{k} {v['median_ape']:.1f} %" for k, v in summary.items() if k != "all")
    )


def bench_speculative(catalog: Catalog, cal: Calibration) -> None:
    """Measured speed-up of speculative rows over their same-source twins, and the model's."""
    print("== speculative decoding: measured vs modelled speed-up (same source, same setup) ==")
    spec = [r for r in catalog.perf if r.speculative and r.output_tokens_per_s]
    if not spec:
        print("  no speculative rows")
        return
    for r in spec:
        twins = [
            t
            for t in catalog.perf
            if not t.speculative
            and t.output_tokens_per_s
            and (t.model, t.gpu, t.gpu_count, t.precision, t.concurrency, t.scenario)
            == (r.model, r.gpu, r.gpu_count, r.precision, r.concurrency, r.scenario)
            and validation.source_of(t) == validation.source_of(r)
            and engine_of(t.engine) == engine_of(r.engine)
        ]
        if not twins or r.input_tokens is None or r.output_tokens is None:
            print(f"  {r.id}: no same-setup row without speculation")
            continue
        t = twins[0]
        measured = (r.output_tokens_per_s or 0.0) / (t.output_tokens_per_s or 1.0)
        model, gpu = catalog.model(r.model), catalog.gpu(r.gpu)
        args = (model, gpu, r.gpu_count, r.precision, int(r.input_tokens), int(r.output_tokens))
        eng = engine_of(r.engine)
        plain = estimate(*args, r.concurrency, cal, serving=Serving(engine=eng))
        drafted = estimate(
            *args, r.concurrency, cal, serving=Serving(engine=eng, speculative="draft")
        )
        modelled = drafted.output_tokens_per_s.value / plain.output_tokens_per_s.value
        print(
            f"  {r.id:58} measured x{measured:4.2f}  model x{modelled:4.2f} "
            f"(draft model, {cal.draft_tokens:.0f} tokens, acceptance {cal.draft_acceptance:.2f})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", type=Path, help="catalog file (default: a fresh temp one)")
    parser.add_argument("--calls", type=int, default=5000, help="estimate calls per case")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.catalog
        if path is None:
            path = Path(tmp) / "catalog.sqlite"
            build_fresh(path)
        catalog = load_catalog(path)
        cal = Calibration.from_catalog(catalog)
        print(f"catalog: {path if args.catalog else 'fresh from the bundled seeds'}")
        bench_estimate(catalog, cal, args.calls)
        bench_sizing(catalog, cal)
        bench_validation(catalog, cal)
        bench_speculative(catalog, cal)
    return 0


if __name__ == "__main__":
    sys.exit(main())
