"""The national statistics database export (国家数据, 分省月度数据), old .xls workbooks, regions outside Liaoning.

Fixtures are real files under tests/fixtures/national/, written by tests/fixtures/make_national_fixtures.py
(csv/openpyxl/xlwt only, never forecast.data); test_fixtures_match_their_script keeps them in sync. The expected
observations below are written out by hand from the fixture's rows (the LIAONING table of the script), never
taken from the reader's output.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from common import check_encodings_match_names

from forecast.data import schema
from forecast.data.catalog import CITIES, REGIONS
from forecast.data.errors import DataError
from forecast.data.files import read_files, read_table, read_tables
from forecast.data.national_export import export_name
from forecast.data.notes import Note, notes_of
from forecast.data.regions import REGIONS_FILE, national_region, national_regions, outside_catalogue
from forecast.runs.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
NATIONAL = FIXTURES / "national"
GOOD, BAD = NATIONAL / "good", NATIONAL / "bad"
_spec = importlib.util.spec_from_file_location("make_national_fixtures", FIXTURES / "make_national_fixtures.py")
mnf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mnf)

FORMATS = ("_utf8.csv", "_bom.csv", "_gbk.csv", ".xlsx", ".xls")
NAN = float("nan")
# From the fixture, by hand: 累计值 and 累计增长 of retail, 累计增长 of fai (no level); the 2月 column is the
# Jan–Feb period 2025-02, the 1月 column is blank (no January row); 当期值/同比增长 rows and 规模以上工业增加值
# are left aside.
LIAONING_EXPECTED = [
    ("liaoning", "fai", "2024-11", NAN, -8.4), ("liaoning", "fai", "2024-12", NAN, -8.6),
    ("liaoning", "fai", "2025-02", NAN, 3.2), ("liaoning", "fai", "2025-03", NAN, 7.8),
    ("liaoning", "fai", "2025-04", NAN, 5.1),
    ("liaoning", "retail", "2024-11", 9120.4, 3.6), ("liaoning", "retail", "2024-12", 10042.7, 3.7),
    ("liaoning", "retail", "2025-02", 1520.3, 4.1), ("liaoning", "retail", "2025-03", 2350.6, 4.6),
    ("liaoning", "retail", "2025-04", 3088.9, 4.3),
]
# 指标：社会消费品零售总额_累计值(亿元) × 31 provinces: only 辽宁省's row is kept, levels only
PROVINCES_EXPECTED = [
    ("liaoning", "retail", "2024-11", 9120.4, NAN), ("liaoning", "retail", "2024-12", 10042.7, NAN),
    ("liaoning", "retail", "2025-02", 1520.3, NAN), ("liaoning", "retail", "2025-03", 2350.6, NAN),
    ("liaoning", "retail", "2025-04", 3088.9, NAN),
]
OTHER_PROVINCES = ("北京市, 天津市, 河北省, 山西省, 内蒙古自治区, 吉林省, 黑龙江省, 上海市, 江苏省, 浙江省, 安徽省, 福建省, "
                   "江西省, 山东省, 河南省, 湖北省, 湖南省, 广东省, 广西壮族自治区, 海南省, 重庆市, 四川省, 贵州省, 云南省, "
                   "西藏自治区, 陕西省, 甘肃省, 青海省, 宁夏回族自治区, 新疆维吾尔自治区")
CASES = [(f"export_liaoning{f}", LIAONING_EXPECTED) for f in FORMATS] + \
        [(f"export_provinces{f}", PROVINCES_EXPECTED) for f in FORMATS]
KEY = [schema.REGION, schema.INDICATOR, schema.PERIOD]


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame([(r, i, pd.Period(p, "M"), v, g) for r, i, p, v, g in rows],
                        columns=[*KEY, schema.YTD_VALUE, schema.YTD_YOY])


def figures(obs: pd.DataFrame) -> pd.DataFrame:
    return obs[[*KEY, schema.YTD_VALUE, schema.YTD_YOY]].sort_values(KEY, key=lambda s: s.astype(str)).reset_index(drop=True)


def manifest() -> list[dict]:
    with (BAD / "EXPECTED.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def export_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    mnf.write_csv(path, rows, encoding)
    return path


# ---------------------------------------------------------------- good downloads
@pytest.mark.parametrize("name, expected", CASES, ids=[c[0] for c in CASES])
def test_export_gives_exactly_the_expected_observations(name, expected):
    obs = read_table(GOOD / name)
    pd.testing.assert_frame_equal(figures(obs), figures(frame(expected)), check_dtype=False)
    assert obs.columns.tolist() == schema.OBSERVATION_COLUMNS
    assert not (obs[schema.PERIOD].dt.month == 1).any()   # the blank 1月 column gives no January row
    assert set(obs[schema.SOURCE]) == {"国家统计局"} and set(obs[schema.STATUS]) == {"published"} and set(obs[schema.VINTAGE]) == {""}


def test_every_national_fixture_is_tested():
    assert sorted(p.name for p in GOOD.iterdir()) == sorted(name for name, _ in CASES)


def test_all_provinces_keeps_liaoning_and_names_the_30_others_in_one_note():
    path = GOOD / "export_provinces_gbk.csv"
    obs = read_table(path)
    assert set(obs[schema.REGION]) == {"liaoning"}
    assert notes_of(obs) == [Note(str(path), f"skipped 30 regions outside Liaoning: {OTHER_PROVINCES}")]


def test_rows_left_aside_are_named_in_notes():
    obs = read_table(GOOD / "export_liaoning.xlsx")
    assert [n.message for n in notes_of(obs)] == [
        "left aside 2 row(s) of monthly figures (troika reads year-to-date 累计值 and 累计增长): "
        "社会消费品零售总额_当期值(亿元), 社会消费品零售总额_同比增长(%)",
        "left aside 1 row(s) of indicators troika does not model: 规模以上工业增加值_累计增长(%)"]


def test_notes_travel_with_each_file_and_with_a_combined_read(tmp_path):
    a, b = GOOD / "export_liaoning_utf8.csv", GOOD / "export_provinces.xls"
    (obs_a, lines_a), (obs_b, _) = read_files([a, b])
    assert {n.file for n in notes_of(obs_a)} == {str(a)} and {n.file for n in notes_of(obs_b)} == {str(b)}
    assert lines_a[:2] == [9, 9]   # fai's figures come from line 9 (the frame is sorted: fai before retail)
    exports = export_csv(tmp_path / "exports.csv", mnf.by_indicator("出口总额_累计值(亿元)", [
        ["北京市", "1.0", "", "", "", "", ""], ["辽宁省", "1190.2", "", "", "", "", ""]]))
    both = read_tables([a, exports])
    assert len(both) == 11 and [n.file for n in notes_of(both)] == [str(a), str(a), str(exports)]
    assert notes_of(read_table(FIXTURES / "good" / "long_utf8.csv")) == []   # no note: nothing in attrs


def test_the_layout_is_recognised_by_content_not_by_file_name(tmp_path):
    renamed = tmp_path / "下载数据.txt"
    shutil.copy(GOOD / "export_liaoning_gbk.csv", renamed)
    pd.testing.assert_frame_equal(figures(read_table(renamed)), figures(frame(LIAONING_EXPECTED)), check_dtype=False)
    xlsx_as_xls = tmp_path / "download.xls"   # a modern workbook saved under the old extension
    shutil.copy(GOOD / "export_provinces.xlsx", xlsx_as_xls)
    pd.testing.assert_frame_equal(figures(read_table(xlsx_as_xls)), figures(frame(PROVINCES_EXPECTED)),
                                  check_dtype=False)


def test_names_without_underscore_and_in_wan_yuan(tmp_path):
    # 30889000 万元 = 3088.9 亿元, 23506000 万元 = 2350.6 亿元, 15203000 万元 = 1520.3 亿元 (÷ 10,000)
    rows = [["辽宁省", "30889000", "23506000", "15203000", "", "", ""], ["吉林省", "9000", "8000", "7000", "", "", ""]]
    f = export_csv(tmp_path / "w.csv", mnf.by_indicator("社会消费品零售总额累计值(万元)", rows))
    obs = read_table(f)
    assert figures(obs)[[schema.PERIOD, schema.YTD_VALUE]].astype(str).values.tolist() == [
        ["2025-02", "1520.3"], ["2025-03", "2350.6"], ["2025-04", "3088.9"]]
    assert [n.message for n in notes_of(obs)] == ["skipped 1 region outside Liaoning: 吉林省"]


def test_export_name_parts():
    assert export_name("社会消费品零售总额累计增长(%)") == ("retail", "yoy", "%")
    assert export_name("社会消费品零售总额_累计值(万元)") == ("retail", "value", "万元")
    assert export_name("进出口总额_累计值(亿美元)") == ("trade", "value", "亿美元")
    assert export_name("社会消费品零售总额_同比增长(%)")[1] == "monthly"   # single-month growth: not YTD
    assert export_name("规模以上工业增加值_累计增长(%)")[0] is None
    assert export_name("社会消费品零售总额(亿元)")[1] == ""


def test_metadata_and_footer_merged_across_the_sheet(tmp_path):
    rows = mnf.cells(mnf.by_indicator())
    merges = [f"A{i}:G{i}" for i, r in enumerate(rows, 1) if r[1] is None and r[0] is not None]   # 3 + 2 lines
    assert len(merges) == 5
    mnf.write_xlsx(tmp_path / "merged.xlsx", [("Sheet1", rows, merges)])
    obs = read_table(tmp_path / "merged.xlsx")
    pd.testing.assert_frame_equal(figures(obs), figures(frame(PROVINCES_EXPECTED)), check_dtype=False)
    assert set(obs[schema.SOURCE]) == {"国家统计局"}


def test_merged_cells_of_an_xls_workbook(tmp_path):
    xlwt = pytest.importorskip("xlwt")   # only to write the workbook; troika reads .xls with python-calamine
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    for i, row in enumerate(mnf.cells(mnf.by_indicator())):
        if row[1] is None and row[0] is not None:
            ws.write_merge(i, i, 0, 6, row[0])   # a metadata or footer line across the table's width
        else:
            for j, v in enumerate(row):
                if v is not None:
                    ws.write(i, j, v)
    wb.save(str(tmp_path / "merged.xls"))
    obs = read_table(tmp_path / "merged.xls")
    pd.testing.assert_frame_equal(figures(obs), figures(frame(PROVINCES_EXPECTED)), check_dtype=False)
    assert set(obs[schema.SOURCE]) == {"国家统计局"}


# ---------------------------------------------------------------- refused downloads
@pytest.mark.parametrize("case", manifest(), ids=lambda c: c["file"])
def test_bad_export_is_refused_with_row_and_column(case):
    with pytest.raises(DataError) as err:
        read_table(BAD / case["file"])
    problems = err.value.problems
    hits = [p for p in problems if p.row == int(case["row"]) and p.column == case["column"]
            and case["message"] in p.message]
    assert hits, f"expected row {case['row']}, column {case['column']!r}, {case['message']!r}; got:\n{err.value}"
    assert len(problems) == int(case["problems"]), str(err.value)


def test_manifest_covers_every_bad_export():
    assert {c["file"] for c in manifest()} == {p.name for p in BAD.iterdir()} - {"EXPECTED.csv"}


@pytest.mark.parametrize("unit", ["千美元", "万美元", "亿美元"])
def test_every_dollar_unit_is_refused_by_name_in_both_orientations(tmp_path, unit):
    rows = [["进出口总额_累计值(" + unit + ")", "4152.0", "3187.0", "2016.0", "", "", ""]]
    by_region = export_csv(tmp_path / "a.csv", mnf.by_region(rows=rows))
    by_indicator = export_csv(tmp_path / "b.csv", mnf.by_indicator(f"出口总额_累计值({unit})",
                                                                   [["辽宁省", "1.0", "", "", "", "", ""]]), "gbk")
    for path, row in ((by_region, 5), (by_indicator, 2)):
        with pytest.raises(DataError) as err:
            read_table(path)
        [p] = err.value.problems
        assert (p.row, p.column) == (row, "指标")
        assert f"({unit})" in p.message and "keeps trade in 亿元" in p.message and "customs release in yuan" in p.message


def test_a_word_in_a_number_cell_of_an_excel_download(tmp_path):
    rows = mnf.cells(mnf.by_region(rows=mnf.edit(mnf.LIAONING, 4, 1, "五点一")))
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(tmp_path / "w.xlsx")
    with pytest.raises(DataError) as err:
        read_table(tmp_path / "w.xlsx")
    assert [(p.row, p.column) for p in err.value.problems] == [(9, "2025年4月")]


def test_a_row_without_an_indicator_name_is_refused(tmp_path):
    f = export_csv(tmp_path / "b.csv", mnf.by_region(rows=mnf.edit(mnf.LIAONING, 4, 0, "")))
    with pytest.raises(DataError) as err:
        read_table(f)
    assert [(p.row, p.column) for p in err.value.problems] == [(9, "指标")]


def test_an_xls_that_is_not_a_workbook_is_refused(tmp_path):
    html = tmp_path / "download.xls"
    html.write_text("<html><table><tr><td>指标</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(DataError, match="not a readable old .xls workbook: the file is text"):
        read_table(html)
    corrupt = tmp_path / "corrupt.xls"
    corrupt.write_bytes((GOOD / "export_liaoning.xls").read_bytes()[:1000])   # cut off mid-download
    with pytest.raises(DataError, match="not a readable old .xls workbook"):
        read_table(corrupt)


# ---------------------------------------------------------------- the store
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name, expected", CASES, ids=[c[0] for c in CASES])
def test_every_export_ingests_into_the_store(name, expected, tmp_path):
    store = Store(tmp_path / "t.db")
    report = store.ingest([GOOD / name])
    assert report.rows_added == len(expected)
    stored = store.observations(latest_vintage=False)
    pd.testing.assert_frame_equal(figures(stored), figures(frame(expected)), check_dtype=False)
    assert set(stored[schema.REGION]) == {"liaoning"}


@pytest.mark.parametrize("bad", sorted(p for p in BAD.iterdir() if p.name != "EXPECTED.csv"), ids=lambda p: p.name)
def test_a_refused_export_changes_nothing_stored(bad, tmp_path):
    store = Store(tmp_path / "t.db")
    store.ingest([GOOD / "export_liaoning_utf8.csv"])
    store.checkpoint()
    before, dump = sha256(store.path), store.dump()
    with pytest.raises(DataError) as err:
        store.ingest([bad, GOOD / "export_provinces.xls"])
    assert err.value.problems
    store.checkpoint()
    assert sha256(store.path) == before and store.dump() == dump


# ---------------------------------------------------------------- regions outside the catalogue
def test_the_national_list_is_complete_and_consistent():
    regions = national_regions()
    assert REGIONS_FILE.is_file() and len(regions) == 34 + 333
    provinces = {c: r for c, r in regions.items() if r.level == "province"}
    assert len(provinces) == 34 and sum(c < "700000" for c in provinces) == 31   # + 台湾, 香港, 澳门
    for code, r in regions.items():
        assert len(code) == 6 and code.isdigit() and r.level in ("province", "prefecture")
        if r.level == "prefecture":
            assert r.parent in provinces and code[:2] == r.parent[:2] and code.endswith("00")
    liaoning = [r for r in regions.values() if r.parent == "210000"]
    assert len(liaoning) == 14
    # the catalogue's cities are the list's Liaoning cities, code for code and name for name
    assert {(REGIONS[c].admin_code, REGIONS[c].zh + "市") for c in CITIES} == {(r.code, r.name) for r in liaoning}
    assert regions["210000"].name == "辽宁省" and REGIONS["liaoning"].admin_code == "210000"


@pytest.mark.parametrize("name, outside", [
    ("北京市", True), ("北京", True), ("110000", True), ("广西壮族自治区", True), ("石家庄市", True), ("延边", True),
    ("沈阳市", False), ("辽宁省", False), ("210200", False), ("沈杨市", False), ("大莲市", False), ("", False),
])
def test_outside_catalogue(name, outside):
    assert outside_catalogue(name) is outside


def test_national_region_lookup():
    assert national_region("吉林").code == "220000"   # the province before 吉林市
    assert national_region("吉林市").code == "220200"
    assert national_region("Atlantis") is None


def test_a_known_region_outside_the_catalogue_is_skipped_in_every_layout(tmp_path):
    f = tmp_path / "long.csv"
    f.write_text("地区,指标,时期,累计值,累计增长\n辽宁,社零,2025年1-3月,2350.6,4.6\n长春市,社零,2025年1-3月,700.1,5.0\n"
                 "吉林省,社零,2025年1-3月,1100.4,3.9\n长春市,社零,2025年1-2月,500.2,4.8\n", encoding="utf-8")
    obs = read_table(f)
    assert obs[[schema.REGION, schema.YTD_VALUE]].values.tolist() == [["liaoning", 2350.6]]
    assert [n.message for n in notes_of(obs)] == ["skipped 2 regions outside Liaoning: 长春市, 吉林省"]


def test_a_file_of_another_province_only_stores_nothing_and_says_why(tmp_path):
    f = export_csv(tmp_path / "jilin.csv", mnf.by_region(region="吉林省"))
    obs = read_table(f)
    assert obs.empty and "skipped 1 region outside Liaoning: 吉林省" in [n.message for n in notes_of(obs)]


# ---------------------------------------------------------------- the fixtures themselves
def test_fixtures_match_their_script(tmp_path):
    """make_national_fixtures.py is deterministic and the committed files are what it writes (.xls: needs xlwt)."""
    has_xlwt = importlib.util.find_spec("xlwt") is not None
    mnf.main(tmp_path, xls=has_xlwt)
    for sub in ("good", "bad"):
        made = {p.name: p.read_bytes() for p in (tmp_path / sub).iterdir()}
        committed = {p.name: p.read_bytes() for p in (NATIONAL / sub).iterdir()
                     if has_xlwt or p.suffix != ".xls"}
        assert sorted(made) == sorted(committed), sub
        stale = [n for n in made if made[n] != committed[n]]
        assert not stale, f"run `python tests/fixtures/make_national_fixtures.py`: {stale} differ"


def test_encodings_of_the_fixtures_are_what_their_names_say():
    check_encodings_match_names(NATIONAL.glob("*/*.csv"))
    for path in NATIONAL.glob("*/*.xls"):
        assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0"), path.name   # a real BIFF (OLE) workbook


@pytest.mark.parametrize("name", ["export_provinces.xls", "export_provinces_utf8.csv"])
def test_forecast_ingest_stores_liaoning_and_prints_the_note(name, tmp_path, capsys):
    from forecast.cli.main import main

    db = tmp_path / "troika.db"
    assert main(["ingest", "--db", str(db), str(GOOD / name)]) == 0
    out = capsys.readouterr().out
    assert f"{GOOD / name}: note: skipped 30 regions outside Liaoning: {OTHER_PROVINCES}" in out
    report = Store(db).ingest([GOOD / name])          # the same file again: nothing new, nothing read
    assert report.files[0].skipped and report.files[0].notes == ()
    assert set(Store(db).observations()[schema.REGION]) == {"liaoning"}
