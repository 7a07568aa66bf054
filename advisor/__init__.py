"""LLM Sourcing Advisor engine: buy LLM capability through APIs or build it on GPUs (no Qt here)."""

from advisor.__about__ import __app_name__, __version__
from advisor.catalog.snapshot import Catalog, load_catalog
from advisor.errors import InputError, NotFoundError, Problem

__all__ = [
    "Catalog",
    "InputError",
    "NotFoundError",
    "Problem",
    "__app_name__",
    "__version__",
    "load_catalog",
]
