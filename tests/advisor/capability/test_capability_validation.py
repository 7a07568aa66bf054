"""Validation against published measurements: usable rows, the fixed split, error summaries."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from advisor.capability import validation
from advisor.capability.model import Calibration
from advisor.catalog.records import PerfMeasurement
from advisor.catalog.snapshot import Catalog


def test_usable_and_skipped_rows_partition_the_measurements(capcat: Catalog) -> None:
    rows, skipped = validation.usable_rows(capcat)
    assert rows
    assert len(rows) + len(skipped) == len(capcat.perf)
    assert {r.id for r in rows}.isdisjoint(rid for rid, _ in skipped)
    assert all(reason for _, reason in skipped)
    for r in rows:
        assert not r.speculative and r.input_tokens and r.output_tokens


def test_split_is_fixed_and_honours_the_row_field() -> None:
    row = PerfMeasurement(source="test", as_of="2026-01-01", id="some-row")
    assert validation.split_of(row) == validation.split_of(row)
    assert validation.split_of(row) in ("calibration", "holdout")
    assert validation.split_of(dataclasses.replace(row, split="holdout")) == "holdout"
    assert validation.split_of(dataclasses.replace(row, split="calibration")) == "calibration"


def test_compare_runs_every_usable_row(capcat: Catalog, capcal: Calibration) -> None:
    rows, _ = validation.usable_rows(capcat)
    comps = validation.compare(capcat, rows, capcal)
    assert {c.row for c in comps} == {r.id for r in rows}
    for c in comps:
        assert c.estimated > 0, c  # every measured deployment fits in the model
        assert c.split in ("calibration", "holdout")
        assert c.metric == ("throughput" if c.name == "output_tokens_per_s" else "latency")
    summary = validation.summarise(comps)
    for key, figures in summary.items():
        assert key.split("/")[0] in ("all", "calibration", "holdout")
        assert figures["n"] >= 1
        assert figures["median_ape"] >= 0
        assert 0 <= figures["within_25"] <= 100


def test_ape_and_log_ratio() -> None:
    c = validation.Comparison("r", "holdout", "latency", "ttft_ms", measured=100.0, estimated=80.0)
    assert c.ape == pytest.approx(20.0)
    assert c.log_ratio == pytest.approx(0.22314355)
    summary = validation.summarise([c, dataclasses.replace(c, estimated=150.0)])
    assert summary["holdout/latency"] == {"n": 2.0, "median_ape": 35.0, "within_25": 50.0}


def test_sources_come_from_the_row_or_its_publisher() -> None:
    row = PerfMeasurement(
        source="https://github.com/NVIDIA/TensorRT-LLM/blob/x/perf.md", as_of="2026-12-01", id="r"
    )
    assert validation.source_of(row) == "nvidia/tensorrt-llm"
    mlperf = dataclasses.replace(
        row,
        source="https://github.com/mlcommons/inference_results_v4.1/blob/main/closed/AMD/results/x",
    )
    assert validation.source_of(mlperf) == "mlperf-amd"
    assert validation.source_of(dataclasses.replace(row, source="https://blog.example.com/p")) == (
        "blog.example.com"
    )
    assert validation.source_of(dataclasses.replace(row, source_id="trtllm-docs")) == "trtllm-docs"


def test_arrivals_come_from_the_row_or_its_scenario() -> None:
    row = PerfMeasurement(source="s", as_of="2026-12-01", id="r", scenario="fixed-concurrency")
    assert validation.arrivals_of(row) == "burst"
    assert validation.arrivals_of(dataclasses.replace(row, arrivals="steady")) == "steady"
    assert validation.arrivals_of(dataclasses.replace(row, scenario="static-batch")) == "static"
    assert validation.arrivals_of(dataclasses.replace(row, scenario="server")) == "steady"


def test_leave_one_source_out_never_fits_on_the_held_out_source(
    capcat: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows, _ = validation.usable_rows(capcat)
    rows = [r for r in rows if validation.source_of(r) in _three_sources(rows)]
    seen: list[set[str]] = []
    real_fit = validation.fit

    def spy(catalog: Catalog, train: list[PerfMeasurement], rounds: int = 3) -> Calibration:
        seen.append({validation.source_of(r) for r in train})
        return real_fit(catalog, train, rounds=1)

    monkeypatch.setattr(validation, "fit", spy)
    comps = validation.leave_one_source_out(capcat, rows)
    assert {c.row for c in comps} == {r.id for r in rows}
    assert len(seen) == 3
    for c in comps:
        # the fold that predicted this row was fitted without its source
        assert any(c.source not in s for s in seen)
    assert all(len(s) == 2 for s in seen)


def _three_sources(rows: list[PerfMeasurement]) -> set[str]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[validation.source_of(r)] = counts.get(validation.source_of(r), 0) + 1
    return set(sorted(counts, key=lambda k: -counts[k])[:3])


def test_error_bands_are_residual_quantiles_per_metric_and_regime() -> None:
    def comp(name: str, measured: float, regime: str = "high") -> validation.Comparison:
        metric = "throughput" if name == "output_tokens_per_s" else "latency"
        return validation.Comparison("r", "", metric, name, measured, 100.0, regime=regime)

    comps = [comp("ttft_ms", m) for m in (50.0, 100.0, 200.0, 400.0)]
    comps += [comp("output_tokens_per_s", m, "low") for m in (80.0, 90.0, 100.0)]
    bands = validation.error_bands(comps)
    logs = np.log(np.array([0.5, 1.0, 2.0, 4.0]))
    assert bands["ttft_error_p10"] == pytest.approx(np.percentile(logs, 10))
    assert bands["ttft_error_p90"] == pytest.approx(np.percentile(logs, 90))
    assert "throughput_low_error_p10" in bands and "throughput_high_error_p10" not in bands
    assert "tpot_error_p10" not in bands  # no residuals, no band
    assert bands["ttft_steady_error_p90"] == bands["ttft_error_p90"]  # all steady here


def test_identified_parameters_need_rows_of_their_engine_and_vendor(capcat: Catalog) -> None:
    rows, _ = validation.usable_rows(capcat)
    nvidia_vllm = [
        r
        for r in rows
        if capcat.gpu(r.gpu).vendor == "nvidia" and validation.engine_of(r.engine) == "vllm"
    ]
    names = validation.identified(capcat, nvidia_vllm)
    assert "vendor_amd" not in names and "engine_trtllm" not in names
    assert "bw_efficiency" in names
