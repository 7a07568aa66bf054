"""Sizing: GPUs and replicas of each (model, GPU, precision) that serve a workload at peak."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import numpy as np

from advisor.capability.model import (
    ENGINES,
    Calibration,
    Deployments,
    Serving,
    build_deployments,
    serve,
)
from advisor.catalog.records import Gpu, OpenModel
from advisor.errors import InputError, Problem

TP_SIZES = (1, 2, 4, 8)
SIZING_PRECISIONS = ("bf16", "fp8", "fp4", "int4")
_BATCHES = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], dtype=np.float64)


@dataclass(frozen=True)
class Workload:
    """The serving load at the level sizing needs (per request averages)."""

    requests_per_s: float  # average over the month
    peak_to_average: float = 3.0
    input_tokens: float = 1000.0
    output_tokens: float = 300.0
    ttft_ms_target: float | None = None
    tokens_per_s_per_user_target: float | None = None
    failover_replicas: int = 1  # spare replicas kept beyond peak (N+1 by default)
    engine: str = "vllm"  # serving engine (model.ENGINES)
    prefix_cache_hit: float = 0.0  # share of prompt tokens the prefix cache serves

    def problems(self) -> list[Problem]:
        out = []
        if not (self.requests_per_s > 0 and math.isfinite(self.requests_per_s)):
            out.append(Problem("requests_per_s", "error", "must be a positive number"))
        if not 1 <= self.peak_to_average <= 1000:
            out.append(Problem("peak_to_average", "error", "must be between 1 and 1000"))
        if not 1 <= self.input_tokens <= 10_000_000:
            out.append(Problem("input_tokens", "error", "must be between 1 and 10 million"))
        if not 1 <= self.output_tokens <= 1_000_000:
            out.append(Problem("output_tokens", "error", "must be between 1 and 1 million"))
        if self.ttft_ms_target is not None and not self.ttft_ms_target > 0:
            out.append(Problem("ttft_ms_target", "error", "must be positive"))
        if self.tokens_per_s_per_user_target is not None and not (
            self.tokens_per_s_per_user_target > 0
        ):
            out.append(Problem("tokens_per_s_per_user_target", "error", "must be positive"))
        if not 0 <= self.failover_replicas <= 100:
            out.append(Problem("failover_replicas", "error", "must be between 0 and 100"))
        if self.engine not in ENGINES:
            out.append(Problem("engine", "error", f"must be one of {', '.join(ENGINES)}"))
        if not 0.0 <= self.prefix_cache_hit <= 1.0:
            out.append(Problem("prefix_cache_hit", "error", "must be between 0 and 1"))
        return out


@dataclass(frozen=True)
class SizedDeployment:
    """How one (model, GPU, GPUs per replica, precision) serves the workload."""

    model: str
    gpu: str
    gpus_per_replica: int
    precision: str
    replicas: int
    total_gpus: int
    batch_per_replica: int
    capacity_requests_per_s: float  # per replica at the chosen batch
    utilisation: float  # average load / installed capacity
    ttft_ms: float
    tpot_ms: float
    tokens_per_s_per_user: float
    meets_latency: bool
    ttft_ms_p90: float = 0.0  # pessimistic end of the cross-validated error band
    tpot_ms_p90: float = 0.0
    engine: str = "vllm"


@dataclass(frozen=True)
class _Grid:
    rows: tuple[tuple[OpenModel, Gpu, int, str, str], ...]
    dep: Deployments
    window_attn: np.ndarray[Any, np.dtype[np.float64]]
    # Every row repeated once per candidate batch size (row-major: row i, batch j at i*k + j).
    dep_by_batch: Deployments
    window_attn_by_batch: np.ndarray[Any, np.dtype[np.float64]]
    batch: np.ndarray[Any, np.dtype[np.float64]]


@lru_cache(maxsize=8)
def _grid(
    models: tuple[OpenModel, ...],
    gpus: tuple[Gpu, ...],
    precisions: tuple[str, ...],
    tp_sizes: tuple[int, ...],
    cal: Calibration,
    engine: str = "vllm",
) -> _Grid:
    rows = tuple(
        (m, g, tp, p, "fp8" if p in ("fp8", "fp4") else "bf16")
        for m in models
        for g in gpus
        for tp in tp_sizes
        for p in precisions
    )
    dep, wattn = build_deployments(rows, cal, Serving(engine=engine))
    k = len(_BATCHES)
    return _Grid(
        rows, dep, wattn, _repeat(dep, k), np.repeat(wattn, k), np.tile(_BATCHES, len(rows))
    )


def _repeat(dep: Deployments, k: int) -> Deployments:
    return Deployments(**{f.name: np.repeat(getattr(dep, f.name), k) for f in fields(dep)})


def pessimistic(cal: Calibration, metric: str) -> float:
    """Factor from a central latency estimate to the pessimistic end (P90) of its error band.

    The band holds ln(measured / estimated) from leave-one-source-out cross-validation; a
    band entirely below zero (the model overestimates) gives 1: never more optimistic than the
    central estimate. Sizing serves steady (Poisson-like) peak traffic, so TTFT uses the band of
    steady-arrival measurements.
    """
    regime = "steady" if metric == "ttft" else None
    return math.exp(max(cal.band(metric, regime)[1], 0.0))


def size_all(
    workload: Workload,
    models: Sequence[OpenModel],
    gpus: Sequence[Gpu],
    cal: Calibration,
    precisions: Sequence[str] = SIZING_PRECISIONS,
    tp_sizes: Sequence[int] = TP_SIZES,
) -> list[SizedDeployment]:
    """Size every combination that fits in memory for the workload's peak.

    For each (model, GPU, GPUs per replica, precision) the largest batch whose TTFT and per-user
    speed meet the targets sets a replica's capacity; replicas cover the peak request rate plus
    the failover spares. A latency target is checked against the pessimistic end (P90) of the
    model's cross-validated error band, so that it holds on measured systems, not only on the
    central estimate; reported TTFT/TPOT stay central.

    Returns:
        One SizedDeployment per combination that fits (meets_latency False when no batch meets
        the targets; such a deployment is sized at batch 1).
    """
    problems = workload.problems()
    if problems:
        raise InputError(*problems)
    grid = _grid(
        tuple(models), tuple(gpus), tuple(precisions), tuple(tp_sizes), cal, workload.engine
    )
    n = len(grid.rows)
    if n == 0:
        return []
    k = len(_BATCHES)
    batch = grid.batch
    res = serve(
        grid.dep_by_batch,
        grid.window_attn_by_batch,
        workload.input_tokens,
        workload.output_tokens,
        batch,
        cal,
        prefix_hit=workload.prefix_cache_hit,
    )
    fits_batch = res["max_seqs"] >= batch
    ok = fits_batch.copy()
    if workload.ttft_ms_target is not None:
        ok &= res["ttft_s"] * 1e3 * pessimistic(cal, "ttft") <= workload.ttft_ms_target
    if workload.tokens_per_s_per_user_target is not None:
        slow = res["tpot_s"] * pessimistic(cal, "tpot")
        ok &= (1.0 / slow) >= workload.tokens_per_s_per_user_target
    capacity = res["output_tokens_per_s"] / workload.output_tokens  # requests/s per replica
    cap_ok = np.where(ok, capacity, -1.0).reshape(n, k)
    best_idx = cap_ok.argmax(axis=1)
    any_ok = cap_ok.max(axis=1) > 0
    fits_any = fits_batch.reshape(n, k)[:, 0]
    peak = workload.requests_per_s * workload.peak_to_average
    # The chosen batch of every deployment that fits, worked out for all of them at once.
    rows_i = np.nonzero(fits_any)[0]
    cols_j = np.where(any_ok, best_idx, 0)[rows_i]
    cap = capacity.reshape(n, k)[rows_i, cols_j]
    ttft = res["ttft_s"].reshape(n, k)[rows_i, cols_j] * 1e3
    tpot = res["tpot_s"].reshape(n, k)[rows_i, cols_j] * 1e3
    replicas = np.maximum(1.0, np.ceil(peak / cap - 1e-9)) + workload.failover_replicas
    # The 1e-9 slack in the replica count may leave capacity short by a rounding error;
    # utilisation is still at most 1.
    util = np.minimum(1.0, workload.requests_per_s / (replicas * cap))
    ttft_p90, tpot_p90 = pessimistic(cal, "ttft"), pessimistic(cal, "tpot")
    out: list[SizedDeployment] = []
    for i, j, c, r, u, tt, tp_ms, met in zip(
        rows_i.tolist(),
        cols_j.tolist(),
        cap.tolist(),
        replicas.astype(np.int64).tolist(),
        util.tolist(),
        ttft.tolist(),
        tpot.tolist(),
        any_ok[rows_i].tolist(),
        strict=True,
    ):
        model, gpu, tp, precision, _ = grid.rows[i]
        out.append(
            SizedDeployment(
                model=model.id,
                gpu=gpu.id,
                gpus_per_replica=tp,
                precision=precision,
                replicas=r,
                total_gpus=r * tp,
                batch_per_replica=int(_BATCHES[j]),
                capacity_requests_per_s=c,
                utilisation=u,
                ttft_ms=tt,
                tpot_ms=tp_ms,
                tokens_per_s_per_user=1000.0 / tp_ms,
                meets_latency=met,
                ttft_ms_p90=tt * ttft_p90,
                tpot_ms_p90=tp_ms * tpot_p90,
                engine=workload.engine,
            )
        )
    return out


def cheapest_per_model_gpu(
    sized: Sequence[SizedDeployment],
) -> dict[tuple[str, str], SizedDeployment]:
    """For each (model, GPU) the deployment needing the fewest GPUs (latency met first)."""
    best: dict[tuple[str, str], SizedDeployment] = {}
    for s in sized:
        key = (s.model, s.gpu)
        cur = best.get(key)
        rank = (not s.meets_latency, s.total_gpus, s.precision != "bf16")
        if cur is None or rank < (not cur.meets_latency, cur.total_gpus, cur.precision != "bf16"):
            best[key] = s
    return best
