"""Each serving-physics term against a hand calculation from published specs.

Specs used (as in resources/catalog/gpus.yaml and open_models.yaml): H100 SXM 989.5 TFLOPS dense
BF16, 1979 FP8, no FP4, 3.35 TB/s, NVLink 4 900 GB/s; A100 SXM 312 TFLOPS BF16, no FP8/FP4;
H200 4.8 TB/s, NVLink 4 900 GB/s; Llama 3.1 8B: 32 layers, hidden 4096, 32 heads x 128;
DeepSeek-R1: 61 layers, hidden 7168, 256 routed experts, 8 per token; gpt-oss-120b: 117 B total,
5.1 B active. Every test uses explicit factors so the hand numbers do not depend on the fit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from advisor.capability.estimate import estimate
from advisor.capability.model import (
    ARRIVAL_CODES,
    DEFAULT_SERVING,
    Calibration,
    Serving,
    build_deployments,
    compute_tflops,
    default_kv_precision,
    engine_of,
    prefill_time,
    serve,
    weight_only,
)
from advisor.catalog.snapshot import Catalog
from advisor.errors import InputError

# Round factors so that hand arithmetic is exact; no overheads unless a test adds them.
CAL = Calibration(
    bw_efficiency=0.5,
    prefill_flops_efficiency=0.5,
    decode_flops_efficiency=0.5,
    step_overhead_ms=0.0,
    allreduce_latency_us=0.0,
    link_efficiency=1.0,
    moe_efficiency=1.0,
    weight_only_efficiency=0.5,
    a2a_latency_us=10.0,
    scaleout_gbs=50.0,
    scaleout_latency_us=20.0,
    roce_latency_factor=1.5,
)


def one(
    capcat: Catalog,
    model: str,
    gpu: str,
    n: int,
    precision: str,
    serving: Serving = DEFAULT_SERVING,
):  # type: ignore[no-untyped-def]
    m, g = capcat.model(model), capcat.gpu(gpu)
    return build_deployments(
        [(m, g, n, precision, default_kv_precision(g, precision))], CAL, serving
    )


# --- engine ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("tensorrt-llm 1.0 (pytorch backend)", "trtllm"),
        ("nvidia-nim 1.8.0 (llama-3.3-70b-instruct)", "trtllm"),
        ("vllm 0.10.2 (ROCm 7.0.0)", "vllm"),
        ("SGLang 0.4.6", "sglang"),
        ("TGI 3.0", "tgi"),
        ("lmdeploy 0.7 (turbomind)", "lmdeploy"),
        (None, "vllm"),
    ],
)
def test_engine_names_map_to_engine_keys(text: str | None, key: str) -> None:
    assert engine_of(text) == key


def test_an_engine_twice_as_efficient_halves_memory_bound_decode(capcat: Catalog) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    base = estimate(m, g, 1, "bf16", 100, 100, 1, CAL)
    fast = estimate(
        m,
        g,
        1,
        "bf16",
        100,
        100,
        1,
        Calibration(**{**CAL.__dict__, "engine_trtllm": 2.0}),
        serving=Serving(engine="trtllm"),
    )
    # batch 1, bf16: 8.03e9 params x 2 bytes read per step at 3.35e12 x 0.5 B/s
    weights = m.total_params_b * 1e9 * 2.0
    assert base.tpot_ms.value == pytest.approx(
        (weights + _kv_bytes(m, 150)) / (3.35e12 * 0.5) * 1e3, rel=1e-3
    )
    assert fast.tpot_ms.value == pytest.approx(base.tpot_ms.value / 2.0, rel=1e-9)
    assert fast.engine == "trtllm"


def _kv_bytes(m, context: float) -> float:  # type: ignore[no-untyped-def]
    return 2.0 * m.kv_heads * m.head_dim * 2.0 * m.layers * context


# --- weight-only kernels --------------------------------------------------------------------


def test_gpus_without_the_precision_run_weight_only_kernels(capcat: Catalog) -> None:
    a100, h100, b200 = capcat.gpu("a100-sxm-80gb"), capcat.gpu("h100"), capcat.gpu("b200")
    assert weight_only(a100, "fp8") and weight_only(a100, "fp4") and weight_only(h100, "fp4")
    assert not weight_only(h100, "fp8") and not weight_only(b200, "fp4")
    # the matmuls of a weight-only deployment run at the BF16 rate
    assert compute_tflops(a100, "fp8") == 312.0
    assert compute_tflops(h100, "fp4") == 989.5
    assert compute_tflops(h100, "fp8") == 1979.0
    # no FP8 units: the KV cache stays BF16 by default
    assert default_kv_precision(a100, "fp4") == "bf16"
    assert default_kv_precision(h100, "fp4") == "fp8"


def test_weight_only_prefill_is_bf16_compute_at_the_kernel_efficiency(capcat: Catalog) -> None:
    dep, wattn = one(capcat, "gpt-oss-120b", "a100-sxm-80gb", 1, "fp4")
    m = capcat.model("gpt-oss-120b")
    # weights read at MXFP4: 0.5 byte + one 16-bit scale per 32 weights
    assert dep.weight_bytes[0] == pytest.approx(117e9 * (0.5 + 2 / 32))
    # 8192-token prompt: 2 x 5.1e9 x 8192 FLOPs of GEMMs (attention added from the record)
    p = 8192.0
    attn_full = 4.0 * m.attention_heads * m.head_dim * (m.layers - m.sliding_window_layers)
    attn_win = 4.0 * m.attention_heads * m.head_dim * m.sliding_window_layers
    flops = 2.0 * 5.1e9 * p + attn_full * p * p / 2.0 + attn_win * p * min(p, m.sliding_window)
    expected = flops / (312e12 * 0.5 * 0.5)  # BF16 peak x prefill efficiency x weight-only
    assert prefill_time(dep, wattn, np.array([p]), CAL)[0] == pytest.approx(expected, rel=1e-9)
    # the same model on a GPU with FP4 units runs native FP4 GEMMs
    native, _ = one(capcat, "gpt-oss-120b", "b200", 1, "fp4")
    assert native.wo_factor[0] == 1.0 and dep.wo_factor[0] == 0.5


# --- arrivals: steady, burst, static batch --------------------------------------------------


def test_static_batch_ttft_waits_for_the_whole_batch_prefill(capcat: Catalog) -> None:
    dep, wattn = one(capcat, "llama-3.1-8b", "h100", 1, "bf16")
    m = capcat.model("llama-3.1-8b")
    b, p, out = 16.0, 2000.0, 100.0
    res = {
        mode: serve(dep, wattn, p, out, b, CAL, arrivals=ARRIVAL_CODES[mode])
        for mode in ("steady", "burst", "static")
    }
    # one prompt: 2 x 8.03e9 x 2000 + 4 x 32 x 128 x 32 x 2000^2 / 2 FLOPs at 989.5e12 x 0.5
    one_prompt = (2.0 * m.active_params_b * 1e9 * p + 4.0 * 32 * 128 * 32 * p * p / 2.0) / (
        989.5e12 * 0.5
    )
    step = res["static"]["step_s"][0]
    # steady: its own prefill (one chunk of 8192 tokens) and the first decode step
    assert res["steady"]["ttft_s"][0] == pytest.approx(one_prompt + step, rel=1e-9)
    # static: all 16 prompts prefilled before anyone's first token
    assert res["static"]["ttft_s"][0] == pytest.approx(b * one_prompt + step, rel=1e-9)
    # burst with continuous batching: prompts finish in turn, on average (b + 1) / 2 of them
    assert res["burst"]["ttft_s"][0] == pytest.approx(
        b * one_prompt * (b + 1) / (2 * b) + step, rel=1e-9
    )


def test_chunked_prefill_interleaves_a_decode_step_per_chunk(capcat: Catalog) -> None:
    dep, wattn = one(capcat, "llama-3.1-8b", "h100", 1, "bf16")
    p = 10_000.0
    chunked = serve(dep, wattn, p, 100.0, 32.0, CAL, chunk_tokens=2048.0)
    whole = serve(dep, wattn, p, 100.0, 32.0, CAL, chunked=0.0)
    step = chunked["step_s"][0]
    # ceil(10000 / 2048) = 5 chunks, each shares an engine step with the running batch
    assert chunked["ttft_s"][0] - whole["ttft_s"][0] == pytest.approx(4 * step, rel=1e-9)


# --- prefix caching -------------------------------------------------------------------------


def test_prefix_cache_hits_skip_the_cached_tokens_but_not_their_attention(capcat: Catalog) -> None:
    dep, wattn = one(capcat, "llama-3.1-8b", "h100", 1, "bf16")
    m = capcat.model("llama-3.1-8b")
    p, c = 4000.0, 3000.0
    a = 4.0 * 32 * 128 * 32
    expected = (2.0 * m.active_params_b * 1e9 * (p - c) + a * (p * p - c * c) / 2.0) / (
        989.5e12 * 0.5
    )
    got = prefill_time(dep, wattn, np.array([p]), CAL, cached=np.array([c]))[0]
    assert got == pytest.approx(expected, rel=1e-9)
    cold = serve(dep, wattn, p, 200.0, 1.0, CAL)["ttft_s"][0]
    warm = serve(dep, wattn, p, 200.0, 1.0, CAL, prefix_hit=0.75)["ttft_s"][0]
    assert warm < cold / 2


# --- expert-parallel all-to-all -------------------------------------------------------------


def _a2a_per_layer(tokens: float, n: int, link_bytes_s: float, latency_s: float) -> float:
    # dispatch + combine: each GPU sends its tokens' hidden states (bf16) to k=8 experts, of
    # which (n-1)/n live on other GPUs
    per_gpu = 2.0 * tokens / n * 8 * 7168 * 2.0 * (n - 1) / n
    return per_gpu / link_bytes_s + 2.0 * latency_s


def test_expert_parallel_inside_a_node_uses_nvlink_all_to_all(capcat: Catalog) -> None:
    srv = Serving(expert_parallel=True)
    ep, _ = one(capcat, "deepseek-r1", "h200", 8, "fp8", srv)
    tp, _ = one(capcat, "deepseek-r1", "h200", 8, "fp8")
    tokens = 256.0
    from advisor.capability.model import _comm_time

    got = _comm_time(ep, np.array([tokens]), CAL)[0]
    # NVLink 4: 900 GB/s both ways = 450e9 B/s each way; 61 MoE-model layers
    assert got == pytest.approx(61 * _a2a_per_layer(tokens, 8, 450e9, 10e-6), rel=1e-9)
    # tensor parallel instead: two ring all-reduces of 256 x 7168 x 2 bytes per layer
    tp_time = _comm_time(tp, np.array([tokens]), CAL)[0]
    ring = 2 * 7 / 8 * tokens * 7168 * 2.0 / 450e9
    assert tp_time == pytest.approx(2 * 61 * ring, rel=1e-9)


@pytest.mark.parametrize(("fabric", "latency_us"), [("infiniband", 20.0), ("roce", 30.0)])
def test_expert_parallel_across_nodes_uses_the_scale_out_fabric(
    capcat: Catalog, fabric: str, latency_us: float
) -> None:
    from advisor.capability.model import _comm_time

    ep, _ = one(
        capcat, "deepseek-r1", "h200", 16, "fp8", Serving(expert_parallel=True, fabric=fabric)
    )
    got = _comm_time(ep, np.array([512.0]), CAL)[0]
    # 16 GPUs span two 8-GPU nodes: 400 Gb/s NICs = 50 GB/s each way per GPU
    assert got == pytest.approx(61 * _a2a_per_layer(512.0, 16, 50e9, latency_us * 1e-6), rel=1e-9)


def test_expert_parallel_replicates_the_shared_weights_on_every_gpu(capcat: Catalog) -> None:
    from advisor.capability.model import _weights_in_memory

    ep, _ = one(capcat, "deepseek-r1", "h200", 8, "fp8", Serving(expert_parallel=True))
    shared = ep.shared_weight_bytes[0]
    assert _weights_in_memory(ep)[0] == pytest.approx(ep.weight_bytes[0] + 7 * shared)


# --- speculative decoding -------------------------------------------------------------------


def test_tokens_per_verify_step_follow_leviathan_eq_1() -> None:
    # (1 - a^(k+1)) / (1 - a): a = 0.7, k = 3 -> (1 - 0.2401) / 0.3
    assert Serving(speculative="draft", spec_tokens=3, spec_acceptance=0.7).tokens_per_step == (
        pytest.approx(2.533, abs=1e-3)
    )
    # one MTP token accepted 85 % of the time: 1.85 tokens per step
    assert Serving(speculative="mtp", spec_tokens=1, spec_acceptance=0.85).tokens_per_step == (
        pytest.approx(1.85)
    )
    assert Serving().tokens_per_step == 1.0


def test_mtp_speed_up_in_a_large_expert_parallel_deployment_matches_deepseek(
    capcat: Catalog,
) -> None:
    # DeepSeek-V3 report (arXiv 2412.19437, 5.4.3): 85-90 % acceptance of the second token,
    # 1.8x tokens per second in their (large-batch, expert-parallel) serving.
    m, g = capcat.model("deepseek-r1"), capcat.gpu("h200")
    cal = Calibration(**{**CAL.__dict__, "mtp_acceptance": 0.85})
    ep, mtp = Serving(expert_parallel=True), Serving(expert_parallel=True, speculative="mtp")
    plain = estimate(m, g, 8, "fp8", 1000, 1000, 128, cal, serving=ep)
    fast = estimate(m, g, 8, "fp8", 1000, 1000, 128, cal, serving=mtp)
    speedup = plain.tpot_ms.value / fast.tpot_ms.value
    assert speedup <= 1.85  # never more than the accepted tokens per step
    assert speedup == pytest.approx(1.8, rel=0.1)


def test_mtp_pays_less_at_batch_one_on_moe_because_verify_touches_more_experts(
    capcat: Catalog,
) -> None:
    m, g = capcat.model("deepseek-r1"), capcat.gpu("h200")
    plain = estimate(m, g, 8, "fp8", 1000, 1000, 1, CAL)
    fast = estimate(m, g, 8, "fp8", 1000, 1000, 1, CAL, serving=Serving(speculative="mtp"))
    # two tokens routed to 8 of 256 experts each read up to 16 experts instead of 8
    assert 1.0 < plain.tpot_ms.value / fast.tpot_ms.value < 1.5


def test_speculation_stops_paying_when_decode_is_compute_bound(capcat: Catalog) -> None:
    m, g = capcat.model("llama-3.1-8b"), capcat.gpu("h100")
    srv = Serving(speculative="draft", spec_tokens=3, spec_acceptance=0.7, draft_cost=0.1)
    small = [estimate(m, g, 1, "fp8", 100, 100, 1, CAL, serving=s) for s in (Serving(), srv)]
    # batch 512, short context: 4 x 512 tokens x 16 GFLOP per step outweigh the weight read
    big = [estimate(m, g, 1, "fp8", 100, 100, 512, CAL, serving=s) for s in (Serving(), srv)]
    assert small[1].tpot_ms.value < small[0].tpot_ms.value
    # 4 tokens of compute per sequence per step for 2.53 accepted: slower once compute-bound
    assert big[1].output_tokens_per_s.value < big[0].output_tokens_per_s.value


@pytest.mark.parametrize("model", ["llama-3.1-8b", "deepseek-r1-distill-llama-70b"])
def test_mtp_needs_a_model_with_an_mtp_head(capcat: Catalog, model: str) -> None:
    with pytest.raises(InputError) as err:
        estimate(
            capcat.model(model),
            capcat.gpu("h200"),
            8,
            "fp8",
            100,
            100,
            1,
            CAL,
            serving=Serving(speculative="mtp"),
        )
    assert "speculative" in str(err.value)


def test_unknown_engine_is_rejected_naming_the_field(capcat: Catalog) -> None:
    with pytest.raises(InputError) as err:
        estimate(
            capcat.model("llama-3.1-8b"),
            capcat.gpu("h100"),
            1,
            "fp8",
            100,
            100,
            1,
            CAL,
            serving=Serving(engine="ollama"),
        )
    assert "engine" in str(err.value)
    assert math.isfinite(CAL.bw_efficiency)


# --- KV cache under tensor parallelism ------------------------------------------------------


def test_mla_kv_cache_is_replicated_on_every_tensor_parallel_gpu(capcat: Catalog) -> None:
    from advisor.capability.model import kv_replication, memory

    tp, _ = one(capcat, "deepseek-r1", "h200", 8, "fp8")
    ep, _ = one(capcat, "deepseek-r1", "h200", 8, "fp8", Serving(expert_parallel=True))
    assert kv_replication(tp)[0] == 8.0  # one latent vector per token: no head to split
    assert kv_replication(ep)[0] == 1.0  # attention data-parallel: each GPU its own sequences
    # (512 + 64) x 61 layers x 1 byte (FP8 KV) = 35,136 bytes per token
    per_token = (512 + 64) * 61 * 1.0
    mem = memory(tp, 4000.0, CAL)
    assert mem["kv_bytes_per_seq"][0] == pytest.approx(per_token * 4000)
    assert mem["max_seqs"][0] == math.floor(mem["free_for_kv_bytes"][0] / (8 * per_token * 4000))


def test_gqa_kv_heads_split_until_there_are_more_gpus_than_heads(capcat: Catalog) -> None:
    from advisor.capability.model import kv_replication

    # Llama 3.1 70B has 8 KV heads: split over 8 GPUs, replicated twice over 16
    eight, _ = one(capcat, "llama-3.1-70b", "h100", 8, "fp8")
    sixteen, _ = one(capcat, "llama-3.1-70b", "h100", 16, "fp8")
    assert kv_replication(eight)[0] == 1.0 and kv_replication(sixteen)[0] == 2.0


def test_engines_default_kv_cache_precision(capcat: Catalog) -> None:
    h100, a100 = capcat.gpu("h100"), capcat.gpu("a100-sxm-80gb")
    assert default_kv_precision(h100, "fp8", "trtllm") == "fp8"
    # vLLM's kv_cache_dtype "auto" keeps the activations' dtype
    assert default_kv_precision(h100, "fp8", "vllm") == "bf16"
    assert default_kv_precision(a100, "fp8", "trtllm") == "bf16"


# --- per-sequence and per-request overheads -------------------------------------------------


def test_per_sequence_overhead_grows_the_step_with_the_batch(capcat: Catalog) -> None:
    from advisor.capability.model import decode_step_time

    dep, wattn = one(capcat, "llama-3.1-8b", "h100", 1, "bf16")
    slow = Calibration(**{**CAL.__dict__, "seq_overhead_us": 50.0})
    b, ctx = np.array([64.0]), np.array([1000.0])
    extra = decode_step_time(dep, wattn, b, ctx, slow) - decode_step_time(dep, wattn, b, ctx, CAL)
    assert extra[0] == pytest.approx(64 * 50e-6)  # 64 sequences x 50 us


def test_request_overhead_adds_to_time_to_first_token_only(capcat: Catalog) -> None:
    dep, wattn = one(capcat, "llama-3.1-8b", "h100", 1, "bf16")
    slow = Calibration(**{**CAL.__dict__, "request_overhead_ms": 30.0})
    a = serve(dep, wattn, 1000.0, 200.0, 4.0, CAL)
    z = serve(dep, wattn, 1000.0, 200.0, 4.0, slow)
    assert z["ttft_s"][0] - a["ttft_s"][0] == pytest.approx(0.030)
    assert z["tpot_s"][0] == a["tpot_s"][0]


def test_tensor_parallel_across_nodes_all_reduces_over_the_fabric(capcat: Catalog) -> None:
    from advisor.capability.model import _comm_time

    tp16, _ = one(capcat, "llama-3.1-405b", "h100", 16, "fp8", Serving(fabric="infiniband"))
    tokens = 64.0
    # ring all-reduce of 64 x 16384 x 2 bytes over 50 GB/s, twice per layer, plus the
    # inter-node latency (20 us) on each
    ring = 2 * 15 / 16 * tokens * 16384 * 2.0 / 50e9
    expected = 2 * 126 * (ring + 20e-6)
    assert _comm_time(tp16, np.array([tokens]), CAL)[0] == pytest.approx(expected, rel=1e-9)
