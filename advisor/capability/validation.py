"""Compare the serving model with published measurements, and fit its efficiency factors."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from advisor.capability.model import Calibration, build_deployments, serve
from advisor.catalog.records import PerfMeasurement
from advisor.catalog.snapshot import Catalog


def split_of(row: PerfMeasurement) -> str:
    """``calibration`` or ``holdout``: a fixed split by a hash of the row id (or its own field)."""
    if row.split in ("calibration", "holdout"):
        return row.split
    digest = hashlib.sha256(row.id.encode()).digest()
    return "calibration" if digest[0] % 2 == 0 else "holdout"


@dataclass(frozen=True)
class Comparison:
    """One measured figure next to the engine's estimate."""

    row: str
    split: str
    metric: str  # "throughput" or "latency"
    name: str  # output_tokens_per_s, ttft_ms, tpot_ms
    measured: float
    estimated: float

    @property
    def ape(self) -> float:
        """Absolute percentage error."""
        return abs(self.estimated - self.measured) / self.measured * 100.0

    @property
    def log_ratio(self) -> float:
        return math.log(self.measured / self.estimated) if self.estimated > 0 else 5.0


def usable_rows(catalog: Catalog) -> tuple[list[PerfMeasurement], list[tuple[str, str]]]:
    """Rows the model can be run on, and (row id, reason) for those skipped."""
    model_ids = {m.id for m in catalog.models}
    gpu_ids = {g.id for g in catalog.gpus}
    rows, skipped = [], []
    for r in catalog.perf:
        if r.speculative:
            skipped.append((r.id, "speculative decoding"))
        elif r.input_tokens is None or r.output_tokens is None:
            skipped.append((r.id, "input or output length not published"))
        elif r.model not in model_ids or r.gpu not in gpu_ids:
            skipped.append((r.id, "model or GPU not in catalog"))
        elif r.output_tokens_per_s is None and r.ttft_ms is None and r.tpot_ms is None:
            if r.total_tokens_per_s is None:
                skipped.append((r.id, "no metric"))
            else:
                rows.append(r)
        else:
            rows.append(r)
    return rows, skipped


def _group(row: PerfMeasurement) -> tuple[int, int]:
    group = max(row.tensor_parallel or 0, row.expert_parallel or 0) or row.gpu_count
    group = max(1, min(group, row.gpu_count))
    return group, max(1, row.gpu_count // group)


def compare(
    catalog: Catalog, rows: Sequence[PerfMeasurement], cal: Calibration
) -> list[Comparison]:
    """Run the engine on each measured configuration; one Comparison per published metric."""
    specs = []
    for r in rows:
        group, _ = _group(r)
        precision = (
            r.precision if r.precision in ("bf16", "fp16", "fp8", "fp4", "int8", "int4") else "bf16"
        )
        kv = r.kv_precision or ("fp8" if precision in ("fp8", "fp4") else "bf16")
        specs.append((catalog.model(r.model), catalog.gpu(r.gpu), group, precision, kv))
    if not specs:
        return []
    dep, wattn = build_deployments(specs, cal)
    prompt = np.array([r.input_tokens or 0.0 for r in rows])
    out = np.array([r.output_tokens or 1.0 for r in rows])
    offline = np.array([r.concurrency is None for r in rows])
    replicas = np.array([_group(r)[1] for r in rows], dtype=np.float64)
    # Fixed-concurrency rows spread their clients over the replicas.
    conc = np.array([(r.concurrency or 1) for r in rows], dtype=np.float64) / replicas
    res_fixed = serve(dep, wattn, prompt, out, np.maximum(conc, 1.0), cal)
    res_max = serve(dep, wattn, prompt, out, None, cal)
    result: list[Comparison] = []
    for i, r in enumerate(rows):
        res = res_max if offline[i] else res_fixed
        fits = res["max_seqs"][i] >= 1
        split = split_of(r)
        tput = float(res["output_tokens_per_s"][i]) * replicas[i] if fits else 0.0
        measured_tput = r.output_tokens_per_s
        if measured_tput is None and r.total_tokens_per_s is not None:
            measured_tput = r.total_tokens_per_s * out[i] / (out[i] + prompt[i])
        if measured_tput:
            result.append(
                Comparison(r.id, split, "throughput", "output_tokens_per_s", measured_tput, tput)
            )
        if r.ttft_ms:
            est = float(res["ttft_s"][i]) * 1e3 if fits else 0.0
            result.append(Comparison(r.id, split, "latency", "ttft_ms", r.ttft_ms, est))
        if r.tpot_ms:
            est = float(res["tpot_s"][i]) * 1e3 if fits else 0.0
            result.append(Comparison(r.id, split, "latency", "tpot_ms", r.tpot_ms, est))
    return result


def summarise(comps: Iterable[Comparison]) -> dict[str, dict[str, float]]:
    """Median APE and share within +-25 % per (split, metric)."""
    out: dict[str, dict[str, float]] = {}
    groups: dict[str, list[Comparison]] = {}
    for c in comps:
        for key in (f"{c.split}/{c.metric}", f"all/{c.metric}"):
            groups.setdefault(key, []).append(c)
    for key, cs in sorted(groups.items()):
        apes = np.array([c.ape for c in cs])
        out[key] = {
            "n": float(len(cs)),
            "median_ape": float(np.median(apes)),
            "within_25": float(np.mean(apes <= 25.0) * 100.0),
        }
    return out


def _loss(comps: Sequence[Comparison]) -> float:
    if not comps:
        return 0.0
    errs = {"throughput": [], "latency": []}  # type: dict[str, list[float]]
    for c in comps:
        errs[c.metric].append(min(abs(c.log_ratio), 1.5))
    return sum(float(np.median(v)) + 0.5 * float(np.mean(v)) for v in errs.values() if v)


_GRID = {
    "bw_efficiency": np.linspace(0.4, 0.95, 12),
    "prefill_flops_efficiency": np.linspace(0.2, 0.9, 15),
    "decode_flops_efficiency": np.linspace(0.15, 0.9, 16),
    "step_overhead_ms": np.array([0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0]),
    "allreduce_latency_us": np.array([2.0, 5.0, 10.0, 20.0, 40.0, 80.0]),
    "max_batch": np.array([128.0, 256.0, 384.0, 512.0, 768.0, 1024.0, 2048.0]),
    "moe_efficiency": np.linspace(0.1, 1.0, 10),
    "vendor_amd": np.linspace(0.4, 1.2, 9),
}


def fit(catalog: Catalog, rows: Sequence[PerfMeasurement], rounds: int = 3) -> Calibration:
    """Coordinate descent over the efficiency factors, on the given (calibration) rows only."""
    cal = Calibration()
    best = _loss(compare(catalog, rows, cal))
    for _ in range(rounds):
        for name, grid in _GRID.items():
            for value in grid:
                trial = dataclasses.replace(cal, **{name: float(value)})
                loss = _loss(compare(catalog, rows, trial))
                if loss < best - 1e-9:
                    best, cal = loss, trial
    comps = compare(catalog, rows, cal)
    bands = {}
    for metric in ("throughput", "latency"):
        logs = [c.log_ratio for c in comps if c.metric == metric]
        if logs:
            bands[f"{metric}_error_p10"] = float(np.percentile(logs, 10))
            bands[f"{metric}_error_p90"] = float(np.percentile(logs, 90))
    return dataclasses.replace(cal, **bands)
