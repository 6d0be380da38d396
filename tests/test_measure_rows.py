"""Wide tables split by measure: one row 累计值 and one row 累计增长 per region × indicator, merged into one figure.

The fixture ``tests/fixtures/measure_rows/wide_by_measure.csv`` is written by hand; EXPECTED below is computed
by hand from it (万元 ÷ 10,000 = 亿元; an empty cell is an absent half). The variants and the refused cases
are written by the tests themselves.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from forecast.data import schema
from forecast.data.errors import DataError
from forecast.data.files import read_table
from forecast.runs.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "measure_rows" / "wide_by_measure.csv"
NAN = math.nan
#: (region, indicator, period, ytd_value, ytd_yoy), by hand from the fixture.
EXPECTED = [
    # 辽宁 retail: 累计值(万元) 15203000 → 1520.3 亿元, Jan–Mar level empty (growth only), 80124000 → 8012.4
    ("liaoning", "fai", "2025-02", NAN, -5.1), ("liaoning", "fai", "2025-03", NAN, -3.0),
    ("liaoning", "fai", "2025-10", NAN, -12.7),
    ("liaoning", "retail", "2025-02", 1520.3, 3.5), ("liaoning", "retail", "2025-03", NAN, 3.4),
    ("liaoning", "retail", "2025-10", 8012.4, 1.3),
    ("shenyang", "retail", "2025-02", 720.4, 4.1), ("shenyang", "retail", "2025-03", 1101.2, 4.3),
    ("shenyang", "retail", "2025-10", 3301.8, 4.4),
    ("dalian", "trade", "2025-02", 590.0, -1.2), ("dalian", "trade", "2025-03", 880.5, 0.8),
    ("dalian", "trade", "2025-10", 2903.1, 2.5),
]
COLS = [schema.REGION, schema.INDICATOR, schema.PERIOD, schema.YTD_VALUE, schema.YTD_YOY]


def figures(obs: pd.DataFrame) -> list[tuple]:
    return [(r, i, str(p), v, g) for r, i, p, v, g in obs[COLS].itertuples(index=False)]


def same(got: list[tuple], expected: list[tuple]) -> bool:
    def eq(a, b):
        return (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)) or a == b
    return len(got) == len(expected) and all(all(eq(a, b) for a, b in zip(g, e, strict=True))
                                             for g, e in zip(got, expected, strict=True))


def variant(tmp_path: Path, old: str, new: str, name: str = "v.csv") -> Path:
    path = tmp_path / name
    path.write_text(FIXTURE.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return path


def test_fixture_reads_to_the_hand_computed_figures():
    obs = read_table(FIXTURE)
    assert same(figures(obs), EXPECTED), figures(obs)
    assert len(obs) == 12   # 7 rows × 3 months = 21 cells, one empty, 8 pairs merged into one figure each


@pytest.mark.parametrize("header", ["指标项", "计量", "类型", "口径", ""])
def test_the_measure_column_may_be_named_otherwise_or_not_at_all(tmp_path, header):
    """项目 beside 指标, 指标项, 计量, 类型, …, or a column with no name whose cells all name a measure."""
    obs = read_table(variant(tmp_path, "地区,指标,项目,", f"地区,指标,{header},"))
    assert same(figures(obs), EXPECTED)


def test_an_xlsx_copy_reads_the_same(tmp_path):
    def cell(c: str) -> object:   # numbers as Excel keeps them
        try:
            return float(c.replace(",", ""))
        except ValueError:
            return c

    wb = openpyxl.Workbook()
    with FIXTURE.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            wb.active.append([cell(c) for c in row])
    wb.save(tmp_path / "by_measure.xlsx")
    assert same(figures(read_table(tmp_path / "by_measure.xlsx")), EXPECTED)


def test_the_store_keeps_one_observation_with_both_halves(tmp_path):
    store = Store(tmp_path / "t.db")
    report = store.ingest([FIXTURE])
    assert report.files[0].rows_added == 12
    stored = store.observations(latest_vintage=False)
    row = stored[(stored[schema.REGION] == "shenyang") & (stored[schema.PERIOD] == pd.Period("2025-10", "M"))]
    assert row[[schema.YTD_VALUE, schema.YTD_YOY]].values.tolist() == [[3301.8, 4.4]]


def test_a_long_table_with_a_measure_column(tmp_path):
    f = tmp_path / "long.csv"
    f.write_text("地区,指标,项目,时期,数值\n沈阳,出口,累计值,2025年1-3月,12.5\n沈阳,出口,累计增长(%),2025年1-3月,3.4\n",
                 encoding="utf-8")
    assert figures(read_table(f)) == [("shenyang", "exports", "2025-03", 12.5, 3.4)]


# ---------------------------------------------------------------- refused, with row and column
def problems(path: Path) -> list[tuple]:
    with pytest.raises(DataError) as err:
        read_table(path)
    assert all(str(path) in p.file for p in err.value.problems)
    return [(p.row, p.column, p.message) for p in err.value.problems]


def test_two_value_rows_for_one_region_and_indicator_are_duplicates(tmp_path):
    # the growth row of 沈阳 retail turned into a second level row: three duplicate figures on row 4
    got = problems(variant(tmp_path, "沈阳,社会消费品零售总额,累计增长(%)", "沈阳,社会消费品零售总额,累计值"))
    assert [(r, c) for r, c, _ in got] == [(4, "2025年1-2月"), (4, "2025年1-3月"), (4, "2025年1-10月")]
    assert all("duplicate figure" in m and "already given at row 3" in m for _, _, m in got)


@pytest.mark.parametrize("header", ["项目", "指标项", "计量"])
def test_a_monthly_measure_is_refused_at_its_row_and_column(tmp_path, header):
    path = variant(tmp_path, "大连,进出口总额,累计增长(%)", "大连,进出口总额,当月值")
    path.write_text(path.read_text(encoding="utf-8").replace("地区,指标,项目,", f"地区,指标,{header},"),
                    encoding="utf-8")
    got = problems(path)
    assert [(r, c) for r, c, _ in got] == [(6, header)]
    assert "unknown measure '当月值'" in got[0][2] and "year-to-date figures only" in got[0][2]


def test_an_empty_measure_is_refused(tmp_path):
    got = problems(variant(tmp_path, "大连,进出口总额,累计增长(%)", "大连,进出口总额,"))
    assert [(r, c) for r, c, _ in got] == [(6, "项目")] and "the measure is empty" in got[0][2]


def test_a_column_and_a_row_that_disagree_on_the_measure(tmp_path):
    got = problems(variant(tmp_path, "2025年1-10月\n", "2025年1-10月 累计值\n"))
    # the growth rows (4, 6, 8, 9) have a Jan–Oct cell under a column that says 累计值
    assert [(r, c) for r, c, _ in got] == [(r, "2025年1-10月 累计值") for r in (4, 6, 8, 9)]
    assert all("the column says 累计值 but the row's measure (项目) says 累计增长" in m for _, _, m in got)
