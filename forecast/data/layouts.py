"""Layouts of official statistics tables: find the header, tell the layout, yield raw figures.

A *grid* (:mod:`forecast.data.grids`) is what one CSV file or one Excel sheet holds: a list of :class:`Line`
(the row number a person sees, and the cells). :func:`parse_grid` finds the header, tells the layout
(``long``, ``wide`` or ``bulletin``, see :mod:`forecast.data.files` for the conventions) and returns raw
:class:`Record` objects plus the problems found in the header. The national statistics database export is
recognised first, by :mod:`forecast.data.national_export`, which builds on the header cells read here. Records
are not validated here: :mod:`forecast.data.records` resolves names, parses numbers and periods, converts units
and checks the rules. The
cell parsers (:func:`text`, :func:`fold`, :func:`classify_unit`, :func:`is_missing`, :func:`parse_period`)
live in :mod:`forecast.data.cells`, the header cells (roles, measures, units) in :mod:`forecast.data.headers`
and :class:`Line` in :mod:`forecast.data.grids`; all are importable from here too.

A wide or long table may give each row's measure in a column of its own (``项目``, ``指标项``, ``计量``,
``类型``…: one row 累计值 and one row 累计增长 per region × indicator, as statistics bureaus publish): the
column is found by its header, or by its cells when they all name a measure; the two rows give the two
halves of one figure (merged by :func:`forecast.data.records.cross_checks`), and a cell of that column that
names no measure is a problem at its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from forecast.data.catalog import INDICATORS, normalise_name
from forecast.data.cells import (  # noqa: F401 - parse_period is importable from here
    PERIOD_IN_TEXT,
    classify_unit,
    fold,
    is_missing,
    parse_period,
    text,
)
from forecast.data.errors import DataError, Problem
from forecast.data.grids import Line
from forecast.data.headers import (  # noqa: F401 - ROLE_NAMES is importable from here
    ROLE_NAMES,
    measure_of,
    resolve_indicator,
    role_of,
    split_measure,
    split_unit,
)

#: How many lines from the top are searched for the header row.
HEADER_SEARCH_LINES = 40

#: Labels used in problems about a missing column.
COLUMN_LABELS = {"region": "地区/region", "indicator": "指标/indicator", "period": "时期/period",
                 "value": "累计值/ytd_value", "yoy": "累计增长/ytd_yoy"}
_NOTE = re.compile(r"^(注|说明|备注|资料来源|数据来源|note|source)", re.IGNORECASE)
_WORD = {"value": "累计值", "yoy": "累计增长"}
#: How many lines below a header are looked at to find a column naming each row's measure by its cells.
_SAMPLE = 200
_UNIT_IN_TEXT = re.compile(r"亿美元|万美元|千美元|美元|usd|us\$|亿元|万元|千元|%|百分比")


@dataclass(frozen=True)
class Cell:
    """A raw value with where it came from (``row``/``column`` as a :class:`Problem` names them)."""

    value: object
    row: int | None
    column: str | None


@dataclass(frozen=True)
class Record:
    """One raw figure: region × indicator × period with its value and/or growth cell.

    ``value``/``yoy`` are None when the layout gives no such cell for this figure. ``long`` marks a row
    of the long layout, where a row with neither number is a problem rather than an empty grid cell.
    """

    row: int
    region: Cell
    indicator: Cell
    period: Cell
    year: Cell | None = None
    value: Cell | None = None
    yoy: Cell | None = None
    unit: Cell | None = None
    status: Cell | None = None
    source: Cell | None = None
    vintage: Cell | None = None
    long: bool = False


# ---------------------------------------------------------------- layouts
@dataclass(frozen=True)
class _Titles:
    period: Cell | None = None
    unit: Cell | None = None
    vintage: Cell | None = None


def _titles(lines: list[Line], sheet: str | None) -> _Titles:
    """Period, unit and release date named in the lines above the header (or the sheet name)."""
    period = unit = vintage = None
    for line in lines:
        for c in line.cells:
            s = fold(c)
            if not s:
                continue
            date = re.search(r"\d{4}(?:[-/.年])\d{1,2}(?:[-/.月])\d{1,2}日?", s)
            if vintage is None and date and re.search("发布|release|published", s):
                vintage = Cell(date.group(0), line.row, None)
                continue
            m = PERIOD_IN_TEXT.search(s)
            if period is None and m:
                period = Cell(m.group(0), line.row, None)
            u = _UNIT_IN_TEXT.search(s.replace("%", "")) if ("单位" in s or "unit" in s) else None
            u = u or re.search("亿美元|美元|usd", s)
            if unit is None and u:
                unit = Cell(u.group(0), line.row, None)
    if period is None and sheet and PERIOD_IN_TEXT.search(fold(sheet)):
        period = Cell(PERIOD_IN_TEXT.search(fold(sheet)).group(0), None, f"sheet {sheet}")
    return _Titles(period, unit, vintage)


def _find_header(lines: list[Line]) -> tuple[int, str] | None:
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        roles = [role_of(c) for c in line.cells]
        named = {r for r in roles if r}
        inds = [j for j, c in enumerate(line.cells) if roles[j] is None and text(c) and resolve_indicator(c)[0]]
        if {"region", "indicator"} <= named:
            return i, "long" if named & {"period", "value", "yoy"} else "wide"
        if inds and ("region" in named or text(line.get(0)) == ""):
            return i, "bulletin"
        if len(named) >= 2 and named & {"region", "indicator"} and named & {"period", "value", "yoy", "year"}:
            return i, "long"
    return None


def _columns(line: Line, file: str, problems: list[Problem], below: list[Line] = ()) -> dict[str, int]:
    """The column of each role in a header; with the lines ``below`` it, a column naming each row's measure
    (see :func:`_measure_column`) is ``cols['measure']``."""
    measure = _measure_column(line, below)
    cols: dict[str, int] = {} if measure is None else {"measure": measure}
    for j, c in enumerate(line.cells):
        role = role_of(c) if j != measure else None
        if role and role in cols and role != "measure":
            problems.append(Problem(file, line.row, text(c), f"two columns mean {role} ({text(line.get(cols[role]))!r} "
                                    f"and {text(c)!r}); keep one", "two_columns",
                                    {"role": role, "first": text(line.get(cols[role])), "second": text(c)}))
        elif role and not (role == "measure" and measure is not None):
            cols[role] = j
    return cols


def _measure_column(header: Line, below: list[Line]) -> int | None:
    """The column that names each row's measure: headed 类型/指标项/计量 (any measure role), 项目 beside
    another indicator column (指标), or, with no other role, one whose cells all name a measure."""
    roles = [role_of(c) for c in header.cells]
    named = [j for j, r in enumerate(roles) if r == "measure"]
    if named:
        return named[0]
    if roles.count("indicator") > 1:
        item = [j for j, c in enumerate(header.cells) if roles[j] == "indicator" and normalise_name(c) == "项目"]
        if item:
            return item[0]
    for j, role in enumerate(roles):
        if role is not None:
            continue
        filled = [ln.get(j) for ln in below if text(ln.get(j)) and not is_note(ln)]
        if filled and all(measure_of(v)[0] for v in filled) and not re.search(r"\d", fold(header.get(j))):
            return j
    return None


def _row_measure(line: Line, header: Line, cols: dict[str, int], file: str,
                 problems: list[Problem]) -> tuple[str | None, Cell | None] | None:
    """(measure, unit cell) a row's measure column gives, (None, None) without one; None (and a problem) when
    its cell names no measure."""
    if "measure" not in cols:
        return None, None
    j = cols["measure"]
    measure, unit = measure_of(line.get(j))
    if measure is None:
        v = text(line.get(j))
        problems.append(Problem(file, line.row, text(header.get(j)), (
            f"unknown measure {v!r}; expected 累计值 (the year-to-date value) or 累计增长 (its growth, %): troika "
            "reads year-to-date figures only" if v else "the measure is empty; expected 累计值 or 累计增长"),
            "unknown_measure" if v else "measure_empty", {"value": v}))
        return None
    return measure, Cell(unit, line.row, text(header.get(j))) if unit else None


def _cell(line: Line, j: int | None, header: Line) -> Cell | None:
    return None if j is None else Cell(line.get(j), line.row, text(header.get(j)))


def is_note(line: Line) -> bool:
    """True for a line holding one text that starts like a note (注, 说明, 数据来源, note, source, …), in one
    cell or repeated across the cells of an Excel merge."""
    filled = {text(c) for c in line.cells if text(c)}
    return len(filled) == 1 and bool(_NOTE.match(filled.pop()))


def _unit_cell(header: Line, j: int | None, titles: _Titles) -> Cell | None:
    u = split_unit(header.get(j))[1] if j is not None else None
    return Cell(u, header.row, text(header.get(j))) if u else titles.unit


def _meta(line: Line, header: Line, cols: dict[str, int], titles: _Titles) -> dict[str, Cell | None]:
    vintage = _cell(line, cols.get("vintage"), header) or titles.vintage
    return {"status": _cell(line, cols.get("status"), header), "source": _cell(line, cols.get("source"), header),
            "vintage": vintage, "year": _cell(line, cols.get("year"), header)}


def _long(lines, h, titles, file, problems) -> list[Record]:
    header = lines[h]
    cols = _columns(header, file, problems, lines[h + 1:h + 1 + _SAMPLE])
    need = [r for r in ("region", "indicator") if r not in cols]
    need += [] if "period" in cols or titles.period else ["period"]
    need += [] if {"value", "yoy"} & set(cols) else ["value"]
    for role in need:
        problems.append(Problem(file, header.row, COLUMN_LABELS[role], "required column is missing; the header has "
                                f"{[text(c) for c in header.cells if text(c)]}", "column_missing_header",
                                {"header": [text(c) for c in header.cells if text(c)]}))
    if need:
        return []
    # one number column and a measure column: each row's measure says what the number is
    number = None if {"value", "yoy"} <= set(cols) or "measure" not in cols else "value" if "value" in cols else "yoy"
    out, header_unit, region_head = [], _unit_cell(header, cols.get("value"), titles), text(header.get(cols["region"]))
    for line in lines[h + 1:]:
        if line.is_blank() or is_note(line) or text(line.get(cols["region"])) == region_head:
            continue   # blank, a note, or the header repeated (tables pasted one under another)
        unit = _cell(line, cols.get("unit"), header)
        unit = unit if unit is not None and text(unit.value) else header_unit
        value, yoy = _cell(line, cols.get("value"), header), _cell(line, cols.get("yoy"), header)
        if number is not None:
            given = _row_measure(line, header, cols, file, problems)
            if given is None:
                continue
            cell, unit = value or yoy, given[1] or unit
            value, yoy = (cell, None) if given[0] == "value" else (None, cell)
        out.append(Record(line.row, _cell(line, cols["region"], header), _cell(line, cols["indicator"], header),
                          _cell(line, cols.get("period"), header) or titles.period, value=value, yoy=yoy,
                          unit=unit, long=True, **_meta(line, header, cols, titles)))
    return out


def _wide(lines, h, titles, file, problems) -> list[Record]:
    out: list[Record] = []
    block: tuple[str | None, Cell | None] = (None, None)
    header, cols, pcols = lines[h], {}, {}
    for i in range(h, len(lines)):
        line = lines[i]
        if line is header or role_of(line.get(cols.get("region", 0))) == "region":
            rcol = next((j for j, c in enumerate(line.cells) if role_of(c) == "region"), 0)
            below = []
            for ln in lines[i + 1:]:
                if role_of(ln.get(rcol)) == "region" or len(below) >= _SAMPLE:
                    break
                below.append(ln)
            header, cols, pcols = line, _columns(line, file, problems, below), {}
            for j, c in enumerate(line.cells):
                if role_of(c) is None and re.search(r"\d", fold(c)):
                    rest, measure, unit = split_measure(c)
                    try:
                        parse_period(rest)
                    except ValueError as e:
                        if "has no year" not in str(e):
                            problems.append(Problem.of_error(file, line.row, text(c), e))
                            continue
                    pcols[j] = (rest, measure, Cell(unit, line.row, text(c)) if unit else None)
            continue
        filled = [c for c in line.cells if text(c)]
        if len(filled) == 1 and not is_note(line):   # a block title such as '累计增长(%)'
            _, measure, unit = split_measure(filled[0])
            if measure or unit:
                block = (measure, Cell(unit, line.row, None) if unit else None)
            continue
        if line.is_blank() or is_note(line):
            continue
        ind = _cell(line, cols.get("indicator"), header)
        _, ind_measure, ind_unit = resolve_indicator(ind.value)
        given = _row_measure(line, header, cols, file, problems) if any(
            not is_missing(line.get(j)) for j in pcols) else None
        if given is None:
            continue
        row_measure, measure_unit = given
        row_unit = _cell(line, cols.get("unit"), header)
        row_unit = row_unit if row_unit is not None and text(row_unit.value) else None
        unit_measure = "yoy" if row_unit and classify_unit(row_unit.value) == "%" else None
        for j, (rest, head_measure, head_unit) in pcols.items():
            if is_missing(line.get(j)):
                continue
            if head_measure and row_measure and head_measure != row_measure:
                problems.append(Problem(file, line.row, text(header.get(j)), (
                    f"the column says {_WORD[head_measure]} but the row's measure ({text(header.get(cols['measure']))}"
                    f") says {_WORD[row_measure]}; make them agree"), "measure_disagrees",
                    {"column": _WORD[head_measure], "measure": text(header.get(cols["measure"])), "row": _WORD[row_measure]}))
                continue
            measure = head_measure or row_measure or ind_measure or unit_measure or block[0] or "value"
            unit = head_unit or measure_unit or row_unit or (Cell(ind_unit, line.row, ind.column) if ind_unit
                                                             else None) or block[1] or titles.unit
            cell = Cell(line.get(j), line.row, text(header.get(j)))
            out.append(Record(line.row, _cell(line, cols["region"], header), ind,
                              Cell(rest, header.row, text(header.get(j))), unit=unit,
                              value=cell if measure == "value" else None, yoy=cell if measure == "yoy" else None,
                              **_meta(line, header, cols, titles)))
    return out


def _bulletin(lines, h, titles, file, problems) -> list[Record]:
    header = lines[h]
    cols = _columns(header, file, problems)
    rcol = cols.get("region", 0)
    sub = lines[h + 1] if h + 1 < len(lines) else None
    sub_cells = [c for j, c in enumerate(sub.cells) if j != rcol and text(c)] if sub is not None else []
    if sub_cells and not any(split_measure(c)[0] for c in sub_cells):
        top, last = [], ""
        for j, c in enumerate(header.cells):
            last = text(c) or (last if j != rcol else "")
            top.append(last)
        start = h + 2
    else:
        sub, top, start = None, [text(c) for c in header.cells], h + 1
    groups: dict[str, dict[str, tuple[int, str, Cell | None]]] = {}
    for j, name in enumerate(top):
        if j == rcol or j in cols.values() or not name:
            continue
        label = f"{name} {text(sub.get(j))}".strip() if sub is not None else name
        code, measure, unit = resolve_indicator(name)
        if sub is not None and text(sub.get(j)):
            _, sub_measure, sub_unit = split_measure(sub.get(j))
            measure, unit = sub_measure or measure, sub_unit or unit
        if code is None:   # bulletins carry indicators troika does not model (GDP, CPI, …): ignored
            continue
        g = groups.setdefault(code, {})
        measure = measure or ("yoy" if "value" in g else "value")
        if measure in g:
            problems.append(Problem(file, header.row, label, f"a second {measure} column for {code}; keep one",
                                    "second_measure_column", {"measure": measure, "indicator": code}))
            continue
        g[measure] = (j, label, Cell(unit, header.row, label) if unit else titles.unit)
    period = titles.period if "period" not in cols else None
    if "period" not in cols and period is None:
        problems.append(Problem(file, header.row, None, "no period found for this bulletin: put it in a title line "
                                "above the header (e.g. 2025年1-10月各市主要经济指标) or add a 时期/period column",
                                "bulletin_no_period"))
        return []
    out = []
    for line in lines[start:]:
        if line.is_blank() or is_note(line):
            continue
        for code, g in groups.items():
            vj, yj = g.get("value"), g.get("yoy")
            value = Cell(line.get(vj[0]), line.row, vj[1]) if vj and not is_missing(line.get(vj[0])) else None
            yoy = Cell(line.get(yj[0]), line.row, yj[1]) if yj and not is_missing(line.get(yj[0])) else None
            if value is None and yoy is None:
                continue
            out.append(Record(line.row, Cell(line.get(rcol), line.row, text(header.get(rcol)) or "地区"),
                              Cell(INDICATORS[code].zh, header.row, (vj or yj)[1]),
                              _cell(line, cols.get("period"), header) or period, value=value, yoy=yoy,
                              unit=(vj or yj)[2], **_meta(line, header, cols, titles)))
    return out


_PARSERS = {"long": _long, "wide": _wide, "bulletin": _bulletin}


def parse_grid(lines: list[Line], file: str, sheet: str | None = None) -> tuple[str, list[Record], list[Problem]]:
    """Find the header of a grid, tell its layout and return (layout, records, header problems).

    Raises
    ------
    DataError
        When no header row is found in the first ``HEADER_SEARCH_LINES`` lines.
    """
    found = _find_header(lines)
    if found is None:
        raise DataError(f"{file}: no table header found", [Problem(file, None, None, (
            f"no header row found in the first {HEADER_SEARCH_LINES} lines; expected a long table (地区/region, "
            "指标/indicator, 时期/period, 累计值/ytd_value, 累计增长/ytd_yoy), a wide table (地区, 指标, one "
            "column per YTD month such as 2025年1-10月) or a monthly bulletin (地区 and column pairs such as "
            "社会消费品零售总额 累计值 | 比上年同期增长%) or a national statistics database export (a header "
            "指标 or 地区 followed by months such as 2025年10月); if the text looks garbled, pass encoding=..."),
            "no_header", {"lines": HEADER_SEARCH_LINES})])
    h, kind = found
    problems: list[Problem] = []
    records = _PARSERS[kind](lines, h, _titles(lines[:h], sheet), file, problems)
    return kind, records, problems
