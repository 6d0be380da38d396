"""Hostile files against ``forecast ingest``: wall time and peak memory of each refusal.

    python bench/hostile.py [--keep DIR] [--timeout 300] [--bounded]

Writes each hostile file into a temporary folder (or ``--keep DIR``), runs ``forecast ingest FILE --db
<tmp>/<file>.db`` on it in a subprocess, and prints a table: file, size on disk, outcome (the first line of
what the command printed), wall seconds and peak resident memory (MiB) of the child, read with
``os.wait4`` (the child's own ``getrusage``). The targets: under 10 s and under 500 MB each, and nothing
stored. ``--bounded`` adds a row per file for :func:`forecast.data.bounded.read_files_bounded` (the reader
the app uses for uploads; its child process is counted in the peak).

The files (the generators are imported by ``tests/test_guard_rails.py``, with small sizes):

- ``control.csv``: a good one-row table, the baseline (start-up time and memory of the command).
- ``xfd_cell.xlsx``: a table and one cell at XFD1048576 (≈5 KB; before the guard rails: 5.5 GB, 108 s,
  MemoryError).
- ``zip_bomb.xlsx``: a sheet whose XML inflates to 400 MB (≈400 KB; before: 1.5 GB, 34 s).
- ``zip_bomb_lying.xlsx``: the same sheet in a zip whose directory declares it 4 KB long.
- ``big_field.csv``: one 50 MB cell (before: a ``_csv.Error`` traceback).
- ``wide_line.csv``: one 50 MB line of empty cells.
- ``huge_number.csv``: ``1e400`` as a YTD value (before: stored as inf).
- ``future_period.csv``: 2027年1-11月 in a file released 2026-12-01 (before: stored; the next run says
  "data to 2027-11").
- ``far_cells.xls``: an old workbook with values at A1 and IV65536 (≈6 KB; calamine alone: 1 GB).
- ``limit_grid.csv``, ``limit_grid.xlsx``: 2,000,000 short texts (80,000 × 25), just within the cell limit:
  the most the limits let a file cost (refused later, as no table).

Figures vary with the machine and its load; bench/README.md ("Hostile files") records what they were.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HEADER = "地区,指标,时期,累计值,累计增长,发布日期\n"
GOOD_ROW = "辽宁,社会消费品零售总额,2026年1-10月,8390.4,1.3,2026-11-16\n"


def xfd_cell_xlsx(path: Path) -> Path:
    """A small long table and one value at XFD1048576, the last cell of a sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (HEADER.strip().split(","), GOOD_ROW.strip().split(",")):
        ws.append(row)
    ws["XFD1048576"] = 1
    wb.save(path)
    return path


def _with_sheet_xml(path: Path, chunks, *, declared: int | None = None) -> Path:
    """Rewrite the workbook at ``path`` with its first sheet's XML made of ``chunks`` (bytes), streamed;
    ``declared``: the uncompressed size the zip's headers state for it (a lie)."""
    part = "xl/worksheets/sheet1.xml"
    src = path.with_suffix(".src.xlsx")
    path.rename(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info.filename))
                continue
            with zout.open(part, "w") as f:
                for chunk in chunks:
                    f.write(chunk)
    src.unlink()
    if declared is not None:   # the uncompressed size in the local header (offset 22) and the directory (24)
        data = bytearray(path.read_bytes())
        for sig, size_at, len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
            i = data.find(sig)
            while i != -1:
                n = int.from_bytes(data[i + len_at:i + len_at + 2], "little")
                if data[i + name_at:i + name_at + n] == part.encode():
                    data[i + size_at:i + size_at + 4] = declared.to_bytes(4, "little")
                i = data.find(sig, i + 4)
        path.write_bytes(bytes(data))
    return path


def zip_bomb_xlsx(path: Path, inflated_mb: int = 400, *, declared: int | None = None) -> Path:
    """A valid workbook whose sheet holds one inline string of ``inflated_mb`` MB of 'A' (deflates ~1000:1)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEADER.strip().split(","))
    wb.save(path)
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
    block = b"A" * (1 << 20)
    return _with_sheet_xml(path, [head, *([block] * inflated_mb), b"</t></is></c></row></sheetData></worksheet>"],
                           declared=declared)


def big_field_csv(path: Path, mb: int = 50) -> Path:
    """A long table whose region cell is ``mb`` MB of 'x'."""
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("x" * (mb << 20))
        f.write(",社会消费品零售总额,2026年1-10月,8390.4,1.3,2026-11-16\n")
    return path


def wide_line_csv(path: Path, mb: int = 50) -> Path:
    """A header and one line of ``mb`` MB of commas (empty cells)."""
    with path.open("w", encoding="utf-8") as f:
        f.write(HEADER)
        f.write("," * (mb << 20) + "\n")
    return path


def huge_number_csv(path: Path) -> Path:
    """1e400 (past the largest float) as a YTD value."""
    path.write_text(HEADER + GOOD_ROW + "辽宁,社会消费品零售总额,2026年1-11月,1e400,1.3,2026-12-01\n", encoding="utf-8")
    return path


def future_period_csv(path: Path) -> Path:
    """A figure for 2027年1-11月 in a file released 2026-12-01."""
    path.write_text(HEADER + GOOD_ROW + "辽宁,社会消费品零售总额,2027年1-11月,9300.0,1.5,2026-12-01\n",
                    encoding="utf-8")
    return path


def far_cells_xls(path: Path) -> Path:
    """An old .xls workbook with values at A1 and IV65536 (xlwt, when installed)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("数据")
    for j, h in enumerate(HEADER.strip().split(",")):
        ws.write(0, j, h)
    ws.write(65535, 255, 1.0)
    wb.save(str(path))
    return path


def control_csv(path: Path) -> Path:
    """A good one-row table: the baseline (the command's own start-up time and memory)."""
    path.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    return path


def _junk_rows(cells: int, width: int = 25):
    for i in range(cells // width):
        yield [f"{i}.{j}" for j in range(width)]


def limit_grid_csv(path: Path, cells: int = 2_000_000) -> Path:
    """A grid of short texts just within the cell limit (no table in it): what the limits still let through."""
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(_junk_rows(cells))
    return path


def limit_grid_xlsx(path: Path, cells: int = 2_000_000) -> Path:
    """The same grid as a workbook."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    for row in _junk_rows(cells):
        ws.append(row)
    wb.save(path)
    return path


FILES = {
    "control.csv": control_csv,
    "xfd_cell.xlsx": xfd_cell_xlsx,
    "zip_bomb.xlsx": zip_bomb_xlsx,
    "zip_bomb_lying.xlsx": lambda p: zip_bomb_xlsx(p, declared=4096),
    "big_field.csv": big_field_csv,
    "wide_line.csv": wide_line_csv,
    "huge_number.csv": huge_number_csv,
    "future_period.csv": future_period_csv,
    "far_cells.xls": far_cells_xls,
    "limit_grid.csv": limit_grid_csv,
    "limit_grid.xlsx": limit_grid_xlsx,
}

_BOUNDED = """
import sys
from forecast.data.bounded import read_files_bounded
from forecast.data.errors import DataError
try:
    read_files_bounded([sys.argv[1]])
    print("read")
except DataError as e:
    print(str(e).splitlines()[-1].strip())
    sys.exit(2)
"""


def _run(cmd: list[str], folder: Path, timeout: float) -> tuple[int, float, float, str]:
    """(exit code, wall seconds, peak MiB, first line of output) of ``cmd``, its memory from ``os.wait4``."""
    out = folder / "out.txt"
    with out.open("w") as f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1])
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)   # already reaped: tell Popen
    text = out.read_text(errors="replace").replace(f"{folder}/", "")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    said = next((ln for ln in lines if ln.startswith("- ") or "row" in ln or "note" in ln), lines[-1] if lines else "")
    return proc.returncode, wall, usage.ru_maxrss / 1024, said.removeprefix("- ")[:110]


def _count(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
        except sqlite3.Error:
            return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    ap.add_argument("--timeout", type=float, default=300, help="kill a run after this many seconds (default 300)")
    ap.add_argument("--bounded", action="store_true", help="also time read_files_bounded on each file")
    args = ap.parse_args(argv)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="troika-hostile-"))
    folder.mkdir(parents=True, exist_ok=True)
    forecast = shutil.which("forecast", path=str(Path(sys.executable).parent)) or "forecast"
    print(f"# {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.machine()}; targets: < 10 s, < 500 MB, nothing stored")
    print(f"{'file':<22} {'on disk':>10} {'reader':<8} {'exit':>4} {'s':>6} {'peak MiB':>8}  stored  outcome")
    try:
        for name, make in FILES.items():
            path = folder / name
            try:
                make(path)
            except ImportError as e:
                print(f"{name:<22} skipped: {e}")
                continue
            size = path.stat().st_size
            db = folder / f"{name}.db"
            runs = [("ingest", [forecast, "ingest", str(path), "--db", str(db)])]
            if args.bounded:
                runs.append(("bounded", [sys.executable, "-c", _BOUNDED, str(path)]))
            for reader, cmd in runs:
                code, wall, peak, said = _run(cmd, folder, args.timeout)
                stored = _count(db)
                print(f"{name:<22} {size:>10,} {reader:<8} {code:>4} {wall:>6.2f} {peak:>8.0f}  {stored:>6}  {said}")
            path.unlink()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
