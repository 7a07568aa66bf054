"""`advisor estimate`: memory fit and serving performance of one deployment."""

from __future__ import annotations

import argparse
from typing import Any


def _int(text: str) -> int:
    from advisor.bounds import whole_number_arg

    value: int = whole_number_arg(0, 10_000_000)(text)
    return value


def _speculative(text: str) -> tuple[str, float, int]:
    """``none``, ``mtp``, ``draft``, ``draft:ACCEPTANCE`` or ``draft:ACCEPTANCE:TOKENS``."""
    parts = text.lower().split(":")
    kind = parts[0]
    if (
        kind not in ("none", "mtp", "draft")
        or len(parts) > 3
        or (kind != "draft" and len(parts) > 1)
    ):
        raise argparse.ArgumentTypeError(
            f"{text!r}: use none, mtp, draft, draft:ACCEPTANCE or draft:ACCEPTANCE:TOKENS"
        )
    try:
        acceptance = float(parts[1]) if len(parts) > 1 else 0.0
        tokens = int(parts[2]) if len(parts) > 2 else 0
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: acceptance is a number, tokens whole"
        ) from None
    if not 0.0 <= acceptance < 1.0 or not 0 <= tokens <= 16:
        raise argparse.ArgumentTypeError(f"{text!r}: acceptance in [0, 1), tokens 0 to 16")
    return kind, acceptance, tokens


def register(sub: Any) -> None:
    p = sub.add_parser("estimate", help="memory fit and serving performance of one deployment")
    p.add_argument("--model", required=True, help="open model id, alias or Hugging Face repo")
    p.add_argument("--gpu", required=True, help="GPU id or alias, e.g. h100")
    p.add_argument("--gpus", type=_int, default=1, help="GPUs in the tensor-parallel group")
    p.add_argument("--precision", default="bf16", help="bf16, fp16, fp8, int8, fp4 or int4")
    p.add_argument("--kv-precision", default=None, help="bf16 or fp8 (default follows weights)")
    p.add_argument("--input", type=_int, required=True, help="prompt tokens per request")
    p.add_argument("--output", type=_int, required=True, help="output tokens per request")
    p.add_argument("--concurrency", type=_int, default=None, help="concurrent requests")
    p.add_argument(
        "--engine",
        default="vllm",
        choices=("vllm", "sglang", "trtllm", "tgi", "lmdeploy"),
        help="serving engine (default vllm)",
    )
    p.add_argument(
        "--speculative",
        type=_speculative,
        default=("none", 0.0, 0),
        help="speculative decoding: none, mtp (DeepSeek-V3/R1), draft[:ACCEPTANCE[:TOKENS]]",
    )
    p.add_argument(
        "--arrivals",
        default="steady",
        choices=("steady", "burst", "static"),
        help="steady (Poisson), burst (all clients at once) or static (static batch)",
    )
    p.add_argument("--expert-parallel", action="store_true", help="MoE experts over the GPUs")
    p.add_argument(
        "--fabric",
        default="infiniband",
        choices=("nvlink", "infiniband", "roce"),
        help="link between nodes when the group spans more than 8 GPUs",
    )
    p.add_argument(
        "--prefix-cache-hit",
        type=float,
        default=0.0,
        help="share of prompt tokens served from the prefix cache (0-1)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from advisor.capability.estimate import estimate
    from advisor.capability.model import Calibration, Serving
    from advisor.catalog.snapshot import load_catalog
    from advisor.cli import print_json

    catalog = load_catalog()
    model = catalog.model(args.model)
    gpu = catalog.gpu(args.gpu)
    est = estimate(
        model,
        gpu,
        args.gpus,
        args.precision.lower(),
        args.input,
        args.output,
        args.concurrency,
        Calibration.from_catalog(catalog),
        kv_precision=args.kv_precision.lower() if args.kv_precision else None,
        serving=Serving(
            engine=args.engine,
            expert_parallel=args.expert_parallel,
            fabric=args.fabric,
            arrivals=args.arrivals,
            prefix_cache_hit=args.prefix_cache_hit,
            speculative=args.speculative[0],
            spec_acceptance=args.speculative[1],
            spec_tokens=args.speculative[2],
        ),
    )
    if args.json:
        print_json(est.as_dict())
        return 0
    where = f"{model.name} on {args.gpus} x {gpu.name} ({est.precision}, {est.engine})"
    if not est.fits:
        print(
            f"{where}: does NOT fit — {est.weights_gb:.1f} GB of weights; short by "
            f"{est.memory_shortfall_gb:.1f} GB for one sequence of {args.input + args.output} "
            "tokens"
        )
        return 0
    print(
        f"{where}: fits, weights {est.weights_gb:.1f} GB, KV cache "
        f"{est.kv_cache_gb_per_sequence * 1000:.1f} MB per sequence, up to "
        f"{est.max_concurrency} sequences"
    )
    print(
        f"  at concurrency {est.concurrency}: {est.output_tokens_per_s.value:,.0f} output tok/s "
        f"(P10-P90 {est.output_tokens_per_s.low:,.0f}-{est.output_tokens_per_s.high:,.0f}), "
        f"TTFT {est.ttft_ms.value:,.0f} ms (P10-P90 {est.ttft_ms.low:,.0f}-"
        f"{est.ttft_ms.high:,.0f}), TPOT {est.tpot_ms.value:,.1f} ms (P10-P90 "
        f"{est.tpot_ms.low:,.1f}-{est.tpot_ms.high:,.1f})"
    )
    for note in est.notes:
        print(f"  note: {note}")
    return 0
