"""Quality fit: task types, required scores, quantisation penalties, over-buying."""

from __future__ import annotations

import pytest

from advisor.capability import quality
from advisor.catalog.snapshot import Catalog

TASKS = {"extraction", "summarisation", "rag_qa", "chat", "code", "agents", "reasoning"}


def test_task_types(capcat: Catalog) -> None:
    names = quality.task_names(capcat)
    assert set(names) >= TASKS
    assert all(names[t] for t in TASKS)
    for task in TASKS:
        reqs = [t for t in capcat.tasks if t.task == task]
        assert reqs and all(r.min_score > 0 for r in reqs)


def test_first_benchmark_with_a_score_decides(capcat: Catalog) -> None:
    for model in ("llama-3.1-8b", "llama-3.1-70b", "qwen3-8b", "gpt-oss-20b", "deepseek-r1"):
        best: dict[str, float] = {}
        for s in capcat.scores_for(model):
            best[s.benchmark] = max(best.get(s.benchmark, s.score), s.score)
        for task in TASKS:
            f = quality.fit(capcat, model, task)
            reqs = sorted((t for t in capcat.tasks if t.task == task), key=lambda t: t.priority)
            decider = next((r for r in reqs if r.benchmark in best), None)
            if decider is None:
                assert f.benchmark is None and not f.good_enough
                assert "no published score" in f.reason
                continue
            assert f.benchmark == decider.benchmark
            assert f.min_score == decider.min_score
            assert f.score == best[decider.benchmark]  # bf16: no penalty
            assert f.good_enough is (f.score >= f.min_score)
            assert f.margin == pytest.approx(f.score - f.min_score)


def test_llama_8b_is_good_enough_for_extraction_not_reasoning(capcat: Catalog) -> None:
    ext = quality.fit(capcat, "llama-3.1-8b", "extraction")
    assert ext.good_enough and "meets" in ext.reason
    hard = quality.fit(capcat, "llama-3.1-8b", "reasoning")
    assert not hard.good_enough and "falls short" in hard.reason


def test_stated_penalties(capcat: Catalog) -> None:
    assert quality.penalty(capcat, "llama-3.1-8b", "int4") == 0.03
    assert quality.penalty(capcat, "llama-3.1-8b", "fp4") == 0.03
    assert quality.penalty(capcat, "llama-3.1-8b", "int8") == 0.02
    assert quality.penalty(capcat, "llama-3.1-8b", "fp8") == 0.0
    assert quality.penalty(capcat, "llama-3.1-8b", "bf16") == 0.0
    assert quality.penalty(capcat, "llama-3.1-8b", "fp16") == 0.0
    # gpt-oss is published in MXFP4: scored as released at fp4, penalised at int4
    assert quality.penalty(capcat, "gpt-oss-20b", "fp4") == 0.0
    assert quality.penalty(capcat, "gpt-oss-20b", "int4") == 0.03


def test_int4_loses_three_percent_of_the_score(capcat: Catalog) -> None:
    bf16 = quality.fit(capcat, "llama-3.1-8b", "extraction")
    int4 = quality.fit(capcat, "llama-3.1-8b", "extraction", "int4")
    assert int4.benchmark == bf16.benchmark
    assert int4.score == pytest.approx(bf16.score * 0.97)  # e.g. IFEval 80.4 -> 77.988
    assert quality.fit(capcat, "llama-3.1-8b", "extraction", "fp8").score == bf16.score


def test_penalty_can_flip_a_verdict(capcat: Catalog) -> None:
    flips = []
    for m in capcat.models:
        for task in TASKS:
            a = quality.fit(capcat, m.id, task)
            b = quality.fit(capcat, m.id, task, "int4")
            assert b.good_enough <= a.good_enough  # quantising never helps
            if a.good_enough and not b.good_enough:
                flips.append((m.id, task))
                assert a.score >= a.min_score > a.score * 0.97
    assert flips  # some models sit within 3 % of a threshold
    model, task = flips[0]
    ids = [m.id for m in capcat.models]
    assert model in {f.model for f in quality.good_enough(capcat, ids, task)}
    assert model not in {f.model for f in quality.good_enough(capcat, ids, task, "int4")}


def test_good_enough_returns_candidates_best_margin_first(capcat: Catalog) -> None:
    ids = [m.id for m in capcat.models]
    for task in TASKS:
        fits = quality.good_enough(capcat, ids, task)
        assert fits, task
        assert all(f.good_enough and f.task == task for f in fits)
        margins = [f.margin for f in fits]
        assert margins == sorted(margins, reverse=True)
    extraction = {f.model for f in quality.good_enough(capcat, ids, "extraction")}
    assert "llama-3.1-8b" in extraction
    reasoning = {f.model for f in quality.good_enough(capcat, ids, "reasoning")}
    assert "llama-3.1-8b" not in reasoning
    assert reasoning < set(ids)


def test_reasoning_model_is_premium_and_over_buys_simple_work(capcat: Catalog) -> None:
    assert quality.is_premium(capcat, "deepseek-r1")
    assert not quality.is_premium(capcat, "llama-3.1-8b")
    assert not quality.is_premium(capcat, "llama-3.1-70b")
    # For extraction both a premium reasoning model and a small non-premium model are good
    # enough: choosing the reasoning model is over-buying.
    ids = [m.id for m in capcat.models]
    fits = quality.good_enough(capcat, ids, "extraction")
    premium = [f.model for f in fits if quality.is_premium(capcat, f.model)]
    plain = [f.model for f in fits if not quality.is_premium(capcat, f.model)]
    assert "deepseek-r1" in premium and "llama-3.1-8b" in plain


def test_unknown_model_has_no_fit(capcat: Catalog) -> None:
    f = quality.fit(capcat, "api:nobody/nothing", "chat")
    assert f.benchmark is None and f.score is None and not f.good_enough
    assert not quality.is_premium(capcat, "api:nobody/nothing")
