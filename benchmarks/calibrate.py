"""Fit the serving model's efficiency factors to the published measurements, and its error bands.

Fits the few efficiency factors on every usable row of perf_measurements.yaml, then runs
leave-one-source-out cross-validation (each source predicted by factors fitted on all the
others) and stores the P10/P90 of its residuals per metric and regime as the error bands the
app shows and the sizing uses. Factors that are not fitted (speculative decoding, scale-out
links, memory headroom) are written with their own source. Writes
resources/catalog/calibration.yaml; run after changing perf_measurements.yaml or the model, then
rebuild the catalog:

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

PERF = "resources/catalog/perf_measurements.yaml"
DEEPSEEK_V3 = "https://arxiv.org/abs/2412.19437"
LEVIATHAN = "https://arxiv.org/abs/2211.17192"
DGX_H100 = "https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html"

DESCRIPTIONS = {
    "bw_efficiency": "achieved / peak HBM bandwidth in decode",
    "prefill_flops_efficiency": "achieved / peak dense tensor FLOPS in prefill",
    "decode_flops_efficiency": "achieved / peak dense tensor FLOPS in large-batch decode",
    "step_overhead_ms": "fixed time per decode step (scheduling, launches, sampling), ms",
    "seq_overhead_us": "time per running sequence per decode step (CPU scheduling, sampling, "
    "detokenisation), microseconds",
    "request_overhead_ms": "time per request before its first token outside the GPU (API "
    "server, tokenisation, scheduling, network), ms",
    "allreduce_latency_us": "latency of one tensor-parallel all-reduce, microseconds",
    "link_efficiency": "achieved / peak GPU interconnect bandwidth (not fitted)",
    "memory_utilisation": "share of GPU memory the engine uses (vLLM default 0.9; not fitted)",
    "runtime_overhead_gib": "per-GPU memory for CUDA context, activations, graphs (not fitted)",
    "max_batch": "largest decode batch engines schedule at the max-throughput point",
    "moe_efficiency": "MoE expert GEMM efficiency relative to dense GEMMs",
    "vendor_amd": "AMD (ROCm) software efficiency relative to NVIDIA",
    "vendor_intel": "Intel Gaudi software efficiency relative to NVIDIA",
    "engine_sglang": "SGLang efficiency relative to vLLM (achieved bandwidth and FLOPS)",
    "engine_trtllm": "TensorRT-LLM (and NIM on it) efficiency relative to vLLM",
    "engine_tgi": "Text Generation Inference efficiency relative to vLLM",
    "engine_lmdeploy": "LMDeploy efficiency relative to vLLM",
    "weight_only_efficiency": "GEMM efficiency of weight-only kernels (FP8 on Ampere, FP4 on "
    "Ampere/Hopper, INT8/INT4) relative to native low-precision GEMMs",
    "a2a_latency_us": "latency of one expert-parallel all-to-all inside an NVLink domain, us",
    "scaleout_gbs": "per-GPU scale-out bandwidth between nodes, GB/s one direction",
    "scaleout_latency_us": "latency of one all-to-all across nodes over InfiniBand, us",
    "roce_latency_factor": "RoCE all-to-all latency relative to InfiniBand",
    "mtp_acceptance": "acceptance rate of a multi-token-prediction draft token",
    "draft_acceptance": "acceptance rate per token of a separate small draft model",
    "draft_tokens": "tokens a draft model proposes per verify step",
    "draft_cost": "one draft-model step relative to one target step at batch 1",
}

# Inputs that are not fitted, with where they come from.
FIXED = {
    "link_efficiency": ("assumption", "", "share of NVLink peak a ring collective reaches"),
    "memory_utilisation": (
        "published",
        "https://docs.vllm.ai/en/latest/configuration/engine_args.html",
        "vLLM --gpu-memory-utilization default 0.9",
    ),
    "runtime_overhead_gib": ("assumption", "", "CUDA context, activations, CUDA graphs"),
    "a2a_latency_us": (
        "assumption",
        "",
        "order of an NVLink all-to-all of small messages; no row isolates it",
    ),
    "scaleout_gbs": (
        "published",
        DGX_H100,
        "DGX H100: 8 ConnectX-7 400 Gb/s adapters for 8 GPUs = 50 GB/s per GPU each way",
    ),
    "scaleout_latency_us": (
        "assumption",
        "",
        "an inter-node all-to-all costs more than an NVLink one (NIC + switch hops); no row "
        "isolates it",
    ),
    "roce_latency_factor": (
        "assumption",
        "",
        "RoCE fabrics add congestion control and Ethernet switch latency over InfiniBand",
    ),
    "mtp_acceptance": (
        "published",
        DEEPSEEK_V3,
        "DeepSeek-V3 technical report sec. 5.4.3: acceptance of the second-token prediction "
        "85-90 % across topics, giving 1.8x tokens per second; the low end is used",
    ),
    "draft_acceptance": (
        "assumption",
        LEVIATHAN,
        "acceptance depends on the model pair and task; 0.7 with 3 drafts gives 2.2 tokens per "
        "verify step by Leviathan et al. eq. 1; override with --speculative draft:ACCEPTANCE",
    ),
    "draft_tokens": ("assumption", LEVIATHAN, "a common draft length"),
    "draft_cost": (
        "assumption",
        LEVIATHAN,
        "a draft model about a tenth of the target's size costs about a tenth of its step",
    ),
}


def _entry(name: str, value: float, basis: str, source: str, note: str, today: str) -> list[str]:
    return [
        f"- id: {name}",
        f"  value: {value!r}",
        f"  description: {DESCRIPTIONS.get(name, name.replace('_', ' '))!r}",
        f"  source: {source!r}",
        f"  as_of: '{today}'",
        f"  basis: {basis}",
        f"  note: {note!r}",
    ]


def main() -> int:
    catalog = load_catalog()
    rows, _ = validation.usable_rows(catalog)
    sources = sorted({validation.source_of(r) for r in rows})
    fitted = validation.fit(catalog, rows)
    identified = validation.identified(catalog, rows)
    loso = validation.leave_one_source_out(catalog, rows)
    bands = validation.error_bands(loso)
    today = dt.date.today().isoformat()
    lines = [
        "# Serving-model factors. Efficiency factors: fitted by benchmarks/calibrate.py to every",
        "# usable row of perf_measurements.yaml. Error bands: P10/P90 of ln(measured/estimated)",
        "# from leave-one-source-out cross-validation (each source predicted by factors fitted",
        "# on the other sources). Other inputs carry their own source. Regenerate, do not edit.",
        f"# {len(identified)} fitted parameters, {len(rows)} rows from {len(sources)} sources.",
    ]
    defaults = Calibration()
    for f in dataclasses.fields(Calibration):
        name = f.name
        value = getattr(fitted, name)
        if name.endswith(("_p10", "_p90")):
            if name not in bands:
                continue  # too few residuals for this metric/regime: the estimate falls back
            value = bands[name]
            lines += _entry(
                name,
                value,
                "derived",
                PERF,
                f"leave-one-source-out residuals of {len(rows)} rows, {len(sources)} sources",
                today,
            )
        elif name in identified:
            lines += _entry(
                name,
                value,
                "derived",
                PERF,
                f"fitted on {len(rows)} rows from {len(sources)} sources: {', '.join(sources)}",
                today,
            )
        elif name in FIXED:
            basis, source, note = FIXED[name]
            lines += _entry(name, getattr(defaults, name), basis, source or PERF, note, today)
        else:
            lines += _entry(
                name,
                getattr(defaults, name),
                "assumption",
                PERF,
                "no measured row informs it (engine or vendor absent); neutral value 1.0 "
                "relative to the reference"
                if name.startswith(("engine_", "vendor_"))
                else "not identifiable from the measurements; kept as an assumption",
                today,
            )
    out = Path(__file__).resolve().parent.parent / "resources" / "catalog" / "calibration.yaml"
    atomic_write_text(out, "\n".join(lines) + "\n")
    print(f"wrote {out}: {len(identified)} fitted parameters on {len(rows)} rows, {len(sources)}")
    for name in identified:
        print(f"  {name:28} {getattr(fitted, name):.4g}")
    for name, value in sorted(bands.items()):
        print(f"  {name:28} {value:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
