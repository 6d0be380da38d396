"""Official statistics tables (CSV or Excel, UTF-8 or GBK) → validated observations.

Nothing here writes anywhere: the store calls :func:`read_files` and writes only if no DataError.

Files. ``.csv``/``.txt`` (comma; tab when the first line has tabs and no comma), ``.tsv``, ``.xlsx`` and
old ``.xls`` workbooks.
CSV text is decoded as UTF-8 (with or without BOM), then as GBK (GB18030); a UTF-16 file with a BOM
(Excel's "Unicode text", tab-separated) as UTF-16; ``encoding=`` overrides.
Every non-empty sheet of a workbook is read; a sheet with no table header (a notes sheet) is skipped
when another sheet has one. Rows in problems are as a person sees them: the 1-based line of a CSV file
(the header is usually line 1), the Excel row number; columns are the header text.

Layouts (told apart by the header row, searched in the first 40 lines, never by the file name; titles above
it may give the period, the unit (``单位：万元``) and the release date (``发布日期：2025-11-15``)):

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
    to start a second block. Rows split by measure, as statistics bureaus publish them (one row 累计值 and
    one row 累计增长 per region × indicator, the measure in a column 项目/指标项/计量/类型, found by its
    header or by its cells), are merged into one figure per region × indicator × month; a cell of that
    column naming no year-to-date measure (当月值, …) is a problem at its row and column.
bulletin (统计月报)
    One row per region, a column pair per indicator: ``社会消费品零售总额 累计值 | 比上年同期增长%`` in
    one header row, or a two-row header with the indicator name (merged in Excel, or followed by blank
    cells in CSV) over ``累计值 | 比上年同期增长%``. A single column per indicator is a value, or a
    growth when its header says so (fai: ``固定资产投资 增长%``). The period comes from a title line
    (``2025年1-10月各市主要经济指标``), a cell above the header, a 时期 column or the sheet name.
    Columns of indicators troika does not model (地区生产总值, …) are ignored.
export (国家数据, 分省月度数据)
    A download of the national statistics database: metadata lines (数据库：, 地区：, 时间：), a header
    ``指标,2025年10月,2025年9月,…`` over one row per indicator and measure (``社会消费品零售总额_累计值(亿元)``),
    or ``指标：…`` above a header ``地区,2025年10月,…`` over one row per province; a footer (注, 数据来源).
    The Jan–Feb cumulative sits under ``2月``, ``1月`` is blank. See :mod:`forecast.data.national_export`.

Regions. A name the catalogue does not hold but the national list of provinces and prefecture-level cities
does (GB/T 2260, :mod:`forecast.data.regions`) is skipped, and the file's skipped names are given in one note
("skipped 30 regions outside Liaoning: 北京市, …"); a name on neither list is refused. Notes travel with the
observations frame (:func:`forecast.data.notes.notes_of`).

Values. Periods are stored as the last month of the YTD window (``2025年1-2月`` → 2025-02). Numbers
may have thousands separators, full-width digits, ``+``, a trailing ``%``; ``—``, ``-``, ``…``, ``/``
and ``NA`` mark an unpublished figure. Levels in 万元 (header, unit column or title) are divided by
10,000 to 亿元; levels in any dollar unit (千美元, 万美元, 亿美元) are refused: troika keeps trade in 亿元,
as customs publish it in yuan. Empty grid cells of the wide, bulletin and export layouts are simply absent
figures; in the long layout a row whose value and growth cells are both empty is a
problem, while a row whose cells hold only missing markers is skipped (the release says it was not
published).

Numbers must be finite: ``inf``, ``nan`` written out and numbers past the largest float (``1e400``) are
refused. A period is the end month of a YTD figure, published the month after at the earliest: a period
later than the month of its row's release date, or (without one) than this month, is refused, as is a
release date after today (``today=`` pins the date).

Limits. A file is read within the limits of :mod:`forecast.data.limits` (200,000 rows and 1,000 columns a
table, 2,000,000 cells and 200 MB a file, …), checked before loading where the file allows it and while
streaming, so a hostile file (a cell at XFD1048576, a zip bomb, a 50 MB cell) is refused in seconds.
:func:`forecast.data.bounded.read_files_bounded` also reads in a child process with a memory and a time limit,
for uploads.

Every problem of every file is collected and raised as one :class:`DataError`. The records of every layout are
validated by :mod:`forecast.data.records`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from forecast.data import schema
from forecast.data.catalog import INDICATORS, REGIONS
from forecast.data.cells import text
from forecast.data.errors import DataError, Problem
from forecast.data.grids import read_grids
from forecast.data.layouts import parse_grid
from forecast.data.national_export import parse_export
from forecast.data.notes import Note, with_notes
from forecast.data.records import cross_checks, validate_record
from forecast.data.regions import outside_catalogue, skipped_regions_message

#: The data directory: ``$TROIKA_DATA_DIR`` at import, else the repository's ``data/``. Functions re-read
#: the variable on each call, so a test or a scheduler may set it later.
DATA_DIR = Path(os.environ.get("TROIKA_DATA_DIR") or Path(__file__).resolve().parents[2] / "data")


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
            "such as 'observations/liaoning_ytd.csv'"), "path_outside", {"path": str(path), "root": str(root)})])
    return path


def _frame(rows: list[dict]) -> tuple[pd.DataFrame, list[int | None]]:
    """The observations frame of the parsed rows, sorted, and each row's line in its file (the first
    line of a figure given in two halves)."""
    obs = schema.empty_observations()
    lines: list[int | None] = []
    if rows:
        cols = {c: [r[c] for r in rows] for c in schema.OBSERVATION_COLUMNS}
        obs = pd.DataFrame({c: pd.Series(v, dtype=obs[c].dtype) for c, v in cols.items()})
        obs["_row"] = pd.Series([r["_row"] for r in rows], dtype=object)
        order = {c: i for i, c in enumerate(REGIONS)}, {c: i for i, c in enumerate(INDICATORS)}
        obs = obs.sort_values([schema.REGION, schema.INDICATOR, schema.PERIOD, schema.VINTAGE], key=lambda s: (
            s.map(order[0]) if s.name == schema.REGION else s.map(order[1]) if s.name == schema.INDICATOR else s))
        lines = obs.pop("_row").tolist()
        obs = obs.reset_index(drop=True)
    return schema.validate_observations(obs, "observations"), lines


def _parse_file(path: Path, encoding: str | None, today: dt.date | None) -> tuple[list[dict], list[Problem], list[Note]]:
    rows, probs, notes = [], [], []
    try:
        grids = read_grids(path, encoding)
    except DataError as e:
        return [], e.problems, []
    headerless: list[Problem] = []
    skipped: dict[str, None] = {}   # regions outside the catalogue, in the order met
    for label, sheet, lines in grids:
        try:
            kind, records, header_problems, grid_notes = parse_export(lines, label) or (
                *parse_grid(lines, label, sheet), [])
        except DataError as e:
            headerless += e.problems
            continue
        probs += header_problems
        notes += grid_notes
        if not records and not header_problems:
            probs.append(Problem(label, None, None, f"no figures found below the {kind}-layout header; expected "
                                 "at least one row with a value or a growth rate", "no_figures", {"layout": kind}))
        for rec in records:
            if outside_catalogue(text(rec.region.value)):
                skipped[text(rec.region.value)] = None
                continue
            row, p = validate_record(rec, label, today)
            probs += p
            if row is not None:
                rows.append(row)
    if len(headerless) == len(grids):
        probs += headerless
    if skipped:
        notes.append(Note(str(path), skipped_regions_message(list(skipped))))
    return rows, list(dict.fromkeys(probs)), notes


def read_tables(paths: Iterable[str | os.PathLike] | str | os.PathLike, *,
                encoding: str | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Read official tables into one validated observations frame.

    Parameters
    ----------
    paths : path or iterable of paths
        ``.csv``/``.txt``/``.tsv``/``.xlsx``/``.xls`` files in any layout described in :mod:`forecast.data.files`.
    encoding : str, optional
        Text encoding of CSV files; default: try UTF-8 (with or without BOM), then GBK.
    today : date, optional
        The date against which a period without a release date is judged (a period later than this month
        is refused); default: the date today.

    Returns
    -------
    DataFrame
        Observations (``schema.OBSERVATION_COLUMNS``), sorted by region, indicator, period, vintage. What the
        reader skipped or left aside (regions outside the catalogue, …) is in its notes
        (:func:`forecast.data.notes.notes_of`).

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
    rows, probs, notes = _checked_rows([Path(p) for p in paths], encoding, today)
    raise_problems(probs)
    return with_notes(_frame(rows)[0], notes)


def read_files(paths: Iterable[str | os.PathLike], *, encoding: str | None = None, today: dt.date | None = None
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
    checked = [_checked_rows([Path(p)], encoding, today) for p in paths]
    raise_problems([prob for _, probs, _ in checked for prob in probs])
    out = []
    for rows, _, notes in checked:
        obs, lines = _frame(rows)
        out.append((with_notes(obs, notes), lines))
    return out


def _checked_rows(paths: list[Path], encoding: str | None, today: dt.date | None
                  ) -> tuple[list[dict], list[Problem], list[Note]]:
    """The parsed rows of ``paths`` after the checks across them, every problem found and the notes."""
    rows: list[dict] = []
    probs: list[Problem] = []
    notes: list[Note] = []
    for path in paths:
        r, p, n = _parse_file(path, encoding, today)
        rows += r
        probs += p
        notes += n
    rows, cross = cross_checks(rows)
    return rows, probs + cross, notes


def raise_problems(probs: list[Problem]) -> None:
    """Raise every problem in one DataError (``"<n> problem(s) in <files>; nothing was read"``), if there are any."""
    if probs:
        names = ", ".join(dict.fromkeys(p.file for p in probs))
        raise DataError(f"{len(probs)} problem(s) in {names}; nothing was read", probs)


def read_table(path: str | os.PathLike, *, encoding: str | None = None, today: dt.date | None = None
               ) -> pd.DataFrame:
    """Read one official table (CSV or Excel, any supported layout) into validated observations.

    See :func:`read_tables` for parameters and errors; the layouts are described in :mod:`forecast.data.files`.

    Examples
    --------
    >>> obs = read_table("tests/fixtures/good/long_utf8.csv")
    >>> obs.columns.tolist()
    ['region', 'indicator', 'period', 'ytd_value', 'ytd_yoy', 'vintage', 'status', 'source']
    """
    return read_tables([path], encoding=encoding, today=today)


def load_bundled(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read every ``.csv``/``.xlsx``/``.xls`` file in ``<data_dir>/observations/``.

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
    files = sorted(p for p in folder.glob("*") if p.suffix.lower() in (".csv", ".xlsx", ".xls")
                   and not p.name.startswith((".", "~$"))) if folder.is_dir() else []
    if not files:
        raise DataError(f"no bundled observations in {folder}", [Problem(str(folder), None, None,
                        "no .csv, .xlsx or .xls file found; put official tables in data/observations/ or set TROIKA_DATA_DIR",
                        "no_tables")])
    return read_tables(files)
