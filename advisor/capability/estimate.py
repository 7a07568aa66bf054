"""One deployment's memory fit and serving performance, with an uncertainty band."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from advisor.capability.model import (
    ARRIVAL_CODES,
    ARRIVALS,
    DEFAULT_SERVING,
    ENGINES,
    FABRICS,
    GB,
    KV_BYTES,
    MTP_MODELS,
    PRECISIONS,
    SPECULATIVE,
    Calibration,
    Serving,
    build_deployments,
    default_kv_precision,
    serve,
    weight_only,
)
from advisor.catalog.records import Gpu, OpenModel
from advisor.errors import InputError, Problem


@dataclass(frozen=True)
class Band:
    """A central estimate with the P10-P90 range implied by the calibration errors."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Estimate:
    """Memory fit and serving performance of one deployment (all GPUs of one replica)."""

    model: str
    gpu: str
    gpus: int
    precision: str
    kv_precision: str
    input_tokens: int
    output_tokens: int
    concurrency: int
    fits: bool
    max_concurrency: int
    weights_gb: float
    kv_cache_gb_per_sequence: float
    memory_usable_gb: float
    memory_shortfall_gb: float
    output_tokens_per_s: Band
    ttft_ms: Band
    tpot_ms: Band
    tokens_per_s_per_user: float
    notes: tuple[str, ...] = ()
    engine: str = "vllm"
    speculative: str = "none"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "model": self.model,
            "gpu": self.gpu,
            "gpus": self.gpus,
            "precision": self.precision,
            "kv_precision": self.kv_precision,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "concurrency": self.concurrency,
            "engine": self.engine,
            "speculative": self.speculative,
            "fits": self.fits,
            "max_concurrency": self.max_concurrency,
            "weights_gb": round(self.weights_gb, 3),
            "kv_cache_gb_per_sequence": round(self.kv_cache_gb_per_sequence, 6),
            "memory_usable_gb": round(self.memory_usable_gb, 3),
            "memory_shortfall_gb": round(self.memory_shortfall_gb, 3),
            "notes": list(self.notes),
        }
        for name in ("output_tokens_per_s", "ttft_ms", "tpot_ms"):
            band: Band = getattr(self, name)
            out[name] = round(band.value, 3)
            out[f"{name}_range"] = [round(band.low, 3), round(band.high, 3)]
        out["tokens_per_s_per_user"] = round(self.tokens_per_s_per_user, 3)
        return out


def _band(value: float, lo: float, hi: float) -> Band:
    """The value with its P10-P90 range; the range always contains the value itself.

    ``lo``/``hi`` are log-ratio quantiles (measured/estimated). When the calibration errors are
    one-sided (both quantiles above or below zero) the range is extended to the central value
    rather than excluding it.
    """
    return Band(value, value * math.exp(min(lo, 0.0)), value * math.exp(max(hi, 0.0)))


def validate_deployment(
    gpus: int,
    precision: str,
    kv_precision: str,
    input_tokens: int,
    output_tokens: int,
    concurrency: int | None,
    model: OpenModel,
) -> list[Problem]:
    """Check the numbers of a deployment request; every problem names its field."""
    problems = []
    if not 1 <= gpus <= 1024:
        problems.append(Problem("gpus", "error", "must be between 1 and 1024"))
    if precision not in PRECISIONS:
        problems.append(Problem("precision", "error", f"must be one of {', '.join(PRECISIONS)}"))
    if kv_precision not in KV_BYTES:
        problems.append(Problem("kv_precision", "error", f"must be one of {', '.join(KV_BYTES)}"))
    if input_tokens < 1:
        problems.append(Problem("input", "error", "must be at least 1 token"))
    if output_tokens < 1:
        problems.append(Problem("output", "error", "must be at least 1 token"))
    if input_tokens + output_tokens > model.max_context:
        problems.append(
            Problem(
                "input",
                "error",
                f"input + output ({input_tokens + output_tokens}) exceeds {model.id}'s context "
                f"of {model.max_context} tokens",
            )
        )
    if concurrency is not None and not 1 <= concurrency <= 1_000_000:
        problems.append(Problem("concurrency", "error", "must be between 1 and 1,000,000"))
    return problems


def validate_serving(serving: Serving, model: OpenModel) -> list[Problem]:
    """Check the serving options; every problem names its field."""
    problems = []
    if serving.engine not in ENGINES:
        problems.append(Problem("engine", "error", f"must be one of {', '.join(ENGINES)}"))
    if serving.arrivals not in ARRIVALS:
        problems.append(Problem("arrivals", "error", f"must be one of {', '.join(ARRIVALS)}"))
    if serving.fabric not in FABRICS:
        problems.append(Problem("fabric", "error", f"must be one of {', '.join(FABRICS)}"))
    if serving.speculative not in SPECULATIVE:
        problems.append(Problem("speculative", "error", f"must be one of {', '.join(SPECULATIVE)}"))
    elif serving.speculative == "mtp" and model.id not in MTP_MODELS:
        problems.append(
            Problem(
                "speculative",
                "error",
                f"{model.id} has no multi-token-prediction head in the catalog; use draft",
            )
        )
    if not 0.0 <= serving.spec_acceptance < 1.0:
        problems.append(Problem("speculative", "error", "acceptance must be in [0, 1)"))
    if not 0 <= serving.spec_tokens <= 16:
        problems.append(Problem("speculative", "error", "draft tokens must be 0 to 16"))
    if not 0.0 <= serving.prefix_cache_hit <= 1.0:
        problems.append(Problem("prefix_cache_hit", "error", "must be between 0 and 1"))
    if not 1 <= serving.chunk_tokens <= 1_000_000:
        problems.append(Problem("chunk_tokens", "error", "must be between 1 and 1,000,000"))
    return problems


def estimate(
    model: OpenModel,
    gpu: Gpu,
    gpus: int,
    precision: str,
    input_tokens: int,
    output_tokens: int,
    concurrency: int | None,
    cal: Calibration,
    kv_precision: str | None = None,
    serving: Serving = DEFAULT_SERVING,
) -> Estimate:
    """Estimate memory fit and serving performance of one tensor-parallel deployment.

    Args:
        model: Open-weight model.
        gpu: GPU type.
        gpus: GPUs in the deployment (one tensor-parallel group).
        precision: Weight precision (bf16, fp16, fp8, int8, fp4, int4).
        input_tokens: Prompt tokens per request.
        output_tokens: Generated tokens per request.
        concurrency: Concurrent requests; None for the maximum-throughput point.
        cal: Calibrated efficiency factors.
        kv_precision: KV-cache precision; default fp8 for fp8/fp4 weights on GPUs with FP8
            units, else bf16.
        serving: Engine, arrivals, expert parallelism, prefix caching, speculative decoding.

    Returns:
        The estimate. A deployment that does not fit has ``fits`` False, the memory shortfall,
        and zero throughput.

    Raises:
        InputError: naming each invalid field.
    """
    kv_precision = kv_precision or default_kv_precision(gpu, precision)
    problems = validate_deployment(
        gpus, precision, kv_precision, input_tokens, output_tokens, concurrency, model
    )
    problems += validate_serving(serving, model)
    if problems:
        raise InputError(*problems)
    dep, window_attn = build_deployments(
        [(model, gpu, gpus, precision, kv_precision)], cal, serving
    )
    res = serve(
        dep,
        window_attn,
        float(input_tokens),
        float(output_tokens),
        concurrency,
        cal,
        arrivals=ARRIVAL_CODES[serving.arrivals],
        prefix_hit=serving.prefix_cache_hit,
        chunk_tokens=float(serving.chunk_tokens),
        chunked=1.0 if serving.chunked_prefill else 0.0,
    )
    max_seqs = int(res["max_seqs"][0])
    free = float(res["free_for_kv_bytes"][0])
    per_seq = float(res["kv_bytes_per_seq"][0])
    fits = max_seqs >= 1
    shortfall = 0.0 if fits else (per_seq - free) / GB
    notes = []
    if fits and concurrency is not None and concurrency > max_seqs:
        notes.append(
            f"only {max_seqs} sequences fit in memory; the other {concurrency - max_seqs} "
            "requests queue, which adds to time to first token"
        )
    if model.is_moe:
        notes.append("MoE: all experts held in memory, active parameters used for compute")
    if gpus > 1:
        how = "expert parallel" if serving.expert_parallel and model.is_moe else "tensor parallel"
        notes.append(f"{how} over {gpus} GPUs ({gpu.interconnect or 'interconnect'})")
    if weight_only(gpu, precision) and precision in ("fp8", "fp4"):
        notes.append(
            f"{gpu.name} has no {precision.upper()} tensor cores: weights are read at "
            f"{precision.upper()} and multiplied at BF16 (weight-only kernels)"
        )
    if serving.speculative != "none":
        notes.append(
            f"speculative decoding ({serving.speculative}): "
            f"{float(dep.spec_tau[0]):.2f} tokens per verify step expected"
        )
    zero = Band(0.0, 0.0, 0.0)
    if fits:
        regime = "low" if concurrency is not None and concurrency <= 16 else "high"
        tput = _band(float(res["output_tokens_per_s"][0]), *cal.band("throughput", regime))
        arrivals = "steady" if serving.arrivals == "steady" else "burst"
        ttft = _band(float(res["ttft_s"][0]) * 1e3, *cal.band("ttft", arrivals))
        tpot = _band(float(res["tpot_s"][0]) * 1e3, *cal.band("tpot"))
        per_user = 1000.0 / tpot.value
    else:
        tput, ttft, tpot, per_user = zero, zero, zero, 0.0
    return Estimate(
        model=model.id,
        gpu=gpu.id,
        gpus=gpus,
        precision=precision,
        kv_precision=kv_precision,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        concurrency=int(res["batch"][0]) if concurrency is None else concurrency,
        fits=fits,
        max_concurrency=max_seqs,
        weights_gb=float(dep.weight_bytes[0]) / GB,
        kv_cache_gb_per_sequence=per_seq / GB,
        memory_usable_gb=float(
            np.asarray(dep.n_gpus * dep.mem_bytes_per_gpu)[0] * cal.memory_utilisation
        )
        / GB,
        memory_shortfall_gb=max(shortfall, 0.0),
        output_tokens_per_s=tput,
        ttft_ms=ttft,
        tpot_ms=tpot,
        tokens_per_s_per_user=per_user,
        notes=tuple(notes),
        engine=serving.engine,
        speculative=serving.speculative,
    )
