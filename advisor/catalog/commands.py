"""`advisor catalog ...` subcommands: build, update, show, check, export, import, override."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from advisor.catalog import db as catalog_db
from advisor.catalog import overrides as ov
from advisor.catalog.check import check_catalog
from advisor.catalog.snapshot import load_catalog
from advisor.errors import InputError, Problem
from advisor.paths import catalog_path


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def cmd_path(args: argparse.Namespace) -> int:
    print(catalog_path())
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    path = catalog_path()
    status = catalog_db.ensure_catalog(path)
    for notice in status.notices:
        _say(notice)
    with catalog_db.open_db(path) as db:
        if not status.built:
            counts = catalog_db.fill(db)
        else:
            counts = {t: db[t].count for t in sorted(catalog_db.REQUIRED_TABLES)}
        kept = db["overrides"].count
    counts.pop("overrides", None)
    print(
        f"catalog {path}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        + f"; kept {kept} user overrides"
    )
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from advisor.catalog import update

    path = catalog_path()
    for notice in catalog_db.ensure_catalog(path).notices:
        _say(notice)
    if args.bundled or args.offline:
        if args.bundled:
            counts = update.use_bundled(path)
            with catalog_db.open_db(path) as db:
                kept = int(db["overrides"].count)
        else:
            counts, kept = catalog_db.update_api_prices(path)
        print(
            f"re-imported {counts['api_models']} API models ({counts['api_prices']} prices) from "
            f"genai-prices; kept {kept} user overrides"
        )
        return 0
    settings = update.UpdateSettings.load()
    if args.mirror:
        settings = settings.from_mirror(args.mirror)
    if args.ca_file:
        settings = replace(settings, ca_file=args.ca_file)
    result = update.update_prices(path, settings)
    print(
        f"updated {result.api_models} API models ({result.api_prices} prices) and "
        f"{result.cloud_offers} cloud GPU offers ({result.cloud_imported} from SkyPilot, "
        f"{result.unmapped_gpu_rows} GPU rows skipped with no GPU mapping); "
        f"kept {result.overrides_kept} user overrides"
    )
    for line in result.lines:
        print(line)
    return 0


def _rows(kind: str) -> list[dict[str, Any]]:
    catalog = load_catalog()
    if kind == "override":
        with catalog_db.open_db() as db:
            return ov.list_overrides(db)
    if kind == "api":
        out = []
        for m in catalog.api_models:
            std = m.standard.prices
            out.append(
                {
                    "id": m.id,
                    "provider": m.provider,
                    "model": m.model,
                    "name": m.name,
                    "input_usd_per_mtok": str(std["input_mtok"][0])
                    if "input_mtok" in std
                    else None,
                    "output_usd_per_mtok": str(std["output_mtok"][0])
                    if "output_mtok" in std
                    else None,
                    "cache_read_usd_per_mtok": str(std["cache_read_mtok"][0])
                    if "cache_read_mtok" in std
                    else None,
                    "variants": [p.variant for p in m.price_sets],
                    "context_window": m.context_window,
                    "source": m.source,
                    "as_of": m.as_of,
                    "overridden": list(m.overridden),
                }
            )
        return out
    from dataclasses import asdict

    groups = catalog.seed_groups()
    return [
        {k: (str(v) if hasattr(v, "as_tuple") else v) for k, v in asdict(r).items()}
        for r in groups[kind]
    ]


def cmd_show(args: argparse.Namespace) -> int:
    rows = _rows(args.kind)
    if args.search:
        needle = args.search.lower()
        rows = [r for r in rows if needle in json.dumps(r, default=str).lower()]
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2, default=str) + "\n")
        return 0
    if not rows:
        print("(nothing)")
        return 0
    cols = [c for c in rows[0] if c not in ("note", "price_note", "price_comments", "aliases")]
    cols = cols[:8] + [c for c in ("source", "as_of") if c in cols and c not in cols[:8]]
    widths = {c: min(40, max(len(c), *(len(str(r.get(c) or "")) for r in rows))) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print(
            "  ".join(
                str(r.get(c) if r.get(c) is not None else "")[: widths[c]].ljust(widths[c])
                for c in cols
            )
        )
    print(f"({len(rows)} records)")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    report = check_catalog(load_catalog())
    if args.json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        (first, as_of), *prices = report["data"].items()
        print(f"{first} {as_of}")
        for what, text in prices:
            print(f"{what}: {text}")
        for kind, count in report["counts"].items():
            print(f"{kind:12} {count}")
        for problem in report["problems"]:
            print(f"PROBLEM: {problem}")
        for warning in report["warnings"]:
            print(f"warning: {warning}")
        print("OK" if report["ok"] else "INCOMPLETE")
    return 0 if report["ok"] else 1


def cmd_export(args: argparse.Namespace) -> int:
    catalog_db.ensure_catalog()
    with catalog_db.open_db() as db:
        rows = ov.list_overrides(db)
    ov.write_override_file(rows, args.file)
    print(f"wrote {len(rows)} overrides to {args.file}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    catalog_db.ensure_catalog()
    rows = ov.read_override_file(args.file)
    with catalog_db.open_db() as db:
        n = ov.apply_overrides(db, rows)
    print(f"imported {n} overrides from {args.file}")
    return 0


def cmd_override(args: argparse.Namespace) -> int:
    catalog_db.ensure_catalog()
    row = {
        "kind": args.kind,
        "record_id": args.record_id,
        "field": args.field,
        "value": args.value,
        "note": args.note,
    }
    with catalog_db.open_db() as db:
        if args.reset:
            field = ov.API_FIELD_ALIASES.get(args.field, args.field)
            if not ov.remove_override(db, args.kind, args.record_id, field):
                raise InputError(
                    Problem(
                        "override", "error", f"no override of {args.kind} {args.record_id} {field}"
                    )
                )
            print(f"override removed: {args.kind} {args.record_id} {field} (published value again)")
            return 0
        if args.value is None:
            raise InputError(Problem("value", "error", "give a value, or --reset to remove it"))
        try:
            ov.apply_overrides(db, [row])
        except InputError as exc:
            # One override, not a file: name the argument, not "row 1".
            raise InputError(
                *(
                    Problem(p.field.removeprefix("row 1."), p.severity, p.message)
                    for p in exc.problems
                )
            ) from None
    print(f"override set: {args.kind} {args.record_id} {args.field} = {args.value}")
    return 0
