"""Notes: what a reader did that a person should hear about, without it being a problem.

A :class:`~forecast.data.errors.Problem` stops a file from being read; a :class:`Note` does not. A reader
notes, for example, the regions outside the catalogue it skipped ("skipped 30 regions outside Liaoning:
北京市, …") or the rows of a download it left aside (monthly 当期值 rows, indicators troika does not model).

The notes of a read travel with its observations frame, in ``frame.attrs["notes"]`` (a list of Note, absent
when there are none); :func:`notes_of` reads them. A front end prints each as ``<file>: note: <message>``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

#: The key of the notes in ``DataFrame.attrs``.
NOTES = "notes"


@dataclass(frozen=True)
class Note:
    """Something a reader did with a file that a person should know (never a reason to refuse it)."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: note: {self.message}"


def notes_of(frame: pd.DataFrame) -> list[Note]:
    """The notes a reader attached to ``frame`` (an empty list when there are none).

    Examples
    --------
    >>> frame = with_notes(pd.DataFrame(), [Note("a.csv", "skipped 1 region outside Liaoning: 北京市")])
    >>> [str(n) for n in notes_of(frame)]
    ['a.csv: note: skipped 1 region outside Liaoning: 北京市']
    >>> notes_of(pd.DataFrame())
    []
    """
    return list(frame.attrs.get(NOTES, []))


def with_notes(frame: pd.DataFrame, notes: Iterable[Note]) -> pd.DataFrame:
    """Attach ``notes`` to ``frame`` (in place; nothing is attached when there are none) and return it."""
    notes = list(dict.fromkeys(notes))
    if notes:
        frame.attrs[NOTES] = notes
    return frame
