"""Shared terms of the engine's answer: the kinds of option, each with the label users see."""

from __future__ import annotations

from enum import StrEnum


class OptionKind(StrEnum):
    """How the capability is obtained. A ``StrEnum``: it compares equal to its JSON value."""

    API = "api"
    RENTED = "rented"
    OWNED = "owned"
    HYBRID = "hybrid"

    @property
    def label(self) -> str:
        """The short label shown in tables, charts, the report and the spreadsheet."""
        return _LABELS[self]

    @property
    def is_build(self) -> bool:
        """True for self-hosted options (rented or owned GPUs)."""
        return self in (OptionKind.RENTED, OptionKind.OWNED)


_LABELS = {
    OptionKind.API: "Buy (API)",
    OptionKind.RENTED: "Rent GPUs",
    OptionKind.OWNED: "Own GPUs",
    OptionKind.HYBRID: "Hybrid",
}
