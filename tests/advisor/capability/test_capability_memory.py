"""Memory fit: weights by precision, KV cache per token (GQA, sliding window, MLA), what fits.

Numbers are worked out by hand in the comments; GB is 1e9 bytes and a GPU's "80 GB" of HBM is
80 GiB (2**30 bytes). Defaults used: 90 % of GPU memory usable, 3 GiB runtime overhead per GPU.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from advisor.capability.estimate import estimate
from advisor.capability.model import (
    GIB,
    KV_BYTES,
    WEIGHT_BYTES,
    Calibration,
    build_deployments,
    kv_bytes,
    memory,
)
from advisor.catalog.records import OpenModel
from advisor.catalog.snapshot import Catalog


def dep_of(cat: Catalog, model: str, precision: str = "bf16", kv: str = "bf16", gpus: int = 1):
    m = cat.model(model)
    dep, _ = build_deployments([(m, cat.gpu("h100-sxm-80gb"), gpus, precision, kv)], Calibration())
    return dep


# --- weights ---------------------------------------------------------------------------------


def test_bytes_per_weight_by_precision() -> None:
    assert WEIGHT_BYTES["bf16"] == WEIGHT_BYTES["fp16"] == 2.0
    assert WEIGHT_BYTES["fp8"] == WEIGHT_BYTES["int8"] == 1.0
    # 4 bits plus one 16-bit scale per group of 32 weights: 0.5 + 2/32
    assert WEIGHT_BYTES["fp4"] == WEIGHT_BYTES["int4"] == 0.5 + 2 / 32 == 0.5625
    assert KV_BYTES == {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0}


@pytest.mark.parametrize(
    ("precision", "gb"),
    [
        ("bf16", 140.0),
        ("fp16", 140.0),
        ("fp8", 70.0),
        ("int8", 70.0),
        ("fp4", 39.375),
        ("int4", 39.375),
    ],
)
def test_llama_70b_weights_by_precision(
    capcat: Catalog, defcal: Calibration, precision: str, gb: float
) -> None:
    # 70e9 params x {2, 1, 0.5625} bytes
    est = estimate(
        capcat.model("llama-3.1-70b"), capcat.gpu("h100"), 8, precision, 100, 10, None, defcal
    )
    assert est.weights_gb == pytest.approx(gb, rel=1e-12)


def _llama_params(m: OpenModel) -> tuple[float, float]:
    """(all params, params without the embedding/unembedding matrices) from config facts."""
    q_o = 2 * m.hidden_size * m.attention_heads * m.head_dim
    k_v = 2 * m.hidden_size * m.kv_heads * m.head_dim
    mlp = 3 * m.hidden_size * (m.intermediate_size or 0)
    norms = 2 * m.hidden_size
    body = m.layers * (q_o + k_v + mlp + norms) + m.hidden_size
    embeddings = m.vocab_size * m.hidden_size * (1 if m.tie_word_embeddings else 2)
    return body + embeddings, body


def test_weights_include_embeddings(capcat: Catalog, defcal: Calibration) -> None:
    # Llama-3.1-8B from its config: 32 x (2*4096*4096 + 2*4096*1024 + 3*4096*14336 + norms)
    # = 6.98e9 in the blocks, + 2 x 128256 x 4096 = 1.05e9 embeddings = 8.03e9.
    m = capcat.model("llama-3.1-8b")
    with_emb, without = _llama_params(m)
    assert with_emb == pytest.approx(8.03e9, rel=1e-3)
    assert without == pytest.approx(6.98e9, rel=1e-3)
    est = estimate(m, capcat.gpu("h100"), 1, "bf16", 100, 10, None, defcal)
    # 16.0 GB of bf16 weights: the 8.03e9 total (embeddings included) within 0.5 %, not 13.96 GB.
    assert est.weights_gb == pytest.approx(2 * with_emb / 1e9, rel=0.005)
    assert est.weights_gb > 1.1 * 2 * without / 1e9


def test_moe_weights_in_full_for_memory_active_for_compute(capcat: Catalog) -> None:
    dep = dep_of(capcat, "mixtral-8x7b")
    # all 46.7e9 params are held in memory: 93.4 GB at bf16 (not 2 x 12.9e9)
    assert dep.weight_bytes[0] == pytest.approx(93.4e9)
    assert dep.active_params[0] == pytest.approx(12.9e9)
    # 8 experts of (46.7 - 12.9) / (8 - 2) = 5.6333e9 params, 1.6333e9 shared (attention etc.)
    per_expert = (46.7e9 - 12.9e9) / 6
    assert dep.expert_weight_bytes[0] == pytest.approx(2 * per_expert)
    assert dep.shared_weight_bytes[0] == pytest.approx(2 * (46.7e9 - 8 * per_expert))
    # shared + 2 routed experts = the 12.9e9 active params
    assert dep.shared_weight_bytes[0] + 2 * dep.expert_weight_bytes[0] == pytest.approx(25.8e9)
    ds = dep_of(capcat, "deepseek-v3", "fp8", "fp8")
    assert ds.weight_bytes[0] == pytest.approx(671e9)
    assert ds.active_params[0] == pytest.approx(37e9)


# --- KV cache --------------------------------------------------------------------------------


def test_kv_per_token_llama_8b(capcat: Catalog) -> None:
    # 2 (K and V) x 32 layers x 8 KV heads x 128 head dim x 2 bytes = 131,072 bytes per token
    dep = dep_of(capcat, "llama-3.1-8b")
    assert dep.kv_bytes_per_token_full[0] == 2 * 32 * 8 * 128 * 2 == 131_072
    assert dep.kv_bytes_per_token_window[0] == 0
    assert kv_bytes(dep, 1000.0)[0] == 131_072_000
    # an fp8 cache halves it
    assert dep_of(capcat, "llama-3.1-8b", kv="fp8").kv_bytes_per_token_full[0] == 65_536


def test_kv_per_sequence_in_estimate(capcat: Catalog, defcal: Calibration) -> None:
    # 1000 + 24 = 1024 tokens x 131,072 bytes = 0.134217728 GB
    est = estimate(capcat.model("llama-3.1-8b"), capcat.gpu("h100"), 1, "bf16", 1000, 24, 1, defcal)
    assert est.kv_cache_gb_per_sequence == pytest.approx(0.134217728, rel=1e-12)
    assert est.as_dict()["kv_cache_gb_per_sequence"] == 0.134218


@pytest.mark.parametrize(
    ("model", "full_layers", "window_layers", "window", "per_layer_token"),
    [
        # gpt-oss: alternating full / 128-token banded layers; 2 x 8 KV heads x 64 x 2 bytes
        ("gpt-oss-20b", 12, 12, 128, 2 * 8 * 64 * 2),
        ("gpt-oss-120b", 18, 18, 128, 2 * 8 * 64 * 2),
        # Gemma 2: alternating local (4096) / global layers
        ("gemma-2-9b", 21, 21, 4096, 2 * 8 * 256 * 2),
        ("gemma-2-27b", 23, 23, 4096, 2 * 16 * 128 * 2),
        # Gemma 3: five local (1024) layers per global one
        ("gemma-3-4b", 5, 29, 1024, 2 * 4 * 256 * 2),
        ("gemma-3-12b", 8, 40, 1024, 2 * 8 * 256 * 2),
        ("gemma-3-27b", 10, 52, 1024, 2 * 16 * 128 * 2),
    ],
)
def test_sliding_window_layers_are_capped(
    capcat: Catalog,
    model: str,
    full_layers: int,
    window_layers: int,
    window: int,
    per_layer_token: int,
) -> None:
    m = capcat.model(model)
    dep = dep_of(capcat, model)
    assert dep.kv_bytes_per_token_full[0] == full_layers * per_layer_token
    assert dep.kv_bytes_per_token_window[0] == window_layers * per_layer_token
    long = float(min(m.max_context, 100_000))
    # long context: full_layers x L + window_layers x min(L, W)
    expected = per_layer_token * (full_layers * long + window_layers * min(long, window))
    assert kv_bytes(dep, long)[0] == expected
    # shorter than the window: every layer holds every token
    assert kv_bytes(dep, 100.0)[0] == per_layer_token * (full_layers + window_layers) * 100


def test_gpt_oss_long_context_kv_by_hand(capcat: Catalog, defcal: Calibration) -> None:
    # gpt-oss-120b, 100,000 tokens, bf16 cache, 2,048 bytes per layer per token:
    # 18 x 2048 x 100,000 + 18 x 2048 x 128 = 3,686,400,000 + 4,718,592 = 3,691,118,592 bytes
    est = estimate(
        capcat.model("gpt-oss-120b"),
        capcat.gpu("h100"),
        2,
        "bf16",
        99_000,
        1_000,
        1,
        defcal,
        kv_precision="bf16",
    )
    assert est.kv_cache_gb_per_sequence == pytest.approx(3.691118592, rel=1e-12)
    # A full-attention model of the same shape would need 2x as much (36 layers x L).
    assert est.kv_cache_gb_per_sequence < 0.51 * 36 * 2048 * 100_000 / 1e9


def test_gemma_3_long_context_kv_by_hand(capcat: Catalog) -> None:
    # Gemma 3 27B at 100,000 tokens: 8,192 bytes per layer per token (2 x 16 x 128 x 2);
    # 10 global layers x 100,000 + 52 local layers x 1,024 = 1,053,248 layer-tokens
    dep = dep_of(capcat, "gemma-3-27b")
    assert kv_bytes(dep, 100_000.0)[0] == 8192 * 1_053_248 == 8_628_207_616


def test_mla_compressed_cache_for_deepseek(capcat: Catalog) -> None:
    for model in ("deepseek-v3", "deepseek-r1"):
        m = capcat.model(model)
        assert m.attention == "mla"
        assert m.kv_lora_rank + m.qk_rope_head_dim == 576
        # 576 values per layer per token, 61 layers: 70,272 bytes at bf16, 35,136 at fp8
        assert dep_of(capcat, model).kv_bytes_per_token_full[0] == 576 * 61 * 2 == 70_272
        assert dep_of(capcat, model, "fp8", "fp8").kv_bytes_per_token_full[0] == 35_136
        # ~85x smaller than caching 128 heads x 192 dims of K and V
        assert 2 * 128 * 192 * 2 * 61 / 70_272 > 85


# --- what fits -------------------------------------------------------------------------------


def test_llama_70b_bf16_does_not_fit_one_h100(capcat: Catalog, defcal: Calibration) -> None:
    est = estimate(
        capcat.model("llama-3.1-70b"), capcat.gpu("h100"), 1, "bf16", 1000, 500, None, defcal
    )
    assert not est.fits
    assert est.max_concurrency == 0
    # usable 80 GiB x 0.9 = 77.309411328 GB; overhead 3 GiB = 3.221225472 GB; weights 140 GB;
    # one sequence of 1500 tokens x 327,680 bytes = 0.49152 GB.
    # shortfall = 140 + 3.221225472 + 0.49152 - 77.309411328 = 66.403334144 GB
    assert est.memory_usable_gb == pytest.approx(77.309411328, rel=1e-12)
    assert est.memory_shortfall_gb == pytest.approx(66.403334144, rel=1e-9)
    assert est.output_tokens_per_s.value == 0.0


def test_llama_70b_fp8_fits_two_h100(capcat: Catalog, defcal: Calibration) -> None:
    est = estimate(
        capcat.model("llama-3.1-70b"), capcat.gpu("h100"), 2, "fp8", 1000, 500, None, defcal
    )
    assert est.fits
    assert est.memory_shortfall_gb == 0.0
    assert est.weights_gb == 70.0
    # fp8 cache: 80 x 8 x 128 x 2 x 1 = 163,840 bytes/token x 1500 = 0.24576 GB per sequence
    assert est.kv_cache_gb_per_sequence == pytest.approx(0.24576, rel=1e-12)
    # free = 2 x 77.309411328 - 70 - 2 x 3.221225472 = 78.176371712 GB -> 318.1 sequences
    assert est.max_concurrency == math.floor(78.176371712 / 0.24576) == 318


def test_concurrent_sequences_that_fit_by_hand(capcat: Catalog, defcal: Calibration) -> None:
    # Llama-3.1-8B bf16 on one H100: free = 77.309411328 - 16 - 3.221225472 = 58.088185856 GB;
    # 1024-token sequences of 0.134217728 GB -> 432 of them.
    est = estimate(capcat.model("llama-3.1-8b"), capcat.gpu("h100"), 1, "bf16", 1000, 24, 1, defcal)
    assert est.max_concurrency == 432
    # Twice the context, half the sequences (rounded down).
    est2 = estimate(
        capcat.model("llama-3.1-8b"), capcat.gpu("h100"), 1, "bf16", 2000, 48, 1, defcal
    )
    assert est2.max_concurrency == 216


def test_memory_budget_columns(capcat: Catalog) -> None:
    cal = Calibration(memory_utilisation=0.5, runtime_overhead_gib=1.0)
    dep = dep_of(capcat, "llama-3.1-8b", gpus=2)
    mem = memory(dep, np.array([1000.0]), cal)
    assert mem["usable_bytes"][0] == 2 * 80 * GIB * 0.5
    assert mem["overhead_bytes"][0] == 2 * GIB
    assert mem["free_for_kv_bytes"][0] == 80 * GIB - 16e9 - 2 * GIB
    assert mem["max_seqs"][0] == math.floor((80 * GIB - 16e9 - 2 * GIB) / 131_072_000)


def test_more_gpus_or_smaller_precision_fit_more(capcat: Catalog, defcal: Calibration) -> None:
    m, g = capcat.model("llama-3.1-70b"), capcat.gpu("h100")
    seqs = [estimate(m, g, n, "fp8", 1000, 500, None, defcal).max_concurrency for n in (1, 2, 4, 8)]
    assert seqs == sorted(seqs) and seqs[0] < seqs[-1]
    # same (bf16) cache, smaller weights: more room for sequences
    by_precision = [
        estimate(m, g, 2, p, 1000, 500, None, defcal, kv_precision="bf16").max_concurrency
        for p in ("bf16", "fp8", "int4")
    ]
    assert by_precision == sorted(by_precision) and by_precision[0] < by_precision[-1]
    # int4 weights default to a bf16 cache, fp8 weights to an fp8 cache (half the bytes)
    assert estimate(m, g, 2, "int4", 1000, 500, None, defcal).kv_precision == "bf16"
    assert estimate(m, g, 2, "fp8", 1000, 500, None, defcal).kv_precision == "fp8"
