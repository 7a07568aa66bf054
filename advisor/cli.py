"""The `advisor` command line: catalog management, estimates, evaluation, reports, email."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from advisor.errors import InputError, Problem

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad flags in one line and exits 2 (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise SystemExit(status)


class _UsageError(Exception):
    """A bad flag or argument: one line on stderr, exit 2."""


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=_json_default) + "\n")


def _non_negative_int(text: str) -> int:
    from advisor.bounds import whole_number_arg

    value: int = whole_number_arg(0, 10**15)(text)
    return value


# --- commands -------------------------------------------------------------------------------


def cmd_catalog(args: argparse.Namespace) -> int:
    from advisor.catalog import commands

    handler: Callable[[argparse.Namespace], int] = getattr(commands, f"cmd_{args.catalog_cmd}")
    return handler(args)


def cmd_api_cost(args: argparse.Namespace) -> int:
    from advisor.catalog.snapshot import load_catalog
    from advisor.cost.api import TokenUsage, price_usage

    catalog = load_catalog()
    model = catalog.api_model(args.model, args.provider)
    usage = TokenUsage(
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        cache_read_tokens=args.cached_tokens,
    )
    flags = {
        "input_tokens": "--input-tokens",
        "output_tokens": "--output-tokens",
        "cache_read_tokens": "--cached-tokens",
    }
    problems = usage.problems()
    if problems:
        raise InputError(
            *(Problem(flags.get(p.field, p.field), p.severity, p.message) for p in problems)
        )
    variant = "processing=batch" if args.batch else "standard"
    if args.batch and model.price_set(variant) is None:
        raise InputError(
            Problem("batch", "error", f"{model.id} has no published batch price in genai-prices")
        )
    cost = price_usage(model, usage, variant)
    asked = args.model.strip().lower().split("/")[-1]
    if asked != model.model.lower():
        # genai-prices matches loosely (e.g. a retired variant to its family): say so.
        sys.stderr.write(
            f"advisor: note: {args.model!r} is priced as {model.id} (genai-prices' match for it)\n"
        )
    data = {
        "requested_model": args.model,
        "total_usd": str(cost.total_usd),
        "input_usd": str(cost.input_usd),
        "output_usd": str(cost.output_usd),
        "model": model.model,
        "model_name": model.name,
        "provider": model.provider,
        "variant": cost.variant,
        "exact": cost.exact,
        "as_of": model.as_of,
        "source": model.source,
        "overridden": list(model.overridden),
    }
    if args.json:
        print_json(data)
    else:
        print(
            f"{model.provider_name} {model.name}: ${cost.total_usd} "
            f"(input ${cost.input_usd}, output ${cost.output_usd}; prices as of {model.as_of})"
        )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from advisor.__about__ import __version__

    parser = _Parser(prog="advisor", description="LLM Sourcing Advisor: buy (API) or build (GPUs)?")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cat = sub.add_parser("catalog", help="build, update, show, check, export or import the catalog")
    cat.set_defaults(func=cmd_catalog)
    csub = cat.add_subparsers(dest="catalog_cmd", required=True, parser_class=_Parser)
    csub.add_parser("build", help="(re)build the catalog from the bundled seeds and genai-prices")
    upd = csub.add_parser(
        "update",
        help="download current API and cloud GPU prices (HTTPS), keeping user overrides",
    )
    upd.add_argument(
        "--from", dest="mirror", metavar="URL", help="a mirror with data.json and <cloud>/vms.csv"
    )
    upd.add_argument("--ca-file", help="also trust the CAs in this PEM file")
    upd.add_argument(
        "--offline", action="store_true", help="no download: re-import the stored or bundled data"
    )
    upd.add_argument(
        "--bundled", action="store_true", help="forget downloaded prices: use the bundled data"
    )
    show = csub.add_parser("show", help="list catalog records")
    show.add_argument(
        "--kind",
        required=True,
        choices=[
            "api",
            "model",
            "gpu",
            "cloud",
            "staff",
            "score",
            "assumption",
            "perf",
            "override",
        ],
    )
    show.add_argument("--search", default="", help="only records containing this text")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    check = csub.add_parser("check", help="integrity and completeness report")
    check.add_argument("--json", action="store_true")
    exp = csub.add_parser("export", help="write user overrides to a CSV or JSON file")
    exp.add_argument("file", type=Path)
    imp = csub.add_parser("import", help="read user overrides from a CSV or JSON file")
    imp.add_argument("file", type=Path)
    ov = csub.add_parser("override", help="set one user override (e.g. a negotiated price)")
    ov.add_argument("kind")
    ov.add_argument("record_id")
    ov.add_argument("field")
    ov.add_argument("value", nargs="?")
    ov.add_argument("--note", default="")
    ov.add_argument("--reset", action="store_true", help="remove it: use the published value")
    csub.add_parser("path", help="print where the catalog file is")

    api = sub.add_parser("api-cost", help="price token usage on one API model")
    api.set_defaults(func=cmd_api_cost)
    api.add_argument("--model", required=True)
    api.add_argument("--provider")
    api.add_argument(
        "--input-tokens",
        type=_non_negative_int,
        required=True,
        help="all input tokens, cached ones included",
    )
    api.add_argument("--output-tokens", type=_non_negative_int, required=True)
    api.add_argument(
        "--cached-tokens",
        type=_non_negative_int,
        default=0,
        help="input tokens read from the provider's prompt cache",
    )
    api.add_argument("--batch", action="store_true", help="use the batch-API price")
    api.add_argument("--json", action="store_true")

    for extra in _EXTRA_COMMANDS:
        extra(sub)
    return parser


# Other modules register their subcommands here (estimate, evaluate, report, email, export).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def _register_extras() -> None:
    import importlib

    for name in (
        "advisor.capability.cli",
        "advisor.recommend.cli",
        "advisor.report.cli",
        "advisor.mail.cli",
        "advisor.compare_cli",
    ):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        _EXTRA_COMMANDS.append(module.register)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 ok, 2 bad input, 1 internal failure)."""
    if not _EXTRA_COMMANDS:
        _register_extras()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        code: int = args.func(args)
        return code
    except _UsageError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    except InputError as exc:
        sys.stderr.write(f"advisor: {exc}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("advisor: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        import logging

        logging.getLogger("advisor").debug("internal failure", exc_info=True)
        sys.stderr.write(f"advisor: internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
