"""Validation against published measurements: usable rows, the fixed split, error summaries."""

from __future__ import annotations

import dataclasses

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
