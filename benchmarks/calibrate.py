"""Fit the serving model's efficiency factors to the calibration half of the measurements.

Writes resources/catalog/calibration.yaml (each factor with its basis and the rows it was fitted
on). Run after changing perf_measurements.yaml or the model, then rebuild the catalog:

    .venv/bin/python benchmarks/calibrate.py && .venv/bin/advisor catalog build
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

from advisor.capability import validation
from advisor.capability.model import Calibration
from advisor.catalog.snapshot import load_catalog
from advisor.util import atomic_write_text

DESCRIPTIONS = {
    "bw_efficiency": "achieved / peak HBM bandwidth in decode",
    "prefill_flops_efficiency": "achieved / peak dense tensor FLOPS in prefill",
    "decode_flops_efficiency": "achieved / peak dense tensor FLOPS in large-batch decode",
    "step_overhead_ms": "fixed time per decode step (scheduling, launches, sampling), ms",
    "allreduce_latency_us": "latency of one tensor-parallel all-reduce, microseconds",
    "link_efficiency": "achieved / peak GPU interconnect bandwidth (not fitted)",
    "memory_utilisation": "share of GPU memory the engine uses (vLLM default 0.9; not fitted)",
    "runtime_overhead_gib": "per-GPU memory for CUDA context, activations, graphs (not fitted)",
    "max_batch": "largest decode batch engines schedule at the max-throughput point",
    "moe_efficiency": "MoE expert GEMM efficiency relative to dense GEMMs",
    "vendor_amd": "AMD (ROCm) software efficiency relative to NVIDIA",
    "vendor_intel": "Intel Gaudi software efficiency relative to NVIDIA (no data: 1.0)",
    "throughput_error_p10": "P10 of ln(measured/estimated) throughput on the calibration rows",
    "throughput_error_p90": "P90 of ln(measured/estimated) throughput on the calibration rows",
    "latency_error_p10": "P10 of ln(measured/estimated) latency on the calibration rows",
    "latency_error_p90": "P90 of ln(measured/estimated) latency on the calibration rows",
}


def main() -> int:
    catalog = load_catalog()
    rows, _ = validation.usable_rows(catalog)
    cal_rows = [r for r in rows if validation.split_of(r) == "calibration"]
    fitted = validation.fit(catalog, cal_rows)
    today = dt.date.today().isoformat()
    ids = ", ".join(r.id for r in cal_rows)
    lines = [
        "# Efficiency factors of the serving model, fitted by benchmarks/calibrate.py to the",
        "# calibration half of perf_measurements.yaml (the holdout half is never used here).",
        "# Regenerate instead of editing by hand.",
    ]
    defaults = Calibration()
    for f in dataclasses.fields(Calibration):
        value = getattr(fitted, f.name)
        is_fitted = f.name in Calibration.FITTED or f.name.endswith(("_p10", "_p90"))
        basis = (
            "derived"
            if (is_fitted and value != getattr(defaults, f.name))
            or (f.name.endswith(("_p10", "_p90")))
            else "assumption"
        )
        note = (
            f"fitted on {len(cal_rows)} measurements: {ids}"
            if basis == "derived"
            else "engine default or not identifiable from the measurements; kept as an assumption"
        )
        lines += [
            f"- id: {f.name}",
            f"  value: {value!r}",
            f"  description: {DESCRIPTIONS[f.name]!r}",
            "  source: resources/catalog/perf_measurements.yaml (calibration split)",
            f"  as_of: '{today}'",
            f"  basis: {basis}",
            f"  note: {note!r}",
        ]
    out = Path(__file__).resolve().parent.parent / "resources" / "catalog" / "calibration.yaml"
    atomic_write_text(out, "\n".join(lines) + "\n")
    print(f"wrote {out} from {len(cal_rows)} calibration rows")
    for f in dataclasses.fields(Calibration):
        print(f"  {f.name:28} {getattr(fitted, f.name):.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
