"""Specific errors raised by troika, with messages that say what was given and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what was expected.

    ``row`` is the 1-based line number as a person sees it in a spreadsheet or text editor
    (the header is row 1 in a plain table); ``column`` is the header text of the offending column.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class TroikaError(Exception):
    """Base class of every error troika raises on purpose."""


class DataError(TroikaError, ValueError):
    """Input data is malformed or inconsistent.

    Carries every problem found (``problems``), so a user can fix a file in one pass.
    """

    def __init__(self, message: str | None = None, problems: list[Problem] | None = None):
        self.problems: list[Problem] = list(problems or [])
        if message is None:
            message = f"{len(self.problems)} problem(s) found"
        lines = [message] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
        self.summary = message


class NotFittedError(TroikaError, RuntimeError):
    """A model was asked to predict before ``fit`` was called."""


class ModelError(TroikaError, RuntimeError):
    """A model failed to fit or produced an unusable forecast (non-finite, exploding)."""


class StoreError(TroikaError):
    """The SQLite store is missing, corrupt, locked or of an unknown schema version."""
