"""Compare the serving model with published measurements, and fit its efficiency factors."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

import numpy as np

from advisor.capability.model import (
    ARRIVAL_CODES,
    Calibration,
    Serving,
    build_deployments,
    default_kv_precision,
    engine_of,
    serve,
    weight_only,
)
from advisor.catalog.records import PerfMeasurement
from advisor.catalog.snapshot import Catalog


def split_of(row: PerfMeasurement) -> str:
    """``calibration`` or ``holdout``: a fixed split by a hash of the row id (or its own field)."""
    if row.split in ("calibration", "holdout"):
        return row.split
    digest = hashlib.sha256(row.id.encode()).digest()
    return "calibration" if digest[0] % 2 == 0 else "holdout"


def source_of(row: PerfMeasurement) -> str:
    """The independent source a row comes from: its ``source_id`` or, failing that, the
    publisher read off the URL (GitHub owner/repo; MLPerf per submitter; else the host)."""
    if row.source_id:
        return row.source_id
    url = urlparse(row.source or "")
    parts = [p for p in url.path.split("/") if p]
    if url.netloc == "github.com" and len(parts) >= 2:
        if parts[0] == "mlcommons" and len(parts) >= 6:
            return f"mlperf-{parts[5].lower()}"  # .../blob/main/closed/<submitter>/...
        return f"{parts[0]}/{parts[1]}".lower()
    return url.netloc.lower() or "unknown"


def arrivals_of(row: PerfMeasurement) -> str:
    """How a measured run's requests arrived (see model.serve).

    A row's own ``arrivals`` field wins where the data records it. Otherwise "static-batch"
    rows are static batches; "burst" rows and fixed-concurrency closed loops are bursts: with
    fixed input and output lengths (as in these benchmarks) the N clients start together,
    finish together and restart together, so every wave is prefilled as a burst (their
    measured TTFT grows in proportion to N). Server (Poisson) and single-stream runs are
    steady.
    """
    if row.arrivals in ("steady", "burst", "static"):
        return row.arrivals
    scenario = (row.scenario or "").lower()
    if "static" in scenario:
        return "static"
    if "burst" in scenario or "fixed" in scenario:
        return "burst"
    return "steady"


def regime_of(row: PerfMeasurement) -> str:
    """``low`` (at most 16 concurrent requests) or ``high`` (larger batches, offline)."""
    return "low" if row.concurrency is not None and row.concurrency <= 16 else "high"


@dataclass(frozen=True)
class Comparison:
    """One measured figure next to the engine's estimate."""

    row: str
    split: str
    metric: str  # "throughput" or "latency"
    name: str  # output_tokens_per_s, ttft_ms, tpot_ms
    measured: float
    estimated: float
    source: str = ""
    engine: str = "vllm"
    vendor: str = ""
    regime: str = "high"
    arrivals: str = "steady"

    @property
    def kind(self) -> str:
        """throughput, ttft or tpot."""
        return {"output_tokens_per_s": "throughput", "ttft_ms": "ttft", "tpot_ms": "tpot"}[
            self.name
        ]

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
    servings = []
    for r in rows:
        group, _ = _group(r)
        precision = (
            r.precision if r.precision in ("bf16", "fp16", "fp8", "fp4", "int8", "int4") else "bf16"
        )
        gpu = catalog.gpu(r.gpu)
        engine = engine_of(r.engine)
        kv = r.kv_precision if r.kv_precision in ("bf16", "fp16", "fp8") else None
        kv = kv or default_kv_precision(gpu, precision, engine)
        specs.append((catalog.model(r.model), gpu, group, precision, kv))
        servings.append(Serving(engine=engine, expert_parallel=(r.expert_parallel or 0) > 1))
    if not specs:
        return []
    dep, wattn = build_deployments(specs, cal, servings)
    prompt = np.array([r.input_tokens or 0.0 for r in rows])
    out = np.array([r.output_tokens or 1.0 for r in rows])
    offline = np.array([r.concurrency is None for r in rows])
    arrivals = np.array([ARRIVAL_CODES[arrivals_of(r)] for r in rows])
    replicas = np.array([_group(r)[1] for r in rows], dtype=np.float64)
    # Fixed-concurrency rows spread their clients over the replicas.
    conc = np.array([(r.concurrency or 1) for r in rows], dtype=np.float64) / replicas
    res_fixed = serve(dep, wattn, prompt, out, np.maximum(conc, 1.0), cal, arrivals=arrivals)
    res_max = serve(dep, wattn, prompt, out, None, cal, arrivals=arrivals)
    result: list[Comparison] = []
    for i, r in enumerate(rows):
        res = res_max if offline[i] else res_fixed
        fits = res["max_seqs"][i] >= 1
        split = split_of(r)
        tags = {
            "source": source_of(r),
            "engine": servings[i].engine,
            "vendor": specs[i][1].vendor,
            "regime": regime_of(r),
            "arrivals": "steady" if arrivals_of(r) == "steady" else "burst",
        }
        tput = float(res["output_tokens_per_s"][i]) * replicas[i] if fits else 0.0
        measured_tput = r.output_tokens_per_s
        if measured_tput is None and r.total_tokens_per_s is not None:
            measured_tput = r.total_tokens_per_s * out[i] / (out[i] + prompt[i])
        if measured_tput:
            result.append(
                Comparison(
                    r.id, split, "throughput", "output_tokens_per_s", measured_tput, tput, **tags
                )
            )
        if r.ttft_ms:
            est = float(res["ttft_s"][i]) * 1e3 if fits else 0.0
            result.append(Comparison(r.id, split, "latency", "ttft_ms", r.ttft_ms, est, **tags))
        if r.tpot_ms:
            est = float(res["tpot_s"][i]) * 1e3 if fits else 0.0
            result.append(Comparison(r.id, split, "latency", "tpot_ms", r.tpot_ms, est, **tags))
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
    """Fit loss: per metric kind, the median and mean of |ln(measured/estimated)| (capped at
    1.5), each source weighted equally so that one prolific source cannot set the factors."""
    if not comps:
        return 0.0
    per_source: dict[str, int] = {}
    for c in comps:
        per_source[c.source] = per_source.get(c.source, 0) + 1
    errs: dict[str, list[tuple[float, float]]] = {"throughput": [], "ttft": [], "tpot": []}
    for c in comps:
        errs[c.kind].append((min(abs(c.log_ratio), 1.5), 1.0 / per_source[c.source]))
    total = 0.0
    for pairs in errs.values():
        if not pairs:
            continue
        e = np.array([p[0] for p in pairs])
        w = np.array([p[1] for p in pairs])
        order = np.argsort(e)
        cum = np.cumsum(w[order])
        median = float(e[order][np.searchsorted(cum, cum[-1] / 2.0)])
        total += median + 0.5 * float(np.average(e, weights=w))
    return total


_GRID = {
    "bw_efficiency": np.linspace(0.4, 0.95, 12),
    "prefill_flops_efficiency": np.linspace(0.2, 0.9, 15),
    "decode_flops_efficiency": np.linspace(0.1, 0.9, 17),
    "step_overhead_ms": np.array([0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0]),
    "seq_overhead_us": np.array([0.0, 5.0, 10.0, 20.0, 40.0, 80.0]),
    "request_overhead_ms": np.array([0.0, 5.0, 10.0, 20.0, 30.0, 50.0, 80.0, 120.0]),
    "allreduce_latency_us": np.array([2.0, 5.0, 10.0, 20.0, 40.0, 80.0]),
    "max_batch": np.array([128.0, 256.0, 384.0, 512.0, 768.0, 1024.0, 2048.0]),
    "moe_efficiency": np.linspace(0.1, 1.0, 10),
    "vendor_amd": np.linspace(0.4, 1.2, 9),
    "vendor_intel": np.linspace(0.4, 1.2, 9),
    "engine_sglang": np.linspace(0.6, 1.6, 11),
    "engine_trtllm": np.linspace(0.6, 1.6, 11),
    "engine_tgi": np.linspace(0.6, 1.6, 11),
    "engine_lmdeploy": np.linspace(0.6, 1.6, 11),
    "weight_only_efficiency": np.linspace(0.2, 1.0, 9),
}


def fit(catalog: Catalog, rows: Sequence[PerfMeasurement], rounds: int = 6) -> Calibration:
    """Coordinate descent over the efficiency factors, on the given rows only, until a round
    changes nothing (at most ``rounds``).

    A factor the rows carry no information about (an engine or vendor absent from them) keeps
    its default: only a strictly lower loss moves a factor.
    """
    cal = Calibration()
    best = _loss(compare(catalog, rows, cal))
    for _ in range(rounds):
        start = best
        for name, grid in _GRID.items():
            for value in grid:
                trial = dataclasses.replace(cal, **{name: float(value)})
                loss = _loss(compare(catalog, rows, trial))
                if loss < best - 1e-9:
                    best, cal = loss, trial
        if best >= start - 1e-9:
            break  # a whole round changed nothing: converged
    return cal


def identified(catalog: Catalog, rows: Sequence[PerfMeasurement]) -> tuple[str, ...]:
    """The fitted factors the rows can inform (an engine's or vendor's factor needs its rows)."""
    engines = {engine_of(r.engine) for r in rows}
    vendors = {catalog.gpu(r.gpu).vendor for r in rows}
    any_weight_only = any(
        weight_only(catalog.gpu(r.gpu), r.precision) and r.precision != "bf16" for r in rows
    )
    out = []
    for name in _GRID:
        if name == "weight_only_efficiency" and not any_weight_only:
            continue
        if name.startswith("engine_") and name.removeprefix("engine_") not in engines:
            continue
        if name.startswith("vendor_") and name.removeprefix("vendor_") not in vendors:
            continue
        out.append(name)
    return tuple(out)


def leave_one_source_out(
    catalog: Catalog, rows: Sequence[PerfMeasurement], rounds: int = 6
) -> list[Comparison]:
    """Cross-validation by source: fit on every other source, predict the held-out one.

    Returns:
        One Comparison per published metric of every row, each predicted by a calibration
        that never saw any row of its source.
    """
    out: list[Comparison] = []
    for source in sorted({source_of(r) for r in rows}):
        train = [r for r in rows if source_of(r) != source]
        test = [r for r in rows if source_of(r) == source]
        out += compare(catalog, test, fit(catalog, train, rounds))
    return out


def error_bands(comps: Sequence[Comparison]) -> dict[str, float]:
    """P10/P90 of ln(measured/estimated) per metric and regime, as Calibration field values.

    Rows the model could not place (estimate 0) are left out: they have no ratio.
    """
    groups: dict[str, list[float]] = {}
    for c in comps:
        if c.estimated <= 0:
            continue
        keys = [c.kind, c.metric]
        if c.kind == "throughput":
            keys.append(f"throughput_{c.regime}")
        if c.kind == "ttft":
            keys.append(f"ttft_{c.arrivals}")
        for key in keys:
            groups.setdefault(key, []).append(c.log_ratio)
    out = {}
    for key, logs in groups.items():
        if len(logs) >= 3:
            out[f"{key}_error_p10"] = float(np.percentile(logs, 10))
            out[f"{key}_error_p90"] = float(np.percentile(logs, 90))
    return out


def table(comps: Iterable[Comparison], by: str) -> dict[str, dict[str, float]]:
    """Median APE, share within +-25 % and median signed error per (metric kind, ``by``).

    ``by`` is a Comparison attribute (source, engine, vendor, regime) or "" for the whole set.
    """
    groups: dict[str, list[Comparison]] = {}
    for c in comps:
        key = f"{c.kind}/{getattr(c, by)}" if by else c.kind
        groups.setdefault(key, []).append(c)
        groups.setdefault(f"all/{getattr(c, by)}" if by else "all", []).append(c)
    out = {}
    for key, cs in sorted(groups.items()):
        apes = np.array([c.ape for c in cs])
        signed = np.array([(c.estimated - c.measured) / c.measured * 100.0 for c in cs])
        out[key] = {
            "n": float(len(cs)),
            "median_ape": float(np.median(apes)),
            "within_25": float(np.mean(apes <= 25.0) * 100.0),
            "median_signed": float(np.median(signed)),
        }
    return out
