"""Files → grids: the rows of one CSV file or of each sheet of an Excel workbook, cell by cell.

A *grid* is a list of :class:`Line` (the row number a person sees, and the raw cells). Nothing here
knows about layouts or figures: :mod:`forecast.data.layouts` finds the header in a grid, :mod:`forecast.data.files`
validates the figures. The file types and encodings read are described in :mod:`forecast.data.files`.
"""

from __future__ import annotations

import csv
import io as _io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from forecast.data.cells import text
from forecast.data.errors import DataError, Problem

_MAGIC = {b"\x89PNG": "a PNG image", b"PK\x03\x04": "a zip archive (an .xlsx workbook renamed?)",
          b"%PDF": "a PDF document", b"\xd0\xcf\x11\xe0": "an old .xls workbook", b"\x1f\x8b": "a gzip archive",
          b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image"}


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


def read_grids(path: Path, encoding: str | None) -> list[tuple[str, str | None, list[Line]]]:
    """(file label, sheet name, lines) for each table in a file.

    A CSV file is one grid (sheet name None); a workbook gives one grid per non-empty sheet, labelled
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
    if suffix in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(path)
        many = len(sheets) > 1
        return [(f"{path} [sheet {name}]" if many else str(path), name, lines) for name, lines in sheets]
    if suffix == ".xls":
        raise _problem(str(path), "old .xls workbooks are not read; re-save it as .xlsx or export CSV")
    if suffix not in (".csv", ".txt", ".tsv"):
        raise _problem(str(path), f"unsupported file type {suffix or '(none)'!r}; expected .csv, .txt, .tsv or .xlsx")
    return [(str(path), None, _csv_lines(path, encoding))]
