""".xlsx workbooks, read within the limits of :mod:`forecast.data.limits`: checked before loading, then streamed.

Three steps, each bounded:

1. **The zip.** Before anything is inflated: the parts' uncompressed sizes (as the zip's directory gives
   them) must add up to at most ``max_file_mb``, and no part over 1 MiB may inflate more than ``max_ratio``
   times (a zip bomb). Python's :mod:`zipfile` never inflates a part past the size it declares, so a
   directory that lies about a size cannot get more past these checks.
2. **A scan of the XML**, with a streaming parser that drops every element once it is read (one cell's
   elements in memory at a time, however long a row): the workbook's sheets and their parts, the dimension
   each sheet declares (``<dimension ref="A1:XFD1048576"/>``, refused before its cells are looked at), every
   cell element counted toward the file's cells, and the extent of each sheet (its last row and column
   holding a value) grown cell by cell and refused at the first cell past the limits, named by its
   reference; the merged ranges; the number of shared strings (which openpyxl loads whole).
3. **The values**, with openpyxl in read-only mode, row by row, within the measured extent: a dimension that
   is missing or wrong can neither widen the grid nor cut it. Merged ranges (which read-only mode does not
   give) are filled from the scan: a merged value shows in every cell it covers.

:func:`read_xlsx` returns each non-empty sheet's rows as plain tuples; :mod:`forecast.data.grids` makes them
grids.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from forecast.data.errors import DataError
from forecast.data.limits import RATIO_FLOOR_BYTES, GridBudget, Limits, fill_merged, parse_ref, refuse

#: The rows of one sheet: (row as a person sees it, cells).
Rows = list[tuple[int, tuple]]
_UNREADABLE = "re-save it from Excel as .xlsx, or export the table as CSV"
_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, KeyError, OSError, ValueError, TypeError,
           EOFError, IndexError, AttributeError)


@dataclass
class SheetScan:
    """What the scan of one sheet found: its part, the extent of its values, its merged ranges."""

    name: str
    part: str
    label: str = ""
    rows: int = 0       # the last row holding a value, 1-based (0: no value)
    columns: int = 0    # the last column holding a value, 1-based
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)   # 0-based, inclusive


def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1:]


class _Doctype(ValueError):
    """A workbook part declares a DTD: no office program writes one, and entities are a way to bomb a parser."""


def _refuse_doctype(*_) -> None:
    raise _Doctype("a part declares a DTD (<!DOCTYPE>), which no office program writes")


def _parse(zf: zipfile.ZipFile, part: str, start, *, local: bool = True) -> None:
    """Call ``start(name, attributes)`` for every start tag of a part, in order, streamed with expat: no tree
    is built, so memory holds one chunk of the part whatever its shape. ``name`` is the tag's local name, or
    with ``local=False`` its name as ``namespace}local``."""
    names: dict[str, str] = {}

    def on_start(name: str, attrs: dict) -> None:
        short = names.get(name)
        if short is None:
            short = names[name] = _local(name)
        start(short, attrs)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = on_start if local else start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    with zf.open(part) as f:
        while chunk := f.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _tags(zf: zipfile.ZipFile, part: str, wanted: str) -> list[dict]:
    """The attributes of every ``wanted`` tag of a small part (namespaces dropped from their names)."""
    out: list[dict] = []
    _parse(zf, part, lambda name, attrs: out.append({_local(k): v for k, v in attrs.items()})
           if name == wanted else None)
    return out


def check_zip(zf: zipfile.ZipFile, file: str, limits: Limits) -> None:
    """Refuse a workbook whose parts inflate past the limits, before any is inflated."""
    infos = zf.infolist()
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise refuse(file, None, None, (
                f"the workbook's part {info.filename} inflates {ratio:,.0f} times ({info.compress_size:,} → "
                f"{info.file_size:,} bytes), past the ratio of {limits.max_ratio} troika accepts "
                "(TROIKA_MAX_COMPRESSION_RATIO): a zip bomb, or not an office workbook; " + _UNREADABLE),
                "zip_ratio", part=info.filename, ratio=ratio, packed=info.compress_size, size=info.file_size,
                limit=limits.max_ratio)
    total = sum(info.file_size for info in infos)
    if total > limits.max_bytes:
        raise refuse(file, None, None, (
            f"the workbook's parts inflate to {total / 1e6:,.0f} MB, past the {limits.max_file_mb:,} MB troika "
            "reads (TROIKA_MAX_FILE_MB): a zip bomb, or a workbook far larger than an official table; "
            "export the table as CSV"), "zip_too_large", mb=total / 1e6, limit=limits.max_file_mb)


def _rels(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of the relationships of ``part``."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in zf.NameToInfo:
        return []
    out = []
    for attrs in _tags(zf, rels, "Relationship"):
        target = attrs.get("Target") or ""
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.append((attrs.get("Id") or "", attrs.get("Type") or "", target))
    return out


def _workbook(zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], str | None]:
    """The (name, part) of each worksheet in workbook order, and the shared strings part."""
    main = next((t for _, typ, t in _rels(zf, "") if typ.endswith("/officeDocument")), "xl/workbook.xml")
    rels = _rels(zf, main)
    sheets = {i: t for i, typ, t in rels if typ.endswith("/worksheet")}
    strings = next((t for _, typ, t in rels if typ.endswith("/sharedStrings")), None)
    return [(attrs.get("name") or "", sheets[attrs["id"]]) for attrs in _tags(zf, main, "sheet")
            if attrs.get("id") in sheets], strings


_CELL, _VALUE, _ROW, _DIMENSION, _MERGE, _INSIDE, _OTHER = range(7)
_KINDS = {"c": _CELL, "v": _VALUE, "is": _VALUE, "f": _VALUE, "row": _ROW, "dimension": _DIMENSION,
          "mergeCell": _MERGE, "t": _INSIDE, "r": _INSIDE, "rPr": _INSIDE}


class _SheetScanner:
    """The start-tag handler that scans one sheet (see :func:`_scan_sheet`); tight, as it runs for every tag.

    Like openpyxl, a cell's row is its ``<row>``'s and its column the letters of its reference (each counted
    on from the one before when the reference is missing)."""

    def __init__(self, scan: SheetScan, cells: GridBudget):
        self.scan, self.cells, self.kinds, self.columns = scan, cells, {}, {}
        self.row = self.col = 0
        self.has_value, self.ref, self.count = False, None, cells.cells
        self.max_cells = cells.limits.max_cells

    def close_cell(self) -> None:
        """The cell before this tag has ended: grow the extent if it held a value."""
        scan = self.scan
        if self.has_value and (self.row > scan.rows or self.col > scan.columns):
            self.cells.place(scan.label, self.row, self.col, self.ref)
            scan.rows, scan.columns = max(scan.rows, self.row), max(scan.columns, self.col)
        self.has_value = False

    def start(self, name: str, attrs: dict) -> None:
        kind = self.kinds.get(name)
        if kind is None:
            kind = self.kinds[name] = _KINDS.get(_local(name), _OTHER)
        if kind == _CELL:
            if self.has_value:
                self.close_cell()
            ref = self.ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789$")
                col = self.columns.get(letters)
                if col is None:
                    col = self.columns[letters] = (parse_ref(letters + "1") or (0, self.col + 1))[1]
                self.col = col
            else:
                self.col += 1
            self.count += 1
            if self.count > self.max_cells:
                self.cells.add_cells(self.scan.label, self.count - self.cells.cells, self.row)
        elif kind == _VALUE:
            self.has_value = True
        elif kind == _ROW:
            self.close_cell()
            r = attrs.get("r")
            self.row, self.col = (int(r) if r and r.isdigit() else self.row + 1), 0
        elif kind == _DIMENSION and attrs.get("ref"):
            corner = parse_ref(attrs["ref"].rpartition(":")[2])
            if corner:
                self.cells.declared(self.scan.label, *corner, attrs["ref"])
        elif kind == _MERGE and attrs.get("ref"):
            a, _, b = attrs["ref"].partition(":")
            first, last = parse_ref(a), parse_ref(b or a)
            if first and last:
                self.scan.merged.append((first[0] - 1, first[1] - 1, last[0] - 1, last[1] - 1))
                self.count += 1
        elif kind == _OTHER:   # any other tag ends the cell before it
            self.close_cell()


def _scan_sheet(zf: zipfile.ZipFile, scan: SheetScan, cells: GridBudget) -> None:
    """Fill ``scan`` from its sheet's XML, refusing at the first thing past the limits."""
    scanner = _SheetScanner(scan, cells)
    _parse(zf, scan.part, scanner.start, local=False)
    scanner.close_cell()
    cells.add_cells(scan.label, scanner.count - cells.cells, None)


def _scan_strings(zf: zipfile.ZipFile, part: str, file: str, cells: GridBudget) -> None:
    """Count the shared strings (openpyxl keeps them all in memory) toward the file's cells."""
    def start(name: str, _: dict) -> None:
        if name == "si":
            cells.add_cells(file, 1, None)

    _parse(zf, part, start)


def scan_workbook(path: Path, limits: Limits) -> list[SheetScan]:
    """Steps 1 and 2: the checks of the zip and the scan of every worksheet.

    Raises
    ------
    DataError
        When the file is not a readable workbook or holds more than the limits allow.
    """
    file = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, file, limits)
            sheets, strings = _workbook(zf)
            cells = GridBudget(file, limits)
            scans = [SheetScan(name, part, file if len(sheets) == 1 else f"{file} [sheet {name}]")
                     for name, part in sheets]
            for scan in scans:
                _scan_sheet(zf, scan, cells)
            if strings and strings in zf.NameToInfo:
                _scan_strings(zf, strings, file, GridBudget(file, limits))   # counted on their own
    except DataError:
        raise
    except _ERRORS as e:
        raise refuse(file, None, None, f"not a readable .xlsx workbook ({type(e).__name__}: {e}); "
                     + _UNREADABLE, "not_xlsx", error=f"{type(e).__name__}: {e}") from None
    return scans


def read_xlsx(path: Path, limits: Limits | None = None) -> list[tuple[str, Rows]]:
    """(sheet name, rows) of each worksheet of an .xlsx workbook that holds a value, rows padded to the sheet's width.

    Raises
    ------
    DataError
        When the file is not a readable workbook, or it, its parts or a sheet are past the limits
        (:mod:`forecast.data.limits`), naming the file and, where there is one, the sheet, row and column.
    """
    import openpyxl  # heavy: loaded when a workbook is read

    limits = limits or Limits.current()
    file = str(path)
    scans = {s.name: s for s in scan_workbook(path, limits)}
    grids = GridBudget(file, limits)
    out: list[tuple[str, Rows]] = []
    try:
        with path.open("rb") as f:   # a file object: openpyxl would refuse a workbook named .xls
            wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
            try:
                for ws in wb.worksheets:
                    scan = scans.get(ws.title)
                    if scan is None or scan.rows == 0:
                        continue
                    grids.grid(scan.label, scan.rows, scan.columns)
                    grid = [list(r) for r in ws.iter_rows(min_row=1, max_row=scan.rows, min_col=1,
                                                          max_col=scan.columns, values_only=True)]
                    fill_merged(grid, scan.merged, grids, scan.label)
                    out.append((ws.title, [(i + 1, tuple(r)) for i, r in enumerate(grid)]))
            finally:
                wb.close()
    except DataError:
        raise
    except _ERRORS as e:
        raise refuse(file, None, None, f"not a readable .xlsx workbook ({type(e).__name__}: {e}); "
                     + _UNREADABLE, "not_xlsx", error=f"{type(e).__name__}: {e}") from None
    return out
