"""Problems in user input as data (field, severity, message), and the error carrying them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, how bad, and why, in plain words."""

    field: str
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InputError(Exception):
    """Bad input from a user or a file; carries every problem found. The CLI exits 2 on it."""

    def __init__(self, *problems: Problem) -> None:
        from advisor.bounds import printable

        self.problems = problems
        # Escaped: the message echoes user text, and a raw control character or line break
        # could forge terminal output or a second error line.
        super().__init__(
            "; ".join(printable(str(p)) for p in problems[:5])
            + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )


class NotFoundError(InputError):
    """An id that is not in the catalog; the message suggests the closest ids."""
