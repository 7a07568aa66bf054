"""Serving performance: TTFT, TPOT, memory- vs compute-bound decode, batching, tensor parallel.

Hand-checked with the default factors: 75 % of peak memory bandwidth in decode, 55 % of peak
FLOPS in prefill, 45 % in decode, 2 ms per decode step, 8 us per all-reduce, 70 % link efficiency.
H100 SXM: 3,350 GB/s, 989.5 dense BF16 TFLOPS, 1,979 FP8 TFLOPS, NVLink 900 GB/s (450 each way).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from advisor.capability.estimate import estimate
from advisor.capability.model import (
    Calibration,
    _allreduce_time,
    build_deployments,
    decode_step_time,
    prefill_time,
    serve,
)
from advisor.catalog.snapshot import Catalog

H100_BW = 3350e9
H100_BF16 = 989.5e12
H100_FP8 = 1979e12


def test_tpot_at_batch_one_is_weights_over_bandwidth(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    est = estimate(m, g, 1, "bf16", 100, 100, 1, defcal)
    # 16e9 weight bytes + KV of the average 150-token context (150 x 131,072 bytes) read per
    # step at 3,350 GB/s x 0.75, plus the 2 ms step overhead; compute (16 GFLOP at 445 TFLOPS,
    # 0.04 ms) hides under the memory time. 6.3760 ms + 2 ms = 8.3760 ms.
    mem_ms = (16e9 + 150 * 131_072) / (H100_BW * 0.75) * 1e3
    assert est.tpot_ms.value == pytest.approx(mem_ms + 2.0, rel=1e-9)
    assert est.tpot_ms.value == pytest.approx(8.3760, abs=1e-4)
    # the rule of thumb: weight bytes / bandwidth / efficiency + overhead, within 0.2 %
    assert est.tpot_ms.value == pytest.approx(16e9 / H100_BW / 0.75 * 1e3 + 2.0, rel=0.002)
    assert est.tokens_per_s_per_user == pytest.approx(1000.0 / est.tpot_ms.value)
    # halve the bytes (fp8) and the memory part halves
    est8 = estimate(m, g, 1, "fp8", 100, 100, 1, defcal)
    mem8_ms = (8e9 + 150 * 65_536) / (H100_BW * 0.75) * 1e3
    assert est8.tpot_ms.value == pytest.approx(mem8_ms + 2.0, rel=1e-9)


def test_tpot_at_batch_one_excludes_own_prefill(capcat: Catalog, defcal: Calibration) -> None:
    # A long prompt and a short answer: the prompt's prefill is in TTFT, not in TPOT.
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    est = estimate(m, g, 1, "fp8", 8000, 100, 1, defcal)
    mem_ms = (8e9 + 8050 * 65_536) / (H100_BW * 0.75) * 1e3
    assert est.tpot_ms.value == pytest.approx(mem_ms + 2.0, rel=1e-9)


def test_ttft_at_batch_one_is_prefill_plus_one_step(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    est = estimate(m, g, 1, "fp8", 1000, 300, 1, defcal)
    # prefill: 2 x 8e9 x 1000 FLOPs + causal attention 4 x 32 heads x 128 x 32 layers x 1000^2/2
    # = 1.6e13 + 2.62e11 FLOPs at 1979 TFLOPS x 0.55 -> 14.94 ms, compute-bound
    prefill_s = (2 * 8e9 * 1000 + 4 * 32 * 128 * 32 * 1000**2 / 2) / (H100_FP8 * 0.55)
    assert prefill_s * 1e3 == pytest.approx(14.94, abs=0.01)
    # first token: the prefill plus one decode step (average context 1150 tokens)
    step_s = (8e9 + 1150 * 65_536) / (H100_BW * 0.75) + 2e-3
    assert est.ttft_ms.value == pytest.approx((prefill_s + step_s) * 1e3, rel=1e-9)


def test_prefill_is_compute_bound_and_grows_with_the_prompt(
    capcat: Catalog, defcal: Calibration
) -> None:
    m = capcat.model("llama-3.1-70b")
    dep, wattn = build_deployments([(m, capcat.gpu("h100"), 1, "fp8", "fp8")], defcal)
    p = np.array([2000.0])
    t = prefill_time(dep, wattn, p, defcal)[0]
    # 2 x 70e9 x 2000 = 2.8e14 FLOPs (+ 5.2e12 attention) at 1979 TFLOPS x 0.55
    expected = (2 * 70e9 * 2000 + 4 * 64 * 128 * 80 * 2000**2 / 2) / (H100_FP8 * 0.55)
    assert t == pytest.approx(expected, rel=1e-9)
    assert t > 70e9 / (H100_BW * 0.75)  # more than reading the weights once
    t2 = prefill_time(dep, wattn, 2 * p, defcal)[0]
    assert 2.0 < t2 / t < 2.1  # linear, plus the quadratic attention term


def test_decode_memory_bound_at_low_batch_compute_bound_at_high(
    capcat: Catalog, defcal: Calibration
) -> None:
    m = capcat.model("llama-3.1-8b")
    dep, wattn = build_deployments([(m, capcat.gpu("h100"), 1, "fp8", "fp8")] * 6, defcal)
    batch = np.array([1.0, 2.0, 8.0, 256.0, 512.0, 1024.0])
    ctx = np.full(6, 100.0)
    step = decode_step_time(dep, wattn, batch, ctx, defcal) * 1e3
    # batch 1: (8e9 + 100 x 65,536) bytes / (3350 GB/s x 0.75) + 2 ms = 5.1867 ms
    assert step[0] == pytest.approx((8e9 + 6_553_600) / (H100_BW * 0.75) * 1e3 + 2.0, rel=1e-9)
    # memory-bound: a batch of 8 costs little more than a batch of 1 (one weight read shared)
    assert step[2] / step[0] < 1.03
    # batch 512: 512 x (2 x 8e9 + 524,288 x 100 attention) FLOPs at 1979 TFLOPS x 0.45
    # = 9.229 ms of compute > 4.51 ms of memory traffic
    flops_ms = 512 * (2 * 8e9 + 4 * 32 * 128 * 32 * 100) / (H100_FP8 * 0.45) * 1e3
    mem_ms = (8e9 + 512 * 6_553_600) / (H100_BW * 0.75) * 1e3
    assert flops_ms > mem_ms
    assert step[4] == pytest.approx(flops_ms + 2.0, rel=1e-9)
    # compute-bound: time per step scales with the batch
    assert (step[5] - 2.0) / (step[4] - 2.0) == pytest.approx(2.0, rel=1e-9)


def test_throughput_grows_with_concurrency_then_saturates(
    capcat: Catalog, defcal: Calibration
) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    levels = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    ests = [estimate(m, g, 1, "fp8", 1000, 300, c, defcal) for c in levels]
    tput = [e.output_tokens_per_s.value for e in ests]
    assert all(b > a for a, b in itertools.pairwise(tput))
    # nearly linear at first (memory-bound: the weight read is shared)...
    assert tput[1] / tput[0] > 1.9
    # ...then flattening out (compute-bound): doubling the batch adds less than 20 %
    assert tput[-1] / tput[-2] < 1.2
    # per-user speed falls as the batch grows
    tpot = [e.tpot_ms.value for e in ests]
    assert all(b > a for a, b in itertools.pairwise(tpot))
    # the max-throughput point (no concurrency given) is at least as fast as any level tried
    best = estimate(m, g, 1, "fp8", 1000, 300, None, defcal)
    assert best.concurrency == min(best.max_concurrency, int(defcal.max_batch))
    assert best.output_tokens_per_s.value >= max(tput) - 1e-9


def test_throughput_accounts_for_prefill_work(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    dep, wattn = build_deployments([(m, g, 1, "fp8", "fp8")], defcal)
    res = serve(dep, wattn, 1000.0, 300.0, 64.0, defcal)
    step, pf = res["step_s"][0], res["prefill_s"][0]
    # 64 sequences produce 64 x 300 tokens in 300 steps plus 64 prefills
    assert res["output_tokens_per_s"][0] == pytest.approx(64 * 300 / (300 * step + 64 * pf))
    # a sequence sees its step plus the 63 other sequences' prefills spread over its 300 tokens
    assert res["tpot_s"][0] == pytest.approx(step + 63 * pf / 300)


def test_output_tokens_per_s_is_the_total_over_the_deployment(
    capcat: Catalog, defcal: Calibration
) -> None:
    m, g = capcat.model("llama-3.1-70b"), capcat.gpu("h100")
    est = estimate(m, g, 4, "fp8", 1000, 300, 32, defcal)
    # 32 users each streaming at ~1/TPOT (less the prefill share): all 4 GPUs together
    per_user = est.tokens_per_s_per_user
    assert 0.9 * 32 * per_user < est.output_tokens_per_s.value <= 32 * per_user


def test_tensor_parallel_speeds_memory_bound_decode_with_communication(
    capcat: Catalog, defcal: Calibration
) -> None:
    m, g = capcat.model("llama-3.1-70b"), capcat.gpu("h100")
    tpot = {n: estimate(m, g, n, "fp8", 1000, 300, 1, defcal).tpot_ms.value for n in (1, 2, 4, 8)}
    assert tpot[1] > tpot[2] > tpot[4] > tpot[8]
    kv = 1150 * 163_840  # average context x fp8 KV bytes per token
    for n in (2, 4, 8):
        # two ring all-reduces of one token's 8192 bf16 activations per layer, 80 layers:
        # 2 x 80 x (2 (n-1)/n x 16,384 bytes / (450 GB/s x 0.7) + 8 us)
        comm_ms = 2 * 80 * (2 * (n - 1) / n * 16_384 / (450e9 * 0.7) + 8e-6) * 1e3
        ideal_ms = (70e9 + kv) / (n * H100_BW * 0.75) * 1e3 + 2.0
        assert tpot[n] == pytest.approx(ideal_ms + comm_ms, rel=1e-9)
        # faster than one GPU, slower than a perfect n-fold split of the whole step
        assert tpot[1] / n < tpot[n] < tpot[1]
    comm_tp2_ms = 2 * 80 * (2 * 0.5 * 16_384 / (450e9 * 0.7) + 8e-6) * 1e3
    assert comm_tp2_ms == pytest.approx(1.2883, abs=1e-4)  # 1.28 ms of the TP=2 step


def test_allreduce_time_zero_on_one_gpu(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("llama-3.1-70b"), capcat.gpu("h100")
    dep, _ = build_deployments([(m, g, 1, "fp8", "fp8"), (m, g, 8, "fp8", "fp8")], defcal)
    t = _allreduce_time(dep, np.array([1.0, 1.0]), defcal)
    assert t[0] == 0.0
    assert t[1] == pytest.approx(2 * 80 * (2 * 7 / 8 * 16_384 / (450e9 * 0.7) + 8e-6))


def test_moe_decode_reads_active_experts_at_batch_one(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("mixtral-8x7b"), capcat.gpu("h200")
    dep, wattn = build_deployments([(m, g, 1, "bf16", "bf16")] * 2, defcal)
    step = decode_step_time(dep, wattn, np.array([1.0, 512.0]), np.array([100.0, 100.0]), defcal)
    bw = 4800e9 * 0.75
    kv = 100 * 2 * 32 * 8 * 128 * 2
    # batch 1: shared weights + 2 of 8 experts = the 12.9e9 active params (25.8 GB), not 93.4 GB
    assert step[0] == pytest.approx((25.8e9 + kv) / bw + 2e-3, rel=1e-9)
    # a big batch routes tokens to every expert: all 93.4 GB are read per step at least
    assert step[1] > (93.4e9 + 512 * kv) / bw
    # compute uses the active parameters: prefill of 4000 tokens costs 2 x 12.9e9 x 4000 FLOPs
    pf = prefill_time(dep, wattn, np.array([4000.0, 4000.0]), defcal)[0]
    attn = 4 * 32 * 128 * 32 * 4000**2 / 2
    flops = 989.5e12 * defcal.prefill_flops_efficiency * defcal.moe_efficiency
    assert pf == pytest.approx((2 * 12.9e9 * 4000 + attn) / flops, rel=1e-9)


def test_queueing_beyond_memory_adds_to_ttft(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("llama-3.1-70b"), capcat.gpu("h100")
    fit = estimate(m, g, 2, "fp8", 1000, 500, None, defcal)
    over = estimate(m, g, 2, "fp8", 1000, 500, fit.max_concurrency * 2, defcal)
    assert over.fits
    assert over.ttft_ms.value > 10 * fit.ttft_ms.value
    assert over.output_tokens_per_s.value == pytest.approx(fit.output_tokens_per_s.value)
    assert any("queue" in n for n in over.notes)


def test_slower_vendor_stack_is_slower(capcat: Catalog) -> None:
    m, g = capcat.model("llama-3.1-70b"), capcat.gpu("mi300x")
    fast = estimate(m, g, 1, "fp8", 1000, 300, 1, Calibration(vendor_amd=1.0))
    slow = estimate(m, g, 1, "fp8", 1000, 300, 1, Calibration(vendor_amd=0.5))
    # memory-bound decode at half the effective bandwidth: the memory part doubles
    assert slow.tpot_ms.value - 2.0 == pytest.approx(2 * (fast.tpot_ms.value - 2.0), rel=1e-9)


# --- uncertainty bands -----------------------------------------------------------------------


def test_bands_come_from_the_metric_and_regime_errors(capcat: Catalog) -> None:
    cal = Calibration(
        throughput_low_error_p10=-0.2,
        throughput_low_error_p90=0.1,
        throughput_high_error_p10=-0.6,
        throughput_high_error_p90=0.6,
        ttft_steady_error_p10=-0.05,
        ttft_steady_error_p90=0.3,
        tpot_error_p10=-0.1,
        tpot_error_p90=0.2,
    )
    est = estimate(capcat.model("llama-3.1-8b"), capcat.gpu("h100"), 1, "fp8", 1000, 300, 8, cal)
    t = est.output_tokens_per_s
    # concurrency 8 is the low-concurrency regime
    assert (t.low, t.high) == pytest.approx((t.value * np.exp(-0.2), t.value * np.exp(0.1)))
    b = est.ttft_ms
    assert (b.low, b.high) == pytest.approx((b.value * np.exp(-0.05), b.value * np.exp(0.3)))
    b = est.tpot_ms
    assert (b.low, b.high) == pytest.approx((b.value * np.exp(-0.1), b.value * np.exp(0.2)))
    busy = estimate(capcat.model("llama-3.1-8b"), capcat.gpu("h100"), 1, "fp8", 1000, 300, 64, cal)
    t = busy.output_tokens_per_s
    assert (t.low, t.high) == pytest.approx((t.value * np.exp(-0.6), t.value * np.exp(0.6)))


def test_bands_contain_the_value_even_when_errors_are_one_sided(capcat: Catalog) -> None:
    cal = Calibration(throughput_low_error_p10=0.1, throughput_low_error_p90=0.4)
    cal = Calibration(
        **{
            **cal.__dict__,
            "ttft_steady_error_p10": -0.4,
            "ttft_steady_error_p90": -0.1,
            "tpot_error_p10": -0.4,
            "tpot_error_p90": -0.1,
        }
    )
    est = estimate(capcat.model("llama-3.1-8b"), capcat.gpu("h100"), 1, "fp8", 1000, 300, 8, cal)
    for band in (est.output_tokens_per_s, est.ttft_ms, est.tpot_ms):
        assert band.low <= band.value <= band.high
    assert est.output_tokens_per_s.low == est.output_tokens_per_s.value
    assert est.tpot_ms.high == est.tpot_ms.value


@pytest.mark.parametrize("concurrency", [1, 16, None])
def test_catalog_calibration_bands_bracket_estimates(
    capcat: Catalog, capcal: Calibration, concurrency: int | None
) -> None:
    est = estimate(
        capcat.model("llama-3.1-70b"), capcat.gpu("h100"), 2, "fp8", 1000, 500, concurrency, capcal
    )
    for band in (est.output_tokens_per_s, est.ttft_ms, est.tpot_ms):
        assert 0 < band.low <= band.value <= band.high
        assert band.low < band.high
