"""The national statistics database export (国家数据, 分省月度数据): recognise it in a grid, yield raw figures.

A download of that database, as CSV (UTF-8 or GBK), .xlsx or .xls, looks like this (one region × many
indicators)::

    数据库：分省月度数据
    地区：辽宁省
    时间：最近36个月
    指标,2025年10月,2025年9月,…,2025年2月,2025年1月
    社会消费品零售总额_累计值(亿元),8390.4,7480.2,…,1680.5,
    社会消费品零售总额_累计增长(%),1.3,1.2,…,3.1,
    固定资产投资(不含农户)累计增长(%),-12.7,…,-11.4,
    注：…
    数据来源：国家统计局

or, in the other orientation (one indicator × all provinces), ``指标：社会消费品零售总额_累计值(亿元)`` as a
metadata line and a header ``地区,2025年10月,…`` over one row per province. It is recognised by its content,
never by the file name: a header row whose first cell names 指标/indicator or 地区/region and whose other cells
are all months with a year (``2025年10月``); the other dimension comes from the ``指标：…`` or ``地区：…`` line
above it. Months come newest first; for a year-to-date figure the Jan–Feb value sits under ``2月`` and ``1月``
is blank (a January value is refused later, as in every layout). Reading stops at the first note line (注,
数据来源); ``数据来源：…`` gives the source of every figure.

A row name is an indicator, a measure and a unit, with or without ``_``: ``社会消费品零售总额_累计值(亿元)``,
``固定资产投资(不含农户)累计增长(%)``. Only year-to-date measures are read (累计值 → ytd_value, 累计增长 →
ytd_yoy); rows of monthly measures (当期值, 同比增长) and of indicators troika does not model are left aside and
named in one note each. A prefix ``经营单位所在地`` (customs' trade by location of the trading firm) is the
indicator without it. Units are checked later like every other layout's: 万元 is divided to 亿元, and a
dollar unit (the database publishes provincial trade in 千美元) is refused.

Every row of a download is as wide as its header (empty cells included); a shorter row means the file was
cut off, and it is refused at that row.
"""

from __future__ import annotations

import re

from forecast.data.catalog import INDICATORS, indicator_code, is_indicator, normalise_name
from forecast.data.cells import fold, is_missing, parse_period, text
from forecast.data.errors import Problem
from forecast.data.grids import Line
from forecast.data.headers import role_of, split_unit
from forecast.data.layouts import HEADER_SEARCH_LINES, Cell, Record, is_note
from forecast.data.notes import Note

#: Measure words ending a row name, and what troika reads them as: None marks a monthly figure, left aside.
EXPORT_MEASURES: dict[str, str | None] = {"累计值": "value", "累计增长": "yoy", "累计增速": "yoy",
                                          "当期值": None, "同比增长": None, "当月值": None, "当月同比增长": None}
#: Prefixes of an indicator name that leave the indicator unchanged.
NAME_PREFIXES = ("经营单位所在地",)
_WORDS = sorted(((normalise_name(w), m) for w, m in EXPORT_MEASURES.items()), key=lambda t: -len(t[0]))
_META = re.compile(r"^([^:：]{1,12})[:：]\s*(.*)$", re.DOTALL)
_MONTH = re.compile(r"^\d{4}年\d{1,2}月")
_LABEL = {"region": "地区：辽宁省", "indicator": "指标：社会消费品零售总额_累计值(亿元)"}


def export_name(v: object) -> tuple[str | None, str, str | None]:
    """(indicator code or None, measure, unit) of a row name of the export.

    ``measure`` is 'value' (累计值), 'yoy' (累计增长), 'monthly' (当期值, 同比增长: not year-to-date) or ''
    (the name gives no measure).

    Examples
    --------
    >>> export_name("社会消费品零售总额_累计值(亿元)"), export_name("固定资产投资(不含农户)累计增长(%)")
    (('retail', 'value', '亿元'), ('fai', 'yoy', '%'))
    >>> export_name("社会消费品零售总额_当期值(亿元)"), export_name("经营单位所在地进出口总额_累计值(千美元)")
    (('retail', 'monthly', '亿元'), ('trade', 'value', '千美元'))
    """
    rest, unit = split_unit(v)
    key, measure = normalise_name(rest), ""
    for word, role in _WORDS:
        if key.endswith(word):
            key, measure = key[: -len(word)], role or "monthly"
            break
    for prefix in NAME_PREFIXES:
        key = key.removeprefix(normalise_name(prefix))
    return (indicator_code(key) if key and is_indicator(key) else None), measure, unit


def _is_month(v: object) -> bool:
    return bool(_MONTH.match(fold(v)))


def find_export_header(lines: list[Line]) -> tuple[int, str] | None:
    """(index of the header line, 'region' | 'indicator' named by its first cell), or None when not an export."""
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        role = role_of(line.get(0))
        months = [c for c in line.cells[1:] if text(c)]
        if role in ("region", "indicator") and months and all(_is_month(c) for c in months):
            return i, role
    return None


def _metadata(lines: list[Line]) -> dict[str, Cell]:
    """The ``地区：…`` / ``指标：…`` lines above the header, by role (Cell column: the word before the colon)."""
    meta: dict[str, Cell] = {}
    for line in lines:
        filled = [c for c in line.cells if text(c)]   # one cell, or one text repeated across an Excel merge
        m = _META.match(text(filled[0])) if filled else None
        role = role_of(m.group(1)) if m else None
        if role and role not in meta:
            meta[role] = Cell(m.group(2).strip(), line.row, m.group(1).strip())
    return meta


def _body(lines: list[Line]) -> tuple[list[Line], Cell | None]:
    """The table's rows (up to the first note line) and the 数据来源 of the footer."""
    body, source = [], None
    for n, line in enumerate(lines):
        if is_note(line):
            for note in lines[n:]:
                filled = [text(c) for c in note.cells if text(c)]
                m = _META.match(filled[0]) if filled else None
                if m and m.group(1).strip() in ("数据来源", "资料来源", "来源", "source", "Source"):
                    source = Cell(m.group(2).strip(), note.row, None)
            break
        if not line.is_blank():
            body.append(line)
    return body, source


def _indicator_problem(cell: Cell, code: str | None, measure: str, file: str) -> Problem | None:
    name = text(cell.value)
    if code is None:
        known = ", ".join(f"{i.zh}/{c}" for c, i in INDICATORS.items())
        return Problem(file, cell.row, cell.column, f"unknown indicator {name!r}; expected one of {known} with 累计值 "
                       "or 累计增长, e.g. 社会消费品零售总额_累计值(亿元)", "export_unknown_indicator",
                       {"name": name, "expected": known})
    if measure == "monthly":
        return Problem(file, cell.row, cell.column, f"{name!r} is a monthly figure, not year-to-date: troika reads "
                       "累计值 and 累计增长; download those from the database", "export_monthly", {"name": name})
    if measure == "":
        return Problem(file, cell.row, cell.column, f"{name!r} names no measure; expected …_累计值(亿元) or "
                       "…_累计增长(%)", "export_no_measure", {"name": name})
    return None


def parse_export(lines: list[Line], file: str) -> tuple[str, list[Record], list[Problem], list[Note]] | None:
    """Read a grid in the export layout: ('export', records, problems, notes), or None when it is not one.

    Records are raw, as :func:`forecast.data.layouts.parse_grid` gives them; :mod:`forecast.data.records`
    validates them (regions, numbers, periods, units) and :mod:`forecast.data.files` skips the regions outside
    the catalogue.
    """
    found = find_export_header(lines)
    if found is None:
        return None
    h, by = found
    header, problems, notes = lines[h], [], []
    label = text(header.get(0))
    months: dict[int, Cell] = {}
    for j, c in enumerate(header.cells):
        if j and text(c):
            try:
                parse_period(c)
                months[j] = Cell(text(c), header.row, text(c))
            except ValueError as e:
                problems.append(Problem.of_error(file, header.row, text(c), e))
    width = max(j for j, c in enumerate(header.cells) if text(c)) + 1
    other = "indicator" if by == "region" else "region"
    fixed = _metadata(lines[:h]).get(other)
    if fixed is None or not fixed.value:
        problems.append(Problem(file, header.row, label, f"the header lists one {by} per row but no line above it "
                                f"names the {other}; expected a line such as {_LABEL[other]}", f"export_no_{other}",
                                {"example": _LABEL[other]}))
        return "export", [], problems, notes
    body, source = _body(lines[h + 1:])
    indicator = unit = None
    measure = ""
    if by == "region":
        code, measure, u = export_name(fixed.value)
        bad = _indicator_problem(fixed, code, measure, file)
        if bad:
            return "export", [], [*problems, bad], notes
        indicator, unit = Cell(INDICATORS[code].zh, fixed.row, fixed.column), Cell(u, fixed.row, fixed.column)
    left_aside: dict[str, list[str]] = {"monthly": [], "model": []}
    records: list[Record] = []
    for line in body:
        if len(line.cells) < width:
            last = len(line.cells) - 1
            problems.append(Problem(file, line.row, text(header.get(max(last, 0))), (
                f"the row ends after {len(line.cells)} of the header's {width} columns: the file looks cut off (an "
                "interrupted download?); download it again"), "row_cut_off", {"n": len(line.cells), "width": width}))
            continue
        first = Cell(line.get(0), line.row, label)
        if by == "region":
            region = first
        elif not text(first.value):
            problems.append(Problem(file, line.row, label, "the row has figures but no indicator name; expected e.g. "
                                    "社会消费品零售总额_累计值(亿元)", "export_no_indicator_name"))
            continue
        else:
            code, measure, u = export_name(first.value)
            if code is None or measure == "monthly":
                left_aside["model" if code is None else "monthly"].append(text(first.value))
                continue
            if measure == "":
                problems.append(_indicator_problem(first, code, measure, file))
                continue
            region = Cell(fixed.value, fixed.row, fixed.column)
            indicator, unit = Cell(INDICATORS[code].zh, line.row, label), Cell(u, line.row, label)
        for j, period in months.items():
            if is_missing(line.get(j)):
                continue
            cell = Cell(line.get(j), line.row, period.column)
            records.append(Record(line.row, region, indicator, period, unit=unit if unit.value else None,
                                  value=cell if measure == "value" else None, yoy=cell if measure == "yoy" else None,
                                  source=source))
    if left_aside["monthly"]:
        notes.append(Note(file, f"left aside {len(left_aside['monthly'])} row(s) of monthly figures (troika reads "
                          f"year-to-date 累计值 and 累计增长): {', '.join(left_aside['monthly'])}"))
    if left_aside["model"]:
        notes.append(Note(file, f"left aside {len(left_aside['model'])} row(s) of indicators troika does not "
                          f"model: {', '.join(left_aside['model'])}"))
    return "export", records, problems, notes
