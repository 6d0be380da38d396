"""The Excel meeting pack: sheets, Chinese (or English) headers with units, figures equal to the stored run."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from batch_helpers import make_workspace, run_args
from openpyxl import load_workbook

from forecast.cli.main import main
from forecast.data.errors import DataError
from forecast.export.pack import (
    CARRIAGE_COLUMNS,
    SCENARIO_COLUMNS,
    carriage_columns,
    export_meeting_pack,
    scenario_columns,
)
from forecast.runs.results import load_latest_run


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    ws = make_workspace(tmp_path_factory.mktemp("export"))
    assert main(run_args(ws)) == 0
    path = ws["root"] / "会议材料.xlsx"
    scen = ["--scenarios", str(ws["scenarios"])]       # the scenarios saved now (the batch's folder here)
    assert main(["export", "--xlsx", str(path), "--db", str(ws["db"]), *scen]) == 0
    ws["en"] = ws["root"] / "meeting_pack_en.xlsx"
    assert main(["export", "--xlsx", str(ws["en"]), "--lang", "en", "--db", str(ws["db"]), *scen]) == 0
    return load_latest_run(ws["db"]), load_workbook(path), ws


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_sheets_one_per_carriage_and_per_scenario(pack: tuple) -> None:
    _, wb, _ = pack
    # a sheet per region with rows (Dalian has a target, no data); the province has a retail target: the sheet
    # of the cities' shares of its gap follows
    assert wb.sheetnames == ["说明", "固定资产投资", "社会消费品零售总额", "进出口总额", "辽宁", "沈阳", "大连",
                             "缺口分解-社零", "项目跟踪", "情景-沈阳促消费"]


def test_headers_are_chinese_with_units(pack: tuple) -> None:
    _, wb, _ = pack
    header = _rows(wb["社会消费品零售总额"])[0]
    assert list(header) == [c[0] for c in CARRIAGE_COLUMNS]
    assert "累计值(亿元)" in header and "累计增长(%)" in header and "差距(百分点)" in header
    assert "预计区间下限(%)" in header and "达标概率(%)" in header and "其余月份所需增长(%)" in header
    assert list(_rows(wb["情景-沈阳促消费"])[0]) == [c[0] for c in SCENARIO_COLUMNS]
    notes = dict(_rows(wb["说明"]))
    assert "亿元" in notes["单位"] and "百分点" in notes["单位"] and notes["数据截至"] == "2026年1-6月"


def test_carriage_rows_equal_the_stored_targets(pack: tuple) -> None:
    run, wb, _ = pack
    rows = _rows(wb["社会消费品零售总额"])
    head = rows[0]
    by_region = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert list(by_region) == ["辽宁", "沈阳", "大连"]  # province first, catalogue order
    sy = by_region["沈阳"]
    t = run.targets.set_index("region").loc["shenyang"]
    assert sy["最新时期"] == "2026年1-6月" and sy["目标类型"] == "以上" and sy["年度目标(%)"] == 5.5
    assert sy["预计全年增长(%)"] == pytest.approx(t["projected"])
    assert (sy["预计区间下限(%)"], sy["预计区间上限(%)"]) == pytest.approx((t["p10"], t["p90"]))
    assert sy["达标概率(%)"] == pytest.approx(100 * t["probability"])  # a share of paths, in %
    assert sy["其余月份所需增长(%)"] == pytest.approx(t["required_growth"])
    # gap = projected − target, percentage points
    assert sy["差距(百分点)"] == pytest.approx(sy["预计全年增长(%)"] - 5.5)
    assert sy["累计值(亿元)"] == pytest.approx(t["ytd_value"]) and sy["状态"] in ("有望完成", "存在风险", "难以完成")
    # dalian: a target but no data in this store; the row says so, figures blank
    dl = by_region["大连"]
    assert dl["年度目标(%)"] == 4 and dl["预计全年增长(%)"] is None and dl["状态"] == "无法测算"
    assert dl["备注"] == "无该序列数据"
    assert len(_rows(wb["固定资产投资"])) == 1  # no fai in this store: headers only


def test_scenario_sheet_is_baseline_beside_scenario(pack: tuple) -> None:
    run, wb, _ = pack
    rows = _rows(wb["情景-沈阳促消费"])
    head = rows[0]
    sy = next(dict(zip(head, r, strict=True)) for r in rows[1:] if r[0] == "沈阳")
    # change = scenario − baseline (points), probability change in points of %
    assert sy["变化(百分点)"] == pytest.approx(sy["情景预计全年增长(%)"] - sy["基准预计全年增长(%)"])
    assert sy["概率变化(百分点)"] == pytest.approx(sy["情景达标概率(%)"] - sy["基准达标概率(%)"])
    base = run.targets.set_index("region").loc["shenyang"]
    assert sy["基准预计全年增长(%)"] == pytest.approx(base["projected"])
    assert sy["变化(百分点)"] > 0  # +3 % on Aug–Dec retail raises the full year


def test_numbers_are_numbers_with_formats(pack: tuple) -> None:
    _, wb, _ = pack
    ws = wb["社会消费品零售总额"]
    cell = ws.cell(row=3, column=7)  # 沈阳, 预计全年增长(%)
    assert isinstance(cell.value, float) and cell.number_format == "0.0"
    assert ws.freeze_panes == "B2"


def test_export_of_unknown_run_exits_1_and_writes_nothing(pack: tuple, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    _, _, ws = pack
    out = tmp_path / "x.xlsx"
    assert main(["export", "--xlsx", str(out), "--run", "nope", "--db", str(ws["db"])]) == 1
    assert "nope" in capsys.readouterr().err and not out.exists()


def test_export_function_returns_the_path(pack: tuple, tmp_path: Path) -> None:
    run, _, _ = pack
    path = export_meeting_pack(run, tmp_path / "p.xlsx")
    wb = load_workbook(path)
    values = [c for r in wb["社会消费品零售总额"].iter_rows(min_row=2, values_only=True) for c in r
              if isinstance(c, float)]
    assert values and all(np.isfinite(values))
    assert not list(tmp_path.glob(".*.tmp"))  # written to a temp file, then renamed


# -- English ----------------------------------------------------------------------------------------------
#: Chinese characters, CJK punctuation (。，；“”) and full-width forms (（）：).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
EN_SHEETS = ["Notes", "Fixed-asset investment", "Retail sales of consumer goods", "Foreign trade", "Liaoning",
             "Shenyang", "Dalian", "Gap by city-retail", "Project tracking", "Scenario-shenyang_push"]


@pytest.fixture(scope="module")
def pack_en(pack: tuple):
    """The English workbook the CLI wrote with ``export --lang en`` (see :func:`pack`)."""
    return load_workbook(pack[2]["en"])


def test_cli_lang_en_writes_english_sheets_and_headers(pack_en) -> None:
    assert pack_en.sheetnames == EN_SHEETS
    header = _rows(pack_en["Retail sales of consumer goods"])[0]
    assert list(header) == [c[0] for c in carriage_columns("en")]
    assert header[:4] == ("Region", "Latest period", "YTD value (100 million yuan)", "YTD growth (%)")
    assert "Gap (percentage points)" in header and "Probability of meeting the target (%)" in header
    assert "Growth needed in the remaining months (%)" in header and "80% band low (%)" in header
    scn = _rows(pack_en["Scenario-shenyang_push"])[0]
    assert list(scn) == [c[0] for c in scenario_columns("en")]
    assert "Change (percentage points)" in scn and "Baseline projected full-year growth (%)" in scn
    notes = dict(_rows(pack_en["Notes"]))
    assert notes["Data up to"] == "Jan–Jun 2026"  # 2026年1-6月
    assert "100 million yuan" in notes["Units"] and "percentage points" in notes["Units"]
    # the scenario's own English name and description
    assert notes["Scenario: shenyang_push"] == "Shenyang retail 3% above the baseline for the rest of 2026."


def test_english_rows_use_english_region_names_periods_and_verdicts(pack_en) -> None:
    rows = _rows(pack_en["Retail sales of consumer goods"])
    by_region = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(by_region) == ["Liaoning", "Shenyang", "Dalian"]  # catalogue English names, same order
    sy, dl = by_region["Shenyang"], by_region["Dalian"]
    assert sy["Latest period"] == "Jan–Jun 2026" and sy["Target kind"] == "at least"  # 以上
    assert sy["Status"] in ("on track", "at risk", "off track")
    assert dl["Status"] == "cannot be assessed" and dl["Note"] == "no data for this series"  # 无法测算, 无该序列数据
    scn = _rows(pack_en["Scenario-shenyang_push"])
    assert {r[1] for r in scn[1:]} == {"Retail sales of consumer goods"}


def test_english_workbook_has_no_chinese_anywhere(pack_en) -> None:
    # region names are English only (no Chinese in brackets); the test scenario's texts are English
    texts = list(pack_en.sheetnames)
    for sheet in pack_en.worksheets:
        texts += [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert len(texts) > 50
    assert [x for x in texts if CJK.search(x)] == []


def test_english_numbers_equal_chinese_cell_for_cell(pack: tuple, pack_en) -> None:
    _, zh, _ = pack
    assert len(zh.sheetnames) == len(pack_en.sheetnames)
    n = 0
    for a, b in zip(zh.worksheets, pack_en.worksheets, strict=True):
        assert (a.max_row, a.max_column) == (b.max_row, b.max_column), (a.title, b.title)
        for ra, rb in zip(a.iter_rows(), b.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                if isinstance(ca.value, int | float):
                    assert cb.value == ca.value and cb.number_format == ca.number_format, (a.title, ca.coordinate)
                    n += 1
                else:  # text stays text, blank stays blank
                    assert type(cb.value) is type(ca.value), (a.title, ca.coordinate, ca.value, cb.value)
    assert n > 20  # the retail and scenario sheets hold numbers


def test_bad_lang_raises_data_error_and_writes_nothing(pack: tuple, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    run, _, ws = pack
    out = tmp_path / "fr.xlsx"
    with pytest.raises(DataError, match="'zh', 'en'") as e:
        export_meeting_pack(run, out, lang="fr")
    assert "'fr'" in str(e.value) and not out.exists()
    # the CLI refuses it before loading the run (an argparse usage error: exit 2)
    assert main(["export", "--xlsx", str(out), "--lang", "fr", "--db", str(ws["db"])]) == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err and not out.exists()


def test_app_meeting_pack_follows_the_language(pack: tuple) -> None:
    import io

    from forecast.app.storage import meeting_pack

    run, zh, _ = pack
    assert load_workbook(io.BytesIO(meeting_pack(run))).sheetnames == zh.sheetnames
    assert load_workbook(io.BytesIO(meeting_pack(run, "en"))).sheetnames == EN_SHEETS


def test_base_note_for_the_pack_names_the_months_and_shares() -> None:
    from forecast.data.files import load_bundled
    from forecast.data.panel import build_panel
    from forecast.decisions.position import base_effect
    from forecast.export.pack import base_note

    panel = build_panel(load_bundled(), periods_per_year=11)
    effect = base_effect(panel[(panel["region"] == "liaoning") & (panel["indicator"] == "fai")], 2026)
    share, usual = f"{effect.share:.1f}%", f"{effect.usual:.1f}%"
    assert base_note(panel, "liaoning", "fai", 2026) == (
        f"剩余期基数偏低：2025年11月–12月占当年全年的{share}，此前3年同期平均为{usual}")
    assert base_note(panel, "liaoning", "fai", 2026, "en") == (
        f"low base for the rest of the year: Nov–Dec 2025 made up {share} of that year, {usual} on average "
        "in the 3 years before")
    assert base_note(panel, "liaoning", "retail", 2026) == ""      # an ordinary base
    assert base_note(panel, "nowhere", "fai", 2026) == ""          # no such series


# ---------------------------------------------------------------------- safe output: text stays text
def _hostile_run(run, names: dict[str, dict]):
    """``run`` with its one saved scenario repeated under other names and specs (as a run stored before
    names were validated could hold): name → spec fields to put in place of the stored ones."""
    from dataclasses import replace

    (base_name, table), = run.scenarios.items()
    tables, specs = {}, {}
    for name, fields in names.items():
        t = table.copy()
        t.loc[t["scenario"] == base_name, "scenario"] = name
        tables[name] = t
        specs[name] = {**run.scenario_specs[base_name], "name": name, **fields}
    return replace(run, scenarios=tables, scenario_specs=specs)


def _formula_cells(path: Path) -> list[str]:
    """Every worksheet cell of an .xlsx stored as a formula (``<f>`` element), read from the XML itself."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]


FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1:A2)", "\t=1+2", "\r=1+2", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_description_like_a_formula_is_text_shown_as_typed(pack: tuple, tmp_path: Path, lang: str) -> None:
    run, _, _ = pack
    hostile = _hostile_run(run, {f"s{i}": {"description": text, "description_zh": text, "name_zh": f"情景{i}"}
                                 for i, text in enumerate(FORMULAS)})
    hostile = dataclasses.replace(hostile, scenario_errors={"=2*3": "-cmd|' /C calc'!A0"})
    path = export_meeting_pack(hostile, tmp_path / "pack.xlsx", lang=lang)
    assert _formula_cells(path) == []  # not one formula anywhere in the workbook
    wb = load_workbook(path)
    cells = {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert all(c.data_type != "f" for c in cells.values())
    for text in FORMULAS:
        # the value is unchanged (without lxml, openpyxl's XML reader turns a CR into a line feed) ...
        cell = cells[text] if text in cells else cells[text.replace("\r", "\n")]
        assert (cell.data_type, cell.quotePrefix) == ("s", True), text  # ... and stored as text, quote-prefixed
    assert [v for v in cells if "-cmd|' /C calc'!A0" in v]  # the failed scenario's message, as text


def test_control_characters_are_removed_and_every_export_still_works(pack: tuple, tmp_path: Path) -> None:
    run, _, _ = pack
    hostile = _hostile_run(run, {"促消费\x07活动": {"name_zh": "促消费\x07活动", "description": "a\x00b\x1bc",
                                                 "description_zh": "第一行\n第二行\x0b完"}})
    for lang in ("zh", "en"):  # was: IllegalCharacterError, for every user, in either language
        path = export_meeting_pack(hostile, tmp_path / f"pack_{lang}.xlsx", lang=lang)
        wb = load_workbook(path)
        texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not [t for t in texts if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", t)]
        assert ("abc" if lang == "en" else "第一行\n第二行完") in texts  # the rest of the text is kept
        assert any("促消费活动" in name for name in wb.sheetnames)


def test_sheet_names_are_valid_and_unique(pack: tuple, tmp_path: Path) -> None:
    run, _, _ = pack
    long = "一个很长很长很长的情景名称" * 3
    names = {f"s{i}": {"name_zh": n, "name": n} for i, n in enumerate(
        [long + "甲", long + "乙", "a/b:c*d?e[f]g\\h", "A/B:C*D?E[F]G\\H", "'引号'", "History", "说明"])}
    for lang in ("zh", "en"):
        wb = load_workbook(export_meeting_pack(_hostile_run(run, names), tmp_path / f"p_{lang}.xlsx", lang=lang))
        sheets = wb.sheetnames
        assert len(sheets) == 9 + len(names)  # notes, 3 carriages, 3 regions, the gap and project sheets, scenarios
        assert all(0 < len(s) <= 31 and not set(s) & set("[]:*?/\\") for s in sheets), sheets
        assert len({s.casefold() for s in sheets}) == len(sheets), sheets  # unique, as Excel compares them
        assert not any(s.startswith("'") or s.endswith("'") for s in sheets), sheets
        assert "history" not in {s.casefold() for s in sheets}


def test_a_control_character_in_a_scenario_name_is_refused_naming_the_field(tmp_path: Path) -> None:
    from forecast.decisions.scenario_files import Scenario, save_scenario, scenario_from_dict

    for field in ("name", "name_zh"):
        data = {"name": "push", "adjustments": [], field: "促消费\x07活动"}
        with pytest.raises(DataError) as err:
            scenario_from_dict(data, "push.yaml")
        (problem,) = err.value.problems
        assert problem.column == field and "U+0007 at character 4" in problem.message
    with pytest.raises(DataError, match="name: contains a control character"):
        save_scenario(Scenario("a\tb", ()), tmp_path / "ab.yaml")  # what the app's save calls
    assert not (tmp_path / "ab.yaml").exists()
    # free text may hold them (the pack removes them); names may hold any other character
    assert scenario_from_dict({"name": "促消费 (2026)", "description": "x\x07", "adjustments": []}).description == "x\x07"


def test_a_scenario_saved_after_the_batch_is_in_the_pack_from_the_cli_and_the_app(pack, tmp_path) -> None:
    """The pack holds every scenario saved at export time, computed from the run's stored paths."""
    import io

    from forecast.app.saved_scenarios import with_saved_scenarios_now
    from forecast.app.storage import meeting_pack
    from forecast.decisions.scenarios import compare_scenarios, load_scenario

    run, _, ws = pack
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "later.yaml").write_text(
        "name: later_push\nname_zh: 后来保存的情景\ndescription: saved after the batch\n"
        "adjustments:\n  - kind: pp\n    indicator: retail\n    regions: [shenyang]\n    months: 2026-07..2026-12\n"
        "    value: 1.0\n", encoding="utf-8")
    assert "later_push" not in run.scenarios                      # the batch never saw it
    out = tmp_path / "p.xlsx"
    assert main(["export", "--xlsx", str(out), "--db", str(ws["db"]), "--scenarios", str(folder)]) == 0
    wb = load_workbook(out)
    assert "情景-后来保存的情景" in wb.sheetnames and "情景-沈阳促消费" not in wb.sheetnames
    # the sheet's figures are compare_scenarios on the stored paths, computed now
    expected = compare_scenarios(run.panel, run.scenario_inputs(), run.target_table,
                                 [load_scenario(folder / "later.yaml")])
    row = expected[(expected["scenario"] == "later_push") & (expected["region"] == "shenyang")].iloc[0]
    sheet = pd.DataFrame(_rows(wb["情景-后来保存的情景"])[1:], columns=_rows(wb["情景-后来保存的情景"])[0])
    shown = sheet[sheet.iloc[:, 0] == "沈阳"].iloc[0]
    assert row["projected"] == pytest.approx(float(shown["情景预计全年增长(%)"]), abs=1e-9)
    app_pack = load_workbook(io.BytesIO(meeting_pack(with_saved_scenarios_now(run, folder))))
    assert app_pack.sheetnames == wb.sheetnames


# ---------------------------------------------------------------------- the pack an analyst would have made
def _cf_fills(ws) -> dict[str, tuple[str, str]]:
    """Status label of each conditional format rule of ``ws`` → (its cell ranges, its fill colour)."""
    out = {}
    for rng, rules in ws.conditional_formatting._cf_rules.items():
        for rule in rules:
            (formula,) = rule.formula
            label = re.fullmatch(r'\$[A-Z]+2="(.*)"', formula).group(1)
            out[label] = (str(rng.sqref), rule.dxf.fill.fgColor.rgb[-6:])
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_standing_sheets_have_status_colours_and_native_charts(pack: tuple, lang: str) -> None:
    from forecast.present.i18n import STATUS_COLOURS, status_label, t

    wb = load_workbook(pack[2]["root"] / ("会议材料.xlsx" if lang == "zh" else "meeting_pack_en.xlsx"))
    carriage, region = wb.worksheets[2], wb.worksheets[5]            # retail; Shenyang
    assert carriage.title == ("社会消费品零售总额" if lang == "zh" else "Retail sales of consumer goods")
    assert region.title == ("沈阳" if lang == "zh" else "Shenyang")
    for ws in (carriage, region):
        fills = _cf_fills(ws)
        # every verdict has its traffic light; no target and reference targets a neutral colour
        assert fills[status_label("on_track", lang)][1] == STATUS_COLOURS["on_track"][1:].upper()
        assert fills[status_label("off_track", lang)][1] == STATUS_COLOURS["off_track"][1:].upper()
        assert fills[t("pack_status_unknown", lang)][1] == STATUS_COLOURS["unknown"][1:].upper()
        neutral = fills[status_label("no target", lang)][1]
        assert neutral == STATUS_COLOURS["no target"][1:].upper() and neutral not in {
            fills[status_label(s, lang)][1] for s in ("on_track", "at_risk", "off_track")}
        head = [c.value for c in ws[1]]
        status_col = chr(ord("A") + head.index(t("pack_col_status", lang)))
        n = ws.max_row
        covered = f"{status_col}2:{status_col}{n}" if n > 2 else f"{status_col}2"   # one row: a single cell
        assert covered in fills[status_label("on_track", lang)][0].split()
        # each row's status cell holds one of the labels the rules colour
        assert {ws[f"{status_col}{r}"].value for r in range(2, n + 1)} <= set(fills)
        # two native charts, drawn from the table's own cells (no extra cells: read_excel reads the table)
        kinds = sorted(type(c).__name__ for c in ws._charts)
        assert kinds == ["BarChart", "LineChart"], ws.title
        bar = next(c for c in ws._charts if type(c).__name__ == "BarChart")
        prob_col = chr(ord("A") + head.index(t("pack_col_probability", lang)))
        cells = f"${prob_col}$2:${prob_col}${n}" if n > 2 else f"${prob_col}$2"
        assert bar.series[0].val.numRef.f.endswith(f"!{cells}")
        line = next(c for c in ws._charts if type(c).__name__ == "LineChart")
        titles = {ws[s.tx.strRef.f.split("!")[1]].value for s in line.series}
        assert titles == {t(k, lang) for k in ("pack_col_projected", "pack_col_p10", "pack_col_p90", "pack_col_target")}
        assert ws.freeze_panes == "B2"
    assert not wb["大连" if lang == "zh" else "Dalian"]._charts  # no figures to draw: no empty chart


def test_region_sheets_hold_the_carriage_rows_of_their_region(pack: tuple) -> None:
    run, wb, _ = pack
    head, *body = _rows(wb["社会消费品零售总额"])
    retail = {r[0]: dict(zip(head[1:], r[1:], strict=True)) for r in body}
    for name in ("辽宁", "沈阳", "大连"):
        rows = _rows(wb[name])
        assert rows[0][0] == "指标" and "地区" not in rows[0]
        sheet = {r[0]: dict(zip(rows[0][1:], r[1:], strict=True)) for r in rows[1:]}
        assert sheet["社会消费品零售总额"] == retail[name]        # the same cells, blanks included
    sy = run.targets.set_index("region").loc["shenyang"]
    shown = dict(zip(_rows(wb["沈阳"])[0], _rows(wb["沈阳"])[1], strict=True))
    assert shown["达标概率(%)"] == pytest.approx(100 * sy["probability"])


def test_every_number_header_has_a_unit_and_periods_read_as_people_write_them(pack: tuple, pack_en) -> None:
    from forecast.present.i18n import fmt_period

    _, wb, _ = pack
    n_checked = 0
    for book in (wb, pack_en):
        for ws in book.worksheets[1:]:
            head = [c.value for c in ws[1]]
            for j, h in enumerate(head, start=1):
                numbers = [ws.cell(r, j).value for r in range(2, ws.max_row + 1)
                           if isinstance(ws.cell(r, j).value, int | float)]
                if numbers:
                    unit = r"\([^()]*(%|亿元|百分点|\bpp\b|percentage points|100 (million|mn) yuan|个)[^()]*\)"
                    assert re.search(unit, h) or h == "Projects", (ws.title, h)   # a count (项目数(个))
                    n_checked += 1
    assert n_checked > 60
    period = _rows(wb["沈阳"])[1][1]
    assert period == fmt_period(pd.Period("2026-06", "M")) == "2026年1-6月"


def test_no_text_cell_of_the_pack_is_a_live_formula(pack: tuple) -> None:
    _, _, ws = pack
    for name in ("会议材料.xlsx", "meeting_pack_en.xlsx"):
        assert _formula_cells(ws["root"] / name) == []
        wb = load_workbook(ws["root"] / name)
        assert all(c.data_type != "f" for sh in wb.worksheets for row in sh.iter_rows() for c in row)
        assert len(set(s.casefold() for s in wb.sheetnames)) == len(wb.sheetnames)
        assert all(len(s) <= 31 for s in wb.sheetnames)


def test_changes_sheet_writes_months_as_people_do() -> None:
    from forecast.export.changes_sheet import month_list
    from forecast.present.i18n import fmt_period

    assert month_list("2026-02,2026-07") == "2026年1-2月、2026年7月"
    assert month_list("2026-02,2026-07", "en") == f"{fmt_period(pd.Period('2026-02', 'M'), 'en')}, Jul 2026"
    assert month_list("2026-02", "en").startswith("Jan") and month_list("2026-02", "en").endswith("Feb 2026")
