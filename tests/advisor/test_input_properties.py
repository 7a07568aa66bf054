"""Property tests over the input boundary: any input gives exit 0 or 2, quickly.

Hypothesis generates scenario files, override files and override commands around the
interesting edges (huge and tiny numbers, control characters, lone surrogates, deep nesting,
wrong types); each goes through the CLI entry point in-process, which must answer 0 or 2 and
never 1 or a traceback.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.cli import main
from advisor.paths import bundled_path

EXAMPLE = json.loads(
    (bundled_path("resources") / "examples" / "legal-tech-startup.json").read_text()
)
LIMIT_S = 10.0

edgy_numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(["1e999999", "9" * 5000, "-1", "0", "1e-999", "1e15", "NaN", "Infinity"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)
edgy_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\x00b", "x\u0085y", "=?utf-8?b?DQo=?=", "\u202e", "mars"]),
)
leaf = st.one_of(st.none(), st.booleans(), edgy_text, edgy_numbers.map(lambda n: ("num", n)))
json_values = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(edgy_text, inner, max_size=3),
    max_leaves=8,
)

FIELDS = [
    ("name",), ("workload", "requests_per_day"), ("workload", "context_tokens"),
    ("workload", "monthly_growth"), ("workload", "tasks"), ("team", "region"),
    ("team", "roles"), ("hardware", "owned"), ("hardware", "pue"),
    ("preferences", "horizon_months"), ("preferences", "seed"),
    ("preferences", "monte_carlo_draws"), ("preferences", "precisions"),
]  # fmt: skip


def _dump(value: Any) -> str:
    """JSON text in which ("num", literal) leaves are written as raw number literals."""
    if isinstance(value, tuple) and value and value[0] == "num":
        literal = str(value[1])
        return literal if literal.lstrip("-").replace(".", "").replace("e", "").isalnum() else "0"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def _scenario_text(changes: list[tuple[tuple[str, ...], Any]]) -> str:
    data: Any = json.loads(json.dumps(EXAMPLE))
    marks: dict[str, Any] = {}
    for n, (path, value) in enumerate(changes):
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        marks[f"@@{n}@@"] = value
        node[path[-1]] = f"@@{n}@@"
    text = json.dumps(data)
    for mark, value in marks.items():
        text = text.replace(json.dumps(mark), _dump(value))
    return text


def _exit_code(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    start = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - start
    _, err = capsys.readouterr()
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        assert err.count("\n") == 1, err
    assert elapsed < LIMIT_S, f"{elapsed:.1f}s for {argv}"
    return code


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(st.tuples(st.sampled_from(FIELDS), json_values), min_size=1, max_size=3),
    bom=st.booleans(),
)
def test_any_scenario_file_gives_exit_0_or_2_quickly(
    changes: list[tuple[tuple[str, ...], Any]],
    bom: bool,
    tmp_path: Path,
    fresh_catalog_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = tmp_path / "s.json"
    scenario.write_bytes(
        (b"\xef\xbb\xbf" if bom else b"") + _scenario_text(changes).encode("utf-8", "surrogatepass")
    )
    _exit_code(["evaluate", str(scenario), "--draws", "200"], capsys)


OVERRIDE_TARGETS = [
    ("gpu", "h100-sxm-80gb", "purchase_price_usd"), ("gpu", "a100-sxm-80gb", "tdp_w"),
    ("gpu", "h100-sxm-80gb", "name"), ("staff", "ml_engineer|us", "loaded_monthly_usd"),
    ("api", "openai/gpt-4o", "input_mtok"), ("assumption", "pue", "value"),
    ("assumption", "model_refresh_interval_months", "value"), ("cloud", "nope", "x"),
    ("api_extra", "openai", "batch_discount"),
]  # fmt: skip


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(OVERRIDE_TARGETS), value=st.one_of(edgy_numbers.map(str), edgy_text))
def test_any_override_gives_exit_0_or_2_and_evaluation_keeps_working(
    target: tuple[str, str, str],
    value: str,
    fresh_catalog_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    value = value.replace("\x00", "")  # a real argv cannot carry NUL
    code = _exit_code(["catalog", "override", *target, value], capsys)
    if code == 0:
        example = bundled_path("resources") / "examples" / "legal-tech-startup.json"
        _exit_code(["evaluate", str(example), "--draws", "200"], capsys)
        main(["catalog", "override", *target, "--reset"])
        capsys.readouterr()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(json_values, max_size=4), as_csv=st.booleans())
def test_any_override_file_gives_exit_0_or_2_quickly(
    rows: list[Any],
    as_csv: bool,
    tmp_path: Path,
    fresh_catalog_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if as_csv:
        path = tmp_path / "o.csv"
        lines = ["kind,record_id,field,value"] + [
            ",".join(json.dumps(_dump(v))[1:-1] for v in (r if isinstance(r, list) else [r]))
            for r in rows
        ]
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    else:
        path = tmp_path / "o.json"
        path.write_bytes(_dump(rows).encode("utf-8", "surrogatepass"))
    _exit_code(["catalog", "import", str(path)], capsys)
