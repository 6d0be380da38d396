"""Specific errors raised by troika, with messages that say what was given and what was expected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what was expected.

    ``row`` is the 1-based line number as a person sees it in a spreadsheet or text editor
    (the header is row 1 in a plain table); ``column`` is the header text of the offending column.
    ``message`` is the English text; ``code`` names the kind of problem and ``fields`` hold the values its
    text was made from, so a front end can say it in Chinese too
    (:func:`forecast.present.messages.problem_text`; the templates of every code are there).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    code: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def of_error(cls, file: str, row: int | None, column: str | None, error: BaseException,
                 code: str = "error") -> Problem:
        """The problem an exception describes: its text, and its code and fields when it is a :class:`CodedError`
        (else ``code`` with the exception's text as the field ``error``)."""
        if isinstance(error, CodedError):
            return cls(file, row, column, str(error), error.code, dict(error.fields))
        text = error.summary if isinstance(error, DataError) else str(error)
        return cls(file, row, column, text, code, {"error": text})

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


class CodedError(TroikaError, ValueError):
    """A value that cannot be read: the English ``message``, and the ``code`` and ``fields`` it was made from
    (a reader turns it into a :class:`Problem` with :meth:`Problem.of_error`)."""

    def __init__(self, message: str, code: str, **fields: Any):
        super().__init__(message)
        self.code, self.fields = code, fields

    def __reduce__(self):
        return _coded_error, (str(self), self.code, self.fields)


def _coded_error(message: str, code: str, fields: dict) -> CodedError:
    return CodedError(message, code, **fields)


class Coded(str):
    """An English text (a note) that carries the ``code`` and ``fields`` it was made from.

    It is a plain ``str`` everywhere (joined, compared, stored as text); a front end renders it in Chinese
    or English from the code (:func:`forecast.present.messages.note_text`). Stored and read back, it is a
    plain string again, which the front end recognises from its English template.
    """

    code: str
    fields: Mapping[str, Any]

    def __new__(cls, text: str, code: str = "", fields: Mapping[str, Any] | None = None) -> Coded:
        out = super().__new__(cls, text)
        out.code, out.fields = code, dict(fields or {})
        return out


def joined(parts: list[str]) -> str:
    """Notes joined with ``'; '`` (empty ones dropped); a :class:`Coded` text that keeps each part's code.

    Examples
    --------
    >>> n = joined([Coded("a", "x"), "", Coded("b", "y")])
    >>> n, n.code, [p.code for p in n.fields["parts"]]
    ('a; b', 'joined', ['x', 'y'])
    """
    parts = tuple(p for p in parts if p)
    if len(parts) == 1:
        return parts[0]
    return Coded("; ".join(parts), "joined", {"parts": parts}) if parts else ""


class NotFittedError(TroikaError, RuntimeError):
    """A model was asked to predict before ``fit`` was called."""


class ModelError(TroikaError, RuntimeError):
    """A model failed to fit or produced an unusable forecast (non-finite, exploding)."""


class StoreError(TroikaError):
    """The SQLite store is missing, corrupt, locked or of an unknown schema version."""
