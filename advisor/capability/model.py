"""The analytical serving model: memory, prefill and decode time, vectorised over deployments.

Every function here works on numpy arrays so that one call can evaluate thousands of
(model, GPU, GPU count, precision, concurrency) combinations; a single estimate is the same call
with arrays of length one. Efficiency factors come from `Calibration` (data fitted to published
measurements in resources/catalog/calibration.yaml), never from constants in this file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
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

# Serving engines the model knows; vLLM is the reference (its efficiency factor is 1 by definition).
ENGINES = ("vllm", "sglang", "trtllm", "tgi", "lmdeploy")
ARRIVALS = ("steady", "burst", "static")
FABRICS = ("nvlink", "infiniband", "roce")
SPECULATIVE = ("none", "mtp", "draft")
# Models whose checkpoints ship a multi-token-prediction layer (num_nextn_predict_layers = 1 in
# their config.json, noted in open_models.yaml); the R1 distills are plain Qwen/Llama models.
MTP_MODELS = frozenset({"deepseek-v3", "deepseek-r1"})
GPUS_PER_NODE = 8  # HGX/DGX/MI300X platforms hold 8 GPUs on one NVLink/Infinity Fabric domain


def engine_of(text: str | None) -> str:
    """The engine key of a free-text engine name ("tensorrt-llm 1.0 (pytorch)" -> "trtllm").

    NVIDIA NIM's LLM containers run TensorRT-LLM (or vLLM for models without a TRT-LLM
    profile); "nim" maps to trtllm because the NIM rows in the catalog use TRT-LLM profiles.
    Unknown or missing names map to vllm, the default engine.
    """
    t = (text or "").lower()
    for key, names in (
        ("trtllm", ("tensorrt", "trt-llm", "trtllm", "nim")),
        ("sglang", ("sglang",)),
        ("lmdeploy", ("lmdeploy", "turbomind")),
        ("tgi", ("tgi", "text-generation-inference", "text generation inference")),
    ):
        if any(n in t for n in names):
            return key
    return "vllm"


@dataclass(frozen=True)
class Serving:
    """How a deployment is served: the engine and its scheduling and parallelism options.

    Attributes:
        engine: One of ENGINES.
        expert_parallel: MoE experts split over the GPUs (all-to-all per MoE layer) instead of
            tensor parallel (all-reduce per layer).
        fabric: Link between nodes when a group spans more than one 8-GPU node.
        arrivals: "steady" (desynchronised, Poisson-like), "burst" (all clients arrive at
            once; continuous batching prefills them in turn) or "static" (a static batch: the
            whole batch is prefilled before any first token).
        chunked_prefill: Long prompts prefilled in chunks interleaved with decode steps.
        chunk_tokens: Tokens per prefill chunk (vLLM's max_num_batched_tokens).
        prefix_cache_hit: Share of prompt tokens served from the prefix cache (not prefilled).
        speculative: "none", "mtp" (the model's multi-token-prediction head) or "draft".
        spec_tokens: Draft tokens proposed per step.
        spec_acceptance: Probability a draft token is accepted (measured; see calibration.yaml).
        draft_cost: Time of drafting relative to one target decode step at batch 1.
    """

    engine: str = "vllm"
    expert_parallel: bool = False
    fabric: str = "nvlink"
    arrivals: str = "steady"
    chunked_prefill: bool = True
    chunk_tokens: int = 8192
    prefix_cache_hit: float = 0.0
    speculative: str = "none"
    spec_tokens: int = 0
    spec_acceptance: float = 0.0
    draft_cost: float = 0.0

    @property
    def tokens_per_step(self) -> float:
        """Expected tokens emitted per verify step: (1 - a^(k+1)) / (1 - a) for k drafts.

        Leviathan et al. 2023 (arXiv 2211.17192), eq. 1, with i.i.d. acceptance ``a``.
        """
        k, a = self.spec_tokens, self.spec_acceptance
        if self.speculative == "none" or k <= 0:
            return 1.0
        if a >= 1.0:
            return float(k + 1)
        return (1.0 - a ** (k + 1)) / (1.0 - a)


DEFAULT_SERVING = Serving()


def compute_tflops(gpu: Gpu, precision: str) -> float:
    """Dense tensor throughput a deployment of this precision runs its matmuls at.

    FP8 and FP4 weights use the GPU's FP8/FP4 units where it has them; otherwise the engine
    dequantises to 16-bit (weight-only kernels such as Marlin, or the MXFP4 kernels vLLM runs on
    Hopper and Ampere), so compute runs at BF16/FP16 rate while memory traffic still shrinks.
    INT8/INT4 are treated as weight-only for the same reason.
    """
    if precision == "fp4" and gpu.fp4_tflops:
        return gpu.fp4_tflops
    if precision == "fp8" and gpu.fp8_tflops:
        return gpu.fp8_tflops
    return gpu.bf16_tflops


def weight_only(gpu: Gpu, precision: str) -> bool:
    """True when the GPU has no tensor cores for the weight precision (FP8 on Ampere, FP4 on
    Ampere/Hopper): weights are stored and read at low precision and dequantised to BF16 for a
    BF16 matmul (Marlin-style weight-only kernels). INT8/INT4 are always weight-only here.
    """
    if precision in ("int8", "int4"):
        return True
    if precision == "fp8":
        return not gpu.fp8_tflops
    if precision == "fp4":
        return not gpu.fp4_tflops
    return False


def default_kv_precision(gpu: Gpu, precision: str, engine: str | None = None) -> str:
    """The KV-cache precision a deployment gets when none is chosen.

    Without an engine (the advisor's own default): FP8 KV for FP8/FP4 weights on GPUs with FP8
    units, BF16 otherwise. With an engine, that engine's default: TensorRT-LLM quantises the KV
    cache with FP8/FP4 checkpoints on GPUs with FP8 units; vLLM (kv_cache_dtype "auto" = the
    model's activation dtype), SGLang, TGI and LMDeploy keep it BF16 unless told otherwise.
    """
    native = precision in ("fp8", "fp4") and bool(gpu.fp8_tflops)
    if engine is None or engine == "trtllm":
        return "fp8" if native else "bf16"
    return "bf16"


@dataclass(frozen=True)
class Calibration:
    """Efficiency factors of real serving engines, fitted to published measurements."""

    bw_efficiency: float = 0.75  # achieved / peak memory bandwidth in decode
    prefill_flops_efficiency: float = 0.55  # achieved / peak dense FLOPS in prefill
    decode_flops_efficiency: float = 0.45  # achieved / peak dense FLOPS in large-batch decode
    step_overhead_ms: float = 2.0  # per decode step: scheduling, kernel launches, sampling
    seq_overhead_us: float = 0.0  # per running sequence per decode step: scheduling,
    # sampling and detokenisation on the CPU, which grow with the batch
    request_overhead_ms: float = 0.0  # per request before its first token: API server,
    # tokenisation, scheduling, network (not GPU time; adds to TTFT only)
    allreduce_latency_us: float = 8.0  # per all-reduce (tensor parallel), per layer twice
    link_efficiency: float = 0.7  # achieved / peak interconnect bandwidth
    memory_utilisation: float = 0.90  # share of GPU memory the engine may use
    runtime_overhead_gib: float = 3.0  # per GPU: CUDA context, activations, graphs
    max_batch: float = 512.0  # largest decode batch engines schedule by default
    moe_efficiency: float = 0.8  # MoE expert GEMMs relative to dense GEMMs
    vendor_amd: float = 1.0  # AMD software-stack efficiency relative to NVIDIA
    vendor_intel: float = 1.0
    engine_sglang: float = 1.0  # engine efficiency relative to vLLM (bandwidth and FLOPS)
    engine_trtllm: float = 1.0
    engine_tgi: float = 1.0
    engine_lmdeploy: float = 1.0
    weight_only_efficiency: float = 0.7  # weight-only GEMMs (dequantise + BF16) vs native ones
    a2a_latency_us: float = 10.0  # per expert-parallel all-to-all inside one NVLink domain
    scaleout_gbs: float = 50.0  # per-GPU scale-out NIC, GB/s one direction (400 Gb/s)
    scaleout_latency_us: float = 20.0  # per all-to-all across nodes (InfiniBand)
    roce_latency_factor: float = 1.5  # RoCE all-to-all latency relative to InfiniBand
    mtp_acceptance: float = 0.85  # acceptance of DeepSeek-V3's MTP draft token
    draft_acceptance: float = 0.7  # acceptance per token of a small draft model
    draft_tokens: float = 3.0  # tokens a draft model proposes per step
    draft_cost: float = 0.1  # one draft step relative to one target step at batch 1
    # log-ratio quantiles of measured/estimated from leave-one-source-out residuals
    throughput_error_p10: float = -0.3
    throughput_error_p90: float = 0.3
    latency_error_p10: float = -0.3
    latency_error_p90: float = 0.3
    ttft_error_p10: float = -0.3
    ttft_error_p90: float = 0.3
    ttft_steady_error_p10: float = -0.3  # regime: steady arrivals (own prefill, no queue)
    ttft_steady_error_p90: float = 0.3
    ttft_burst_error_p10: float = -0.3  # regime: bursts, static batches, lock-step loops
    ttft_burst_error_p90: float = 0.3
    tpot_error_p10: float = -0.3
    tpot_error_p90: float = 0.3
    throughput_low_error_p10: float = -0.3  # regime: concurrency <= 16 (latency-bound)
    throughput_low_error_p90: float = 0.3
    throughput_high_error_p10: float = -0.3  # regime: larger batches, offline
    throughput_high_error_p90: float = 0.3

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Calibration:
        values = {c.id: c.value for c in catalog.calibration}
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    FITTED = (
        "bw_efficiency",
        "prefill_flops_efficiency",
        "decode_flops_efficiency",
        "step_overhead_ms",
        "request_overhead_ms",
        "seq_overhead_us",
        "allreduce_latency_us",
        "max_batch",
        "moe_efficiency",
        "vendor_amd",
        "vendor_intel",
        "engine_sglang",
        "engine_trtllm",
        "engine_tgi",
        "engine_lmdeploy",
        "weight_only_efficiency",
    )

    def engine_factor(self, engine: str) -> float:
        """Efficiency of ``engine`` relative to vLLM."""
        return 1.0 if engine == "vllm" else float(getattr(self, f"engine_{engine}", 1.0))

    def band(self, name: str, regime: str | None = None) -> tuple[float, float]:
        """(P10, P90) of ln(measured/estimated) for a metric (throughput, ttft, tpot)."""
        key = f"{name}_{regime}" if regime else name
        lo = getattr(self, f"{key}_error_p10", None)
        hi = getattr(self, f"{key}_error_p90", None)
        if lo is None or hi is None:
            return self.band(name) if regime else (self.latency_error_p10, self.latency_error_p90)
        return float(lo), float(hi)


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
    kv_split: F  # KV heads a tensor-parallel group can split between GPUs (MLA: 1)
    # Serving options: expert parallelism, weight-only kernels, speculative decoding.
    ep: F  # 1.0 where MoE experts are expert-parallel (all-to-all)
    a2a_bw: F  # bytes/s one direction per GPU for the all-to-all
    a2a_latency_s: F
    wo_factor: F  # compute efficiency of weight-only kernels (1 where native)
    spec_tau: F  # expected tokens per speculative verify step (1 = none)
    spec_k: F  # draft tokens verified per step
    spec_draft_cost: F  # seconds-fraction of a batch-1 step spent drafting

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
        # MLA caches one latent vector per token: it cannot be split over GPUs.
        "kv_split": 1.0
        if model.attention == "mla" and model.kv_lora_rank
        else float(model.kv_heads),
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
    "kv_split",
    "attn_flops_per_window_token",
)
_GPU_COLUMNS = (
    "mem_bytes_per_gpu",
    "bw_per_gpu",
    "flops_per_gpu",
    "link_bw",
    "vendor_factor",
    "wo_factor",
)


def _gpu_columns(gpu: Gpu, precision: str, cal: Calibration) -> tuple[float, ...]:
    vendor = {"amd": cal.vendor_amd, "intel": cal.vendor_intel}.get(gpu.vendor, 1.0)
    return (
        gpu.memory_gb * GIB,
        gpu.memory_bandwidth_gbs * GB,
        compute_tflops(gpu, precision) * 1e12,
        (gpu.interconnect_gbs or 32.0) * GB / 2.0,
        vendor,
        cal.weight_only_efficiency if weight_only(gpu, precision) else 1.0,
    )


def _serving_columns(serving: Serving, gpu: Gpu, n: int, cal: Calibration) -> dict[str, float]:
    """Per-row columns of the serving options: engine factor, all-to-all link, speculation."""
    multi_node = n > GPUS_PER_NODE
    if multi_node:
        bw = min(cal.scaleout_gbs, (gpu.interconnect_gbs or 32.0) / 2.0) * GB
        lat = cal.scaleout_latency_us * (
            cal.roce_latency_factor if serving.fabric == "roce" else 1.0
        )
    else:
        bw = (gpu.interconnect_gbs or 32.0) * GB / 2.0
        lat = cal.a2a_latency_us
    spec = serving
    if serving.speculative == "mtp":
        spec = replace(
            serving,
            spec_tokens=max(serving.spec_tokens, 1),
            spec_acceptance=serving.spec_acceptance or cal.mtp_acceptance,
        )
    elif serving.speculative == "draft":
        spec = replace(
            serving,
            spec_tokens=serving.spec_tokens or int(cal.draft_tokens),
            spec_acceptance=serving.spec_acceptance or cal.draft_acceptance,
            draft_cost=serving.draft_cost or cal.draft_cost,
        )
    return {
        "engine": cal.engine_factor(serving.engine),
        "ep": 1.0 if serving.expert_parallel and n > 1 else 0.0,
        "a2a_bw": bw,
        "a2a_latency_s": lat * 1e-6,
        "spec_tau": spec.tokens_per_step,
        "spec_k": float(spec.spec_tokens) if spec.speculative != "none" else 0.0,
        "spec_draft_cost": spec.draft_cost if spec.speculative == "draft" else 0.0,
    }


def build_deployments(
    rows: Sequence[tuple[OpenModel, Gpu, int, str, str]],
    cal: Calibration,
    serving: Serving | Sequence[Serving] = DEFAULT_SERVING,
) -> tuple[Deployments, F]:
    """Columns for (model, gpu, n_gpus, precision, kv_precision) rows.

    Model and GPU facts are worked out once per distinct (model, precision, KV precision) and
    (GPU, precision) and then gathered by index, so a grid of thousands of rows costs little more
    than its few hundred distinct models and GPUs.

    ``serving`` is one Serving for every row or one per row (engine, expert parallelism,
    speculative decoding).

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
    per_row = [serving] * len(rows) if isinstance(serving, Serving) else list(serving)
    cache: dict[tuple[Serving, int, int], dict[str, float]] = {}
    cols: dict[str, list[float]] = {}
    for (_, gpu, n, _, _), srv in zip(rows, per_row, strict=True):
        key = (srv, id(gpu), n)
        sc = cache.get(key)
        if sc is None:
            sc = cache[key] = _serving_columns(srv, gpu, n, cal)
        for name, value in sc.items():
            cols.setdefault(name, []).append(value)
    if not rows:
        names = ("engine", "ep", "a2a_bw", "a2a_latency_s", "spec_tau", "spec_k", "spec_draft_cost")
        cols = {name: [] for name in names}
    arrays["vendor_factor"] = arrays["vendor_factor"] * np.asarray(cols.pop("engine"))
    for name, values in cols.items():
        arrays[name] = np.asarray(values, dtype=np.float64)
    return Deployments(**arrays), window_attn


def kv_bytes(dep: Deployments, context: F | float) -> F:
    """KV-cache bytes of one sequence holding ``context`` tokens (sliding layers capped)."""
    ctx = np.asarray(context, dtype=np.float64)
    return dep.kv_bytes_per_token_full * ctx + dep.kv_bytes_per_token_window * np.minimum(
        ctx, dep.window
    )


def _allreduce_time(dep: Deployments, tokens: F, cal: Calibration) -> F:
    """Tensor-parallel communication: two all-reduces of the activations per layer."""
    t = dep.n_gpus
    msg = tokens * dep.hidden * 2.0  # bf16 activations
    # A group within one node rings over NVLink; a larger one over the scale-out fabric, whose
    # latency adds to every all-reduce.
    link = np.where(t > GPUS_PER_NODE, dep.a2a_bw, dep.link_bw)
    ring = np.where(t > 1, 2.0 * (t - 1) / t * msg / (link * cal.link_efficiency), 0.0)
    lat = cal.allreduce_latency_us * 1e-6 + np.where(t > GPUS_PER_NODE, dep.a2a_latency_s, 0.0)
    lat = np.where(t > 1, lat, 0.0)
    out: F = 2.0 * dep.layers * (ring + lat)
    return out


def _all_to_all_time(dep: Deployments, tokens: F, cal: Calibration) -> F:
    """Expert-parallel communication: dispatch and combine all-to-all per MoE layer.

    Each GPU holds ``tokens / n`` of the batch (attention data-parallel) and sends every token's
    hidden state (bf16) to the GPUs of its ``k`` routed experts, of which ``(n - 1) / n`` live
    elsewhere, then receives the expert outputs back (combine): per GPU and layer
    ``2 * tokens / n * k * hidden * 2 bytes * (n - 1) / n`` over its link, plus two latencies.
    """
    n = dep.n_gpus
    per_gpu = np.maximum(tokens, 1.0) / n
    bytes_ = 2.0 * per_gpu * dep.experts_per_token * dep.hidden * 2.0 * (n - 1.0) / n
    t = bytes_ / (dep.a2a_bw * cal.link_efficiency) + 2.0 * dep.a2a_latency_s
    out: F = np.where(n > 1, dep.layers * t, 0.0)
    return out


def _comm_time(dep: Deployments, tokens: F, cal: Calibration) -> F:
    """All-to-all for expert-parallel MoE groups, all-reduce for tensor-parallel ones."""
    ep = (dep.ep > 0) & (dep.is_moe > 0)
    out: F = np.where(ep, _all_to_all_time(dep, tokens, cal), _allreduce_time(dep, tokens, cal))
    return out


def kv_replication(dep: Deployments) -> F:
    """Copies of each sequence's KV cache a group holds.

    Tensor parallelism splits the KV heads over the GPUs; with fewer KV heads than GPUs each
    head is replicated (``n / kv_heads`` copies), and MLA's single latent cache sits whole on
    every GPU. Expert-parallel groups run attention data-parallel: one copy per sequence.
    """
    ep = (dep.ep > 0) & (dep.is_moe > 0)
    rep = np.maximum(1.0, dep.n_gpus / np.maximum(dep.kv_split, 1.0))
    out: F = np.where(ep, 1.0, rep)
    return out


def _weights_in_memory(dep: Deployments) -> F:
    """Bytes of weights held by the group: with expert parallelism the attention and shared
    weights are replicated on every GPU (data-parallel attention), the experts are split."""
    ep = (dep.ep > 0) & (dep.is_moe > 0)
    out: F = dep.weight_bytes + np.where(ep, (dep.n_gpus - 1.0) * dep.shared_weight_bytes, 0.0)
    return out


def memory(dep: Deployments, context: F | float, cal: Calibration) -> dict[str, F]:
    """Memory budget: weights, overhead, room for KV cache, sequences of ``context`` that fit."""
    total = dep.n_gpus * dep.mem_bytes_per_gpu * cal.memory_utilisation
    overhead = dep.n_gpus * cal.runtime_overhead_gib * GIB
    free = total - _weights_in_memory(dep) - overhead
    per_seq = kv_bytes(dep, context)
    max_seqs = np.floor(np.maximum(free, 0.0) / np.maximum(per_seq * kv_replication(dep), 1.0))
    return {
        "usable_bytes": total,
        "overhead_bytes": overhead,
        "free_for_kv_bytes": free,
        "kv_bytes_per_seq": per_seq,
        "max_seqs": max_seqs,
    }


def _flops(dep: Deployments, efficiency: float, cal: Calibration) -> F:
    moe = np.where(dep.is_moe > 0, cal.moe_efficiency, 1.0)
    out: F = dep.n_gpus * dep.flops_per_gpu * efficiency * dep.vendor_factor * moe * dep.wo_factor
    return out


def decode_step_time(
    dep: Deployments,
    window_attn: F,
    batch: F,
    context: F,
    cal: Calibration,
    tokens_per_seq: F | float = 1.0,
) -> F:
    """Seconds for one decode step of ``batch`` sequences at average ``context`` length.

    ``tokens_per_seq`` > 1 is a speculative verify step: every sequence runs ``1 + k`` tokens
    through the model (compute and all-reduce scale with it; weights and KV are read once).
    """
    b = np.maximum(batch, 1.0)
    tok = b * np.asarray(tokens_per_seq, dtype=np.float64)
    touched = np.where(
        dep.n_experts > 0,
        dep.n_experts
        * (1.0 - (1.0 - dep.experts_per_token / np.maximum(dep.n_experts, 1.0)) ** tok),
        0.0,
    )
    ep = (dep.ep > 0) & (dep.is_moe > 0)
    # Expert parallel: each GPU reads the replicated shared weights itself.
    shared = dep.shared_weight_bytes * np.where(ep, dep.n_gpus, 1.0)
    weight_read = shared + touched * dep.expert_weight_bytes
    kv_read = b * kv_bytes(dep, context) * kv_replication(dep)
    eng = dep.vendor_factor
    bw = dep.n_gpus * dep.bw_per_gpu * cal.bw_efficiency * eng
    t_mem = (weight_read + kv_read) / bw
    flops = _flops(dep, cal.decode_flops_efficiency, cal)
    attn = dep.attn_flops_per_ctx_token * context + window_attn * np.minimum(context, dep.window)
    t_comp = tok * (2.0 * dep.active_params + attn) / flops
    overhead = cal.step_overhead_ms * 1e-3 + b * cal.seq_overhead_us * 1e-6 / eng
    out: F = np.maximum(t_mem, t_comp) + _comm_time(dep, tok, cal) + overhead
    return out


def prefill_time(
    dep: Deployments,
    window_attn: F,
    prompt: F,
    cal: Calibration,
    count: F | float = 1.0,
    cached: F | float = 0.0,
) -> F:
    """Seconds to prefill ``count`` prompts of ``prompt`` tokens together (compute-bound).

    ``cached`` leading tokens of each prompt come from the prefix cache: they are not run
    through the model, but the new tokens still attend to them (causal attention over the
    whole prompt: the new tokens' share of the p^2/2 attention is (p^2 - c^2)/2).
    """
    p = np.maximum(prompt, 1.0)
    c = np.minimum(np.asarray(cached, dtype=np.float64), p - 1.0)
    n = np.maximum(np.asarray(count, dtype=np.float64), 1.0)
    new = p - c
    flops = _flops(dep, cal.prefill_flops_efficiency, cal)
    attn = dep.attn_flops_per_ctx_token * (p * p - c * c) / 2.0 + window_attn * new * np.minimum(
        p, dep.window
    )
    t_comp = n * (2.0 * dep.active_params * new + attn) / flops
    bw = dep.n_gpus * dep.bw_per_gpu * cal.bw_efficiency * dep.vendor_factor
    t_mem = _weights_in_memory(dep) / bw  # every GPU reads the weights it holds once
    out: F = np.maximum(t_comp, t_mem) + _comm_time(dep, n * new, cal)
    return out


ARRIVAL_CODES = {"steady": 0.0, "burst": 1.0, "static": 2.0}


def serve(
    dep: Deployments,
    window_attn: F,
    prompt: F | float,
    output: F | float,
    concurrency: F | float | None,
    cal: Calibration,
    arrivals: F | float = 0.0,
    prefix_hit: F | float = 0.0,
    chunk_tokens: F | float = 8192.0,
    chunked: F | float = 1.0,
) -> dict[str, F]:
    """Steady-state serving of requests (``prompt`` in, ``output`` out) at a concurrency.

    A closed loop of ``concurrency`` clients is served with continuous batching: the running
    batch is capped by memory and the engine's batch limit. Prefills are batched up to
    ``chunk_tokens`` tokens at a time (one weight read serves several short prompts), and each
    output token carries its share of the batch's prefill work. ``concurrency`` None means the
    maximum-throughput point (largest batch that fits).

    ``arrivals`` (ARRIVAL_CODES): 0 steady (a request's prefill runs alone; TTFT = its own
    prefill plus, with chunked prefill, one decode step per chunk); 1 burst (the whole batch
    arrives at once and is prefilled in turn: mean TTFT = (b + 1) / (2 b) of the batch's
    prefill); 2 static batch (every request waits for the whole batch's prefill).
    ``prefix_hit`` is the share of prompt tokens found in the prefix cache. ``chunked`` 0 turns
    chunked prefill off (prefills then run one prompt at a time between decode steps).

    Returns:
        Arrays: batch, max_seqs, step_s, prefill_s, tpot_s, ttft_s, output_tokens_per_s.
    """
    ones = np.ones(len(dep))
    prompt_a = np.asarray(prompt, dtype=np.float64) * ones
    out_a = np.maximum(np.asarray(output, dtype=np.float64) * ones, 1.0)
    arr = np.asarray(arrivals, dtype=np.float64) * ones
    cached = np.clip(np.asarray(prefix_hit, dtype=np.float64), 0.0, 1.0) * prompt_a
    chunk = np.maximum(np.asarray(chunk_tokens, dtype=np.float64) * ones, 1.0)
    is_chunked = (np.asarray(chunked, dtype=np.float64) * ones) > 0
    mem = memory(dep, prompt_a + out_a, cal)
    cap = np.minimum(mem["max_seqs"], cal.max_batch)
    clients = cap if concurrency is None else np.asarray(concurrency, dtype=np.float64) * ones
    batch = np.maximum(np.minimum(clients, cap), 1.0)
    avg_ctx = prompt_a + out_a / 2.0
    tau = dep.spec_tau
    k = dep.spec_k
    step1 = decode_step_time(dep, window_attn, batch, avg_ctx, cal, 1.0 + k)
    draft = dep.spec_draft_cost * decode_step_time(dep, window_attn, ones, avg_ctx, cal)
    step = step1 + draft
    pf = prefill_time(dep, window_attn, prompt_a, cal, cached=cached)
    # Prompts prefilled together: as many as fit in one chunk (at least one, at most the batch).
    per_chunk = np.where(
        is_chunked, np.clip(np.floor(chunk / np.maximum(prompt_a - cached, 1.0)), 1.0, batch), 1.0
    )
    pf_each = prefill_time(dep, window_attn, prompt_a, cal, per_chunk, cached) / per_chunk
    # One cycle: every sequence emits ``out`` tokens in out / tau steps and is prefilled once.
    tput = batch / (step / tau + batch * pf_each / out_a)
    tpot = step / tau + (batch - 1.0) * pf_each / out_a
    # Steady arrivals: a request's own prefill; chunked, each chunk also waits for a step.
    chunks = np.where(is_chunked, np.ceil(np.maximum(prompt_a - cached, 1.0) / chunk), 1.0)
    steady = pf + chunks * step1 - step1 + step
    whole = prefill_time(dep, window_attn, prompt_a, cal, batch, cached)
    burst = whole * (batch + 1.0) / (2.0 * batch) + step
    static = whole + step
    base_ttft = np.where(arr >= 2.0, static, np.where(arr >= 1.0, burst, steady))
    base_ttft = base_ttft + cal.request_overhead_ms * 1e-3
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
