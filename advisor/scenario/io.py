"""Scenario files: strict JSON in (every wrong field named by its path), atomic JSON out."""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import types
import typing
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from advisor.bounds import (
    OutOfBounds,
    decode_text,
    escape_surrogates,
    loads_json,
    number_in_bounds,
    out_of_bounds_message,
    read_bounded,
)
from advisor.errors import InputError, Problem
from advisor.scenario.defaults import defaulted_paths
from advisor.scenario.migrate import migrate
from advisor.scenario.model import SCHEMA_VERSION, Scenario
from advisor.util import atomic_write_text

MAX_SCENARIO_BYTES = 2 * 1024 * 1024


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path or "scenario", "error", message))


def _convert(tp: Any, value: Any, path: str, out: _Collector) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(args[0], value, path, out)
    if origin is tuple:
        (item_tp, _ellipsis) = typing.get_args(tp)
        if not isinstance(value, list):
            out.add(path, f"expected a list, got {type(value).__name__}")
            return ()
        return tuple(_convert(item_tp, v, f"{path}[{i}]", out) for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        return _dataclass_from(tp, value, path, out)  # type: ignore[arg-type]
    if value is None:
        out.add(path, "must not be empty")
        return None
    if isinstance(value, OutOfBounds) or (
        isinstance(value, int | float | Decimal) and not number_in_bounds(value)
    ):
        # Checked before int()/float(): 1e999999 as a whole number would take minutes.
        out.add(path, out_of_bounds_message())
        return None
    if tp is bool:
        if not isinstance(value, bool):
            out.add(path, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | Decimal)
            or (isinstance(value, Decimal) and value != value.to_integral_value())
        ):
            out.add(path, f"expected a whole number, got {value!r}")
            return None
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            out.add(path, f"expected a number, got {value!r}")
            return None
        f = float(value)
        if not math.isfinite(f):
            out.add(path, "must be a finite number")
            return None
        return f
    if tp is Decimal:
        if isinstance(value, bool):
            out.add(path, f"expected an amount, got {value!r}")
            return None
        try:
            dec = Decimal(str(value)) if not isinstance(value, Decimal) else value
        except InvalidOperation:
            out.add(path, f"expected an amount, got {value!r}")
            return None
        if not dec.is_finite():
            out.add(path, "must be a finite amount")
            return None
        return dec
    if tp is str:
        if not isinstance(value, str):
            out.add(path, f"expected text, got {type(value).__name__}")
            return None
        return value
    raise AssertionError(f"unsupported type {tp!r}")  # pragma: no cover


def _dataclass_from(cls: type, data: Any, path: str, out: _Collector) -> Any:
    if not isinstance(data, dict):
        out.add(path, f"expected an object, got {type(data).__name__}")
        return cls()
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init and not f.metadata.get("internal")}
    for key in data:
        if key not in names:
            close = difflib.get_close_matches(str(key), sorted(names), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            out.add(f"{path}.{key}" if path else key, f"unknown field{hint}")
    kwargs = {}
    for name in names:
        if name in data:
            sub = f"{path}.{name}" if path else name
            value = _convert(hints[name], data[name], sub, out)
            if value is not None or data[name] is None:
                kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:  # pragma: no cover - all fields have defaults
        out.add(path, str(exc))
        return cls()


def scenario_from_dict(data: Any) -> Scenario:
    """Build a Scenario from parsed JSON, naming every field that is wrong.

    Raises:
        InputError: with one Problem per bad field (path like ``workload.tasks[1].share``).
    """
    out = _Collector()
    if isinstance(data, dict) and "version" in data:
        version = data["version"]
        if not isinstance(version, int) or isinstance(version, bool):
            out.add("version", "must be a whole number")
        elif version > SCHEMA_VERSION:
            out.add(
                "version",
                f"this file is from a newer app (version {version}); "
                f"this app reads up to version {SCHEMA_VERSION}",
            )
    data, notes = migrate(data)
    scenario = _dataclass_from(Scenario, data, "", out)
    if out.problems:
        raise InputError(*out.problems)
    if notes:
        scenario = dataclasses.replace(
            scenario, migration_notes=tuple(dict.fromkeys((*scenario.migration_notes, *notes)))
        )
    return dataclasses.replace(  # type: ignore[no-any-return]
        scenario, version=SCHEMA_VERSION, defaulted=defaulted_paths(data)
    )


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.metadata.get("internal")
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as versioned, pretty JSON (money as decimal strings)."""
    data = _plain(scenario)
    data["version"] = SCHEMA_VERSION
    # A lone surrogate (it can come from a "\\ud800" escape in an opened file) is written back as
    # the same escape: every value that can be opened can be saved.
    return escape_surrogates(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def save_scenario(scenario: Scenario, path: Path) -> None:
    """Write atomically: a failure leaves any previous file intact."""
    try:
        atomic_write_text(Path(path), dump_scenario(scenario))
    except OSError as exc:
        raise InputError(Problem(str(path), "error", f"cannot write: {exc.strerror}")) from None


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file.

    Raises:
        InputError: unreadable, too large, not JSON, or with bad fields (each named).
    """
    path = Path(path)
    data = read_bounded(path, MAX_SCENARIO_BYTES, "a scenario file")
    return scenario_from_dict(loads_json(decode_text(data, str(path)), str(path)))
