"""Files → grids: the rows of one CSV file or of each sheet of an Excel workbook, cell by cell.

A *grid* is a list of :class:`Line` (the row number a person sees, and the raw cells). Nothing here
knows about layouts or figures: :mod:`forecast.data.layouts` and :mod:`forecast.data.national_export` find the
header in a grid, :mod:`forecast.data.files` validates the figures. The file types and encodings read are
described in :mod:`forecast.data.files`.

``.xlsx`` is read with openpyxl; an old ``.xls`` workbook (BIFF, as the national statistics database and
older office software save it) with python-calamine, which is about 7x faster than xlrd on .xls and well
maintained; a ``.xls`` file that is really an ``.xlsx`` (zip) is read as one. Neither path limits the size of
a sheet. Merged cells show their value in every cell they cover, in both.
"""

from __future__ import annotations

import csv
import io as _io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from forecast.data.cells import text
from forecast.data.errors import DataError, Problem

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


def _problem(file: str, message: str) -> DataError:
    return DataError(f"{file}: cannot read", [Problem(file, None, None, message)])


def _csv_lines(path: Path, encoding: str | None) -> list[Line]:
    file, data = str(path), path.read_bytes()
    if not data.strip():
        raise _problem(file, "file is empty; expected a table with a header row such as 地区,指标,时期,累计值,累计增长")
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")   # Excel's "Unicode text" export: UTF-16, tab-separated
    for magic, what in _MAGIC.items():
        if data.startswith(magic) and not utf16:
            raise _problem(file, f"file is {what}, not a text table; save the table as CSV (UTF-8 or GBK) or .xlsx")
    if b"\x00" in data[:4096] and not utf16:
        raise _problem(file, "file is binary (NUL bytes), not a text table; save it as CSV (UTF-8 or GBK) or .xlsx")
    encodings = [encoding] if encoding else ["utf-16"] if utf16 else ["utf-8-sig", "gb18030"]
    for enc in encodings:
        try:
            content = data.decode(enc)
            break
        except (UnicodeDecodeError, LookupError) as e:
            err = e
    else:
        raise _problem(file, f"cannot decode the file as {' or '.join(encodings)} ({err}); save it as UTF-8 or "
                       "GBK, or pass encoding=")
    first = content.lstrip("\ufeff").split("\n", 1)[0]
    delim = "\t" if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first) else ","
    reader, lines, prev = csv.reader(_io.StringIO(content.lstrip("\ufeff"), newline=""), delimiter=delim), [], 0
    for cells in reader:
        lines.append(Line(prev + 1, tuple(cells)))
        prev = reader.line_num
    return lines


def _xlsx_sheets(path: Path) -> list[tuple[str, list[Line]]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise _problem(str(path), f"not a readable .xlsx workbook ({type(e).__name__}: {e}); re-save it from "
                       "Excel as .xlsx, or export the table as CSV") from None
    sheets = []
    for ws in wb.worksheets:
        grid = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        for rng in ws.merged_cells.ranges:   # show a merged value in every cell it covers
            for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                    grid[r][c] = grid[rng.min_row - 1][rng.min_col - 1]
        lines = [Line(i + 1, tuple(r)) for i, r in enumerate(grid)]
        if any(not ln.is_blank() for ln in lines):
            sheets.append((ws.title, lines))
    if not sheets:
        raise _problem(str(path), "workbook has no data: every sheet is empty")
    return sheets


def _fill_merged(grid: list[list], ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Show a merged value in every cell it covers (ranges 0-based and inclusive, as calamine gives them)."""
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        for r in range(r0, min(r1 + 1, len(grid))):
            for c in range(c0, min(c1 + 1, len(grid[r]))):
                grid[r][c] = grid[r0][c0]


def _xls_sheets(path: Path) -> list[tuple[str, list[Line]]]:
    file = str(path)
    with path.open("rb") as f:
        head = f.read(8)
    if not head.startswith((_OLE, _ZIP)):
        what = "empty" if not head else "text (an HTML or text table saved as .xls?)" if b"\x00" not in head \
            else "not an Excel workbook"
        raise _problem(file, f"not a readable old .xls workbook: the file is {what}; open it in Excel and save it "
                       "as .xlsx, or export the table as CSV")
    try:
        with path.open("rb") as f:   # from a file object calamine tells .xls from .xlsx by content, not by name
            wb = python_calamine.CalamineWorkbook.from_filelike(f)
        sheets = []
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            grid = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            _fill_merged(grid, getattr(sheet, "merged_cell_ranges", None) or [])
            sheets.append((name, grid))
    except (python_calamine.CalamineError, OSError, ValueError) as e:
        raise _problem(file, f"not a readable old .xls workbook ({type(e).__name__}: {e}); re-save it from Excel "
                       "as .xlsx, or export the table as CSV") from None
    out = [(name, [Line(i + 1, tuple(r)) for i, r in enumerate(grid)]) for name, grid in sheets]
    out = [(name, lines) for name, lines in out if any(not ln.is_blank() for ln in lines)]
    if not out:
        raise _problem(file, "workbook has no data: every sheet is empty")
    return out


def read_grids(path: Path, encoding: str | None) -> list[tuple[str, str | None, list[Line]]]:
    """(file label, sheet name, lines) for each table in a file.

    A CSV file is one grid (sheet name None); a workbook (.xlsx or .xls) gives one grid per non-empty sheet, labelled
    ``'<path> [sheet <name>]'`` when it has several. ``encoding`` applies to CSV text only (default:
    UTF-8 with or without BOM, then GBK; UTF-16 when the file starts with its BOM).

    Raises
    ------
    DataError
        When the file is missing, empty, binary, of an unsupported type or cannot be decoded.

    Examples
    --------
    >>> [(sheet, lines[0].cells[:3]) for _, sheet, lines in read_grids(Path("tests/fixtures/good/long_utf8.csv"),
    ...                                                                  None)]
    [(None, ('地区', '指标', '时期'))]
    """
    if not path.is_file():
        raise _problem(str(path), "file not found (or not a file)")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        sheets = _xls_sheets(path) if suffix == ".xls" else _xlsx_sheets(path)
        many = len(sheets) > 1
        return [(f"{path} [sheet {name}]" if many else str(path), name, lines) for name, lines in sheets]
    if suffix not in (".csv", ".txt", ".tsv"):
        raise _problem(str(path), f"unsupported file type {suffix or '(none)'!r}; expected .csv, .txt, .tsv, .xlsx "
                       "or .xls")
    return [(str(path), None, _csv_lines(path, encoding))]
