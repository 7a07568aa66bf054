"""The catalog as an immutable in-memory snapshot, passed explicitly to the engine."""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlite_utils

from advisor.catalog import db as catalog_db
from advisor.catalog.deploy_records import (
    ApiEndpoint,
    CloudHosting,
    GpuClass,
    LeadTime,
    ModelLicence,
    RateLimit,
)
from advisor.catalog.records import (
    ApiExtra,
    ApiModel,
    Assumption,
    Calibration,
    CloudOffer,
    Gpu,
    OpenModel,
    PerfMeasurement,
    PriceSet,
    QualityScore,
    StaffCost,
    TaskRequirement,
)
from advisor.catalog.seeds import BOOL, DATE, INT, MONEY, NUM, SEED_KINDS, SNUM, STRLIST, SeedKind
from advisor.errors import NotFoundError, Problem

_log = logging.getLogger(__name__)

_RECORD_TYPES: dict[str, type] = {
    "gpu": Gpu,
    "model": OpenModel,
    "score": QualityScore,
    "cloud": CloudOffer,
    "staff": StaffCost,
    "api_extra": ApiExtra,
    "assumption": Assumption,
    "perf": PerfMeasurement,
    "calibration": Calibration,
    "task": TaskRequirement,
    "endpoint": ApiEndpoint,
    "hosting": CloudHosting,
    "gpu_class": GpuClass,
    "licence": ModelLicence,
    "rate_limit": RateLimit,
    "lead_time": LeadTime,
}


def normalise_id(text: str) -> str:
    """Lower-case, trimmed, with spaces and underscores as dashes: how ids are compared."""
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def value_from_db(field_kind: str, value: Any) -> Any:
    """Convert a stored column value to its Python form (Decimal money, tuples, bools)."""
    if value is None:
        return None
    if field_kind == MONEY:
        return Decimal(str(value))
    if field_kind in (NUM, SNUM):
        return float(value)
    if field_kind == INT:
        return int(value)
    if field_kind == BOOL:
        return bool(value)
    if field_kind == STRLIST:
        return tuple(json.loads(value))
    if field_kind == DATE:
        return str(value)
    return value


def _record(kind: SeedKind, row: Mapping[str, Any], overrides: Mapping[str, str]) -> Any:
    cls = _RECORD_TYPES[kind.name]
    names = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    fields = kind.all_fields()
    for name, (fkind, _) in fields.items():
        if name in names:
            values[name] = value_from_db(fkind, row.get(name))
    values["id"] = row["id"]
    for name, text in overrides.items():
        if name in fields and name in names:
            values[name] = value_from_db(fields[name][0], text)
    # Required non-null defaults (e.g. empty aliases) keep dataclass defaults.
    values = {k: v for k, v in values.items() if v is not None or k in ("source", "as_of")}
    values.setdefault("basis", "published")
    return cls(**values, overridden=tuple(sorted(overrides)))


@dataclass(frozen=True)
class Catalog:
    """Everything the engine reads, loaded once. Tests build their own instead of patching."""

    gpus: tuple[Gpu, ...] = ()
    models: tuple[OpenModel, ...] = ()
    scores: tuple[QualityScore, ...] = ()
    cloud_offers: tuple[CloudOffer, ...] = ()
    staff: tuple[StaffCost, ...] = ()
    api_extras: tuple[ApiExtra, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    perf: tuple[PerfMeasurement, ...] = ()
    calibration: tuple[Calibration, ...] = ()
    tasks: tuple[TaskRequirement, ...] = ()
    api_models: tuple[ApiModel, ...] = ()
    # Deployability (advisor.constraints reads these): where data goes, hardware and model terms.
    endpoints: tuple[ApiEndpoint, ...] = ()
    hosting: tuple[CloudHosting, ...] = ()
    gpu_classes: tuple[GpuClass, ...] = ()
    licences: tuple[ModelLicence, ...] = ()
    rate_limits: tuple[RateLimit, ...] = ()
    lead_times: tuple[LeadTime, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    _index: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        idx: dict[str, dict[str, Any]] = {"gpu": {}, "model": {}, "api": {}}
        for gpu in self.gpus:
            for key in (gpu.id, gpu.name, *gpu.aliases):
                idx["gpu"].setdefault(normalise_id(key), gpu)
        for model in self.models:
            repo_tail = model.hf_repo.split("/")[-1]
            keys = [model.id, model.name, model.hf_repo, repo_tail, *model.aliases]
            keys += [re.sub(r"-instruct(-\d+)?$", "", normalise_id(repo_tail))]
            for key in keys:
                idx["model"].setdefault(normalise_id(key), model)
        for api in self.api_models:
            idx["api"][api.id.lower()] = api
        best: dict[str, dict[str, tuple[float, str]]] = {}
        for sc in self.scores:
            per = best.setdefault(sc.model, {})
            if sc.benchmark not in per or sc.score > per[sc.benchmark][0]:
                per[sc.benchmark] = (sc.score, sc.source)
        idx["best_scores"] = best
        reqs: dict[str, list[Any]] = {}
        for t in self.tasks:
            reqs.setdefault(t.task, []).append(t)
        idx["task_requirements"] = {k: sorted(v, key=lambda r: r.priority) for k, v in reqs.items()}
        object.__setattr__(self, "_index", idx)

    # --- look-ups -------------------------------------------------------------------------
    def _find(self, kind: str, ref: str, label: str) -> Any:
        key = normalise_id(ref)
        found = self._index[kind].get(key)
        if found is not None:
            return found
        choices = sorted({r.id for r in self._index[kind].values()})
        close = difflib.get_close_matches(key, list(self._index[kind]), n=5, cutoff=0.5)
        close_ids = list(dict.fromkeys(self._index[kind][c].id for c in close))
        hint = f"; did you mean {', '.join(close_ids)}?" if close_ids else ""
        sample = "" if close_ids else f" Known: {', '.join(choices[:12])}..."
        raise NotFoundError(Problem(label, "error", f"unknown {label} {ref!r}{hint}{sample}"))

    def gpu(self, ref: str) -> Gpu:
        """Find a GPU by id, name or alias, case-insensitively (NotFoundError suggests ids)."""
        return self._find("gpu", ref, "gpu")  # type: ignore[no-any-return]

    def model(self, ref: str) -> OpenModel:
        """Find an open-weight model by id, Hugging Face repo id or alias."""
        return self._find("model", ref, "model")  # type: ignore[no-any-return]

    def api_model(self, ref: str, provider: str | None = None) -> ApiModel:
        """Find an API model by ``provider/model``, or by a model ref as genai-prices matches it.

        Resolution follows genai-prices (``calc_price``) so the same ref prices the same model.
        """
        key = ref.strip().lower()
        if provider:
            direct = self._index["api"].get(f"{provider.strip().lower()}/{key}")
            if direct is not None:
                return direct  # type: ignore[no-any-return]
        elif key in self._index["api"]:
            return self._index["api"][key]  # type: ignore[no-any-return]
        resolved = resolve_with_genai_prices(key, provider, self.meta)
        if resolved is not None and resolved in self._index["api"]:
            return self._index["api"][resolved]  # type: ignore[no-any-return]
        names = list(self._index["api"])
        close = difflib.get_close_matches(
            f"{provider}/{key}" if provider else key, names, n=5, cutoff=0.4
        )
        if not close:
            close = [n for n in names if key.split("/")[-1] in n][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        what = f"{ref!r} from provider {provider!r}" if provider else repr(ref)
        raise NotFoundError(Problem("model", "error", f"unknown API model {what}{hint}"))

    def best_scores(self, model_ref: str) -> dict[str, tuple[float, str]]:
        """Benchmark -> (best published score, its source) for a model."""
        return self._index["best_scores"].get(model_ref, {})  # type: ignore[no-any-return]

    def task_requirements(self, task: str) -> list[TaskRequirement]:
        """The task's benchmark thresholds in priority order."""
        return self._index["task_requirements"].get(task, [])  # type: ignore[no-any-return]

    def scores_for(self, model_ref: str) -> tuple[QualityScore, ...]:
        return tuple(s for s in self.scores if s.model == model_ref)

    def assumption(self, key: str) -> Assumption | None:
        return next((a for a in self.assumptions if a.id == key), None)

    def offers_for(self, gpu_id: str) -> tuple[CloudOffer, ...]:
        return tuple(o for o in self.cloud_offers if o.gpu == gpu_id)

    @property
    def as_of(self) -> str:
        """The newest as-of date of the reviewed seed data (the catalog's 'data as of').

        API prices and imported cloud prices (``basis: imported``) are dated apart (see
        ``advisor.catalog.price_data``), so this date does not move with a download.
        """
        dates = [
            r.as_of
            for group in self.seed_groups().values()
            for r in group
            if r.as_of and r.basis != "imported"
        ]
        return max(dates) if dates else ""

    def seed_groups(self) -> dict[str, tuple[Any, ...]]:
        return {
            "gpu": self.gpus,
            "model": self.models,
            "score": self.scores,
            "cloud": self.cloud_offers,
            "staff": self.staff,
            "api_extra": self.api_extras,
            "assumption": self.assumptions,
            "perf": self.perf,
            "calibration": self.calibration,
            "task": self.tasks,
            "endpoint": self.endpoints,
            "hosting": self.hosting,
            "gpu_class": self.gpu_classes,
            "licence": self.licences,
            "rate_limit": self.rate_limits,
            "lead_time": self.lead_times,
        }


def resolve_with_genai_prices(
    ref: str, provider: str | None, meta: Mapping[str, str] | None = None
) -> str | None:
    """The ``provider/model`` catalog id that genai-prices picks for a ref, or None.

    Resolves with the same genai-prices data the catalog's API prices came from (a download,
    per ``meta``, or the bundled data).
    """
    from advisor.catalog import price_data

    snap = price_data.genai_snapshot(meta or {})
    try:
        prov, model = snap.find_provider_model(ref, None, provider, None)
    except LookupError:
        return None
    owner = next((p for p in snap.providers if any(m is model for m in p.models)), prov)
    return f"{owner.id}/{model.id}"


def _load_overrides(db: sqlite_utils.Database) -> dict[tuple[str, str], dict[str, str]]:
    from advisor.catalog.overrides import OVERRIDE_FIELDS, validate_override

    out: dict[tuple[str, str], dict[str, str]] = {}
    for row in db["overrides"].rows:
        # Checked again: a value stored by an older version (1e300, inf) must not break every
        # evaluation; it is skipped with a warning and shown by `catalog show --kind override`.
        raw = {k: row.get(k) for k in (*OVERRIDE_FIELDS, "created_at")}
        checked, problems = validate_override(db, raw, "stored override")
        if checked is None:
            _log.warning("ignoring the override %s: %s", row.get("id"), problems[0])
            continue
        out.setdefault((row["kind"], row["record_id"]), {})[row["field"]] = row["value"]
    return out


def _api_models(
    db: sqlite_utils.Database, overrides: Mapping[tuple[str, str], dict[str, str]]
) -> tuple[ApiModel, ...]:
    sets: dict[str, dict[str, PriceSet]] = {}
    for row in db.execute(
        "SELECT api_model, variant, constraint_text, price_key, base, tiers FROM api_prices"
    ).fetchall():
        api_model, variant, constraint, key, base, tiers = row
        per_model = sets.setdefault(api_model, {})
        ps = per_model.get(variant)
        if ps is None:
            ps = per_model[variant] = PriceSet(variant, constraint, {})
        tier_tuple = tuple((int(s), Decimal(p)) for s, p in json.loads(tiers)) if tiers else ()
        ps.prices[key] = (Decimal(base), tier_tuple)
    out: list[ApiModel] = []
    for row in db["api_models"].rows:
        mid = row["id"]
        model_sets = sets.get(mid, {})
        if "standard" not in model_sets:
            # genai-prices lists free models with an empty price: every model has a standard set.
            model_sets = {"standard": PriceSet("standard", None, {}), **model_sets}
        ov = overrides.get(("api", mid), {})
        if ov and "standard" in model_sets:
            std = model_sets["standard"]
            prices = dict(std.prices)
            for key, text in ov.items():
                prices[key] = (Decimal(text), ())  # a negotiated flat price replaces tiers
            model_sets["standard"] = PriceSet("standard", None, prices)
        out.append(
            ApiModel(
                source=row["source"],
                as_of=row["as_of"],
                basis=row["basis"] or "published",
                note=row["note"],
                overridden=tuple(sorted(ov)),
                id=mid,
                provider=row["provider"],
                provider_name=row["provider_name"],
                model=row["model"],
                name=row["name"],
                context_window=row["context_window"],
                deprecated=bool(row["deprecated"]),
                price_comments=row["price_comments"],
                price_sets=tuple(model_sets.values()),
            )
        )
    return tuple(out)


def load_catalog(path: Path | None = None, *, ensure: bool = True) -> Catalog:
    """Load the catalog snapshot, building or repairing the file first when needed.

    Args:
        path: Catalog file; default ``$ADVISOR_CATALOG`` or the per-user data dir.
        ensure: Build/repair the file first (``ensure_catalog``).

    Returns:
        An immutable Catalog.
    """
    if ensure:
        status = catalog_db.ensure_catalog(path)
        # Tell the user (a repair is a warning: the CLI shows it on stderr, the GUI can too).
        for notice in status.notices:
            _log.log(logging.WARNING if status.repaired else logging.INFO, notice)
    with catalog_db.open_db(path) as db:
        overrides = _load_overrides(db)
        groups: dict[str, tuple[Any, ...]] = {}
        for kind in SEED_KINDS.values():
            rows = db[kind.table].rows
            groups[kind.name] = tuple(
                _record(kind, row, overrides.get((kind.name, row["id"]), {})) for row in rows
            )
        return Catalog(
            gpus=groups["gpu"],
            models=groups["model"],
            scores=groups["score"],
            cloud_offers=groups["cloud"],
            staff=groups["staff"],
            api_extras=groups["api_extra"],
            assumptions=groups["assumption"],
            perf=groups["perf"],
            calibration=groups["calibration"],
            tasks=groups["task"],
            api_models=_api_models(db, overrides),
            endpoints=groups["endpoint"],
            hosting=groups["hosting"],
            gpu_classes=groups["gpu_class"],
            licences=groups["licence"],
            rate_limits=groups["rate_limit"],
            lead_times=groups["lead_time"],
            meta=catalog_db.meta(db),
        )


def with_records(catalog: Catalog, **groups: Iterable[Any]) -> Catalog:
    """A copy of a catalog with some record groups replaced (for tests and what-ifs)."""
    return dataclasses.replace(catalog, **{k: tuple(v) for k, v in groups.items()})  # type: ignore[arg-type]
