"""Speed of the cost engine: one scenario against the whole catalog, and 10,000 Monte Carlo draws.

Goals (issue: cost engine): evaluation under 100 ms once the catalog is loaded; 10,000 draws
under 1 s. Prints medians of repeated runs on this machine.
"""

from __future__ import annotations

import statistics
import time

from advisor.catalog.snapshot import load_catalog
from advisor.paths import bundled_path
from advisor.recommend import evaluate
from advisor.recommend.evaluate import candidate_options
from advisor.recommend.uncertainty import Horizon, drivers
from advisor.scenario import load_scenario


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    t = time.perf_counter()
    catalog = load_catalog()
    print(
        f"catalog load: {(time.perf_counter() - t) * 1e3:.0f} ms "
        f"({len(catalog.api_models)} API models, {len(catalog.models)} open models, "
        f"{len(catalog.gpus)} GPUs)"
    )
    for path in sorted((bundled_path("resources") / "examples").glob("*.json")):
        scenario = load_scenario(path)
        first = timed(lambda s=scenario: evaluate(s, catalog), 1)[0]
        runs = timed(lambda s=scenario: evaluate(s, catalog), 7)
        cands = candidate_options(scenario, catalog)
        hz = Horizon(
            scenario,
            cands.options,
            drivers(scenario, cands.ctx.inputs, cands.ctx.cal),
            cands.bridging_api_monthly,
        )
        draws = hz.sample(10_000, 1)
        mc = timed(lambda hz=hz, draws=draws: hz.totals(draws), 7)
        sample = timed(lambda hz=hz: hz.sample(10_000, 1), 7)
        print(
            f"{path.stem:28} evaluate: first {first * 1e3:6.1f} ms, median "
            f"{statistics.median(runs) * 1e3:6.1f} ms | 10,000 draws x {len(cands.options)} "
            f"options: sample {statistics.median(sample) * 1e3:5.1f} ms + totals "
            f"{statistics.median(mc) * 1e3:5.1f} ms"
        )


if __name__ == "__main__":
    main()
