"""Limits on what one input file may hold, and the budget that enforces them while its grids are built.

A hostile or broken file must be refused quickly and cheaply, never read until memory runs out: a 4.8 KB
.xlsx with one cell at XFD1048576 asks for a grid of 17 billion cells, a zip bomb inflates a few hundred
KB into gigabytes of XML, a CSV may hold one 50 MB cell. Every reader of :mod:`forecast.data.grids`
therefore checks what it can *before* loading (the size of the file, the uncompressed size and compression
ratio of a workbook's parts, the dimension a sheet declares, the cells an old .xls holds) and counts rows,
columns and cells *while* it streams, stopping with a :class:`DataError` at the first one past a limit.

The defaults are generous: the bundled data (≈10,000 rows × 7 columns) and every fixture pass with room to
spare. Each may be changed with an environment variable, read on every call (a test or a server may set it
later):

======================  ==================================  ==========
limit                   environment variable                default
======================  ==================================  ==========
rows of one grid        ``TROIKA_MAX_ROWS``                 200,000
columns of one grid     ``TROIKA_MAX_COLUMNS``              1,000
cells of one file       ``TROIKA_MAX_CELLS``                2,000,000
size of a file          ``TROIKA_MAX_FILE_MB``              200 (MB: CSV text, .xls, a workbook's parts inflated)
compression ratio       ``TROIKA_MAX_COMPRESSION_RATIO``    200 (of a workbook part over 1 MiB)
characters of a cell    ``TROIKA_MAX_FIELD_CHARS``          100,000 (CSV)
characters of a line    ``TROIKA_MAX_LINE_CHARS``           1,000,000 (CSV)
======================  ==================================  ==========

Rows and columns count from A1 to the last cell that holds a value (formatted empty cells do not count);
cells are rows × columns of each grid (the readers pad a sheet's rows to its widest), summed over a file's
sheets. The cell limit also bounds, each counted on its own, the cell elements and merged ranges a
workbook's sheets hold (formatted empty cells included: each costs time to parse), its shared strings, and
the cell records of an .xls.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from forecast.data.errors import Coded, DataError, Problem

MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
MAX_CELLS = 2_000_000
MAX_FILE_MB = 200
MAX_COMPRESSION_RATIO = 200
MAX_FIELD_CHARS = 100_000
MAX_LINE_CHARS = 1_000_000
#: A workbook part smaller than this (uncompressed) is never refused for its compression ratio.
RATIO_FLOOR_BYTES = 1 << 20

_ENV = {"max_rows": "TROIKA_MAX_ROWS", "max_columns": "TROIKA_MAX_COLUMNS", "max_cells": "TROIKA_MAX_CELLS",
        "max_file_mb": "TROIKA_MAX_FILE_MB", "max_ratio": "TROIKA_MAX_COMPRESSION_RATIO",
        "max_field_chars": "TROIKA_MAX_FIELD_CHARS", "max_line_chars": "TROIKA_MAX_LINE_CHARS"}


@dataclass(frozen=True)
class Limits:
    """The limits in force (see the module docstring); :meth:`current` reads the environment."""

    max_rows: int = MAX_ROWS
    max_columns: int = MAX_COLUMNS
    max_cells: int = MAX_CELLS
    max_file_mb: int = MAX_FILE_MB
    max_ratio: int = MAX_COMPRESSION_RATIO
    max_field_chars: int = MAX_FIELD_CHARS
    max_line_chars: int = MAX_LINE_CHARS

    @property
    def max_bytes(self) -> int:
        return self.max_file_mb * 1_000_000

    @classmethod
    def current(cls) -> Limits:
        """The defaults, each replaced by its environment variable when set.

        Raises
        ------
        DataError
            When a variable is not a positive whole number.

        Examples
        --------
        >>> Limits.current().max_columns
        1000
        """
        values = {}
        for field, var in _ENV.items():
            raw = os.environ.get(var, "").strip().replace("_", "").replace(",", "")
            if not raw:
                continue
            if not raw.isdigit() or int(raw) < 1:
                raise DataError(f"bad limit {var}={os.environ[var]!r}", [Problem(var, None, None, (
                    f"{os.environ[var]!r} is not a positive whole number; unset it to use the default "
                    f"{getattr(cls, field):,}"), "bad_limit", {"value": os.environ[var], "default": getattr(cls, field)})])
            values[field] = int(raw)
        return cls(**values)


def refuse(file: str, row: int | None, column: str | None, message: str, code: str = "", **fields: Any) -> DataError:
    """The DataError of one problem that stops a file from being read (``code`` and ``fields``: see
    :class:`~forecast.data.errors.Problem`)."""
    return DataError(f"{file}: cannot read", [Problem(file, row, column, message, code, fields)])


def column_letter(n: int) -> str:
    """Excel's name of 1-based column ``n``.

    Examples
    --------
    >>> column_letter(1), column_letter(27), column_letter(16384)
    ('A', 'AA', 'XFD')
    """
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def parse_ref(ref: str) -> tuple[int, int] | None:
    """(row, column), 1-based, of a cell reference such as ``'XFD1048576'``; None when it is not one.

    Examples
    --------
    >>> parse_ref("XFD1048576"), parse_ref("$B$2"), parse_ref("R1C1")
    ((1048576, 16384), (2, 2), None)
    """
    s = ref.replace("$", "").upper()
    i = 0
    while i < len(s) and "A" <= s[i] <= "Z":
        i += 1
    if not 0 < i <= 3 or not s[i:].isdigit():
        return None
    col = 0
    for ch in s[:i]:
        col = col * 26 + ord(ch) - 64
    return int(s[i:]), col


class GridBudget:
    """Counts the grids of one file as they are built and refuses, naming the place, past the limits.

    One budget per file: rows and columns are per grid, cells add up over the file's grids.
    """

    def __init__(self, file: str, limits: Limits | None = None):
        self.file, self.limits, self.cells = file, limits or Limits.current(), 0

    def _past(self, row: int, column: int) -> str | None:
        lim = self.limits
        if row > lim.max_rows:
            return Coded(f"past the {lim.max_rows:,} rows troika reads in one table (TROIKA_MAX_ROWS); delete what "
                         "lies below the table, or split it", "past_rows", {"limit": lim.max_rows})
        if column > lim.max_columns:
            return Coded(f"past the {lim.max_columns:,} columns troika reads in one table (TROIKA_MAX_COLUMNS); "
                         "delete what lies right of the table", "past_columns", {"limit": lim.max_columns})
        return None

    def declared(self, label: str, row: int, column: int, ref: str) -> None:
        """Check the extent a sheet declares (its ``dimension``, ``ref`` as written) before reading its cells."""
        past = self._past(row, column)
        if past:
            raise refuse(label, None, None, f"the sheet declares that its cells reach {column_letter(column)}{row} "
                         f"(dimension {ref}), {past}; if the table is small, re-save the workbook from Excel",
                         "sheet_declares_past", cell=f"{column_letter(column)}{row}", ref=ref, past=past)

    def place(self, label: str, row: int, column: int, ref: str | None = None) -> None:
        """Check a value found at ``row``, ``column`` (1-based) while streaming."""
        past = self._past(row, column)
        if past:
            raise refuse(label, row, column_letter(column), f"a value at {ref or column_letter(column) + str(row)} "
                         f"lies {past}", "value_past", cell=ref or column_letter(column) + str(row), past=past)

    def grid(self, label: str, rows: int, columns: int) -> None:
        """Count a grid of ``rows`` × ``columns`` (from A1) before it is built."""
        self.place(label, rows, columns)
        self.add_cells(label, rows * columns, None, Coded(f"the values reach {column_letter(columns)}{rows}, a grid of "
                       f"{rows * columns:,} cells from A1: ", "grid_reach", {"cell": f"{column_letter(columns)}{rows}",
                                                                          "cells": rows * columns}))

    def add_cells(self, label: str, n: int, row: int | None, why: str = "") -> None:
        """Count ``n`` more cells of the file (``row``: where the count went past the limit)."""
        self.cells += n
        if self.cells > self.limits.max_cells:
            raise refuse(label, row, None, (
                f"{why}the file holds more than {self.limits.max_cells:,} cells, the most troika reads in one "
                "file (TROIKA_MAX_CELLS); is this an official table? Split it, or delete what lies outside it"),
                "too_many_cells", why=why, limit=self.limits.max_cells)

    def line(self, label: str, row: int, width: int) -> None:
        """Check one streamed row (``row`` as a person sees it) of ``width`` cells."""
        if row > self.limits.max_rows:
            raise refuse(label, row, None, f"the table goes on {self._past(row, 0)}", "table_goes_on",
                         past=self._past(row, 0))
        if width > self.limits.max_columns:
            raise refuse(label, row, column_letter(width), (
                f"the row has {width:,} cells, {self._past(0, width)}; is this a table?"), "row_too_wide", width=width,
                past=self._past(0, width))
        self.add_cells(label, width, row)


def fill_merged(grid: list[list], ranges: list[tuple[int, int, int, int]], budget: GridBudget, label: str) -> None:
    """Show a merged value in every cell it covers; ``ranges`` as (first row, first column, last row, last
    column), 0-based and inclusive. Each range is cut to the grid, and the cells filled count in ``budget``."""
    for r0, c0, r1, c1 in ranges:
        if r0 >= len(grid) or c0 >= len(grid[r0]) or r1 < r0 or c1 < c0:
            continue
        r1, c1 = min(r1, len(grid) - 1), min(c1, len(grid[r0]) - 1)
        budget.add_cells(label, (r1 - r0 + 1) * (c1 - c0 + 1), r0 + 1)
        value = grid[r0][c0]
        for r in range(r0, r1 + 1):
            row = grid[r]
            for c in range(c0, min(c1 + 1, len(row))):
                row[c] = value
