"""The Excel meeting pack: sheets, Chinese headers with units, figures equal to the stored run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from batch_helpers import make_workspace, run_args
from openpyxl import load_workbook

from forecast.cli import main
from forecast.export import CARRIAGE_COLUMNS, SCENARIO_COLUMNS, export_meeting_pack
from forecast.results import load_latest_run


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    ws = make_workspace(tmp_path_factory.mktemp("export"))
    assert main(run_args(ws)) == 0
    path = ws["root"] / "会议材料.xlsx"
    assert main(["export", "--xlsx", str(path), "--db", str(ws["db"])]) == 0
    return load_latest_run(ws["db"]), load_workbook(path), ws


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_sheets_one_per_carriage_and_per_scenario(pack: tuple) -> None:
    _, wb, _ = pack
    assert wb.sheetnames == ["说明", "固定资产投资", "社会消费品零售总额", "进出口总额", "情景-沈阳促消费"]


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
