"""Guard rails of the readers: hostile files refused quickly, in little memory, with a DataError naming the file
(and the row and column where there is one), and nothing stored.

Every hostile file is written by the test itself, small on disk: the generators are those of
``bench/hostile.py`` (which times the full-size files), called with small sizes, and the limits of
:mod:`forecast.data.limits` are lowered through their environment variables where a full-size file would be
needed to pass them. No test here is timed.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from forecast.data import schema
from forecast.data.errors import DataError
from forecast.data.files import read_table, read_tables
from forecast.data.limits import Limits
from forecast.runs.store import Store

_spec = importlib.util.spec_from_file_location("hostile", Path(__file__).parents[1] / "bench" / "hostile.py")
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

TODAY = dt.date(2026, 12, 6)
HEADER = "地区,指标,时期,累计值,累计增长,发布日期\n"


def refused(path: Path, *, today: dt.date = TODAY) -> list[tuple]:
    """The problems (row, column, message) of reading ``path``; each names the file."""
    with pytest.raises(DataError) as err:
        read_table(path, today=today)
    assert err.value.problems and all(str(path) in p.file for p in err.value.problems), str(err.value)
    return [(p.row, p.column, p.message) for p in err.value.problems]


def nothing_stored(tmp_path: Path, path: Path) -> str:
    """Ingest ``path`` into a fresh store: refused, and the store holds nothing. The error's text."""
    store = Store(tmp_path / "store" / "t.db")
    with pytest.raises(DataError) as err:
        store.ingest([path])
    assert str(path) in str(err.value)
    assert store.counts() == {"observations": 0, "series": 0, "ingests": 0}
    return str(err.value)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- .xlsx
def test_a_cell_at_xfd1048576_is_refused_by_the_declared_dimension(tmp_path):
    path = hostile.xfd_cell_xlsx(tmp_path / "xfd.xlsx")
    assert path.stat().st_size < 10_000
    [(row, column, message)] = refused(path)
    assert "dimension A1:XFD1048576" in message and "200,000 rows" in message
    assert "XFD1048576" in nothing_stored(tmp_path, path)


def test_a_cell_at_xfd1048576_under_a_lying_dimension_is_refused_at_the_cell(tmp_path):
    """A dimension that says A1: the scan finds the value and names it; nothing is built past the limits."""
    path = hostile.xfd_cell_xlsx(tmp_path / "xfd.xlsx")
    _rewrite_sheet(path, _dimension(b"A1"))
    assert refused(path) == [(1048576, "XFD", "a value at XFD1048576 lies past the 200,000 rows troika reads in "
                              "one table (TROIKA_MAX_ROWS); delete what lies below the table, or split it")]


def test_a_lying_small_dimension_neither_cuts_nor_widens_the_table(tmp_path):
    """openpyxl's read-only mode trusts the dimension; the reader gives it the extent it measured itself."""
    wb = openpyxl.Workbook()
    for row in (HEADER.strip().split(","), ["辽宁", "社会消费品零售总额", "2025年1-10月", 8012.4, 1.3, "2025-11-19"]):
        wb.active.append(row)
    wb.save(tmp_path / "ok.xlsx")
    _rewrite_sheet(tmp_path / "ok.xlsx", _dimension(b"A1"))
    obs = read_table(tmp_path / "ok.xlsx", today=TODAY)
    assert obs[[schema.YTD_VALUE, schema.YTD_YOY, schema.VINTAGE]].values.tolist() == [[8012.4, 1.3, "2025-11-19"]]


def _rewrite_sheet(path: Path, edit) -> None:
    """Rewrite the first sheet's XML of the workbook at ``path`` with ``edit(xml) -> xml``."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)


def _dimension(ref: bytes):
    return lambda xml: re.sub(rb"<dimension ref=\"[^\"]*\"\s*/>", b'<dimension ref="' + ref + b'"/>', xml)


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_inflating(tmp_path):
    path = hostile.zip_bomb_xlsx(tmp_path / "bomb.xlsx", inflated_mb=20)   # ≈20 KB on disk, 20 MB of XML
    assert path.stat().st_size < 100_000
    [(row, column, message)] = refused(path)
    assert (row, column) == (None, None)
    assert "xl/worksheets/sheet1.xml inflates" in message and "TROIKA_MAX_COMPRESSION_RATIO" in message
    nothing_stored(tmp_path, path)


def test_a_workbook_inflating_past_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TROIKA_MAX_COMPRESSION_RATIO", "100000")
    monkeypatch.setenv("TROIKA_MAX_FILE_MB", "10")
    path = hostile.zip_bomb_xlsx(tmp_path / "bomb.xlsx", inflated_mb=20)
    [(_, _, message)] = refused(path)
    assert "inflate to 21 MB, past the 10 MB" in message and "TROIKA_MAX_FILE_MB" in message


def test_a_zip_whose_directory_lies_about_a_size_cannot_inflate_past_it(tmp_path):
    path = hostile.zip_bomb_xlsx(tmp_path / "bomb.xlsx", inflated_mb=20, declared=4096)
    [(_, _, message)] = refused(path)
    assert "not a readable .xlsx workbook" in message


def test_a_dtd_in_a_workbook_part_is_refused(tmp_path):
    path = hostile.xfd_cell_xlsx(tmp_path / "dtd.xlsx")
    _rewrite_sheet(path, lambda xml: b'<!DOCTYPE lolz [<!ENTITY lol "lol">]>' + xml)
    [(_, _, message)] = refused(path)
    assert "DTD" in message


def test_cells_rows_and_columns_past_lowered_limits(tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    wb.active.append(HEADER.strip().split(","))
    for k in range(30):
        wb.active.append(["辽宁", "社会消费品零售总额", f"{1990 + k}年1-10月", 100.0 + k, 1.0, "2025-11-19"])
    wb.save(tmp_path / "t.xlsx")
    assert len(read_table(tmp_path / "t.xlsx", today=TODAY)) == 30
    monkeypatch.setenv("TROIKA_MAX_ROWS", "20")
    assert "declares that its cells reach F31 (dimension A1:F31)" in refused(tmp_path / "t.xlsx")[0][2]
    monkeypatch.setenv("TROIKA_MAX_ROWS", "200")
    monkeypatch.setenv("TROIKA_MAX_COLUMNS", "5")
    assert "past the 5 columns" in refused(tmp_path / "t.xlsx")[0][2]
    monkeypatch.setenv("TROIKA_MAX_COLUMNS", "50")
    monkeypatch.setenv("TROIKA_MAX_CELLS", "100")
    assert "more than 100 cells" in refused(tmp_path / "t.xlsx")[0][2]


# ---------------------------------------------------------------- .xls (python-calamine)
def test_an_xls_with_values_at_a1_and_iv65536_is_refused_before_calamine_builds_it(tmp_path):
    pytest.importorskip("xlwt")
    path = hostile.far_cells_xls(tmp_path / "far.xls")
    assert path.stat().st_size < 10_000
    [(_, _, message)] = refused(path)
    assert "the values reach IV65536, a grid of 16,777,216 cells" in message and "2,000,000 cells" in message
    nothing_stored(tmp_path, path)


def test_an_xls_value_past_a_lowered_row_limit_is_named(tmp_path, monkeypatch):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("数据")
    ws.write(0, 0, "地区")
    ws.write(24, 3, 1.5)
    wb.save(str(tmp_path / "t.xls"))
    monkeypatch.setenv("TROIKA_MAX_ROWS", "20")
    assert refused(tmp_path / "t.xls") == [(25, "D", "a value at D25 lies past the 20 rows troika reads in one "
                                            "table (TROIKA_MAX_ROWS); delete what lies below the table, or split it")]


def test_an_xlsx_named_xls_gets_the_xlsx_checks(tmp_path):
    path = hostile.xfd_cell_xlsx(tmp_path / "xfd.xlsx").rename(tmp_path / "xfd.xls")
    assert "dimension A1:XFD1048576" in refused(path)[0][2]


# ---------------------------------------------------------------- CSV
def test_a_50_mb_cell_is_refused_at_its_row_without_reading_it(tmp_path):
    """The bench's 50 MB file is refused at its line; here a 200 KB cell meets the cell limit itself."""
    path = write(tmp_path / "cell.csv", HEADER + "x" * 200_000 + ",社会消费品零售总额,2025年1-10月,1,1,\n")
    [(row, column, message)] = refused(path)
    assert (row, column) == (2, None) and "a cell is longer than 100,000 characters" in message
    assert csv.field_size_limit() == 131072   # the process-wide setting is put back
    nothing_stored(tmp_path, path)


def test_a_quote_left_open_is_one_long_cell(tmp_path):
    path = write(tmp_path / "quote.csv", HEADER + '辽宁,"社会消费品零售总额\n' + "x,1,2\n" * 30_000)
    [(row, _, message)] = refused(path)
    assert row == 2 and "a quote \" left open" in message


def test_a_long_line_is_refused_before_it_is_split(tmp_path, monkeypatch):
    monkeypatch.setenv("TROIKA_MAX_LINE_CHARS", "10000")
    path = hostile.wide_line_csv(tmp_path / "line.csv", mb=0)
    write(path, HEADER + "," * 50_000 + "\n")
    assert refused(path) == [(2, None, "the line is longer than 10,000 characters (TROIKA_MAX_LINE_CHARS); an "
                              "official table's lines are short: is this a table?")]


def test_csv_rows_columns_and_size_past_lowered_limits(tmp_path, monkeypatch):
    rows = "".join(f"辽宁,社会消费品零售总额,{1990 + k}年1-10月,{100 + k},1.0,2025-11-19\n" for k in range(30))
    path = write(tmp_path / "t.csv", HEADER + rows)
    monkeypatch.setenv("TROIKA_MAX_ROWS", "20")
    assert refused(path)[0][:2] == (21, None)
    monkeypatch.setenv("TROIKA_MAX_ROWS", "200")
    monkeypatch.setenv("TROIKA_MAX_COLUMNS", "4")
    assert refused(path)[0][:2] == (1, "F")
    monkeypatch.setenv("TROIKA_MAX_COLUMNS", "40")
    monkeypatch.setenv("TROIKA_MAX_FILE_MB", "1")
    big = write(tmp_path / "big.csv", HEADER + rows * 800)   # ≈1.3 MB
    assert "past the 1 MB troika reads" in refused(big)[0][2]


def test_a_bad_limit_in_the_environment_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("TROIKA_MAX_ROWS", "lots")
    with pytest.raises(DataError, match="TROIKA_MAX_ROWS"):
        Limits.current()


# ---------------------------------------------------------------- non-finite numbers
@pytest.mark.parametrize("text", ["1e400", "-1E+999", "inf", "-inf", "Infinity", "nan", "NaN", "∞"])
def test_non_finite_numbers_are_refused_with_file_row_and_column(tmp_path, text):
    path = write(tmp_path / "n.csv", HEADER + f"辽宁,社会消费品零售总额,2025年1-10月,{text},1.3,2025-11-19\n")
    [(row, column, message)] = refused(path)
    assert (row, column) == (2, "累计值")
    assert "finite" in message or "too large to store" in message


def test_the_bench_1e400_file_is_refused_and_nothing_stored(tmp_path):
    path = hostile.huge_number_csv(tmp_path / "huge.csv")
    assert (3, "累计值") in [p[:2] for p in refused(path)]
    nothing_stored(tmp_path, path)


def test_a_number_past_the_largest_float_in_a_workbook_is_refused(tmp_path):
    """openpyxl reads <v>1e400</v> as inf (it writes inf as an empty cell): refused like the text."""
    wb = openpyxl.Workbook()
    wb.active.append(HEADER.strip().split(","))
    wb.active.append(["辽宁", "社会消费品零售总额", "2025年1-10月", 8012.4, 1.3, "2025-11-19"])
    wb.save(tmp_path / "inf.xlsx")
    _rewrite_sheet(tmp_path / "inf.xlsx", lambda xml: xml.replace(b"<v>8012.4</v>", b"<v>1e400</v>"))
    assert [p[:2] for p in refused(tmp_path / "inf.xlsx")] == [(2, "累计值")]


# ---------------------------------------------------------------- periods after the release
def test_a_period_after_its_release_date_is_refused(tmp_path):
    path = hostile.future_period_csv(tmp_path / "future.csv")   # 2027年1-11月, released 2026-12-01
    [(row, column, message)] = refused(path)
    assert (row, column) == (3, "时期")
    assert "period 2027-11 is later than its release date 2026-12-01" in message
    nothing_stored(tmp_path, path)


def test_without_a_release_date_a_period_after_this_month_is_refused(tmp_path):
    body = "地区,指标,时期,累计值\n辽宁,社会消费品零售总额,2026年1-12月,9000\n辽宁,社会消费品零售总额,2027年1-2月,1600\n"
    path = write(tmp_path / "t.csv", body)
    [(row, column, message)] = refused(path, today=dt.date(2026, 12, 6))
    assert (row, column) == (3, "时期") and "later than today (2026-12-06)" in message
    assert len(read_table(path, today=dt.date(2027, 3, 1))) == 2   # the same file, read three months on


def test_a_wide_table_names_the_month_column_of_a_future_period(tmp_path):
    path = write(tmp_path / "w.csv", "地区,指标,2026年1-10月,2027年1-10月\n沈阳,社零,3301.8,3400.0\n")
    assert refused(path) == [(1, "2027年1-10月", "period 2027-10 is later than today (2026-12-06) and the row has "
                              "no release date: a year-to-date figure is published after the month it ends, so "
                              "this cannot be a published figure; check the year and month of the period, or give "
                              "its release date (发布日期)")]


def test_the_month_of_the_release_is_the_last_period_accepted(tmp_path):
    path = write(tmp_path / "t.csv", HEADER + "辽宁,社会消费品零售总额,2026年1-11月,8900,1.2,2026-11-30\n"
                 "辽宁,社会消费品零售总额,2026年1-12月,9900,1.2,2026-12-01\n")
    assert len(read_tables([path], today=TODAY)) == 2


def test_a_release_date_after_today_is_refused(tmp_path):
    path = write(tmp_path / "t.csv", HEADER + "辽宁,社会消费品零售总额,2026年1-10月,8900,1.2,2062-11-16\n")
    [(row, column, message)] = refused(path)
    assert (row, column) == (2, "发布日期") and "release date 2062-11-16 is after today (2026-12-06)" in message
