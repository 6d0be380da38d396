"""Published Liaoning figures, written as real-format tables, come back exactly through forecast.data.files.

tests/fixtures/reference_figures.csv holds the figures with the address each was read from (copied from
shared/reference/). make_fixtures.py writes them as a 统计月报-style bulletin workbook (a sheet per
release, two-row merged header) and as a GBK long CSV; both must give back every figure exactly.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from forecast.data import schema
from forecast.data.files import read_table

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "reference"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"   # beside the clone, in CI as here


def figures() -> list[dict]:
    with (FIXTURES / "reference_figures.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: read_table(REFERENCE / name) for name in ("reference_bulletin.xlsx", "reference_long_gbk.csv")}


def test_the_tables_are_real_formats():
    with pytest.raises(UnicodeDecodeError):
        (REFERENCE / "reference_long_gbk.csv").read_bytes().decode("utf-8")
    wb = openpyxl.load_workbook(REFERENCE / "reference_bulletin.xlsx")
    assert len(wb.sheetnames) == 8 and all(ws.merged_cells.ranges for ws in wb.worksheets)
    assert wb.worksheets[0]["A1"].value == "2018年1-3月各市主要经济指标"


@pytest.mark.parametrize("name", ["reference_bulletin.xlsx", "reference_long_gbk.csv"])
def test_every_published_figure_comes_back_exactly(tables, name):
    obs = tables[name].set_index([schema.REGION, schema.INDICATOR, schema.PERIOD])
    for f in figures():
        key = (f["region"], f["indicator"], pd.Period(f["period"], "M"))
        column = schema.YTD_VALUE if f["kind"] == "level" else schema.YTD_YOY
        assert obs.loc[key, column] == float(f["value"]), (f, f["source"])
    # one observation per (region, indicator, period) of the figures, nothing invented
    assert len(obs) == len({(f["region"], f["indicator"], f["period"]) for f in figures()}) == 29


@pytest.mark.parametrize("key, value, growth", [
    (("liaoning", "retail", "2018-12"), 14142.8, 6.7), (("liaoning", "trade", "2018-12"), 7545.9, 11.8),
    (("liaoning", "exports", "2018-12"), 3214.9, 5.7), (("liaoning", "imports", "2018-12"), 4331.0, 16.8),
    (("liaoning", "retail", "2018-03"), 3461.9, 7.8), (("liaoning", "trade", "2018-03"), 1665.8, -1.2),
    (("liaoning", "trade", "2022-02"), 1213.9, 8.4), (("dalian", "retail", "2018-12"), 3722.5, 9.2),
    (("dalian", "exports", "2024-12"), 2200.2, 5.8), (("huludao", "trade", "2023-12"), 59.0, 36.0),
    (("yingkou", "retail", "2023-12"), 460.9, None), (("liaoning", "exports", "2018-09"), 2378.7, None),
])
def test_headline_figures(tables, key, value, growth):
    """The figures named in the issue, typed here by hand from the sources (not from the CSV)."""
    for obs in tables.values():
        row = obs.set_index([schema.REGION, schema.INDICATOR, schema.PERIOD]).loc[(key[0], key[1], pd.Period(key[2], "M"))]
        assert row[schema.YTD_VALUE] == value
        assert (pd.isna(row[schema.YTD_YOY]) if growth is None else row[schema.YTD_YOY] == growth)


def test_both_formats_agree(tables):
    bulletin, long = (t.drop(columns=schema.SOURCE) for t in tables.values())
    pd.testing.assert_frame_equal(bulletin, long)
    assert (tables["reference_long_gbk.csv"][schema.SOURCE].str.startswith("http")).all()


def test_exports_plus_imports_equal_trade(tables):
    """Where a release gives all three levels: 2018-09 2378.7 + 3112.7 = 5491.4; 2018-12 3214.9 + 4331 = 7545.9;
    2022-02 526.1 + 687.8 = 1213.9; 2023-03 861.1 + 1028.5 = 1889.6; 2023-05 1452.9 + 1707.6 = 3160.5."""
    obs = tables["reference_bulletin.xlsx"]
    wide = obs.pivot_table(index=[schema.REGION, schema.PERIOD], columns=schema.INDICATOR, values=schema.YTD_VALUE).dropna(
        subset=["trade", "exports", "imports"])
    assert [str(p) for p in wide.index.get_level_values(schema.PERIOD)] == [
        "2018-09", "2018-12", "2022-02", "2023-03", "2023-05"]
    assert ((wide["exports"] + wide["imports"] - wide["trade"]).abs() <= 0.1 + 1e-9).all()


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/reference not beside the repository")
def test_figures_are_copied_faithfully_from_the_shared_reference():
    rows = {}
    for name in ("liaoning_annual.csv", "liaoning_monthly.csv"):
        with (SHARED / name).open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                rows.setdefault((name, r["region"], r["year"], r["indicator"], r["kind"], r["value"]), r)
    for f in figures():
        ref = rows.get((f["reference_file"], f["region"], f["year"], f["indicator"], f["kind"], f["value"]))
        assert ref is not None, f
        assert (ref["source"], ref["snippet"], ref["unit"]) == (f["source"], f["snippet"], f["unit"])
        assert not ref["snippet"].startswith(("LOW CONFIDENCE", "CAUTION", "CONFLICT", "YEAR INFERRED"))
        if f["reference_file"] == "liaoning_monthly.csv":
            assert ref["period"] == f"{f['year']}-01..{f['period'][5:]} YTD"
