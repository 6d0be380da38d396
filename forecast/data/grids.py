"""Files → grids: the rows of one CSV file or of each sheet of an Excel workbook, cell by cell.

A *grid* is a list of :class:`Line` (the row number a person sees, and the raw cells). Nothing here
knows about layouts or figures: :mod:`forecast.data.layouts` and :mod:`forecast.data.national_export` find the
header in a grid, :mod:`forecast.data.files` validates the figures. The file types and encodings read are
described in :mod:`forecast.data.files`.

Every file is read within the limits of :mod:`forecast.data.limits` (rows, columns, cells, size), checked
before loading where the file allows it and counted while streaming, so that a hostile file is refused in
seconds with a :class:`DataError` naming the file and, where there is one, the row and column:

- CSV text is streamed (decoded chunk by chunk, one line at a time), each line at most ``max_line_chars``
  and each cell at most ``max_field_chars`` characters.
- ``.xlsx`` is read by :mod:`forecast.data.xlsx` (zip checked before inflating, sheets scanned, then openpyxl
  in read-only mode).
- an old ``.xls`` workbook (BIFF, as the national statistics database and older office software save it) by
  :mod:`forecast.data.xls` (cells counted from the file's records, then python-calamine, about 7x faster than
  xlrd on .xls); a ``.xls`` file that is really an ``.xlsx`` (zip) is read as one.

Merged cells show their value in every cell they cover, in both workbook formats.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from forecast.data.cells import text
from forecast.data.errors import DataError, Problem
from forecast.data.limits import GridBudget, Limits, refuse
from forecast.data.xls import read_xls
from forecast.data.xlsx import read_xlsx

_MAGIC = {b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip archive (an .xlsx workbook renamed?)",
          b"%PDF": "a PDF document", b"\xd0\xcf\x11\xe0": "an old Excel workbook (name it .xls to read it)",
          b"\x1f\x8b": "a gzip archive", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image"}
_OLE, _ZIP = b"\xd0\xcf\x11\xe0", b"PK\x03\x04"


@dataclass(frozen=True)
class Line:
    """One row of a grid: ``row`` as a person sees it (1-based file line or Excel row) and its cells."""

    row: int
    cells: tuple[object, ...]

    def get(self, j: int | None) -> object:
        return self.cells[j] if j is not None and j < len(self.cells) else None

    def is_blank(self) -> bool:
        return all(text(c) == "" for c in self.cells)


def _problem(file: str, message: str, code: str, **fields: object) -> DataError:
    return DataError(f"{file}: cannot read", [Problem(file, None, None, message, code, fields)])


def _bounded_lines(f: TextIO, limit: int, file: str) -> Iterator[str]:
    """The lines of a text stream, refusing one longer than ``limit`` characters before it is all read."""
    n = 0
    while True:
        line = f.readline(limit + 1)
        if not line:
            return
        n += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise refuse(file, n, None, f"the line is longer than {limit:,} characters (TROIKA_MAX_LINE_CHARS); "
                         "an official table's lines are short: is this a table?", "line_too_long", limit=limit)
        yield line


def _csv_error(file: str, row: int, e: csv.Error, limits: Limits) -> DataError:
    if "field larger than field limit" in str(e):
        return refuse(file, row, None, (
            f"a cell is longer than {limits.max_field_chars:,} characters (TROIKA_MAX_FIELD_CHARS); an official "
            "table's cells are short: is this a table? (a quote \" left open makes the rest of the file one cell)"),
            "cell_too_long", limit=limits.max_field_chars)
    if "NUL" in str(e):
        return refuse(file, row, None, "the line holds a NUL byte: the file is binary, not a text table; save it "
                      "as CSV (UTF-8 or GBK) or .xlsx", "nul_byte")
    return refuse(file, row, None, f"cannot read the CSV text ({e}); save the table again as CSV", "bad_csv", error=str(e))


def _parse_csv(path: Path, encoding: str, delim: str, limits: Limits) -> list[Line]:
    """Stream the CSV text: each record a Line, counted in a budget. ``UnicodeDecodeError`` when the text is
    not in ``encoding``."""
    file, budget = str(path), GridBudget(str(path), limits)
    lines: list[Line] = []
    prev = 0
    old = csv.field_size_limit(limits.max_field_chars)
    try:
        with path.open("r", encoding=encoding, newline="") as f:
            reader = csv.reader(_bounded_lines(f, limits.max_line_chars, file), delimiter=delim)
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    raise _csv_error(file, prev + 1, e, limits) from None
                if not lines and cells and cells[0].startswith("\ufeff"):
                    cells[0] = cells[0].lstrip("\ufeff")
                budget.line(file, prev + 1, len(cells))
                lines.append(Line(prev + 1, tuple(cells)))
                prev = reader.line_num
    finally:
        csv.field_size_limit(old)
    return lines


def _csv_lines(path: Path, encoding: str | None, limits: Limits) -> list[Line]:
    file, size = str(path), path.stat().st_size
    with path.open("rb") as f:
        head = f.read(4096)
    if not head.strip() and size <= len(head):
        raise _problem(file, "file is empty; expected a table with a header row such as 地区,指标,时期,累计值,累计增长",
                       "file_empty")
    if size > limits.max_bytes:
        raise refuse(file, None, None, f"the file is {size / 1e6:,.0f} MB, past the {limits.max_file_mb:,} MB troika "
                     "reads (TROIKA_MAX_FILE_MB); an official table is far smaller: is this a table?", "file_too_large",
                     mb=size / 1e6, limit=limits.max_file_mb)
    utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")   # Excel's "Unicode text" export: UTF-16, tab-separated
    for magic, what in _MAGIC.items():
        if head.startswith(magic) and not utf16:
            raise _problem(file, f"file is {what}, not a text table; save the table as CSV (UTF-8 or GBK) or .xlsx",
                           "not_text", what=what)
    if b"\x00" in head and not utf16:
        raise _problem(file, "file is binary (NUL bytes), not a text table; save it as CSV (UTF-8 or GBK) or .xlsx",
                       "binary_file")
    encodings = [encoding] if encoding else ["utf-16"] if utf16 else ["utf-8-sig", "gb18030"]
    # the delimiter from the first line: tab and comma are the same byte in UTF-8 and GBK
    first = (head.decode("utf-16", errors="ignore") if utf16 else head.decode("latin-1")).lstrip("\ufeff")
    first = first.split("\n", 1)[0]
    delim = "\t" if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first) else ","
    for enc in encodings:
        try:
            return _parse_csv(path, enc, delim, limits)
        except (UnicodeDecodeError, LookupError) as e:
            err = e
    raise _problem(file, f"cannot decode the file as {' or '.join(encodings)} ({err}); save it as UTF-8 or "
                   "GBK, or pass encoding=", "cannot_decode", encodings=" or ".join(encodings), error=str(err))


def _workbook_sheets(path: Path, limits: Limits) -> list[tuple[str, list[Line]]]:
    file = str(path)
    if path.suffix.lower() == ".xls":
        with path.open("rb") as f:
            head = f.read(8)
        if not head.startswith((_OLE, _ZIP)):
            what = "empty" if not head else "text (an HTML or text table saved as .xls?)" if b"\x00" not in head \
                else "not an Excel workbook"
            raise _problem(file, f"not a readable old .xls workbook: the file is {what}; open it in Excel and save "
                           "it as .xlsx, or export the table as CSV", "not_xls", what=what)
        sheets = read_xls(path, limits) if head.startswith(_OLE) else read_xlsx(path, limits)
    else:
        sheets = read_xlsx(path, limits)
    out = [(name, [Line(r, cells) for r, cells in rows]) for name, rows in sheets]
    out = [(name, lines) for name, lines in out if any(not ln.is_blank() for ln in lines)]
    if not out:
        raise _problem(file, "workbook has no data: every sheet is empty", "workbook_empty")
    return out


def read_grids(path: Path, encoding: str | None) -> list[tuple[str, str | None, list[Line]]]:
    """(file label, sheet name, lines) for each table in a file.

    A CSV file is one grid (sheet name None); a workbook (.xlsx or .xls) gives one grid per non-empty sheet, labelled
    ``'<path> [sheet <name>]'`` when it has several. ``encoding`` applies to CSV text only (default:
    UTF-8 with or without BOM, then GBK; UTF-16 when the file starts with its BOM).

    Raises
    ------
    DataError
        When the file is missing, empty, binary, of an unsupported type, cannot be decoded, or holds more than
        the limits of :mod:`forecast.data.limits` allow.

    Examples
    --------
    >>> [(sheet, lines[0].cells[:3]) for _, sheet, lines in read_grids(Path("tests/fixtures/good/long_utf8.csv"),
    ...                                                                  None)]
    [(None, ('地区', '指标', '时期'))]
    """
    if not path.is_file():
        raise _problem(str(path), "file not found (or not a file)", "not_a_file")
    suffix, limits = path.suffix.lower(), Limits.current()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        sheets = _workbook_sheets(path, limits)
        many = len(sheets) > 1
        return [(f"{path} [sheet {name}]" if many else str(path), name, lines) for name, lines in sheets]
    if suffix not in (".csv", ".txt", ".tsv"):
        raise _problem(str(path), f"unsupported file type {suffix or '(none)'!r}; expected .csv, .txt, .tsv, .xlsx "
                       "or .xls", "unsupported_type", suffix=suffix or "(none)")
    return [(str(path), None, _csv_lines(path, encoding, limits))]
