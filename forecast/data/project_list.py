"""Major-project lists (重大项目库 / 项目清单) → a validated projects frame (DESIGN §9).

Development-and-reform commissions keep their project lists as CSV or Excel tables, UTF-8 or GBK, with
Chinese or English headers. :func:`load_project_list` reads one with the same machinery as the official
tables (:func:`forecast.data.grids.read_grids`) and, like ingest, reports every problem at once with file,
row and column (:class:`~forecast.data.errors.DataError`): a file with any problem gives no project.

Columns (header text, either language; a unit in the header such as ``总投资(亿元)`` or ``(万元)`` is read):

============================  =================  ==========================================================
header                        field              content
============================  =================  ==========================================================
项目名称 / name               ``name``           required, unique within a city
所在地区 / region             ``region``         a city: name, alias or code (沈阳, 沈阳市, shenyang)
行业 / sector                 ``sector``         optional text
建设性质 / status             ``status``         新开工 new | 续建 continuing | 前期 preparatory | 竣工 completed
总投资(亿元) / total          ``total``          ≥ 0
计划年度 / plan_year          ``plan_year``      a column, or the year of a title line (2027年全省重大项目清单)
年度计划投资(亿元)            ``planned``        this year's planned investment, ≥ 0, at most ``total``
/ planned_this_year
计划开工 / planned_start      ``start``          a month: 2026-09, 2026年9月, 2026/9, 202609
计划竣工 / planned_end        ``end``            a month, not before the start
已完成投资(亿元)              ``completed``      optional: invested in the plan year up to ``period`` (年内
/ completed_ytd                                  累计完成), ≥ 0, at most ``total``; needs its period
时期 / period                 ``period``         the month the completed amount runs to
是否新增 / incremental        ``incremental``    optional: 是/yes/1 = not in the baseline forecast; blank or
                                                 否/no/0 = already in it (the default: a list adds nothing
                                                 unless a project is flagged)
============================  =================  ==========================================================

A project with planned investment this year must have an active month in the plan year (start ≤ December,
end ≥ January). Amounts in 万元 (header unit) are converted to 亿元.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from forecast.data.catalog import PROVINCE, REGIONS, region_code
from forecast.data.cells import fold, parse_number, text
from forecast.data.errors import Coded, CodedError, DataError, Problem
from forecast.data.files import current_data_dir
from forecast.data.grids import Line, read_grids
from forecast.data.headers import split_unit

#: Columns of the projects frame, in order.
PROJECT_COLUMNS = ["name", "region", "sector", "status", "total", "plan_year", "planned", "start", "end",
                   "completed", "period", "incremental"]
STATUSES = ("new", "continuing", "preparatory", "completed")
STATUS_ZH = {"new": "新开工", "continuing": "续建", "preparatory": "前期", "completed": "竣工"}
_STATUS = {fold(k): v for k, v in {
    "新开工": "new", "新建": "new", "new": "new", "newstart": "new", "new_start": "new",
    "续建": "continuing", "续建项目": "continuing", "continuing": "continuing", "ongoing": "continuing",
    "前期": "preparatory", "前期项目": "preparatory", "preparatory": "preparatory", "planning": "preparatory",
    "竣工": "completed", "建成": "completed", "completed": "completed"}.items()}
_ROLES = {
    "name": ("项目名称", "名称", "项目", "name", "project", "project_name"),
    "region": ("所在地区", "地区", "所在市", "城市", "region", "city"),
    "sector": ("行业", "所属行业", "领域", "sector", "industry"),
    "status": ("建设性质", "项目性质", "状态", "status"),
    "total": ("总投资", "计划总投资", "total", "total_investment"),
    "plan_year": ("计划年度", "年度", "年份", "plan_year", "year"),
    "planned": ("年度计划投资", "本年计划投资", "年度计划", "planned_this_year", "planned"),
    "start": ("计划开工", "计划开工时间", "开工时间", "planned_start", "start"),
    "end": ("计划竣工", "计划竣工时间", "竣工时间", "planned_end", "end"),
    "completed": ("已完成投资", "累计完成投资", "completed_ytd", "completed"),
    "period": ("时期", "完成时期", "截至", "period", "as_of"),
    "incremental": ("是否新增", "新增", "是否增量", "incremental"),
}
_ROLE = {fold(n): r for r, names in _ROLES.items() for n in names}
_REQUIRED = ("name", "region", "status", "total", "planned", "start", "end")
_AMOUNTS = ("total", "planned", "completed")
_UNIT = {"亿元": 1.0, "亿": 1.0, "万元": 1e-4}
_YES = {"是", "yes", "y", "true", "1", "新增", "增量"}
_NO = {"", "否", "no", "n", "false", "0", "存量", "—", "-"}
EXAMPLE_NAME = "example_2026.csv"
_TITLE_YEAR = re.compile(r"(\d{4})年")
_MONTH = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})月?份?(?:[-/.]?\d{1,2}日?)?|(\d{2}))")


def example_list_path() -> Path:
    """The bundled example list (illustrative, generated by ``scripts/make_project_list.py``, not official data).

    ``projects/example_2026.csv`` of the data folder in force, or of the repository's ``data/`` when that folder
    has none.
    """
    here = current_data_dir() / "projects" / EXAMPLE_NAME
    return here if here.is_file() else Path(__file__).resolve().parents[2] / "data" / "projects" / EXAMPLE_NAME


def parse_month(v: object) -> pd.Period:
    """A month as ``Period[M]`` from ``2026-09``, ``2026年9月``, ``2026/9``, ``202609`` or a date cell.

    Raises ``ValueError`` saying what was given and what was expected.

    Examples
    --------
    >>> [str(parse_month(x)) for x in ("2026-09", "2026年9月", "202609", "2026/9/15")]
    ['2026-09', '2026-09', '2026-09', '2026-09']
    """
    if isinstance(v, pd.Timestamp | pd.Period) or hasattr(v, "month") and hasattr(v, "year"):
        return pd.Period(year=v.year, month=v.month, freq="M")
    m = _MONTH.fullmatch(fold(v))
    month = int(m.group(2) or m.group(3)) if m else 0
    if not m or not 1 <= month <= 12 or not 1949 <= int(m.group(1)) <= 2100:
        raise CodedError(f"cannot read month {text(v)!r}; expected e.g. 2026-09 or 2026年9月", "bad_month", value=text(v))
    return pd.Period(year=int(m.group(1)), month=month, freq="M")


def _header(lines: list[Line]) -> int | None:
    return next((i for i, ln in enumerate(lines[:20])
                 if sum(split_unit(c)[0] in _ROLE for c in ln.cells) >= 4), None)


def _title_year(lines: list[Line], sheet: str | None) -> int | None:
    for t in [*(text(c) for ln in lines for c in ln.cells), sheet or ""]:
        m = _TITLE_YEAR.search(t)
        if m and 1949 <= int(m.group(1)) <= 2100:
            return int(m.group(1))
    return None


def _row(line: Line, cols: dict, units: dict, header: Line, file: str, year: int | None, probs: list) -> dict:
    def bad(role: str, message: str, code: str, **fields: object) -> None:
        probs.append(Problem(file, line.row, text(header.get(cols[role])) if role in cols else role, message, code, fields))

    out: dict = {"name": text(line.get(cols["name"])), "sector": text(line.get(cols.get("sector")))}
    if not out["name"]:
        bad("name", "project name is empty", "project_name_empty")
    raw = text(line.get(cols["region"]))
    try:
        out["region"] = region_code(raw)
        if out["region"] == PROVINCE:
            bad("region", f"{raw!r} is the province; a project belongs to one city (沈阳, 大连, …)", "project_province",
                name=raw)
    except DataError as e:
        bad("region", f"unknown city {raw!r}: {e.summary}", "project_unknown_city", name=raw, codes=", ".join(REGIONS))
    out["status"] = _STATUS.get(fold(line.get(cols["status"])))
    if out["status"] is None:
        bad("status", f"unknown status {text(line.get(cols['status']))!r}; expected 新开工 (new), 续建 (continuing), "
                      "前期 (preparatory) or 竣工 (completed)", "project_status", value=text(line.get(cols["status"])))
    for role in _AMOUNTS:
        if role not in cols:
            out[role] = float("nan")
            continue
        try:
            d = parse_number(line.get(cols[role]))
        except ValueError as e:
            bad(role, f"{e} (亿元)", "project_amount",
                error=Coded(str(e), e.code, e.fields) if isinstance(e, CodedError) else str(e))
            continue
        if d is None:
            if role != "completed":
                bad(role, "amount is empty; expected an amount in 亿元 (0 if none)", "project_amount_empty")
            out[role] = float("nan")
        elif d < 0:
            bad(role, f"negative amount {text(line.get(cols[role]))}; expected an amount ≥ 0 in 亿元", "project_negative",
                value=text(line.get(cols[role])))
        else:
            out[role] = float(d) * units[role]
    if "plan_year" in cols:
        m = re.fullmatch(r"(\d{4})年?(?:度)?", fold(line.get(cols["plan_year"])))
        out["plan_year"] = int(m.group(1)) if m and 1949 <= int(m.group(1)) <= 2100 else None
        if out["plan_year"] is None:
            bad("plan_year", f"cannot read year {text(line.get(cols['plan_year']))!r}; expected e.g. 2026", "project_year",
                value=text(line.get(cols["plan_year"])))
    else:
        out["plan_year"] = year
    for role in ("start", "end"):
        try:
            out[role] = parse_month(line.get(cols[role]))
        except ValueError as e:
            probs.append(Problem.of_error(file, line.row, text(header.get(cols[role])), e))
    out["period"] = None
    if "period" in cols and text(line.get(cols["period"])):
        try:
            out["period"] = parse_month(line.get(cols["period"]))
        except ValueError as e:
            probs.append(Problem.of_error(file, line.row, text(header.get(cols["period"])), e))
    flag = fold(line.get(cols.get("incremental")))
    out["incremental"] = flag in _YES
    if flag not in _YES | _NO:
        bad("incremental", f"cannot read {text(line.get(cols['incremental']))!r}; expected 是/yes (not in the "
                           "baseline) or 否/no (already in it)", "project_incremental",
            value=text(line.get(cols["incremental"])))
    _cross(out, bad)
    return out


def _cross(out: dict, bad) -> None:
    """Checks across the fields of one project (each names the column to fix)."""
    total, planned, done = out.get("total"), out.get("planned"), out.get("completed")
    if total is not None and planned is not None and planned > total + 1e-9:
        bad("planned", f"this year's planned investment {planned:g} 亿元 exceeds the total {total:g} 亿元",
            "project_planned_over", planned=f"{planned:g}", total=f"{total:g}")
    if total is not None and done is not None and done > total + 1e-9:
        bad("completed", f"completed investment {done:g} 亿元 exceeds the total {total:g} 亿元", "project_done_over",
            done=f"{done:g}", total=f"{total:g}")
    if done is not None and done == done and out.get("period") is None:
        bad("period", "completed investment is given without its period (the month it runs to, e.g. 2026-06)",
            "project_done_no_period")
    start, end, year = out.get("start"), out.get("end"), out.get("plan_year")
    if start is not None and end is not None and end < start:
        bad("end", f"planned end {end} is before the planned start {start}", "project_end_before_start", end=str(end),
            start=str(start))
    elif start is not None and end is not None and year and planned and (start.year > year or end.year < year):
        bad("start" if start.year > year else "end",
            f"{planned:g} 亿元 planned in {year}, but the project is active {start}..{end}, outside {year}",
            "project_outside_year", planned=f"{planned:g}", year=year, start=str(start), end=str(end))


def load_project_list(path: str | os.PathLike, *, encoding: str | None = None, year: int | None = None) -> pd.DataFrame:
    """Read and validate a major-project list (the columns are in the module docstring).

    Parameters
    ----------
    path : path of a CSV (UTF-8 or GBK) or Excel file.
    encoding : CSV text encoding (default: UTF-8, then GBK).
    year : the plan year when the file has neither a 计划年度 column nor a year in a title line.

    Returns
    -------
    DataFrame
        One row per project, columns :data:`PROJECT_COLUMNS` (amounts in 亿元, months as ``Period[M]``).

    Raises
    ------
    DataError
        Every problem (unknown city, unreadable or negative amount, planned > total, completed > total, end
        before start, unknown status, duplicate project in a city, …) with file, row and column; nothing is read.

    Examples
    --------
    >>> p = load_project_list(example_list_path())
    >>> len(p), sorted(p["status"].unique()), int(p["plan_year"].iloc[0])
    (300, ['completed', 'continuing', 'new', 'preparatory'], 2026)
    """
    path = Path(path)
    file, probs, rows = str(path), [], []
    for label, sheet, lines in read_grids(path, encoding):
        hi = _header(lines)
        if hi is None:
            raise DataError(f"{label}: no project-list header", [Problem(label, None, None, "no header row found; "
                            "expected columns 项目名称, 所在地区, 建设性质, 总投资(亿元), 年度计划投资(亿元), 计划开工, 计划竣工",
                            "project_no_header")])
        header = lines[hi]
        cols, units = {}, {}
        for j, c in enumerate(header.cells):
            name, unit = split_unit(c)
            role = _ROLE.get(name)
            if role is None:
                continue
            if role in cols:
                probs.append(Problem(label, header.row, text(c), f"second column for {role}; keep one", "second_column",
                                     {"role": role}))
                continue
            cols[role] = j
            if role in _AMOUNTS:
                units[role] = _UNIT.get(unit or "亿元")
                if units[role] is None:
                    probs.append(Problem(label, header.row, text(c), f"unit {unit!r}; expected 亿元 or 万元", "bad_amount_unit",
                                         {"unit": unit}))
        missing = [r for r in _REQUIRED if r not in cols]
        title_year = _title_year(lines[:hi], sheet) if "plan_year" not in cols else None
        title_year = title_year or year
        if "plan_year" not in cols and title_year is None:
            missing.append("plan_year")
        probs += [Problem(label, header.row, r, "required column is missing", "required_column") if r != "plan_year" else
                  Problem(label, header.row, r, "no 计划年度/plan_year column and no year in a title line (e.g. "
                          "2026年全省重大项目清单)", "project_no_year") for r in missing]
        if missing or any(u is None for u in units.values()):
            continue
        seen: dict = {}
        for line in lines[hi + 1:]:
            if line.is_blank():
                continue
            n = len(probs)
            row = _row(line, cols, units, header, label, title_year, probs)
            key = (row.get("region"), row["name"])
            if len(probs) == n and key in seen:
                probs.append(Problem(label, line.row, text(header.get(cols["name"])),
                                     f"duplicate project {row['name']!r} in {row['region']}: already at row {seen[key]}",
                                     "project_duplicate", {"name": row["name"], "region": row["region"], "row": seen[key]}))
            elif len(probs) == n:
                seen[key] = line.row
                rows.append(row)
    if probs:
        raise DataError(f"{len(probs)} problem(s) in {file}; no project was read", probs)
    frame = pd.DataFrame(rows, columns=PROJECT_COLUMNS)
    return frame.astype({"total": float, "planned": float, "completed": float, "plan_year": "int64",
                         "incremental": bool})


def project_summary(projects: pd.DataFrame) -> pd.DataFrame:
    """Per city: number of projects, new starts, total and this year's planned investment (亿元), incremental.

    Examples
    --------
    >>> project_summary(load_project_list(example_list_path())).columns.tolist()
    ['region', 'projects', 'new', 'total', 'planned', 'incremental_planned']
    """
    g = projects.assign(new=projects["status"].eq("new"),
                        inc=projects["planned"].where(projects["incremental"], 0.0)).groupby("region", sort=False)
    out = pd.DataFrame({"projects": g.size(), "new": g["new"].sum(), "total": g["total"].sum(),
                        "planned": g["planned"].sum(), "incremental_planned": g["inc"].sum()}).reset_index()
    order = [r for r in REGIONS if r in set(out["region"])]
    out = out.set_index("region").loc[order].reset_index()
    return out.astype({"projects": "int64", "new": "int64"})
