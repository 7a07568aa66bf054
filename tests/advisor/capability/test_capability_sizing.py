"""Sizing: GPUs and replicas that meet a workload's peak and latency targets, with failover."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.capability.estimate import estimate
from advisor.capability.model import Calibration
from advisor.capability.sizing import (
    _BATCHES,
    SizedDeployment,
    Workload,
    cheapest_per_model_gpu,
    size_all,
)
from advisor.catalog.snapshot import Catalog
from advisor.errors import InputError

MODELS = ("llama-3.1-8b", "llama-3.1-70b", "mixtral-8x7b", "gpt-oss-20b")
GPUS = ("h100", "l40s", "a100-sxm-80gb", "mi300x")
FAST = settings(max_examples=40, deadline=None, database=None)


def subset(cat: Catalog) -> tuple[list, list]:
    return [cat.model(m) for m in MODELS], [cat.gpu(g) for g in GPUS]


def by_key(sized: list[SizedDeployment]) -> dict[tuple[str, str, int, str], SizedDeployment]:
    return {(s.model, s.gpu, s.gpus_per_replica, s.precision): s for s in sized}


def test_one_deployment_by_hand(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    w = Workload(
        requests_per_s=10.0,
        peak_to_average=3.0,
        input_tokens=1000,
        output_tokens=300,
        ttft_ms_target=1000.0,
        tokens_per_s_per_user_target=30.0,
        failover_replicas=1,
    )
    (s,) = size_all(w, [m], [g], defcal, precisions=("fp8",), tp_sizes=(1,))
    # The batch: the largest of 1, 2, 4, ... that fits and meets both targets at the pessimistic
    # (P90) end of the error bands (throughput grows with the batch), worked out from
    # single-deployment estimates.
    ok = []
    for b in _BATCHES:
        e = estimate(m, g, 1, "fp8", 1000, 300, int(b), defcal)
        if (
            b <= e.max_concurrency
            and e.ttft_ms.value * np.exp(defcal.ttft_steady_error_p90) <= 1000
            and 1000.0 / (e.tpot_ms.value * np.exp(defcal.tpot_error_p90)) >= 30
        ):
            ok.append((int(b), e))
    batch, e = ok[-1]
    assert s.batch_per_replica == batch
    assert s.meets_latency
    assert s.tpot_ms == pytest.approx(e.tpot_ms.value)
    assert s.ttft_ms == pytest.approx(e.ttft_ms.value)
    assert s.tokens_per_s_per_user >= 30.0 and s.ttft_ms <= 1000.0
    # without the band the same deployment would be run at a larger batch
    assert any(
        estimate(m, g, 1, "fp8", 1000, 300, int(b), defcal).ttft_ms.value <= 1000
        and estimate(m, g, 1, "fp8", 1000, 300, int(b), defcal).tokens_per_s_per_user >= 30
        for b in _BATCHES
        if b > batch
    )
    # a replica serves output_tokens_per_s / 300 requests per second
    cap = e.output_tokens_per_s.value / 300
    assert s.capacity_requests_per_s == pytest.approx(cap)
    # peak 30 req/s: ceil(30 / cap) replicas, plus one spare
    assert s.replicas == math.ceil(30.0 / cap) + 1
    assert s.total_gpus == s.replicas
    assert s.utilisation == pytest.approx(10.0 / (s.replicas * cap))


def test_tensor_parallel_replicas_count_all_their_gpus(
    capcat: Catalog, defcal: Calibration
) -> None:
    w = Workload(requests_per_s=50.0, failover_replicas=2)
    sized = size_all(w, [capcat.model("llama-3.1-70b")], [capcat.gpu("h100")], defcal)
    keys = by_key(sized)
    # bf16 70B (140 GB) does not fit one 80 GB GPU: no such row
    assert ("llama-3.1-70b", "h100-sxm-80gb", 1, "bf16") not in keys
    assert ("llama-3.1-70b", "h100-sxm-80gb", 2, "bf16") in keys
    for s in sized:
        assert s.total_gpus == s.replicas * s.gpus_per_replica
        assert s.replicas >= 3  # at least one serving replica plus two spares


def test_unmeetable_target_is_flagged(capcat: Catalog, defcal: Calibration) -> None:
    w = Workload(requests_per_s=1.0, tokens_per_s_per_user_target=100_000.0)
    sized = size_all(w, [capcat.model("llama-3.1-70b")], [capcat.gpu("l4")], defcal)
    assert sized  # 70B int4/fp4 on 8 x L4 fits
    assert all(not s.meets_latency and s.batch_per_replica == 1 for s in sized)


def test_cheapest_per_model_gpu_prefers_latency_then_fewest_gpus(
    capcat: Catalog, defcal: Calibration
) -> None:
    models, gpus = subset(capcat)
    w = Workload(requests_per_s=20.0, ttft_ms_target=2000.0, tokens_per_s_per_user_target=20.0)
    sized = size_all(w, models, gpus, defcal)
    best = cheapest_per_model_gpu(sized)
    for (model, gpu), pick in best.items():
        rivals = [s for s in sized if (s.model, s.gpu) == (model, gpu)]
        if any(s.meets_latency for s in rivals):
            assert pick.meets_latency
            rivals = [s for s in rivals if s.meets_latency]
        assert pick.total_gpus == min(s.total_gpus for s in rivals)


def test_workload_is_validated(capcat: Catalog, defcal: Calibration) -> None:
    models, gpus = subset(capcat)
    for bad in (
        Workload(requests_per_s=0.0),
        Workload(requests_per_s=float("nan")),
        Workload(requests_per_s=1.0, peak_to_average=0.5),
        Workload(requests_per_s=1.0, output_tokens=0),
        Workload(requests_per_s=1.0, ttft_ms_target=-1.0),
        Workload(requests_per_s=1.0, failover_replicas=-1),
    ):
        with pytest.raises(InputError):
            size_all(bad, models, gpus, defcal)


def test_utilisation_never_exceeds_one_at_the_rounding_edge(
    capcat: Catalog, defcal: Calibration
) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    kw = {"peak_to_average": 1.0, "failover_replicas": 0}
    (s,) = size_all(Workload(1.0, **kw), [m], [g], defcal, ("fp8",), (1,))
    # exactly 3 replicas' worth of load, plus a rounding error under the 1e-9 slack
    w = Workload(3 * s.capacity_requests_per_s * (1 + 1e-10), **kw)
    (s3,) = size_all(w, [m], [g], defcal, ("fp8",), (1,))
    assert s3.replicas == 3
    assert 0.999 < s3.utilisation <= 1.0


# --- properties ------------------------------------------------------------------------------

requests = st.floats(min_value=0.01, max_value=500.0, allow_nan=False)
ttft_targets = st.floats(min_value=20.0, max_value=60_000.0, allow_nan=False)
speed_targets = st.floats(min_value=1.0, max_value=200.0, allow_nan=False)


@FAST
@given(
    r1=requests,
    r2=requests,
    peak=st.floats(min_value=1.0, max_value=20.0),
    spares=st.integers(min_value=0, max_value=2),
)
def test_more_requests_never_need_fewer_gpus(
    capcat: Catalog, capcal: Calibration, r1: float, r2: float, peak: float, spares: int
) -> None:
    lo, hi = sorted((r1, r2))
    models, gpus = subset(capcat)
    a = by_key(size_all(Workload(lo, peak, 800, 200, 2000.0, 10.0, spares), models, gpus, capcal))
    b = by_key(size_all(Workload(hi, peak, 800, 200, 2000.0, 10.0, spares), models, gpus, capcal))
    assert a.keys() == b.keys()
    for key, small in a.items():
        assert b[key].total_gpus >= small.total_gpus


@FAST
@given(t1=ttft_targets, t2=ttft_targets, s1=speed_targets, s2=speed_targets, r=requests)
def test_stricter_latency_never_needs_fewer_gpus(
    capcat: Catalog, capcal: Calibration, t1: float, t2: float, s1: float, s2: float, r: float
) -> None:
    loose_ttft, strict_ttft = max(t1, t2), min(t1, t2)
    loose_speed, strict_speed = min(s1, s2), max(s1, s2)
    models, gpus = subset(capcat)
    loose = by_key(
        size_all(Workload(r, 3.0, 1500, 300, loose_ttft, loose_speed), models, gpus, capcal)
    )
    strict = by_key(
        size_all(Workload(r, 3.0, 1500, 300, strict_ttft, strict_speed), models, gpus, capcal)
    )
    assert loose.keys() == strict.keys()
    for key, easy in loose.items():
        hard = strict[key]
        assert hard.total_gpus >= easy.total_gpus
        assert hard.meets_latency <= easy.meets_latency  # met when strict implies met when loose


@FAST
@given(
    r=requests,
    peak=st.floats(min_value=1.0, max_value=50.0),
    spares=st.integers(min_value=0, max_value=3),
    inp=st.integers(min_value=1, max_value=8000),
    out=st.integers(min_value=1, max_value=2000),
    ttft=st.none() | ttft_targets,
    speed=st.none() | speed_targets,
)
def test_utilisation_in_unit_interval_and_targets_met(
    capcat: Catalog,
    capcal: Calibration,
    r: float,
    peak: float,
    spares: int,
    inp: int,
    out: int,
    ttft: float | None,
    speed: float | None,
) -> None:
    models, gpus = subset(capcat)
    w = Workload(r, peak, inp, out, ttft, speed, spares)
    for s in size_all(w, models, gpus, capcal):
        assert 0.0 < s.utilisation <= 1.0
        # the installed capacity (spares excluded) covers the peak
        serving = s.replicas - spares
        assert serving >= 1
        assert serving * s.capacity_requests_per_s >= r * peak * (1 - 1e-9)
        if s.meets_latency:
            assert ttft is None or s.ttft_ms <= ttft
            assert speed is None or s.tokens_per_s_per_user >= speed * (1 - 1e-12)
