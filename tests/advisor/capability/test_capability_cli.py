"""`advisor estimate`: the JSON contract, bad flags, and every model x GPU pair in the catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from advisor.capability.model import Calibration
from advisor.catalog.snapshot import Catalog
from advisor.cli import main
from advisor.paths import bundled_path

REQUIRED = {
    "fits": bool,
    "max_concurrency": int,
    "output_tokens_per_s": float,
    "ttft_ms": float,
    "tpot_ms": float,
    "weights_gb": float,
    "kv_cache_gb_per_sequence": float,
}


def seed_ids(file: str) -> list[str]:
    """Record ids of one bundled seed file, readable at collection time (before any catalog)."""
    path = bundled_path("resources") / "catalog" / file
    return [str(r["id"]) for r in yaml.safe_load(path.read_text(encoding="utf-8")) or []]


MODEL_IDS = seed_ids("open_models.yaml")
GPU_IDS = seed_ids("gpus.yaml")


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code = main(["estimate", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    data = json.loads(out)
    for key, kind in REQUIRED.items():
        assert type(data[key]) is kind, (key, data[key])
    return data


def base(model: str = "llama-3.1-70b", gpu: str = "h100", gpus: int = 2, precision: str = "fp8"):
    return [
        "--model",
        model,
        "--gpu",
        gpu,
        "--gpus",
        str(gpus),
        "--precision",
        precision,
        "--input",
        "1000",
        "--output",
        "500",
    ]


def test_contract_fields_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, *base())
    assert data["fits"] is True
    assert data["weights_gb"] == 70.0
    assert data["kv_cache_gb_per_sequence"] == 0.24576
    assert data["max_concurrency"] == 318  # see test_capability_memory (same at 0.9 / 3 GiB)
    assert data["gpus"] == 2 and data["precision"] == "fp8" and data["gpu"] == "h100-sxm-80gb"
    for name in ("output_tokens_per_s", "ttft_ms", "tpot_ms"):
        low, high = data[f"{name}_range"]
        assert 0 < low <= data[name] <= high


def test_without_concurrency_reports_the_max_throughput_point(
    capsys: pytest.CaptureFixture[str], capcal: Calibration
) -> None:
    best = run_json(capsys, *base())
    assert best["concurrency"] == min(best["max_concurrency"], int(capcal.max_batch))
    for c in (1, 8, 64, 256):
        at_c = run_json(capsys, *base(), "--concurrency", str(c))
        assert at_c["concurrency"] == c
        assert at_c["output_tokens_per_s"] <= best["output_tokens_per_s"]
    one = run_json(capsys, *base(), "--concurrency", "1")
    # one user: TPOT is the per-user streaming speed and throughput is about 1000 / TPOT
    assert one["tokens_per_s_per_user"] == pytest.approx(1000 / one["tpot_ms"], rel=1e-3)
    assert one["output_tokens_per_s"] <= one["tokens_per_s_per_user"]


def test_output_tokens_per_s_is_the_total_over_all_gpus(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = run_json(capsys, *base(gpus=4), "--concurrency", "64")
    # 64 users at about tokens_per_s_per_user each: the replica's total, not per GPU
    assert data["output_tokens_per_s"] > 0.9 * 64 * data["tokens_per_s_per_user"]


def test_does_not_fit_prints_shortfall_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, *base(gpus=1, precision="bf16"))
    assert data["fits"] is False
    assert data["max_concurrency"] == 0
    assert data["memory_shortfall_gb"] == pytest.approx(66.403, abs=1e-3)
    assert data["output_tokens_per_s"] == 0.0


def test_plain_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", *base()]) == 0
    out = capsys.readouterr().out
    assert "fits" in out and "TTFT" in out and "P10-P90" in out
    assert main(["estimate", *base(gpus=1, precision="bf16")]) == 0
    out = capsys.readouterr().out
    assert "does NOT fit" in out and "short by 66.4 GB" in out


def test_aliases_and_case(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(
        capsys, *base(model="meta-llama/Llama-3.1-70B-Instruct", gpu="H100", precision="FP8")
    )
    assert data["model"] == "llama-3.1-70b" and data["precision"] == "fp8"


@pytest.mark.parametrize(
    ("replace", "needle"),
    [
        (("--model", "no-such-model"), "model"),
        (("--gpu", "no-such-gpu"), "gpu"),
        (("--precision", "fp3"), "precision"),
        (("--gpus", "0"), "gpus"),
        (("--gpus", "-2"), "gpus"),
        (("--gpus", "two"), "gpus"),
        (("--gpus", "1.5"), "gpus"),
        (("--input", "abc"), "input"),
        (("--output", "0"), "output"),
        (("--input", "200000"), "context"),
        (("--concurrency", "0"), "concurrency"),
        (("--concurrency", "many"), "concurrency"),
        (("--kv-precision", "int4"), "kv_precision"),
        (("--engine", "ollama"), "--engine"),
        (("--speculative", "eagle"), "--speculative"),
        (("--speculative", "draft:1.5"), "--speculative"),
        (("--speculative", "mtp"), "speculative"),  # Llama 3.1 70B has no MTP head
        (("--prefix-cache-hit", "2"), "prefix_cache_hit"),
    ],
)
def test_bad_flags_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], replace: tuple[str, str], needle: str
) -> None:
    args = base()
    flag, value = replace
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    code = main(["estimate", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert needle in lines[0]
    assert "Traceback" not in err


def test_missing_required_flag_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["estimate", "--model", "llama-3.1-8b", "--gpu", "h100", "--json"]) == 2
    _, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_real_subprocess(cap_catalog_path: Path) -> None:
    env = {**os.environ, "ADVISOR_CATALOG": str(cap_catalog_path)}
    cmd = [sys.executable, "-m", "advisor.cli", "estimate", *base(), "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["fits"] is True and data["output_tokens_per_s"] > 0
    bad = cmd[:]
    bad[bad.index("--gpus") + 1] = "zero"
    done = subprocess.run(bad, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_seed_ids_are_the_catalog(capcat: Catalog) -> None:
    # the all-pairs test below is parametrised from the seed files; they must be the catalog
    assert sorted(MODEL_IDS) == sorted(m.id for m in capcat.models)
    assert sorted(GPU_IDS) == sorted(g.id for g in capcat.gpus)


@pytest.mark.parametrize("gpu", GPU_IDS)
@pytest.mark.parametrize("model", MODEL_IDS)
def test_every_model_on_every_gpu(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    capcat: Catalog,
    model: str,
    gpu: str,
) -> None:
    # The loaded snapshot is reused (the CLI would reload the same file on every call).
    monkeypatch.setattr("advisor.catalog.snapshot.load_catalog", lambda *a, **k: capcat)
    args = ["--model", model, "--gpu", gpu, "--gpus", "8", "--precision", "fp8"]
    data = run_json(capsys, *args, "--input", "512", "--output", "128")
    assert data["model"] == model and data["gpu"] == gpu
    assert data["weights_gb"] == pytest.approx(capcat.model(model).total_params_b, abs=1e-3)
    assert data["kv_cache_gb_per_sequence"] > 0
    if data["fits"]:
        assert data["max_concurrency"] >= 1
        assert data["memory_shortfall_gb"] == 0.0
        for name in ("output_tokens_per_s", "ttft_ms", "tpot_ms"):
            low, high = data[f"{name}_range"]
            assert 0 < low <= data[name] <= high
    else:
        assert data["max_concurrency"] == 0
        assert data["memory_shortfall_gb"] > 0
        assert data["output_tokens_per_s"] == 0.0


@pytest.mark.parametrize("engine", ["vllm", "sglang", "trtllm", "tgi", "lmdeploy"])
def test_engine_flag_is_accepted_and_reported(
    capsys: pytest.CaptureFixture[str], engine: str
) -> None:
    data = run_json(capsys, *base(), "--concurrency", "16", "--engine", engine)
    assert data["engine"] == engine


def test_engine_efficiency_from_the_calibration_changes_the_estimate(
    capsys: pytest.CaptureFixture[str], capcal: Calibration
) -> None:
    vllm = run_json(capsys, *base(), "--concurrency", "16")
    trt = run_json(capsys, *base(), "--concurrency", "16", "--engine", "trtllm")
    if capcal.engine_trtllm == 1.0:
        assert trt["output_tokens_per_s"] == vllm["output_tokens_per_s"]
    else:
        faster = capcal.engine_trtllm > 1.0
        assert (trt["output_tokens_per_s"] > vllm["output_tokens_per_s"]) == faster


def test_speculative_flags(capsys: pytest.CaptureFixture[str]) -> None:
    r1 = ["--model", "deepseek-r1", "--gpu", "h200", "--gpus", "8", "--precision", "fp8"]
    lengths = ["--input", "1000", "--output", "1000", "--concurrency", "1"]
    plain = run_json(capsys, *r1, *lengths)
    mtp = run_json(capsys, *r1, *lengths, "--speculative", "mtp")
    assert mtp["speculative"] == "mtp"
    assert mtp["tpot_ms"] < plain["tpot_ms"]
    draft = run_json(capsys, *base(), "--concurrency", "1", "--speculative", "draft:0.8:4")
    none = run_json(capsys, *base(), "--concurrency", "1")
    assert draft["tpot_ms"] < none["tpot_ms"]
    assert any("3.36 tokens per verify step" in n for n in draft["notes"])  # (1-.8^5)/.2
