"""Official statistics tables (CSV or Excel, UTF-8 or GBK) → validated observations.

Nothing here writes anywhere: the store calls :func:`read_files` and writes only if no DataError.

Files. ``.csv``/``.txt`` (comma; tab when the first line has tabs and no comma), ``.tsv`` and ``.xlsx``.
CSV text is decoded as UTF-8 (with or without BOM), then as GBK (GB18030); a UTF-16 file with a BOM
(Excel's "Unicode text", tab-separated) as UTF-16; ``encoding=`` overrides.
Every non-empty sheet of a workbook is read; a sheet with no table header (a notes sheet) is skipped
when another sheet has one. Rows in problems are as a person sees them: the 1-based line of a CSV file
(the header is usually line 1), the Excel row number; columns are the header text.

Layouts (told apart by the header row, searched in the first 40 lines; titles above it may give the
period, the unit (``单位：万元``) and the release date (``发布日期：2025-11-15``)):

long
    One row per figure. Columns 地区/region, 指标/indicator, 时期/period (or ``1-10月`` with
    年份/year), 累计值/ytd_value and/or 累计增长/ytd_yoy (also 累计增长(%), 比上年同期增长%, 同比增长),
    optional 单位/unit, 状态/status (published | generated, default published), 来源/source,
    发布日期/vintage.
wide (by month)
    One row per region × indicator, one column per YTD month: ``2025年1-10月``, ``2025-10``, or
    ``1-10月`` with a 年份 column. A column header may end in its measure (``2025-10 累计值``,
    ``1-10月增长%``); otherwise a cell's measure comes from a 类型/measure column, from the indicator
    cell (``社会消费品零售总额 累计增长%``), from a ``%`` in the 单位 column, or from a block title line
    (a line with one cell such as ``累计增长(%)``); otherwise it is the YTD value. The header may repeat
    to start a second block.
bulletin (统计月报)
    One row per region, a column pair per indicator: ``社会消费品零售总额 累计值 | 比上年同期增长%`` in
    one header row, or a two-row header with the indicator name (merged in Excel, or followed by blank
    cells in CSV) over ``累计值 | 比上年同期增长%``. A single column per indicator is a value, or a
    growth when its header says so (fai: ``固定资产投资 增长%``). The period comes from a title line
    (``2025年1-10月各市主要经济指标``), a cell above the header, a 时期 column or the sheet name.
    Columns of indicators troika does not model (地区生产总值, …) are ignored.

Values. Periods are stored as the last month of the YTD window (``2025年1-2月`` → 2025-02). Numbers
may have thousands separators, full-width digits, ``+``, a trailing ``%``; ``—``, ``-``, ``…``, ``/``
and ``NA`` mark an unpublished figure. Levels in 万元 (header, unit column or title) are divided by
10,000 to 亿元; levels in 亿美元 (USD) are refused. Empty grid cells of the wide and bulletin layouts
are simply absent figures; in the long layout a row whose value and growth cells are both empty is a
problem, while a row whose cells hold only missing markers is skipped (the release says it was not
published).

Every problem of every file is collected and raised as one :class:`DataError`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pandas as pd

from forecast.data import schema as S
from forecast.data.catalog import INDICATORS, REGIONS, is_region, region_code
from forecast.data.cells import classify_unit, fold, parse_number, parse_period, parse_vintage, text
from forecast.data.errors import DataError, Problem
from forecast.data.grids import read_grids
from forecast.data.layouts import Cell, Record, parse_grid
from forecast.data.layouts import resolve_indicator as _resolve_indicator

#: The data directory: ``$TROIKA_DATA_DIR`` at import, else the repository's ``data/``. Functions re-read
#: the variable on each call, so a test or a scheduler may set it later.
DATA_DIR = Path(os.environ.get("TROIKA_DATA_DIR") or Path(__file__).resolve().parents[2] / "data")
_STATUS = {"published": "published", "公布": "published", "已公布": "published", "发布": "published",
           "官方": "published", "generated": "generated", "生成": "generated", "模拟": "generated",
           "synthetic": "generated"}


def current_data_dir() -> Path:
    """The data directory in force: ``$TROIKA_DATA_DIR`` if set, else :data:`DATA_DIR`."""
    env = os.environ.get("TROIKA_DATA_DIR")
    return Path(env) if env else DATA_DIR


def resolve_data_path(name: str | os.PathLike, *, data_dir: str | os.PathLike | None = None) -> Path:
    """Resolve ``name`` inside the data directory, refusing paths that escape it.

    Raises
    ------
    DataError
        When the path leaves the data directory (``..``, an absolute path elsewhere, a symlink out).

    Examples
    --------
    >>> resolve_data_path("observations/liaoning_ytd.csv").name
    'liaoning_ytd.csv'
    """
    root = Path(data_dir) if data_dir is not None else current_data_dir()
    root = root.resolve()
    path = (root / Path(name)).resolve()
    if path != root and root not in path.parents:
        raise DataError(f"refused path {str(name)!r}", [Problem(str(name), None, None, (
            f"path resolves to {path}, outside the data directory {root}; give a name inside it "
            "such as 'observations/liaoning_ytd.csv'"))])
    return path


# ---------------------------------------------------------------- records → observation rows
def _record_problems(rec: Record, file: str) -> tuple[dict | None, list[Problem]]:
    """Validate one record: the observation row (or None) and its problems."""
    probs: list[Problem] = []

    def bad(cell: Cell | None, message: str) -> None:
        probs.append(Problem(file, cell.row if cell else rec.row, cell.column if cell else None, message))

    numbers = {}
    for key, cell in (("value", rec.value), ("yoy", rec.yoy)):
        try:
            numbers[key] = parse_number(cell.value) if cell is not None else None
        except ValueError as e:
            bad(cell, str(e))
            numbers[key] = Decimal("NaN")
    if numbers["value"] is None and numbers["yoy"] is None:
        if not (rec.long and all(c is None or text(c.value) == "" for c in (rec.value, rec.yoy))):
            return None, probs   # only missing markers (—, …): the release says it was not published
        bad(rec.value or rec.yoy, "no value: both 累计值 and 累计增长 are empty; fill one in, write — to mark "
            "an unpublished figure, or delete the row")
    region = ind = period = year = None
    rtext = text(rec.region.value)
    if is_region(rtext):
        region = region_code(rtext)
    else:
        bad(rec.region, f"unknown region {rtext!r}; expected the province (辽宁/liaoning) or a city such as 沈阳, "
            f"大连市, Dalian, 210200 (one of {', '.join(REGIONS)})" if rtext else "region is empty")
    ind, _, ind_unit = _resolve_indicator(rec.indicator.value)
    if ind is None:
        bad(rec.indicator, f"unknown indicator {text(rec.indicator.value)!r}; expected one of "
            f"{', '.join(f'{i.zh}/{c}' for c, i in INDICATORS.items())}")
    if rec.year is not None and text(rec.year.value):
        ymatch = re.fullmatch(r"(\d{4})年?", fold(rec.year.value))
        year = int(ymatch.group(1)) if ymatch else None
        if year is None:
            bad(rec.year, f"cannot read year {text(rec.year.value)!r}; expected e.g. 2025")
    if rec.period is None or (text(rec.period.value) == "" and not isinstance(rec.period.value, dt.date)):
        bad(rec.period, "period is empty; expected e.g. 2025年1-10月 or 2025-10")
    elif not (year is None and rec.year is not None and text(rec.year.value)):
        try:
            period = parse_period(rec.period.value, year)
        except ValueError as e:
            bad(rec.period, str(e))
    if period is not None and ind is not None and period.month == 1 and INDICATORS[ind].jan_feb_combined:
        bad(rec.period, f"January-only figure for {ind}: it is published for January–February together (1-2月); "
            f"write the Jan–Feb release as {period.year}年1-2月 (period {period.year}-02) or drop this row")
    factor = Decimal(1)
    for ucell in (rec.unit, Cell(ind_unit, rec.indicator.row, rec.indicator.column) if ind_unit else None):
        kind = classify_unit(ucell.value) if ucell is not None else ""
        if kind == "usd":
            bad(ucell, f"levels in US dollars ({text(ucell.value)}): troika stores 亿元 (RMB); convert the file's "
                "levels (and growth, on the RMB basis) to 亿元 before ingest — USD and RMB figures are never mixed")
        elif kind == "万元":
            factor = Decimal("0.0001")
        elif kind == "%" and numbers["value"] is not None:
            bad(ucell, "unit is % but a 累计值 level is given; give the level's unit (亿元 or 万元)")
        elif kind == "?":
            bad(ucell, f"unknown unit {text(ucell.value)!r}; expected 亿元 or 万元 (or % for growth)")
    value, yoy = numbers["value"], numbers["yoy"]
    if value is not None and value.is_finite() and value < 0:
        bad(rec.value, f"negative YTD level {value}; a cumulative value cannot be below 0")
    if yoy is not None and yoy.is_finite() and yoy < -100:
        bad(rec.yoy, f"growth {yoy}% is below -100%, which is impossible; check the sign or the column")
    raw_status = fold(rec.status.value) if rec.status is not None else ""
    status = _STATUS.get(raw_status) if raw_status else "published"
    if status is None:
        bad(rec.status, f"unknown status {text(rec.status.value)!r}; expected published or generated")
    try:
        vintage = parse_vintage(rec.vintage.value) if rec.vintage is not None else ""
    except ValueError:
        bad(rec.vintage, f"cannot read release date {text(rec.vintage.value)!r}; expected YYYY-MM-DD")
    if probs:
        return None, probs
    return {S.REGION: region, S.INDICATOR: ind, S.PERIOD: period,
            S.YTD_VALUE: float(value * factor) if value is not None else float("nan"),
            S.YTD_YOY: float(yoy) if yoy is not None else float("nan"), S.VINTAGE: vintage, S.STATUS: status,
            S.SOURCE: text(rec.source.value) if rec.source is not None else "",
            # provenance for cross-record problems: which halves this record gives, where they are
            "_file": file, "_row": rec.row, "_pcol": rec.period.column, "_has_v": rec.value is not None,
            "_has_g": rec.yoy is not None, "_vrow": rec.row, "_vcol": rec.value.column if rec.value else None}, probs


def _cross_checks(rows: list[dict]) -> tuple[list[dict], list[Problem]]:
    """Merge value/growth halves of one figure; flag duplicates and YTD levels that fall within a year."""
    merged: dict[tuple, dict] = {}
    probs: list[Problem] = []
    for r in rows:
        key = tuple(r[k] for k in S.OBSERVATION_KEY)
        first = merged.get(key)
        if first is None:
            merged[key] = dict(r)
        elif (r["_has_v"] and first["_has_v"]) or (r["_has_g"] and first["_has_g"]):
            at = f"row {first['_row']}" if first["_file"] == r["_file"] else f"{first['_file']} row {first['_row']}"
            probs.append(Problem(r["_file"], r["_row"], r["_pcol"], f"duplicate figure for ({', '.join(map(str, key[:3]))}"
                                 f", vintage {key[3]!r}): already given at {at}; keep one per region × indicator × period"))
        elif r["_has_v"]:   # the value half of a figure whose growth came first (wide layout blocks)
            first.update({S.YTD_VALUE: r[S.YTD_VALUE], "_has_v": True, "_vrow": r["_row"], "_vcol": r["_vcol"]})
        else:
            first.update({S.YTD_YOY: r[S.YTD_YOY], "_has_g": True})
    latest: dict[tuple, dict] = {}
    for r in merged.values():
        k = (r[S.REGION], r[S.INDICATOR], r[S.PERIOD])
        if pd.notna(r[S.YTD_VALUE]) and (k not in latest or r[S.VINTAGE] > latest[k][S.VINTAGE]):
            latest[k] = r
    prev: dict[tuple, dict] = {}
    for k in sorted(latest, key=lambda k: (k[0], k[1], k[2].ordinal)):
        r, g = latest[k], (k[0], k[1], k[2].year)
        p = prev.get(g)
        if p is not None and r[S.YTD_VALUE] < p[S.YTD_VALUE] - 1e-9:
            probs.append(Problem(r["_file"], r["_vrow"], r["_vcol"], (
                f"YTD level falls within {k[2].year}: {k[1]} {k[0]} is {r[S.YTD_VALUE]:g} at {k[2]} but was "
                f"{p[S.YTD_VALUE]:g} at {p[S.PERIOD]} (row {p['_vrow']}); a year-to-date total cannot fall — "
                "check the period, the unit (万元/亿元) or the value")))
        prev[g] = r
    return list(merged.values()), probs


def _frame(rows: list[dict]) -> tuple[pd.DataFrame, list[int | None]]:
    """The observations frame of the parsed rows, sorted, and each row's line in its file (the first
    line of a figure given in two halves)."""
    obs = S.empty_observations()
    lines: list[int | None] = []
    if rows:
        cols = {c: [r[c] for r in rows] for c in S.OBSERVATION_COLUMNS}
        obs = pd.DataFrame({c: pd.Series(v, dtype=obs[c].dtype) for c, v in cols.items()})
        obs["_row"] = pd.Series([r["_row"] for r in rows], dtype=object)
        order = {c: i for i, c in enumerate(REGIONS)}, {c: i for i, c in enumerate(INDICATORS)}
        obs = obs.sort_values([S.REGION, S.INDICATOR, S.PERIOD, S.VINTAGE], key=lambda s: (
            s.map(order[0]) if s.name == S.REGION else s.map(order[1]) if s.name == S.INDICATOR else s))
        lines = obs.pop("_row").tolist()
        obs = obs.reset_index(drop=True)
    return S.validate_observations(obs, "observations"), lines


def _parse_file(path: Path, encoding: str | None) -> tuple[list[dict], list[Problem]]:
    rows, probs = [], []
    try:
        grids = read_grids(path, encoding)
    except DataError as e:
        return [], e.problems
    headerless: list[Problem] = []
    for label, sheet, lines in grids:
        try:
            kind, records, header_problems = parse_grid(lines, label, sheet)
        except DataError as e:
            headerless += e.problems
            continue
        probs += header_problems
        if not records and not header_problems:
            probs.append(Problem(label, None, None, f"no figures found below the {kind}-layout header; expected "
                                 "at least one row with a value or a growth rate"))
        for rec in records:
            row, p = _record_problems(rec, label)
            probs += p
            if row is not None:
                rows.append(row)
    if len(headerless) == len(grids):
        probs += headerless
    return rows, list(dict.fromkeys(probs))


def read_tables(paths: Iterable[str | os.PathLike] | str | os.PathLike, *,
                encoding: str | None = None) -> pd.DataFrame:
    """Read official tables into one validated observations frame.

    Parameters
    ----------
    paths : path or iterable of paths
        ``.csv``/``.txt``/``.tsv``/``.xlsx`` files in any layout described in :mod:`forecast.data.files`.
    encoding : str, optional
        Text encoding of CSV files; default: try UTF-8 (with or without BOM), then GBK.

    Returns
    -------
    DataFrame
        Observations (``schema.OBSERVATION_COLUMNS``), sorted by region, indicator, period, vintage.

    Raises
    ------
    DataError
        One error listing every problem of every file (file, row, column, what was expected),
        including duplicates across files.

    Examples
    --------
    >>> obs = read_tables(["tests/fixtures/good/bulletin_bom_2025-02.csv",    # UTF-8 with a BOM
    ...                    "tests/fixtures/good/bulletin_gbk_2025-03.csv"])   # GBK
    >>> len(obs), sorted(obs["period"].astype(str).unique())
    (26, ['2025-02', '2025-03'])
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    rows, probs = _checked_rows([Path(p) for p in paths], encoding)
    _raise_problems(probs)
    return _frame(rows)[0]


def read_files(paths: Iterable[str | os.PathLike], *, encoding: str | None = None
               ) -> list[tuple[pd.DataFrame, list[int | None]]]:
    """Read each file on its own: its observations and the line in the file of each row.

    Unlike :func:`read_tables`, the same figure in two files is not a problem here (the store merges
    such repeats); every other problem of every file is raised in one DataError, as there.

    Examples
    --------
    >>> [(obs, lines)] = read_files(["tests/fixtures/good/long_utf8.csv"])
    >>> len(lines) == len(obs), lines[:3]
    (True, [2, 3, 4])
    """
    checked = [_checked_rows([Path(p)], encoding) for p in paths]
    _raise_problems([prob for _, probs in checked for prob in probs])
    return [_frame(rows) for rows, _ in checked]


def _checked_rows(paths: list[Path], encoding: str | None) -> tuple[list[dict], list[Problem]]:
    """The parsed rows of ``paths`` after the checks across them, and every problem found."""
    rows: list[dict] = []
    probs: list[Problem] = []
    for path in paths:
        r, p = _parse_file(path, encoding)
        rows += r
        probs += p
    rows, cross = _cross_checks(rows)
    return rows, probs + cross


def _raise_problems(probs: list[Problem]) -> None:
    if probs:
        names = ", ".join(dict.fromkeys(p.file for p in probs))
        raise DataError(f"{len(probs)} problem(s) in {names}; nothing was read", probs)


def read_table(path: str | os.PathLike, *, encoding: str | None = None) -> pd.DataFrame:
    """Read one official table (CSV or Excel, any supported layout) into validated observations.

    See :func:`read_tables` for parameters and errors; the layouts are described in :mod:`forecast.data.files`.

    Examples
    --------
    >>> obs = read_table("tests/fixtures/good/long_utf8.csv")
    >>> obs.columns.tolist()
    ['region', 'indicator', 'period', 'ytd_value', 'ytd_yoy', 'vintage', 'status', 'source']
    """
    return read_tables([path], encoding=encoding)


def load_bundled(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read every ``.csv``/``.xlsx`` file in ``<data_dir>/observations/``.

    Parameters
    ----------
    data_dir : path, optional
        Default: ``$TROIKA_DATA_DIR`` or the repository's ``data/``.

    Raises
    ------
    DataError
        When the folder holds no table, or any file has problems.

    Examples
    --------
    >>> obs = load_bundled()
    >>> obs.groupby("indicator").size().to_dict()          # 15 regions, 2015-02 to 2026-10
    {'exports': 1950, 'fai': 1950, 'imports': 1950, 'retail': 1950, 'trade': 1950}
    """
    folder = Path(data_dir if data_dir is not None else current_data_dir()) / "observations"
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".csv", ".xlsx")
                   and not p.name.startswith((".", "~$"))) if folder.is_dir() else []
    if not files:
        raise DataError(f"no bundled observations in {folder}", [Problem(str(folder), None, None,
                        "no .csv or .xlsx file found; put official tables in data/observations/ or set TROIKA_DATA_DIR")])
    return read_tables(files)
