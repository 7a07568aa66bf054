"""Hosted open-weight API models (Together, Groq, Bedrock ...) and the open model each serves."""

from __future__ import annotations

from functools import lru_cache

from advisor.catalog.records import ApiExtra
from advisor.catalog.snapshot import Catalog


@lru_cache(maxsize=16)
def _index(extras: tuple[ApiExtra, ...]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for e in extras:
        if e.open_model:
            out[f"{e.provider}/{e.model}".lower()] = (e.open_model, e.hosted_precision or "bf16")
    return out


def open_model_for(catalog: Catalog, api_ref: str) -> tuple[str, str] | None:
    """The open model (and the precision it is served at) behind a hosted API model.

    Args:
        catalog: The catalog snapshot.
        api_ref: ``api:provider/model`` or ``provider/model``.

    Returns:
        (open model id, precision), or None when the API model is not a mapped open model.
    """
    ref = api_ref[4:] if api_ref.startswith("api:") else api_ref
    return _index(catalog.api_extras).get(ref.lower())
