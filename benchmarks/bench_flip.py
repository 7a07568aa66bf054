"""Benchmark: what the decision tornado (advisor.recommend.flip) adds to one evaluation.

Run from the repository root (uses ``$ADVISOR_CATALOG`` or the default catalog)::

    .venv/bin/python benchmarks/bench_flip.py [--repeat 5]

Each shipped example is evaluated with and without ``decision_flips`` (replaced by a function
returning nothing), best of ``--repeat`` runs after a warm-up; also prints how many flip
points were found.
"""

from __future__ import annotations

import argparse
import importlib
import time

from advisor.catalog.snapshot import load_catalog
from advisor.paths import bundled_path
from advisor.recommend import evaluate
from advisor.scenario import load_scenario


def _best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    module = importlib.import_module("advisor.recommend.evaluate")
    catalog = load_catalog()
    for path in sorted((bundled_path("resources") / "examples").glob("*.json")):
        scenario = load_scenario(path)
        ev = evaluate(scenario, catalog)
        points = sum(p.value is not None for f in ev.decision_flips for p in (f.down, f.up))
        with_flips = _best(lambda s=scenario: evaluate(s, catalog), args.repeat)
        real = module.decision_flips
        module.decision_flips = lambda *_a, **_k: ()
        try:
            without = _best(lambda s=scenario: evaluate(s, catalog), args.repeat)
        finally:
            module.decision_flips = real
        print(
            f"{path.stem:28s} evaluate {with_flips * 1000:7.1f} ms with flips, "
            f"{without * 1000:7.1f} ms without ({points} flip points)"
        )


if __name__ == "__main__":
    main()
