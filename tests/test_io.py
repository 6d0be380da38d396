"""Ingest of official tables: every layout × encoding × format, every malformed input, paths, targets.

Fixtures are real files under tests/fixtures/, written by tests/fixtures/make_fixtures.py (which uses
csv/openpyxl only, never forecast.data.files); test_fixtures_match_their_script keeps them in sync.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from common import check_encodings_match_names

from forecast.data import schema
from forecast.data.cells import parse_number
from forecast.data.errors import DataError
from forecast.data.files import (
    DATA_DIR,
    load_bundled,
    read_table,
    read_tables,
    resolve_data_path,
)
from forecast.data.layouts import parse_period
from forecast.data.target_table import load_targets

FIXTURES = Path(__file__).parent / "fixtures"
GOOD, BAD = FIXTURES / "good", FIXTURES / "bad"
_spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
mf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mf)

ALL = ("2025-02", "2025-03", "2025-10")
#: Every good fixture and the periods it holds (a file that silently dropped a period would fail).
GOOD_PERIODS = {
    "long_utf8.csv": ALL, "long_utf8_bom.csv": ALL, "long_gbk.csv": ALL, "long_english.csv": ALL,
    "long_wan_yuan_gbk.csv": ALL, "long.xlsx": ALL,
    "wide_utf8.csv": ALL, "wide_gbk.csv": ALL, "wide_bom.csv": ALL, "wide.xlsx": ALL,
    "bulletin.xlsx": ALL, "bulletin_bom_2025-02.csv": ("2025-02",), "bulletin_gbk_2025-03.csv": ("2025-03",),
    "bulletin_utf8_2025-10.csv": ("2025-10",),
}
KEY = [schema.REGION, schema.INDICATOR, schema.PERIOD]


def canonical(periods=ALL) -> pd.DataFrame:
    """CANONICAL as an observations frame (the values as written in the script, parsed by float())."""
    rows = [(r, i, pd.Period(p, "M"), float(v) if v else float("nan"), float(g) if g else float("nan"))
            for r, i, p, v, g in mf.CANONICAL if p in periods]
    return pd.DataFrame(rows, columns=[*KEY, schema.YTD_VALUE, schema.YTD_YOY])


def figures(obs: pd.DataFrame) -> pd.DataFrame:
    cols = [*KEY, schema.YTD_VALUE, schema.YTD_YOY]
    return obs[cols].sort_values(KEY, key=lambda s: s.astype(str)).reset_index(drop=True)


def manifest() -> list[dict]:
    with (BAD / "EXPECTED.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- good fixtures
@pytest.mark.parametrize("name", sorted(GOOD_PERIODS))
def test_good_fixture_parses_to_the_canonical_figures(name):
    obs = read_table(GOOD / name)
    expected = canonical(GOOD_PERIODS[name])
    # exact float equality: 万元 levels are divided by 10,000 in decimal, so 15203000 万元 == 1520.3 亿元
    pd.testing.assert_frame_equal(figures(obs), figures(expected), check_dtype=False)
    assert obs.columns.tolist() == schema.OBSERVATION_COLUMNS


def test_every_good_fixture_is_listed():
    assert sorted(p.name for p in GOOD.iterdir()) == sorted(GOOD_PERIODS)


def test_layouts_give_identical_frames():
    """Three per-period bulletins read together == one long table == one wide workbook, column for column."""
    bulletins = read_tables(sorted(GOOD.glob("bulletin_*.csv")))
    long = read_table(GOOD / "long_utf8.csv")
    wide = read_table(GOOD / "wide.xlsx")
    pd.testing.assert_frame_equal(bulletins, long)
    pd.testing.assert_frame_equal(wide, long)
    assert len(long) == 39   # 3 regions × 13 published series-periods (shenyang has no exports/imports)


def test_output_dtypes_follow_the_contract():
    obs = read_table(GOOD / "long.xlsx")
    assert obs.dtypes.to_dict() == schema.empty_observations().dtypes.to_dict()
    assert str(obs[schema.PERIOD].dtype) == "period[M]"
    assert (obs[schema.STATUS] == "published").all() and (obs[schema.VINTAGE] == "").all() and (obs[schema.SOURCE] == "").all()


def test_status_source_and_vintage_columns():
    obs = read_table(GOOD / "long_utf8_bom.csv")
    by_period = obs.groupby(schema.PERIOD)[schema.VINTAGE].unique().map(list).to_dict()
    assert by_period == {pd.Period("2025-02", "M"): ["2025-03-18"], pd.Period("2025-03", "M"): ["2025-04-17"],
                         pd.Period("2025-10", "M"): ["2025-11-19"]}
    assert set(obs[schema.SOURCE]) == {"fixture"} and set(obs[schema.STATUS]) == {"published"}


def test_jan_feb_release_is_period_february():
    obs = read_table(GOOD / "long_utf8.csv")
    row = obs[(obs[schema.REGION] == "liaoning") & (obs[schema.INDICATOR] == "retail")].iloc[0]
    assert row[schema.PERIOD] == pd.Period("2025-02", "M") and row[schema.YTD_VALUE] == 1520.3   # written '1,520.3'


def test_encoding_override():
    auto = read_table(GOOD / "long_gbk.csv")
    pd.testing.assert_frame_equal(read_table(GOOD / "long_gbk.csv", encoding="gbk"), auto)
    with pytest.raises(DataError, match="cannot decode the file as utf-8"):
        read_table(GOOD / "long_gbk.csv", encoding="utf-8")


def test_excel_unicode_text_export_utf16_tabs(tmp_path):
    text = (GOOD / "long_utf8.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    f = tmp_path / "unicode.txt"
    f.write_bytes("\r\n".join("\t".join(r) for r in rows).encode("utf-16"))   # BOM + UTF-16LE, like Excel
    pd.testing.assert_frame_equal(read_table(f), read_table(GOOD / "long_utf8.csv"))


def test_notes_sheet_is_skipped_but_a_workbook_of_notes_is_rejected(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为测试数据，单位亿元"])
    ws = wb.create_sheet("数据")
    for row in [["地区", "指标", "时期", "累计值", "累计增长"], ["大连", "社会消费品零售总额", "2025年1-3月", 590.6, 6.8]]:
        ws.append(row)
    wb.save(tmp_path / "book.xlsx")
    obs = read_table(tmp_path / "book.xlsx")
    assert obs[[schema.REGION, schema.YTD_VALUE]].values.tolist() == [["dalian", 590.6]]
    del wb["数据"]
    wb.save(tmp_path / "notes.xlsx")
    with pytest.raises(DataError, match="no header row found"):
        read_table(tmp_path / "notes.xlsx")


# ---------------------------------------------------------------- bad fixtures
@pytest.mark.parametrize("case", manifest(), ids=lambda c: c["file"])
def test_bad_fixture_is_rejected_with_its_problem(case):
    with pytest.raises(DataError) as err:
        read_table(BAD / case["file"])
    problems = err.value.problems
    row = int(case["row"]) if case["row"] else None
    column = case["column"] or None
    hits = [p for p in problems if p.row == row and p.column == column and case["message"] in p.message]
    assert hits, f"expected row {row}, column {column!r}, {case['message']!r}; got:\n{err.value}"
    assert all(case["file"] in p.file for p in problems)
    assert len(problems) == int(case["problems"]), str(err.value)
    assert case["message"] in str(err.value)   # the message a person reads lists every problem


def test_manifest_covers_every_bad_fixture():
    listed = {c["file"] for c in manifest()}
    on_disk = {p.name for p in BAD.iterdir()} - {"EXPECTED.csv"}
    assert listed == on_disk
    assert len(listed) >= 32


@pytest.mark.parametrize("path", sorted(BAD.iterdir()), ids=lambda p: p.name)
def test_every_file_in_bad_is_rejected(path):
    """The store's no-write test ingests every file of bad/ (EXPECTED.csv included): each must raise."""
    with pytest.raises(DataError):
        read_table(path)


def test_read_tables_collects_the_problems_of_every_file():
    names = ["long_utf8_unknown_region.csv", "wide_gbk_unknown_indicator.csv", "png_renamed.csv"]
    with pytest.raises(DataError) as err:
        read_tables([BAD / n for n in names] + [GOOD / "long_utf8.csv"])
    problems = err.value.problems
    assert [Path(p.file).name for p in problems if "duplicate" not in p.message] == names
    # the files also share 辽宁 retail 2025-02 (1520.3) with each other and with long_utf8.csv: cross-file duplicates
    assert {Path(p.file).name for p in problems if "duplicate" in p.message} == {"wide_gbk_unknown_indicator.csv",
                                                                                "long_utf8.csv"}


def test_duplicate_across_files_names_the_other_file():
    with pytest.raises(DataError) as err:
        read_tables([GOOD / "long_utf8.csv", GOOD / "bulletin_utf8_2025-10.csv"])
    problems = err.value.problems
    assert len(problems) == 13   # every 2025-10 figure of the bulletin is already in the long table
    assert all("long_utf8.csv row" in p.message and "bulletin_utf8" in p.file for p in problems)


def test_nothing_is_written(tmp_path):
    for name in ("long_utf8.csv", "bulletin.xlsx"):
        shutil.copy(GOOD / name, tmp_path / name)
    shutil.copy(BAD / "long_bom_ytd_falls.csv", tmp_path / "bad.csv")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    read_tables([tmp_path / "long_utf8.csv", tmp_path / "bulletin.xlsx"][:1])
    with pytest.raises(DataError):
        read_tables(sorted(tmp_path.iterdir()))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# ---------------------------------------------------------------- rules on small tables
def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_later_vintage_may_revise_a_level_without_tripping_the_ytd_rule(tmp_path):
    # Jan–Mar first published 2350.6, revised to 2310.0 in a later release; Jan–Oct 8012.4.
    # The rule compares the latest vintage of each period: 2310.0 ≤ 8012.4, no problem; the old vintage stays.
    f = write(tmp_path / "v.csv", "地区,指标,时期,累计值,发布日期\n辽宁,社零,2025年1-3月,2350.6,2025-04-17\n"
              "辽宁,社零,2025年1-3月,2310.0,2025-11-19\n辽宁,社零,2025年1-10月,8012.4,2025-11-19\n")
    obs = read_table(f)
    assert obs[schema.YTD_VALUE].tolist() == [2350.6, 2310.0, 8012.4]
    assert obs[schema.VINTAGE].tolist() == ["2025-04-17", "2025-11-19", "2025-11-19"]


def test_ytd_rule_is_per_year(tmp_path):
    # Dec 2024 (14,000) > Jan–Feb 2025 (1,520.3): a new year restarts the cumulative total.
    f = write(tmp_path / "y.csv", "地区,指标,时期,累计值\n辽宁,社零,2024年1-12月,14000\n辽宁,社零,2025年1-2月,1520.3\n")
    assert len(read_table(f)) == 2


def test_value_and_growth_halves_merge_and_clash(tmp_path):
    # wide layout: the value block and the growth block give the two halves of one figure
    f = write(tmp_path / "w.csv", "地区,指标,类型,2025-03\n沈阳,出口,累计值,12.5\n沈阳,出口,累计增长,3.4\n")
    assert read_table(f)[[schema.YTD_VALUE, schema.YTD_YOY]].values.tolist() == [[12.5, 3.4]]
    g = write(tmp_path / "g.csv", "地区,指标,类型,2025-03\n沈阳,出口,累计值,12.5\n沈阳,出口,累计值,12.6\n")
    with pytest.raises(DataError, match="duplicate figure"):
        read_table(g)
    # growth block first, then levels that fall (12.5 → 11.0): the problem points at the level's cell
    h = write(tmp_path / "h.csv", "地区,指标,类型,2025-02,2025-03\n沈阳,出口,累计增长,3.1,3.4\n"
              "沈阳,出口,累计值,12.5,11.0\n")
    with pytest.raises(DataError) as err:
        read_table(h)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "2025-03")]


def test_all_problems_of_one_row_are_listed(tmp_path):
    f = write(tmp_path / "r.csv", "地区,指标,时期,累计值,累计增长\n沈杨,社零额x,2025年13月,abc,-101\n")
    with pytest.raises(DataError) as err:
        read_table(f)
    # region, indicator, period, number and growth rule (−101 < −100): five problems on one row
    assert {p.column for p in err.value.problems} == {"地区", "指标", "时期", "累计值", "累计增长"}
    assert len(err.value.problems) == 5
    assert all(p.row == 2 for p in err.value.problems)


@pytest.mark.parametrize("header", [
    "地区,指标,时期,累计值(亿元),累计增长(%)", "地 区,指标名称,统计时期,本年累计,比上年同期增长%",
    "Region,Indicator,Period,YTD value (100 million yuan),YTD growth (%)", "region,indicator,period,value,yoy",
    "城市,项目,月份,累计,同比增长(%)", "地区,指标,报告期,本月止累计,累计增幅", "地区,指标,时期,绝对值,增速",
])
def test_header_variants(tmp_path, header):
    f = write(tmp_path / "h.csv", header + "\n沈阳,社会消费品零售总额,2025年1-10月,3301.8,4.4\n")
    obs = read_table(f)
    assert obs[[schema.REGION, schema.INDICATOR, schema.YTD_VALUE, schema.YTD_YOY]].values.tolist() == [["shenyang", "retail", 3301.8, 4.4]]


# ---------------------------------------------------------------- cell parsers
@pytest.mark.parametrize("text, year, expected", [
    ("2025-10", None, "2025-10"), ("2025/3", None, "2025-03"), ("2025年1-10月", None, "2025-10"),
    ("2025年1-2月", None, "2025-02"), ("2025年1月至10月", None, "2025-10"), ("2025年10月", None, "2025-10"),
    ("1-10月", 2025, "2025-10"), ("10月", 2025, "2025-10"), ("２０２５年１－１０月", None, "2025-10"),
    ("2025年前三季度", None, "2025-09"), ("2025年上半年", None, "2025-06"), ("前10个月", 2025, "2025-10"),
    ("Jan-Oct 2025", None, "2025-10"), ("2025-01..10 YTD", None, "2025-10"), ("202510", None, "2025-10"),
    ("2025年1-10月", 2025, "2025-10"),
])
def test_parse_period(text, year, expected):
    assert parse_period(text, year) == pd.Period(expected, "M")


@pytest.mark.parametrize("text, year, message", [
    ("2025年3-10月", None, "must start in January"), ("2025年1-13月", None, "outside 1-12"),
    ("1-10月", None, "has no year"), ("2025年1-10月", 2024, "year column says 2024"),
    ("Q3 2025", None, "cannot read period"), ("", None, "period is empty"), (2025.1, None, "as the number"),
])
def test_parse_period_errors(text, year, message):
    with pytest.raises(ValueError, match=message):
        parse_period(text, year)


@pytest.mark.parametrize("text, expected", [
    ("14,142.8", "14142.8"), ("１４，１４２．８", "14142.8"), ("6.7%", "6.7"), ("－1.2", "-1.2"),
    ("\u22121.2", "-1.2"), ("+3", "3"), (" 59 ", "59"), (1213.9, "1213.9"), (4331, "4331"),
])
def test_parse_number(text, expected):
    assert str(parse_number(text)) == expected


@pytest.mark.parametrize("text", ["", "—", "-", "…", "...", "/", "NA", None, float("nan")])
def test_missing_markers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["12,34", "1.2.3", "abc", "3x", "1,2345.6"])
def test_unreadable_numbers(text):
    with pytest.raises(ValueError, match="cannot read number"):
        parse_number(text)


# ---------------------------------------------------------------- paths and bundled data
def test_resolve_data_path_confines_to_the_data_dir(tmp_path):
    (tmp_path / "observations").mkdir()
    assert resolve_data_path("observations/x.csv", data_dir=tmp_path) == tmp_path.resolve() / "observations/x.csv"
    assert resolve_data_path(tmp_path / "targets.csv", data_dir=tmp_path) == tmp_path.resolve() / "targets.csv"
    for name in ("../secret.csv", "observations/../../x", "/etc/passwd", str(tmp_path.parent / "x.csv")):
        with pytest.raises(DataError, match="outside the data directory"):
            resolve_data_path(name, data_dir=tmp_path)
    (tmp_path / "link").symlink_to(tmp_path.parent)
    with pytest.raises(DataError, match="outside the data directory"):
        resolve_data_path("link/x.csv", data_dir=tmp_path)


def test_resolve_data_path_uses_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path))
    assert resolve_data_path("targets.csv") == tmp_path.resolve() / "targets.csv"
    monkeypatch.delenv("TROIKA_DATA_DIR")
    assert resolve_data_path("targets.csv") == DATA_DIR.resolve() / "targets.csv"


def test_load_bundled_reads_every_table(tmp_path, monkeypatch):
    obs_dir = tmp_path / "observations"
    obs_dir.mkdir()
    for f in GOOD.glob("bulletin_*.csv"):
        shutil.copy(f, obs_dir / f.name)
    (obs_dir / "~$lock.xlsx").write_bytes(b"lock file of an open workbook")   # ignored
    (obs_dir / "README.md").write_text("not a table")                        # ignored
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path))
    pd.testing.assert_frame_equal(figures(load_bundled()), figures(canonical()), check_dtype=False)
    shutil.copy(BAD / "long_utf8_unknown_region.csv", obs_dir)
    with pytest.raises(DataError, match="unknown region"):
        load_bundled(tmp_path)


def test_load_bundled_without_tables(tmp_path):
    with pytest.raises(DataError, match="no .csv, .xlsx or .xls file found"):
        load_bundled(tmp_path)


@pytest.mark.skipif(not (DATA_DIR / "observations").is_dir(), reason="bundled data not generated yet")
def test_repository_bundled_data_loads():
    obs = load_bundled(DATA_DIR)
    assert len(obs) > 0 and set(obs[schema.STATUS]) <= set(schema.STATUSES)


# ---------------------------------------------------------------- targets
def test_load_targets_english_and_chinese(tmp_path):
    en = write(tmp_path / "targets.csv", "region,indicator,year,value,kind,status,source\n"
               "liaoning,fai,2025,5,at_least,published,http://example.org/gwr\n"
               "dalian,retail,2025,6.5%,about,,\n")
    zh = write(tmp_path / "目标.csv", "地区,指标,年份,目标,类型,状态,来源\n辽宁省,固定资产投资,2025年,5,以上,公布,"
               "http://example.org/gwr\n大连市,社零,2025,6.5,左右,,\n", "gbk")
    inline = write(tmp_path / "t3.csv", "地区,指标,年份,目标,来源\n辽宁,固投,2025,5以上,http://example.org/gwr\n"
                   "大连,社零额,2025,6.5左右,\n")
    expected = pd.DataFrame({"region": ["liaoning", "dalian"], "indicator": ["fai", "retail"], "year": [2025, 2025],
                             "value": [5.0, 6.5], "kind": ["at_least", "about"], "status": ["published"] * 2,
                             "source": ["http://example.org/gwr", ""]}).astype({"region": object,
                             "indicator": object, "kind": object, "status": object, "source": object})
    for path in (en, zh, inline):
        pd.testing.assert_frame_equal(load_targets(path), expected)


def test_load_targets_default_path(tmp_path, monkeypatch):
    write(tmp_path / "targets.csv", "region,indicator,year,value,kind,status,source\n"
          "shenyang,trade,2026,4,about,analyst,王分析 2026-03: 市政府内部口径\n")
    monkeypatch.setenv("TROIKA_DATA_DIR", str(tmp_path))
    assert load_targets()[["region", "kind", "status"]].values.tolist() == [["shenyang", "about", "analyst"]]


def test_assumed_targets_are_refused_and_analyst_targets_need_a_source(tmp_path):
    f = write(tmp_path / "t.csv", "region,indicator,year,value,kind,status,source\n"
              "liaoning,fai,2026,8,about,assumed,carried from 2025\n"
              "shenyang,retail,2026,5,about,analyst,\n"
              "dalian,retail,2026,5,about,reference,\n")
    with pytest.raises(DataError) as err:
        load_targets(f)
    got = [(p.row, p.column) for p in err.value.problems]
    assert got == [(2, "status"), (3, "source"), (4, "source")]
    assert "assumed targets are no longer accepted" in err.value.problems[0].message
    assert "forecast targets set" in err.value.problems[0].message


def test_load_targets_lists_every_problem(tmp_path):
    f = write(tmp_path / "t.csv", "region,indicator,year,value,kind,status,source\n"
              "liaoning,fai,2025,5,at_least,published,\n"
              "atlantis,fai,2025,5,at_least,published,\n"
              "liaoning,gdp,2025,5,about,published,\n"
              "liaoning,retail,20x5,five,roughly,maybe,\n"
              "liaoning,fai,2025,6,about,published,\n")
    with pytest.raises(DataError) as err:
        load_targets(f)
    got = [(p.row, p.column) for p in err.value.problems]
    assert got == [(3, "region"), (4, "indicator"), (5, "year"), (5, "value"), (5, "kind"), (5, "status"),
                   (6, None)]
    assert "duplicate target" in err.value.problems[-1].message


@pytest.mark.skipif(not (DATA_DIR / "targets.csv").is_file(), reason="bundled targets not written yet")
def test_repository_targets_load():
    t = load_targets(DATA_DIR / "targets.csv")
    assert set(t["kind"]) <= {"about", "at_least"} and set(t["status"]) == {"published"}


# ---------------------------------------------------------------- the fixtures themselves
def test_fixtures_match_their_script(tmp_path):
    """make_fixtures.py is deterministic and the committed fixtures are exactly what it writes."""
    mf.main(tmp_path)
    for sub in ("good", "bad", "reference"):
        made = {p.name: p.read_bytes() for p in (tmp_path / sub).iterdir()}
        committed = {p.name: p.read_bytes() for p in (FIXTURES / sub).iterdir()}
        assert sorted(made) == sorted(committed), sub
        stale = [n for n in made if made[n] != committed[n]]
        assert not stale, f"run `python tests/fixtures/make_fixtures.py`: {stale} differ"


def test_encodings_of_the_fixtures_are_what_their_names_say():
    check_encodings_match_names(list(GOOD.glob("*.csv")) + list(BAD.glob("*.csv")))
    assert os.path.getsize(BAD / "empty.csv") == 0
