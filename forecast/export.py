"""The meeting pack: one Excel workbook per run, Chinese headers with units (亿元, %, 百分点).

Sheets
    ``说明``: run, data vintage, units, how each figure is made, scenario descriptions.
    One sheet per carriage (固定资产投资, 社会消费品零售总额, 进出口总额): one row per region (province
    first, then cities in catalogue order) with the latest YTD level and growth, the year's target, the
    projected full-year growth (median of the sample paths) with its 80% band (10th–90th percentile),
    the probability of meeting the target, the growth the remaining months need, the gap and the status.
    Regions without a target still get their projection; target columns are blank.
    One sheet per saved scenario the run evaluated: baseline and scenario side by side.

Every figure comes from the stored run (:func:`forecast.results.load_run`); nothing is refitted.

Examples
--------
>>> from forecast.results import load_latest_run
>>> export_meeting_pack(load_latest_run(), "meeting.xlsx")     # doctest: +SKIP
PosixPath('meeting.xlsx')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.catalog import CARRIAGES, INDICATORS, REGIONS, UNIT

#: Carriage sheet columns: (header, source column, number format).
CARRIAGE_COLUMNS: list[tuple[str, str, str | None]] = [
    ("地区", "region_zh", None),
    ("最新时期", "period_zh", None),
    (f"累计值({UNIT})", "ytd_value", "0.0"),
    ("累计增长(%)", "ytd_growth", "0.0"),
    ("年度目标(%)", "target", "0.0"),
    ("目标类型", "kind_zh", None),
    ("预计全年增长(%)", "projected", "0.0"),
    ("预计区间下限(%)", "p10", "0.0"),
    ("预计区间上限(%)", "p90", "0.0"),
    ("达标概率(%)", "probability_pct", "0"),
    ("其余月份所需增长(%)", "required_growth", "0.0"),
    ("差距(百分点)", "gap_pp", "+0.0;-0.0;0.0"),
    ("状态", "status_zh", None),
    ("备注", "note", None),
]
SCENARIO_COLUMNS: list[tuple[str, str, str | None]] = [
    ("地区", "region_zh", None),
    ("指标", "indicator_zh", None),
    ("基准预计全年增长(%)", "base_projected", "0.0"),
    ("情景预计全年增长(%)", "projected", "0.0"),
    ("变化(百分点)", "delta_projected", "+0.0;-0.0;0.0"),
    ("年度目标(%)", "target", "0.0"),
    ("基准达标概率(%)", "base_probability_pct", "0"),
    ("情景达标概率(%)", "probability_pct", "0"),
    ("概率变化(百分点)", "delta_probability_pp", "+0;-0;0"),
]
KIND_ZH = {"about": "左右", "at_least": "以上"}
#: Notes of :func:`forecast.targets.evaluate_targets` in Chinese (others are kept as they are).
NOTE_ZH = {"derived from the chained growth index (levels not published)": "由累计增长率链接的指数推算（累计值未公布）",
           "no data for this series": "无该序列数据", "year decided: December released": "全年已定（12月数据已公布）"}
STATUS_ZH = {"on_track": "有望完成", "at_risk": "存在风险", "off_track": "难以完成", "unknown": "无法测算",
             "no target": "无目标"}


def carriage_sheet_name(indicator: str) -> str:
    """Sheet name of a carriage: its Chinese name without the bracketed qualifier (≤ 31 characters)."""
    return INDICATORS[indicator].zh.split("(")[0][:31]


def _period_zh(p: Any) -> str:
    if p is None or (not isinstance(p, pd.Period) and pd.isna(p)):
        return ""
    return f"{p.year}年1月" if p.month == 1 else f"{p.year}年1-{p.month}月"


def _untargeted(run: Any, indicator: str, have: set, year: int) -> pd.DataFrame:
    """Projections of forecast series of ``indicator`` without a target (target columns blank)."""
    from forecast.targets import evaluate_targets

    keys = [k for k in run.forecasts if k[1] == indicator and k not in have]
    if not keys or not len(run.panel):
        return pd.DataFrame()
    dummy = pd.DataFrame({"region": [k[0] for k in keys], "indicator": indicator, "year": year, "value": 0.0,
                          "kind": "", "status": "", "source": ""})
    ev = evaluate_targets(run.panel, run.forecasts, dummy, year=year)
    for c in ("target", "probability", "required_growth", "gap_pp"):
        ev[c] = np.nan
    ev["status"] = "no target"
    return ev


def note_zh(note: str) -> str:
    """A note of the targets table with its known parts in Chinese (parts are joined by ``'; '``).

    Examples
    --------
    >>> note_zh("no data for this series")
    '无该序列数据'
    """
    return "；".join(NOTE_ZH.get(part, part) for part in note.split("; ") if part)


def carriage_frame(run: Any, indicator: str) -> pd.DataFrame:
    """Rows of one carriage sheet (columns of :data:`CARRIAGE_COLUMNS` sources), regions in catalogue order."""
    tg = run.targets
    rows = tg[tg["indicator"] == indicator] if len(tg) else pd.DataFrame()
    year = int(rows["year"].iloc[0]) if len(rows) else (run.data_vintage.year if run.data_vintage is not None else None)
    have = set(zip(rows["region"], rows["indicator"], strict=True)) if len(rows) else set()
    extra = _untargeted(run, indicator, have, year) if year is not None else pd.DataFrame()
    both = pd.concat([f for f in (rows, extra) if len(f)], ignore_index=True) if len(rows) or len(extra) else rows
    if not len(both):
        return pd.DataFrame(columns=[c[1] for c in CARRIAGE_COLUMNS])
    rank = {r: i for i, r in enumerate(REGIONS)}
    both = both.assign(_r=both["region"].map(rank)).sort_values("_r", kind="stable").drop(columns="_r")
    out = pd.DataFrame({
        "region_zh": [REGIONS[r].zh if r in REGIONS else r for r in both["region"]],
        "period_zh": [_period_zh(p) for p in both["last_period"]],
        "ytd_value": np.where(both["derived_from_index"].astype(bool), np.nan, both["ytd_value"].astype(float)),
        "ytd_growth": both["ytd_growth"].astype(float),
        "target": both["target"].astype(float),
        "kind_zh": [KIND_ZH.get(k, "") for k in both["kind"].fillna("")],
        "projected": both["projected"].astype(float),
        "p10": both["p10"].astype(float),
        "p90": both["p90"].astype(float),
        "probability_pct": 100 * both["probability"].astype(float),
        "required_growth": both["required_growth"].astype(float),
        "gap_pp": both["gap_pp"].astype(float),
        "status_zh": [STATUS_ZH.get(s, s) for s in both["status"]],
        "note": [note_zh(n) for n in both["note"].fillna("").astype(str)],
    })
    return out.reset_index(drop=True)


def scenario_frame(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """Rows of one scenario sheet from a :func:`forecast.scenarios.compare_scenarios` table."""
    base = table[table["scenario"] == "baseline"].set_index(["region", "indicator"])
    sc = table[table["scenario"] == name].reset_index(drop=True)
    key = pd.MultiIndex.from_arrays([sc["region"], sc["indicator"]])
    return pd.DataFrame({
        "region_zh": [REGIONS[r].zh if r in REGIONS else r for r in sc["region"]],
        "indicator_zh": [INDICATORS[i].zh if i in INDICATORS else i for i in sc["indicator"]],
        "base_projected": base["projected"].reindex(key).to_numpy(dtype=float),
        "projected": sc["projected"].astype(float),
        "delta_projected": sc["delta_projected"].astype(float),
        "target": sc["target"].astype(float),
        "base_probability_pct": 100 * base["probability"].reindex(key).to_numpy(dtype=float),
        "probability_pct": 100 * sc["probability"].astype(float),
        "delta_probability_pp": 100 * sc["delta_probability"].astype(float),
    })


def _write_sheet(ws: Any, frame: pd.DataFrame, columns: list[tuple[str, str, str | None]]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, (header, _, _) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=header)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        for j, (_, src, fmt) in enumerate(columns, start=1):
            v = rec.get(src)
            if isinstance(v, float | np.floating):
                v = None if not np.isfinite(v) else float(v)
            cell = ws.cell(row=i, column=j, value=v if v != "" else None)
            if fmt and v is not None:
                cell.number_format = fmt
    for j, (header, src, _) in enumerate(columns, start=1):
        width = max([len(header) * 2] + [len(str(v)) * (2 if src.endswith("_zh") else 1) + 2
                                           for v in frame.get(src, pd.Series(dtype=object)).tolist()[:50]])
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60 if src == "note" else 24)
    ws.freeze_panes = "B2"


def _notes(run: Any) -> list[tuple[str, str]]:
    lines = [
        ("报告", "辽宁“三驾马车”预测与目标完成情况（会议材料）"),
        ("运行编号", run.run_id),
        ("数据截至", _period_zh(run.data_vintage)),
        ("运行完成时间(UTC)", run.finished.isoformat() if run.finished else ""),
        ("样本路径数", str(run.settings.get("n_paths", ""))),
        ("单位", f"累计值：{UNIT}；增长率、目标：%；差距、变化：百分点；概率：%"),
        ("预计全年增长", "样本路径全年增长的中位数；区间为第10至第90百分位（80%区间）"),
        ("达标概率", "全年增长不低于目标的样本路径占比（“左右”与“以上”均按不低于目标计算）"),
        ("其余月份所需增长", "为完成全年目标，其余月份合计须比上年同期增长的幅度"),
        ("固定资产投资", "累计值不公布，相关数据由累计增长率链接的指数推算"),
        ("代码版本", run.code_version),
    ]
    for name, spec in getattr(run, "scenario_specs", {}).items():
        desc = spec.get("description_zh") or spec.get("description") or ""
        lines.append((f"情景：{spec.get('name_zh') or name}", desc))
    for name, err in run.scenario_errors.items():
        lines.append((f"情景：{name}", f"未能用于本次运行：{err}"))
    return lines


def _scenario_sheet_name(name: str, spec: dict, used: set) -> str:
    bad = str.maketrans({c: "_" for c in "[]:*?/\\"})
    base = f"情景-{spec.get('name_zh') or name}".translate(bad)[:31]
    out, n = base, 2
    while out in used:
        out = f"{base[:28]}-{n}"
        n += 1
    used.add(out)
    return out


def export_meeting_pack(run: Any, path: str | os.PathLike) -> Path:
    """Write the meeting pack of a run to ``path`` (``.xlsx``; written to a temp file, then renamed).

    Parameters
    ----------
    run : RunResult
        From :func:`forecast.results.load_run` / :func:`~forecast.results.load_latest_run`.
    path : str or Path
        The workbook to write; its folder must exist.

    Returns
    -------
    Path

    Examples
    --------
    >>> export_meeting_pack(load_run("latest"), "pack.xlsx").suffix   # doctest: +SKIP
    '.xlsx'
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    for i, (k, v) in enumerate(_notes(run), start=1):
        notes.cell(row=i, column=1, value=k).font = Font(bold=True)
        notes.cell(row=i, column=2, value=v)
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 22, 90
    for ind in CARRIAGES:
        _write_sheet(wb.create_sheet(carriage_sheet_name(ind)), carriage_frame(run, ind), CARRIAGE_COLUMNS)
    used = set(wb.sheetnames)
    specs = getattr(run, "scenario_specs", {})
    for name, table in run.scenarios.items():
        ws = wb.create_sheet(_scenario_sheet_name(name, specs.get(name, {}), used))
        _write_sheet(ws, scenario_frame(table, name), SCENARIO_COLUMNS)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path
