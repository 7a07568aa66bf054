"""The error raised when a report email cannot be composed, saved, opened or sent."""

from __future__ import annotations

from pathlib import Path

from advisor.errors import InputError, Problem


class MailError(InputError):
    """A report email that could not be composed, saved, opened or sent.

    It is an :class:`~advisor.errors.InputError`, so the CLI exits 2 with its one-line message.
    Each problem names the field the user can fix (``to``, ``smtp.host``, ``smtp.password``...).
    ``draft`` is where the composed message was kept when a send failed, if it was.
    """

    def __init__(self, *problems: Problem, draft: Path | None = None) -> None:
        super().__init__(*problems)
        self.draft = draft

    @classmethod
    def of(cls, field: str, message: str) -> MailError:
        """One error about one field.

        Args:
            field: The setting or input to fix, e.g. ``smtp.host``.
            message: One plain sentence, without a trailing full stop.

        Returns:
            The error, ready to raise.
        """
        return cls(Problem(field, "error", message))

    @property
    def field(self) -> str:
        """The field of the first problem (the one a dialog should focus)."""
        return self.problems[0].field if self.problems else ""
