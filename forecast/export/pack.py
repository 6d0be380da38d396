"""The meeting pack: one Excel workbook per run, in Chinese (default) or English, headers with units.

Units: 亿元 / "100 million yuan", %, 百分点 / "percentage points". Every text of the workbook (sheet
names, headers, notes, period labels, verdicts) comes from :mod:`forecast.present.i18n` (the ``pack_*`` labels
of :mod:`forecast.present.labels_export`); region and indicator names from the catalogue. The numbers are the same
in both languages. Scenario names and descriptions are printed as their file gives them (English:
``name`` / ``description``, falling back to the Chinese ones; Chinese: ``name_zh`` / ``description_zh``
first).

Sheets
    ``说明`` / ``Notes``: run, data vintage, units, how each figure is made, scenario descriptions.
    One sheet per carriage (固定资产投资, 社会消费品零售总额, 进出口总额 / Fixed-asset investment, Retail
    sales of consumer goods, Foreign trade): one row per region (province first, then cities in
    catalogue order) with the latest YTD level and growth, the year's target, the projected full-year
    growth (median of the sample paths) with its 80% band (10th–90th percentile), the probability of
    meeting the target, the growth the remaining months need, the gap and the status.
    Regions without a target still get their projection; target columns are blank.
    One sheet per region (辽宁, 沈阳, … / Liaoning, Shenyang, …): the same rows, one per carriage
    (:mod:`forecast.export.region_sheet`).
    On every carriage and region sheet the rows are coloured by status (conditional formatting; 未设目标 and
    参考 neutral) and two native charts sit under the table: the probability of meeting the target, and the
    projection with its 80% band and the target (:mod:`forecast.export.pack_charts`).
    较上期 / Since last run (:mod:`forecast.export.changes_sheet`), the cities' shares of the province's
    gap (:mod:`forecast.export.gap_sheet`) and the project tracking (:mod:`forecast.export.projects_sheet`).
    One sheet per saved scenario the run evaluated (``情景-…`` / ``Scenario-…``): baseline and scenario
    side by side.

Every figure comes from the stored run (:func:`forecast.runs.results.load_run`); nothing is refitted.

Safe output: every text cell goes through :func:`write_cell`. Text is never a formula: a text beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (a scenario description ``=1+2``, say) is
stored as text with Excel's quote prefix, so it is shown as typed and stays text when edited. Control
characters, which Excel's XML cannot hold, are removed from every text (:func:`clean_text`). Sheet
names are made valid by :func:`sheet_title`: at most 31 characters, none of ``[]:*?/\\``, unique.

Examples
--------
>>> from forecast.runs.results import load_latest_run
>>> export_meeting_pack(load_latest_run(store), "meeting.xlsx", lang="en").name
'meeting.xlsx'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import CARRIAGES, REGIONS
from forecast.data.errors import DataError
from forecast.decisions.position import panel_base_effect
from forecast.decisions.targets import evaluate_targets
from forecast.export.changes_sheet import changes_columns, changes_frame, changes_sheet_name
from forecast.export.gap_sheet import gap_columns, gap_frame, gap_sheet_name
from forecast.export.pack_charts import add_standing_charts, colour_statuses
from forecast.export.projects_sheet import projects_columns, projects_sheet_name, tracking_frame
from forecast.export.region_sheet import region_columns, region_frames, region_sheet_name
from forecast.export.safe_cells import (  # noqa: F401 - FORMULA_START, SHEET_* and clean_text are part of its API
    FORMULA_START,
    SHEET_FORBIDDEN,
    SHEET_MAX,
    clean_text,
    sheet_title,
    write_cell,
)
from forecast.present import i18n, messages

#: Carriage sheet columns: (label key of the header, source column, number format).
_CARRIAGE: list[tuple[str, str, str | None]] = [
    ("pack_col_region", "region_name", None),
    ("pack_col_period", "period_label", None),
    ("pack_col_ytd_value", "ytd_value", "0.0"),
    ("pack_col_ytd_growth", "ytd_growth", "0.0"),
    ("pack_col_target", "target", "0.0"),
    ("pack_col_kind", "kind_label", None),
    ("pack_col_projected", "projected", "0.0"),
    ("pack_col_p10", "p10", "0.0"),
    ("pack_col_p90", "p90", "0.0"),
    ("pack_col_probability", "probability_pct", "0"),
    ("pack_col_required", "required_growth", "0.0"),
    ("pack_col_gap", "gap_pp", "+0.0;-0.0;0.0"),
    ("pack_col_status", "status_label", None),
    ("pack_col_note", "note", None),
]
_SCENARIO: list[tuple[str, str, str | None]] = [
    ("pack_col_region", "region_name", None),
    ("pack_col_indicator", "indicator_name", None),
    ("pack_col_base_projected", "base_projected", "0.0"),
    ("pack_col_scn_projected", "projected", "0.0"),
    ("pack_col_delta", "delta_projected", "+0.0;-0.0;0.0"),
    ("pack_col_target", "target", "0.0"),
    ("pack_col_base_probability", "base_probability_pct", "0"),
    ("pack_col_scn_probability", "probability_pct", "0"),
    ("pack_col_delta_probability", "delta_probability_pp", "+0;-0;0"),
]
#: Source columns holding names and words (as wide as their characters in Chinese).
_TEXT = {"region_name", "period_label", "kind_label", "status_label", "indicator_name"}
#: Label key of each status (``unknown`` reads 无法测算 here, not the app's 无法判断).
_STATUS_KEYS = {"on_track": "status_on_track", "at_risk": "status_at_risk", "off_track": "status_off_track",
                "unknown": "pack_status_unknown", "no target": "status_no_target", "reference": "status_reference"}
#: Label key of each (English) note of :func:`forecast.decisions.targets.evaluate_targets`; others are kept as they are.
_NOTE_KEYS = {"derived from the chained growth index (levels not published)": "pack_note_derived",
              "no data for this series": "pack_note_no_data", "year decided: December released": "pack_note_decided"}


def check_lang(lang: str) -> str:
    """``lang`` if the meeting pack can be written in it, else a :class:`DataError` naming the choices.

    Examples
    --------
    >>> check_lang("en")
    'en'
    """
    if lang not in i18n.LANGS:
        raise DataError(f"lang={lang!r} is not a language of the meeting pack; use one of "
                        f"{', '.join(repr(x) for x in i18n.LANGS)}")
    return lang


def carriage_columns(lang: str = "zh") -> list[tuple[str, str, str | None]]:
    """Carriage sheet columns in ``lang``: (header, source column of :func:`carriage_frame`, number format)."""
    return [(i18n.t(key, check_lang(lang)), src, fmt) for key, src, fmt in _CARRIAGE]


def scenario_columns(lang: str = "zh") -> list[tuple[str, str, str | None]]:
    """Scenario sheet columns in ``lang``: (header, source column of :func:`scenario_frame`, number format)."""
    return [(i18n.t(key, check_lang(lang)), src, fmt) for key, src, fmt in _SCENARIO]


#: The Chinese columns (the workbook's default language).
CARRIAGE_COLUMNS = carriage_columns("zh")
SCENARIO_COLUMNS = scenario_columns("zh")


def carriage_sheet_name(indicator: str, lang: str = "zh") -> str:
    """Sheet name of a carriage: its name in ``lang`` without the bracketed qualifier (≤ 31 characters).

    Examples
    --------
    >>> carriage_sheet_name("fai"), carriage_sheet_name("fai", "en")
    ('固定资产投资', 'Fixed-asset investment')
    """
    return i18n.indicator_name(indicator, check_lang(lang), short=True)[:31]


def _period(p: Any, lang: str) -> str:
    if p is None or (not isinstance(p, pd.Period) and pd.isna(p)):
        return ""
    return i18n.fmt_period(p, lang)


def _untargeted(run: Any, indicator: str, have: set, year: int) -> pd.DataFrame:
    """Projections of forecast series of ``indicator`` without a target (target columns blank)."""
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


def note_text(note: str, lang: str = "zh") -> str:
    """A note of the targets table in ``lang``: known parts translated, others kept (parts joined by ``'; '``).

    Examples
    --------
    >>> note_text("no data for this series"), note_text("no data for this series", "en")
    ('无该序列数据', 'no data for this series')
    """
    return _join([i18n.t(_NOTE_KEYS[p], lang) if p in _NOTE_KEYS else messages.note_text(p, lang)
                  for p in note.split("; ")], lang)


def note_zh(note: str) -> str:
    """:func:`note_text` in Chinese.

    Examples
    --------
    >>> note_zh("no data for this series")
    '无该序列数据'
    """
    return note_text(note, "zh")


def _status(status: str, lang: str) -> str:
    return i18n.t(_STATUS_KEYS[status], lang) if status in _STATUS_KEYS else str(status)


def carriage_frame(run: Any, indicator: str, lang: str = "zh") -> pd.DataFrame:
    """Rows of one carriage sheet (source columns of :func:`carriage_columns`), regions in catalogue order."""
    check_lang(lang)
    tg = run.targets
    rows = tg[tg["indicator"] == indicator] if len(tg) else pd.DataFrame()
    year = int(rows["year"].iloc[0]) if len(rows) else (run.data_vintage.year if run.data_vintage is not None else None)
    have = set(zip(rows["region"], rows["indicator"], strict=True)) if len(rows) else set()
    extra = _untargeted(run, indicator, have, year) if year is not None else pd.DataFrame()
    both = pd.concat([f for f in (rows, extra) if len(f)], ignore_index=True) if len(rows) or len(extra) else rows
    if not len(both):
        return pd.DataFrame(columns=[c[1] for c in _CARRIAGE] + ["region"])
    rank = {r: i for i, r in enumerate(REGIONS)}
    both = both.assign(_r=both["region"].map(rank)).sort_values("_r", kind="stable").drop(columns="_r")
    out = pd.DataFrame({
        "region_name": [i18n.region_name(r, lang) for r in both["region"]],
        "period_label": [_period(p, lang) for p in both["last_period"]],
        "ytd_value": np.where(both["derived_from_index"].astype(bool), np.nan, both["ytd_value"].astype(float)),
        "ytd_growth": both["ytd_growth"].astype(float),
        "target": both["target"].astype(float),
        # the kind as worded (左右 / 以上), and where the target comes from unless published
        "kind_label": [(i18n.t(f"kind_{k}", lang) if k in ("about", "at_least") else "")
                       + (i18n.t(f"target_mark_{s}", lang) if s in ("analyst", "reference") else "")
                       for k, s in zip(both["kind"].fillna(""), both.get("target_status", pd.Series("", index=both.index))
                                       .fillna(""), strict=True)],
        "projected": both["projected"].astype(float),
        "p10": both["p10"].astype(float),
        "p90": both["p90"].astype(float),
        "probability_pct": 100 * both["probability"].astype(float),
        "required_growth": both["required_growth"].astype(float),
        "gap_pp": both["gap_pp"].astype(float),
        "status_label": [_status(s, lang) for s in both["status"]],
        "note": [_join([note_text(n, lang), base_note(run.panel, r, indicator, year, lang)], lang)
                 for r, n in zip(both["region"], both["note"].fillna("").astype(str), strict=True)],
        "region": both["region"].to_numpy(),     # the code, for the region sheets (not a column of the sheet)
    })
    return out.reset_index(drop=True)


def _join(parts: list[str], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(p for p in parts if p)


def base_note(panel: pd.DataFrame, region: str, indicator: str, year: int, lang: str = "zh") -> str:
    """The pack's note on an unusually low or high base for the rest of the year (``""`` otherwise).

    See :func:`forecast.decisions.position.base_effect`.
    """
    return i18n.fmt_base_effect(panel_base_effect(panel, region, indicator, year), "pack_note_base_", lang)


def scenario_frame(table: pd.DataFrame, name: str, lang: str = "zh") -> pd.DataFrame:
    """Rows of one scenario sheet from a :func:`forecast.decisions.scenarios.compare_scenarios` table."""
    check_lang(lang)
    base = table[table["scenario"] == "baseline"].set_index(["region", "indicator"])
    sc = table[table["scenario"] == name].reset_index(drop=True)
    key = pd.MultiIndex.from_arrays([sc["region"], sc["indicator"]])
    return pd.DataFrame({
        "region_name": [i18n.region_name(r, lang) for r in sc["region"]],
        "indicator_name": [i18n.indicator_name(i, lang) for i in sc["indicator"]],
        "base_projected": base["projected"].reindex(key).to_numpy(dtype=float),
        "projected": sc["projected"].astype(float),
        "delta_projected": sc["delta_projected"].astype(float),
        "target": sc["target"].astype(float),
        "base_probability_pct": 100 * base["probability"].reindex(key).to_numpy(dtype=float),
        "probability_pct": 100 * sc["probability"].astype(float),
        "delta_probability_pp": 100 * sc["delta_probability"].astype(float),
    })


def _write_sheet(ws: Any, frame: pd.DataFrame, columns: list[tuple[str, str, str | None]], lang: str) -> int:
    """Write ``frame`` under a bold, wrapped header row (frozen with the first column); return its number of rows."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, (header, _, _) in enumerate(columns, start=1):
        cell = write_cell(ws, 1, j, header)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        for j, (_, src, fmt) in enumerate(columns, start=1):
            v = rec.get(src)
            if isinstance(v, float | np.floating):
                v = None if not np.isfinite(v) else float(v)
            cell = write_cell(ws, i, j, v if v != "" else None)
            if fmt and v is not None:
                cell.number_format = fmt
    wide = 2 if lang == "zh" else 1  # Chinese characters are twice as wide as Latin ones
    for j, (header, src, _) in enumerate(columns, start=1):
        width = max([len(header) * wide] + [len(str(v)) * (wide if src in _TEXT else 1) + 2
                                            for v in frame.get(src, pd.Series(dtype=object)).tolist()[:50]])
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60 if src == "note" else 24)
    ws.row_dimensions[1].height = 32 if lang == "zh" else 45   # room for the wrapped headers with their units
    ws.freeze_panes = "B2"
    return len(frame)


def _write_standing(ws: Any, frame: pd.DataFrame, columns: list[tuple[str, str, str | None]], category: str,
                    lang: str) -> None:
    """A carriage or region sheet: the table, its status colours and its two charts."""
    n = _write_sheet(ws, frame, columns, lang)
    colour_statuses(ws, n, columns, {code: _status(code, lang) for code in _STATUS_KEYS})
    if frame[["projected", "probability_pct"]].notna().to_numpy().any():
        add_standing_charts(ws, n, columns, category=category, lang=lang)


def _notes(run: Any, lang: str) -> list[tuple[str, str]]:
    def t(key: str, **fields: Any) -> str:
        return i18n.t(key, lang, **fields)

    lines = [
        (t("pack_report"), t("pack_report_text")),
        (t("pack_run_id"), run.run_id),
        (t("pack_vintage"), _period(run.data_vintage, lang)),
        (t("pack_finished"), i18n.fmt_time(run.finished, lang) if run.finished else ""),
        (t("pack_n_paths"), str(run.settings.get("n_paths", ""))),
        (t("pack_units"), t("pack_units_text")),
        (t("pack_projected"), t("pack_projected_text")),
        (t("pack_probability"), t("pack_probability_text")),
        (t("pack_required"), t("pack_required_text")),
        (t("pack_colours"), t("pack_colours_text")),
        (i18n.indicator_name("fai", lang, short=True), t("pack_fai_text")),
        (t("pack_code_version"), run.code_version),
    ]
    for name, spec in getattr(run, "scenario_specs", {}).items():
        lines.append((t("pack_scenario", name=_scenario_name(name, spec, lang)), _scenario_text(spec, lang)))
    for name, err in run.scenario_errors.items():
        lines.append((t("pack_scenario", name=name), t("pack_scenario_failed", error=messages.note_text(err, lang))))
    return lines


def _scenario_name(name: str, spec: dict, lang: str) -> str:
    return (spec.get("name_zh") or name) if lang == "zh" else name


def _scenario_text(spec: dict, lang: str) -> str:
    first, then = ("description_zh", "description") if lang == "zh" else ("description", "description_zh")
    return spec.get(first) or spec.get(then) or ""


def _scenario_sheet_name(name: str, spec: dict, used: set, lang: str = "zh") -> str:
    return sheet_title(i18n.t("pack_sheet_scenario", lang, name=_scenario_name(name, spec, lang)), used)


def export_meeting_pack(run: Any, path: str | os.PathLike, *, lang: str = "zh",
                        changes: pd.DataFrame | None = None) -> Path:
    """Write the meeting pack of a run to ``path`` (``.xlsx``; written to a temp file, then renamed).

    Parameters
    ----------
    run : RunResult
        From :func:`forecast.runs.results.load_run` / :func:`~forecast.runs.results.load_latest_run`.
    path : str or Path
        The workbook to write; its folder must exist.
    lang : {"zh", "en"}
        Language of every text of the workbook (sheet names, headers, notes, periods, verdicts); the
        numbers are the same in both.
    changes : DataFrame, optional
        What changed since the previous run (:func:`forecast.runs.results.changes_since_previous`): a sheet
        较上期 / Since last run after the notes.

    Returns
    -------
    Path

    Raises
    ------
    DataError
        For a ``lang`` other than ``"zh"`` or ``"en"`` (nothing is written).

    Examples
    --------
    >>> from openpyxl import load_workbook
    >>> path = export_meeting_pack(run, "pack.xlsx")
    >>> names = load_workbook(path).sheetnames
    >>> names[:6], names[-3:]                   # notes, carriages, then a sheet per region (14 cities here), …
    (['说明', '固定资产投资', '社会消费品零售总额', '进出口总额', '辽宁', '沈阳'], ['缺口分解-社零', '项目跟踪', '情景-促消费活动'])
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    check_lang(lang)
    path = Path(path)
    wb = Workbook()
    used: set[str] = set()
    notes = wb.active
    notes.title = sheet_title(i18n.t("pack_sheet_notes", lang), used)
    for i, (k, v) in enumerate(_notes(run, lang), start=1):
        write_cell(notes, i, 1, k).font = Font(bold=True)
        write_cell(notes, i, 2, v)
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = (22, 90) if lang == "zh" else (36, 110)
    frames = {ind: carriage_frame(run, ind, lang) for ind in CARRIAGES}
    for ind, frame in frames.items():
        _write_standing(wb.create_sheet(sheet_title(carriage_sheet_name(ind, lang), used)), frame,
                        carriage_columns(lang), "region_name", lang)
    for region, frame in region_frames(frames, lang).items():   # the same rows, one sheet per region
        _write_standing(wb.create_sheet(sheet_title(region_sheet_name(region, lang), used)), frame,
                        region_columns(carriage_columns(lang), lang), "indicator_name", lang)
    if changes is not None and len(changes):
        _write_sheet(wb.create_sheet(sheet_title(changes_sheet_name(lang), used)), changes_frame(changes, lang),
                     changes_columns(lang), lang)
    for ind in CARRIAGES:  # which cities carry the province's gap, where the province has a target
        frame = gap_frame(run, ind, lang)
        if frame is not None:
            _write_sheet(wb.create_sheet(sheet_title(gap_sheet_name(ind, lang), used)), frame, gap_columns(lang), lang)
    projects = tracking_frame(run, lang)   # the project list's tracking against plan and the fai target
    if projects is not None:
        _write_sheet(wb.create_sheet(sheet_title(projects_sheet_name(lang), used)), projects, projects_columns(lang),
                     lang)
    specs = getattr(run, "scenario_specs", {})
    for name, table in run.scenarios.items():
        ws = wb.create_sheet(_scenario_sheet_name(name, specs.get(name, {}), used, lang))
        _write_sheet(ws, scenario_frame(table, name, lang), scenario_columns(lang), lang)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path
