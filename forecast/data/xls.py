"""Old .xls workbooks (BIFF5/BIFF8), read within the limits of :mod:`forecast.data.limits`.

python-calamine reads .xls about 7x faster than xlrd, but it builds each sheet as a dense block from its
first to its last value before Python sees a cell: a 5.6 KB file with values at A1 and IV65536 costs it
1 GB. So the cells are counted first, from the file itself: the compound document (OLE2) container is opened
here (a few dozen lines: its header, sector tables and directory, every chain checked for loops), and the
records of the workbook stream are walked (type, length), noting the row and column of every cell record.
Each sheet's extent (A1 to its last value: calamine skips blank cells, and so does this count) and the
cells of the whole file are checked against the limits before calamine is called; the grid calamine gives
is counted again as it is turned into rows.

A ``.xls`` file that is really an ``.xlsx`` (a zip) is read by :mod:`forecast.data.xlsx`, with its checks.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from forecast.data.errors import DataError
from forecast.data.limits import GridBudget, Limits, fill_merged, refuse

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END, _FREE, _MAXREG = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFA
_UNREADABLE = "re-save it from Excel as .xlsx, or export the table as CSV"
#: BIFF record types: cells that hold a value (FORMULA, LABELSST, NUMBER, RK, LABEL, BOOLERR, RSTRING), blank
#: cells, the two records of several cells in a row (MULRK holds values, MULBLANK does not), and the rest.
_VALUED = frozenset({0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6})
_BLANK, _MULRK, _MULBLANK = 0x0201, 0x00BD, 0x00BE
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085


class _Broken(ValueError):
    """The container or the workbook stream is damaged."""


def ole_stream(data: bytes, names: tuple[str, ...] = ("Workbook", "Book")) -> bytes:
    """The first stream of an OLE2 compound document named one of ``names`` (case-insensitive).

    Raises ``ValueError`` when the container is damaged or holds no such stream.
    """
    if len(data) < 512 or not data.startswith(_OLE):
        raise _Broken("not an OLE2 compound document")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Broken(f"bad sector sizes ({shift}, {mini_shift})")
    size = 1 << shift
    n_fat, first_dir, _, cutoff, first_mini, n_mini, first_difat, n_difat = struct.unpack_from("<8I", data, 0x2C)
    n_sectors = (len(data) - size) // size + (1 if (len(data) - size) % size else 0)

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise _Broken(f"sector {i} lies past the end of the file")
        return data[(i + 1) * size:(i + 2) * size].ljust(size, b"\0")

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen, s = [], set(), start
        while s != _END:
            if s >= len(table) or s in seen:
                raise _Broken("a sector chain is broken or loops")
            seen.add(s)
            out.append(s)
            s = table[s]
        return out

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    s, seen = first_difat, set()
    while s not in (_END, _FREE) and len(seen) < n_difat:
        if s in seen:
            raise _Broken("the sector table loops")
        seen.add(s)
        entries = struct.unpack(f"<{size // 4}I", sector(s))
        difat += entries[:-1]
        s = entries[-1]
    fat: list[int] = []
    for s in [d for d in difat if d <= _MAXREG][:n_fat]:
        fat += struct.unpack(f"<{size // 4}I", sector(s))
    directory = b"".join(sector(s) for s in chain(first_dir, fat))
    entries = []
    for k in range(0, len(directory) - 127, 128):
        e = directory[k:k + 128]
        name_len = min(struct.unpack_from("<H", e, 64)[0], 64)
        name = e[:max(name_len - 2, 0)].decode("utf-16-le", errors="replace")
        start, length = struct.unpack_from("<IQ", e, 116)
        entries.append((name, e[66], start, length if shift == 12 else length & 0xFFFFFFFF))
    if not entries or entries[0][1] != 5:
        raise _Broken("no root entry")
    wanted = {n.casefold() for n in names}
    found = next((e for e in entries if e[1] == 2 and e[0].casefold() in wanted), None)
    if found is None:
        raise _Broken(f"no {' or '.join(names)} stream: not an Excel workbook")
    _, _, start, length = found
    if length > len(data):
        raise _Broken("a stream is longer than the file")
    if length >= cutoff:
        return b"".join(sector(s) for s in chain(start, fat))[:length]
    minifat: list[int] = []
    for s in chain(first_mini, fat)[:n_mini or None]:
        minifat += struct.unpack(f"<{size // 4}I", sector(s))
    mini = b"".join(sector(s) for s in chain(entries[0][2], fat))
    out = b"".join(mini[m * 64:(m + 1) * 64] for m in chain(start, minifat))
    if len(out) < length:
        raise _Broken("a stream is cut off")
    return out[:length]


@dataclass
class SheetCells:
    """The cells of one worksheet as its records give them (1-based extent of its values)."""

    offset: int
    name: str = ""
    rows: int = 0
    columns: int = 0


def _sheet_name(body: bytes) -> tuple[int, str]:
    """(offset of the sheet's BOF, name) from a BOUNDSHEET record (BIFF8, or BIFF5 read as Latin-1)."""
    offset, n = struct.unpack_from("<I", body)[0], body[6] if len(body) > 6 else 0
    if len(body) >= 8 + n and len(body) > 7 and body[7] in (0, 1):
        raw = body[8:8 + (2 * n if body[7] else n)]
        return offset, raw.decode("utf-16-le" if body[7] else "latin-1", errors="replace")
    return offset, body[7:7 + n].decode("latin-1", errors="replace")


def scan_cells(stream: bytes, file: str, budget: GridBudget) -> list[SheetCells]:
    """Walk the records of a workbook stream: every worksheet's extent, each cell counted in ``budget`` and
    checked against its limits as it comes."""
    sheets: dict[int, SheetCells] = {}
    names: dict[int, str] = {}
    cur: SheetCells | None = None
    pos, end, depth = 0, len(stream), 0
    unpack = struct.unpack_from
    while pos + 4 <= end:
        rtype, length = unpack("<HH", stream, pos)
        body = pos + 4
        if body + length > end:
            break
        if rtype == _BOF:
            depth += 1
            if depth == 1:
                cur = sheets.setdefault(pos, SheetCells(pos))
        elif rtype == _EOF:
            depth = max(depth - 1, 0)
        elif rtype == _BOUNDSHEET and length >= 7:
            offset, name = _sheet_name(stream[body:body + length])
            names[offset] = name
        elif cur is not None and length >= 6 and (rtype in _VALUED or rtype in (_BLANK, _MULRK, _MULBLANK)):
            row, col = unpack("<HH", stream, body)
            last = unpack("<H", stream, body + length - 2)[0] if rtype in (_MULRK, _MULBLANK) else col
            label = f"{file} [sheet {names[cur.offset]}]" if len(names) > 1 and cur.offset in names else file
            budget.add_cells(label, max(last - col + 1, 1), row + 1)
            if rtype in _VALUED or rtype == _MULRK:
                budget.place(label, row + 1, last + 1)
                cur.rows, cur.columns = max(cur.rows, row + 1), max(cur.columns, last + 1)
        pos = body + length
    for offset, sheet in sheets.items():
        sheet.name = names.get(offset, "")
    return [s for s in sheets.values() if s.rows]


def read_xls(path: Path, limits: Limits | None = None) -> list[tuple[str, list[tuple[int, tuple]]]]:
    """(sheet name, rows) of each sheet of an old .xls workbook, rows from A1 padded to the sheet's width.

    Raises
    ------
    DataError
        When the file is not a readable .xls workbook, or holds more than the limits allow (naming the file,
        the sheet and the cell).
    """
    limits = limits or Limits.current()
    file = str(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise refuse(file, None, None, f"the file is {size / 1e6:,.0f} MB, past the {limits.max_file_mb:,} MB troika "
                     "reads (TROIKA_MAX_FILE_MB); export the table as CSV", "xls_too_large", mb=size / 1e6,
                     limit=limits.max_file_mb)
    data = path.read_bytes()
    try:
        cells = scan_cells(ole_stream(data), file, GridBudget(file, limits))
    except _Broken as e:
        raise refuse(file, None, None, f"not a readable old .xls workbook ({e}); " + _UNREADABLE, "xls_unreadable",
                     error=str(e)) from None
    budget = GridBudget(file, limits)
    many = len(cells) > 1
    for sheet in cells:
        budget.grid(f"{file} [sheet {sheet.name}]" if many else file, sheet.rows, sheet.columns)
    budget = GridBudget(file, limits)
    out = []
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        many = len(wb.sheet_names) > 1
        for name in wb.sheet_names:
            label = f"{file} [sheet {name}]" if many else file
            sheet = wb.get_sheet_by_name(name)
            if sheet.height == 0 or sheet.width == 0:
                continue
            rows, cols = sheet.end[0] + 1, sheet.end[1] + 1
            budget.grid(label, rows, cols)
            grid = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            ranges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (getattr(sheet, "merged_cell_ranges", None) or [])]
            fill_merged(grid, ranges, budget, label)
            out.append((name, [(i + 1, tuple(r)) for i, r in enumerate(grid)]))
    except DataError:
        raise
    except (python_calamine.CalamineError, OSError, ValueError) as e:
        raise refuse(file, None, None, f"not a readable old .xls workbook ({type(e).__name__}: {e}); "
                     + _UNREADABLE, "xls_unreadable", error=f"{type(e).__name__}: {e}") from None
    return out
