"""The analytical serving model: memory, prefill and decode time, vectorised over deployments.

Every function here works on numpy arrays so that one call can evaluate thousands of
(model, GPU, GPU count, precision, concurrency) combinations; a single estimate is the same call
with arrays of length one. Efficiency factors come from `Calibration` (data fitted to published
measurements in resources/catalog/calibration.yaml), never from constants in this file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from advisor.catalog.records import Gpu, OpenModel
from advisor.catalog.snapshot import Catalog

F = NDArray[np.float64]

GIB = float(2**30)  # spec-sheet "80 GB" of HBM is 80 GiB of addressable memory
GB = 1e9

# Bytes per weight. 4-bit formats carry one 16-bit scale per group of 32 weights (MXFP4/NVFP4/
# AWQ-style grouping), hence 0.5 + 2/32.
WEIGHT_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "fp4": 0.5625, "int4": 0.5625}
KV_BYTES = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0}
PRECISIONS = tuple(WEIGHT_BYTES)


def compute_tflops(gpu: Gpu, precision: str) -> float:
    """Dense tensor throughput a deployment of this precision runs its matmuls at.

    FP8 and FP4 weights use the GPU's FP8/FP4 units where it has them; otherwise the engine
    dequantises to 16-bit (weight-only kernels such as Marlin), so compute runs at BF16/FP16 rate
    while memory traffic still shrinks. INT8/INT4 are treated as weight-only for the same reason.
    """
    if precision == "fp4" and gpu.fp4_tflops:
        return gpu.fp4_tflops
    if precision in ("fp8", "fp4") and gpu.fp8_tflops:
        return gpu.fp8_tflops
    return gpu.bf16_tflops


@dataclass(frozen=True)
class Calibration:
    """Efficiency factors of real serving engines, fitted to published measurements."""

    bw_efficiency: float = 0.75  # achieved / peak memory bandwidth in decode
    prefill_flops_efficiency: float = 0.55  # achieved / peak dense FLOPS in prefill
    decode_flops_efficiency: float = 0.45  # achieved / peak dense FLOPS in large-batch decode
    step_overhead_ms: float = 2.0  # per decode step: scheduling, kernel launches, sampling
    allreduce_latency_us: float = 8.0  # per all-reduce (tensor parallel), per layer twice
    link_efficiency: float = 0.7  # achieved / peak interconnect bandwidth
    memory_utilisation: float = 0.90  # share of GPU memory the engine may use
    runtime_overhead_gib: float = 3.0  # per GPU: CUDA context, activations, graphs
    max_batch: float = 512.0  # largest decode batch engines schedule by default
    moe_efficiency: float = 0.8  # MoE expert GEMMs relative to dense GEMMs
    vendor_amd: float = 1.0  # AMD software-stack efficiency relative to NVIDIA
    vendor_intel: float = 1.0
    throughput_error_p10: float = -0.3  # log-ratio quantiles of measured/estimated, calibration
    throughput_error_p90: float = 0.3
    latency_error_p10: float = -0.3
    latency_error_p90: float = 0.3

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Calibration:
        values = {c.id: c.value for c in catalog.calibration}
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    FITTED = (
        "bw_efficiency",
        "prefill_flops_efficiency",
        "decode_flops_efficiency",
        "step_overhead_ms",
        "allreduce_latency_us",
        "max_batch",
        "moe_efficiency",
        "vendor_amd",
    )


@dataclass(frozen=True)
class Deployments:
    """Columns describing N deployments (one replica each): model facts x hardware x precision."""

    n_gpus: F
    mem_bytes_per_gpu: F
    bw_per_gpu: F  # bytes/s
    flops_per_gpu: F  # FLOP/s at the deployment's precision
    link_bw: F  # bytes/s one direction per GPU
    vendor_factor: F
    weight_bytes: F  # all weights
    shared_weight_bytes: F  # weights read every step regardless of routing (dense: all)
    expert_weight_bytes: F  # bytes of one routed expert across all layers (0 for dense)
    n_experts: F
    experts_per_token: F
    active_params: F
    kv_bytes_per_token_full: F  # per token, summed over full-attention layers
    kv_bytes_per_token_window: F  # per token, summed over sliding-window layers
    window: F  # sliding window tokens (inf when none)
    attn_flops_per_ctx_token: F  # attention FLOPs per generated token per context token
    layers: F
    hidden: F
    is_moe: F

    def __len__(self) -> int:
        return int(self.n_gpus.shape[0])


def _model_columns(model: OpenModel, precision: str, kv_precision: str) -> dict[str, float]:
    wb = WEIGHT_BYTES[precision]
    kvb = KV_BYTES[kv_precision]
    total = model.total_params_b * 1e9
    active = model.active_params_b * 1e9
    experts = float(model.moe_experts or 0)
    k = float(model.moe_experts_per_token or 0)
    if experts > k > 0 and total > active:
        per_expert = (total - active) / (experts - k)
        shared = total - experts * per_expert
    else:
        per_expert, shared, experts, k = 0.0, total, 0.0, 0.0
    layers = model.layers
    window_layers = (model.sliding_window_layers or 0) if model.sliding_window else 0
    full_layers = layers - window_layers
    if model.attention == "mla" and model.kv_lora_rank:
        per_layer_token = (model.kv_lora_rank + (model.qk_rope_head_dim or 0)) * kvb
    else:
        per_layer_token = 2.0 * model.kv_heads * model.head_dim * kvb
    # QK^T and AV: 2 FLOPs per multiply-add, two matmuls, per query head.
    attn = 4.0 * model.attention_heads * model.head_dim
    return {
        "weight_bytes": total * wb,
        "shared_weight_bytes": shared * wb,
        "expert_weight_bytes": per_expert * wb,
        "n_experts": experts,
        "experts_per_token": k,
        "active_params": active,
        "kv_bytes_per_token_full": per_layer_token * full_layers,
        "kv_bytes_per_token_window": per_layer_token * window_layers,
        "window": float(model.sliding_window or 0) if window_layers else np.inf,
        "attn_flops_per_ctx_token": attn * full_layers,
        "attn_flops_per_window_token": attn * window_layers,
        "layers": float(layers),
        "hidden": float(model.hidden_size),
        "is_moe": 1.0 if experts else 0.0,
    }


_MODEL_COLUMNS = (
    "weight_bytes",
    "shared_weight_bytes",
    "expert_weight_bytes",
    "n_experts",
    "experts_per_token",
    "active_params",
    "kv_bytes_per_token_full",
    "kv_bytes_per_token_window",
    "window",
    "attn_flops_per_ctx_token",
    "layers",
    "hidden",
    "is_moe",
    "attn_flops_per_window_token",
)
_GPU_COLUMNS = ("mem_bytes_per_gpu", "bw_per_gpu", "flops_per_gpu", "link_bw", "vendor_factor")


def _gpu_columns(gpu: Gpu, precision: str, cal: Calibration) -> tuple[float, ...]:
    vendor = {"amd": cal.vendor_amd, "intel": cal.vendor_intel}.get(gpu.vendor, 1.0)
    return (
        gpu.memory_gb * GIB,
        gpu.memory_bandwidth_gbs * GB,
        compute_tflops(gpu, precision) * 1e12,
        (gpu.interconnect_gbs or 32.0) * GB / 2.0,
        vendor,
    )


def build_deployments(
    rows: Sequence[tuple[OpenModel, Gpu, int, str, str]], cal: Calibration
) -> tuple[Deployments, F]:
    """Columns for (model, gpu, n_gpus, precision, kv_precision) rows.

    Model and GPU facts are worked out once per distinct (model, precision, KV precision) and
    (GPU, precision) and then gathered by index, so a grid of thousands of rows costs little more
    than its few hundred distinct models and GPUs.

    Returns:
        The deployments and the sliding-window attention FLOPs column (kept apart because
        Deployments has one attention column per kind of layer).
    """
    model_ix: dict[tuple[int, str, str], int] = {}
    gpu_ix: dict[tuple[int, str], int] = {}
    model_vals: list[list[float]] = []
    gpu_vals: list[tuple[float, ...]] = []
    mi: list[int] = []
    gi: list[int] = []
    counts: list[float] = []
    # Keyed by object identity: the rows hold every record for the duration of the call.
    for model, gpu, n, precision, kv_precision in rows:
        mkey = (id(model), precision, kv_precision)
        i = model_ix.get(mkey)
        if i is None:
            i = model_ix[mkey] = len(model_vals)
            mc = _model_columns(model, precision, kv_precision)
            model_vals.append([mc[k] for k in _MODEL_COLUMNS])
        gkey = (id(gpu), precision)
        j = gpu_ix.get(gkey)
        if j is None:
            j = gpu_ix[gkey] = len(gpu_vals)
            gpu_vals.append(_gpu_columns(gpu, precision, cal))
        mi.append(i)
        gi.append(j)
        counts.append(float(n))
    # (columns, distinct) tables gathered to (columns, rows): each column a contiguous row.
    mt = np.asarray(model_vals, dtype=np.float64).reshape(-1, len(_MODEL_COLUMNS)).T
    gt = np.asarray(gpu_vals, dtype=np.float64).reshape(-1, len(_GPU_COLUMNS)).T
    mcols = mt[:, np.asarray(mi, dtype=np.intp)]
    gcols = gt[:, np.asarray(gi, dtype=np.intp)]
    arrays: dict[str, Any] = {"n_gpus": np.asarray(counts, dtype=np.float64)}
    arrays.update(zip(_GPU_COLUMNS, gcols, strict=True))
    arrays.update(zip(_MODEL_COLUMNS, mcols, strict=True))
    window_attn = arrays.pop("attn_flops_per_window_token")
    return Deployments(**arrays), window_attn


def kv_bytes(dep: Deployments, context: F | float) -> F:
    """KV-cache bytes of one sequence holding ``context`` tokens (sliding layers capped)."""
    ctx = np.asarray(context, dtype=np.float64)
    return dep.kv_bytes_per_token_full * ctx + dep.kv_bytes_per_token_window * np.minimum(
        ctx, dep.window
    )


def memory(dep: Deployments, context: F | float, cal: Calibration) -> dict[str, F]:
    """Memory budget: weights, overhead, room for KV cache, sequences of ``context`` that fit."""
    total = dep.n_gpus * dep.mem_bytes_per_gpu * cal.memory_utilisation
    overhead = dep.n_gpus * cal.runtime_overhead_gib * GIB
    free = total - dep.weight_bytes - overhead
    per_seq = kv_bytes(dep, context)
    max_seqs = np.floor(np.maximum(free, 0.0) / np.maximum(per_seq, 1.0))
    return {
        "usable_bytes": total,
        "overhead_bytes": overhead,
        "free_for_kv_bytes": free,
        "kv_bytes_per_seq": per_seq,
        "max_seqs": max_seqs,
    }


def _allreduce_time(dep: Deployments, tokens: F, cal: Calibration) -> F:
    """Tensor-parallel communication: two all-reduces of the activations per layer."""
    t = dep.n_gpus
    msg = tokens * dep.hidden * 2.0  # bf16 activations
    ring = np.where(t > 1, 2.0 * (t - 1) / t * msg / (dep.link_bw * cal.link_efficiency), 0.0)
    lat = np.where(t > 1, cal.allreduce_latency_us * 1e-6, 0.0)
    out: F = 2.0 * dep.layers * (ring + lat)
    return out


def decode_step_time(dep: Deployments, window_attn: F, batch: F, context: F, cal: Calibration) -> F:
    """Seconds for one decode step of ``batch`` sequences at average ``context`` length."""
    b = np.maximum(batch, 1.0)
    touched = np.where(
        dep.n_experts > 0,
        dep.n_experts * (1.0 - (1.0 - dep.experts_per_token / np.maximum(dep.n_experts, 1.0)) ** b),
        0.0,
    )
    weight_read = dep.shared_weight_bytes + touched * dep.expert_weight_bytes
    kv_read = b * kv_bytes(dep, context)
    bw = dep.n_gpus * dep.bw_per_gpu * cal.bw_efficiency * dep.vendor_factor
    t_mem = (weight_read + kv_read) / bw
    moe = np.where(dep.is_moe > 0, cal.moe_efficiency, 1.0)
    flops = dep.n_gpus * dep.flops_per_gpu * cal.decode_flops_efficiency * dep.vendor_factor * moe
    attn = dep.attn_flops_per_ctx_token * context + window_attn * np.minimum(context, dep.window)
    t_comp = b * (2.0 * dep.active_params + attn) / flops
    return np.maximum(t_mem, t_comp) + _allreduce_time(dep, b, cal) + cal.step_overhead_ms * 1e-3


def prefill_time(dep: Deployments, window_attn: F, prompt: F, cal: Calibration) -> F:
    """Seconds to prefill one prompt of ``prompt`` tokens (compute-bound, causal attention)."""
    p = np.maximum(prompt, 1.0)
    moe = np.where(dep.is_moe > 0, cal.moe_efficiency, 1.0)
    flops = dep.n_gpus * dep.flops_per_gpu * cal.prefill_flops_efficiency * dep.vendor_factor * moe
    attn = dep.attn_flops_per_ctx_token * p * p / 2.0 + window_attn * p * np.minimum(p, dep.window)
    t_comp = (2.0 * dep.active_params * p + attn) / flops
    bw = dep.n_gpus * dep.bw_per_gpu * cal.bw_efficiency * dep.vendor_factor
    t_mem = dep.weight_bytes / bw
    return np.maximum(t_comp, t_mem) + _allreduce_time(dep, p, cal)


def serve(
    dep: Deployments,
    window_attn: F,
    prompt: F | float,
    output: F | float,
    concurrency: F | float | None,
    cal: Calibration,
) -> dict[str, F]:
    """Steady-state serving of requests (``prompt`` in, ``output`` out) at a concurrency.

    A closed loop of ``concurrency`` clients is served with continuous batching: the running
    batch is capped by memory and the engine's batch limit; prefills interleave with decode
    steps (chunked prefill), so each output token also carries its share of prefill work.
    ``concurrency`` None means the maximum-throughput point (largest batch that fits).

    Returns:
        Arrays: batch, max_seqs, step_s, prefill_s, tpot_s, ttft_s, output_tokens_per_s.
    """
    prompt_a = np.asarray(prompt, dtype=np.float64) * np.ones(len(dep))
    out_a = np.maximum(np.asarray(output, dtype=np.float64) * np.ones(len(dep)), 1.0)
    mem = memory(dep, prompt_a + out_a, cal)
    cap = np.minimum(mem["max_seqs"], cal.max_batch)
    if concurrency is None:
        clients = cap
    else:
        clients = np.asarray(concurrency, dtype=np.float64) * np.ones(len(dep))
    batch = np.maximum(np.minimum(clients, cap), 1.0)
    avg_ctx = prompt_a + out_a / 2.0
    step = decode_step_time(dep, window_attn, batch, avg_ctx, cal)
    pf = prefill_time(dep, window_attn, prompt_a, cal)
    # Each cycle of ``out`` decode steps also runs ``batch`` prefills (chunked prefill), which
    # sets the throughput. A running sequence waits one step per token plus the prefills of the
    # other ``batch - 1`` sequences; its own prefill comes before its first token (TTFT).
    tput = batch / (step + batch * pf / out_a)
    tpot = step + (batch - 1.0) * pf / out_a
    base_ttft = pf + step
    # Clients beyond the running batch queue for a free slot (Little's law on the closed loop).
    response = clients * out_a / np.maximum(tput, 1e-9)
    queued_ttft = response - (out_a - 1.0) * tpot
    ttft = np.where(clients > batch, np.maximum(queued_ttft, base_ttft), base_ttft)
    return {
        "batch": batch,
        "max_seqs": mem["max_seqs"],
        "step_s": step,
        "prefill_s": pf,
        "tpot_s": tpot,
        "ttft_s": ttft,
        "output_tokens_per_s": tput,
        "free_for_kv_bytes": mem["free_for_kv_bytes"],
        "kv_bytes_per_seq": mem["kv_bytes_per_seq"],
    }
