"""Raw records → validated observation rows: names, numbers, periods, units and the rules across rows.

A layout (:mod:`forecast.data.layouts`, :mod:`forecast.data.national_export`) gives raw :class:`Record` objects;
:func:`validate_record` turns one into an observation row or the problems of its cells, and :func:`cross_checks`
merges the value and growth halves of a figure and applies the rules across rows (duplicates, a YTD level that
falls within a year). The conventions are described in :mod:`forecast.data.files`, which calls both.

A row is a dict of the observation columns (:mod:`forecast.data.schema`) plus provenance keys starting with
``_`` (file, row, columns) that the problems across rows name; :mod:`forecast.data.files` drops them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pandas as pd

from forecast.data import schema
from forecast.data.catalog import INDICATORS, REGIONS, is_region, region_code
from forecast.data.cells import classify_unit, fold, parse_number, parse_period, parse_vintage, text
from forecast.data.errors import Problem
from forecast.data.headers import resolve_indicator
from forecast.data.layouts import Cell, Record

_STATUS = {"published": "published", "公布": "published", "已公布": "published", "发布": "published",
           "官方": "published", "generated": "generated", "生成": "generated", "模拟": "generated",
           "synthetic": "generated"}


def validate_record(rec: Record, file: str, today: dt.date | None = None) -> tuple[dict | None, list[Problem]]:
    """Validate one record: the observation row (or None when it has a problem or only missing markers) and
    its problems.

    A period is the last month of a year-to-date window, and a month's figure is published the month after
    at the earliest; so a period later than the month of the record's release date (``vintage``) is refused,
    and, when there is no release date, one later than the month of ``today`` (default: the date today;
    tests pin it). A release date after ``today`` is refused too.
    """
    probs: list[Problem] = []
    today = today or dt.date.today()

    def bad(cell: Cell | None, message: str, code: str, **fields: object) -> None:
        probs.append(Problem(file, cell.row if cell else rec.row, cell.column if cell else None, message, code, fields))

    def bad_error(cell: Cell | None, e: ValueError) -> None:
        probs.append(Problem.of_error(file, cell.row if cell else rec.row, cell.column if cell else None, e))

    numbers = {}
    for key, cell in (("value", rec.value), ("yoy", rec.yoy)):
        try:
            numbers[key] = parse_number(cell.value) if cell is not None else None
        except ValueError as e:
            bad_error(cell, e)
            numbers[key] = Decimal("NaN")
    if numbers["value"] is None and numbers["yoy"] is None:
        if not (rec.long and all(c is None or text(c.value) == "" for c in (rec.value, rec.yoy))):
            return None, probs   # only missing markers (—, …): the release says it was not published
        bad(rec.value or rec.yoy, "no value: both 累计值 and 累计增长 are empty; fill one in, write — to mark "
            "an unpublished figure, or delete the row", "no_value")
    region = ind = period = year = None
    rtext = text(rec.region.value)
    if is_region(rtext):
        region = region_code(rtext)
    elif rtext:
        bad(rec.region, f"unknown region {rtext!r}: not in the catalogue nor on the national list of provinces and "
            "prefecture-level cities (GB/T 2260); expected the province (辽宁/liaoning) or a city such as 沈阳, "
            f"大连市, Dalian, 210200 (one of {', '.join(REGIONS)})", "unknown_region", name=rtext,
            regions=", ".join(REGIONS))
    else:
        bad(rec.region, "region is empty", "region_empty")
    ind, _, ind_unit = resolve_indicator(rec.indicator.value)
    if ind is None:
        known = ", ".join(f"{i.zh}/{c}" for c, i in INDICATORS.items())
        bad(rec.indicator, f"unknown indicator {text(rec.indicator.value)!r}; expected one of {known}",
            "unknown_indicator", name=text(rec.indicator.value), expected=known)
    if rec.year is not None and text(rec.year.value):
        ymatch = re.fullmatch(r"(\d{4})年?", fold(rec.year.value))
        year = int(ymatch.group(1)) if ymatch else None
        if year is None:
            bad(rec.year, f"cannot read year {text(rec.year.value)!r}; expected e.g. 2025", "bad_year",
                value=text(rec.year.value))
    if rec.period is None or (text(rec.period.value) == "" and not isinstance(rec.period.value, dt.date)):
        bad(rec.period, "period is empty; expected e.g. 2025年1-10月 or 2025-10", "period_empty")
    elif not (year is None and rec.year is not None and text(rec.year.value)):
        try:
            period = parse_period(rec.period.value, year)
        except ValueError as e:
            bad_error(rec.period, e)
    if period is not None and ind is not None and period.month == 1 and INDICATORS[ind].jan_feb_combined:
        bad(rec.period, f"January-only figure for {ind}: it is published for January–February together (1-2月); "
            f"write the Jan–Feb release as {period.year}年1-2月 (period {period.year}-02) or drop this row",
            "january_only", indicator=ind, year=period.year)
    factor = Decimal(1)
    for ucell in (rec.unit, Cell(ind_unit, rec.indicator.row, rec.indicator.column) if ind_unit else None):
        kind = classify_unit(ucell.value) if ucell is not None else ""
        if kind == "usd":
            bad(ucell, f"levels in US dollars ({text(ucell.value)}): troika stores 亿元 (RMB) and keeps trade in 亿元 "
                "as customs publish it in yuan; use the customs release in yuan (人民币) — USD and RMB figures, and "
                "their growth rates, are never mixed", "unit_usd", unit=text(ucell.value))
        elif kind == "万元":
            factor = Decimal("0.0001")
        elif kind == "%" and numbers["value"] is not None:
            bad(ucell, "unit is % but a 累计值 level is given; give the level's unit (亿元 or 万元)", "unit_pct_level")
        elif kind == "?":
            bad(ucell, f"unknown unit {text(ucell.value)!r}; expected 亿元 or 万元 (or % for growth)", "unknown_unit",
                unit=text(ucell.value))
    value, yoy = numbers["value"], numbers["yoy"]
    if value is not None and value.is_finite() and value < 0:
        bad(rec.value, f"negative YTD level {value}; a cumulative value cannot be below 0", "negative_level",
            value=str(value))
    if yoy is not None and yoy.is_finite() and yoy < -100:
        bad(rec.yoy, f"growth {yoy}% is below -100%, which is impossible; check the sign or the column",
            "growth_below_minus_100", value=str(yoy))
    raw_status = fold(rec.status.value) if rec.status is not None else ""
    status = _STATUS.get(raw_status) if raw_status else "published"
    if status is None:
        bad(rec.status, f"unknown status {text(rec.status.value)!r}; expected published or generated",
            "unknown_status", value=text(rec.status.value))
    try:
        vintage = parse_vintage(rec.vintage.value) if rec.vintage is not None else ""
    except ValueError:
        vintage = None
        bad(rec.vintage, f"cannot read release date {text(rec.vintage.value)!r}; expected YYYY-MM-DD", "bad_vintage",
            value=text(rec.vintage.value))
    if vintage and vintage > today.isoformat():
        bad(rec.vintage, f"release date {vintage} is after today ({today.isoformat()}); a figure cannot be "
            "published in the future: check the year of the date", "vintage_future", vintage=vintage,
            today=today.isoformat())
    elif period is not None and vintage is not None:
        _check_not_future(period, vintage, today, rec, bad)
    if probs:
        return None, probs
    return {schema.REGION: region, schema.INDICATOR: ind, schema.PERIOD: period,
            schema.YTD_VALUE: float(value * factor) if value is not None else float("nan"),
            schema.YTD_YOY: float(yoy) if yoy is not None else float("nan"), schema.VINTAGE: vintage, schema.STATUS: status,
            schema.SOURCE: text(rec.source.value) if rec.source is not None else "",
            # provenance for cross-record problems: which halves this record gives, where they are
            "_file": file, "_row": rec.row, "_pcol": rec.period.column, "_has_v": rec.value is not None,
            "_has_g": rec.yoy is not None, "_vrow": rec.row, "_vcol": rec.value.column if rec.value else None}, probs


def _check_not_future(period: pd.Period, vintage: str, today: dt.date, rec: Record, bad) -> None:
    """Refuse a period later than the month of its release date (or of today, without one)."""
    last = pd.Period(vintage[:7] if vintage else today.strftime("%Y-%m"), "M")
    if period > last and vintage:
        bad(rec.period, f"period {period} is later than its release date {vintage}: a year-to-date figure is published "
            "after the month it ends, so this cannot be a published figure; check the year and month of the period",
            "period_after_vintage", period=str(period), vintage=vintage)
    elif period > last:
        bad(rec.period, f"period {period} is later than today ({today.isoformat()}) and the row has no release date: a "
            "year-to-date figure is published after the month it ends, so this cannot be a published figure; check "
            "the year and month of the period, or give its release date (发布日期)", "period_future", period=str(period),
            today=today.isoformat())


def cross_checks(rows: list[dict]) -> tuple[list[dict], list[Problem]]:
    """Merge value/growth halves of one figure; flag duplicates and YTD levels that fall within a year."""
    merged: dict[tuple, dict] = {}
    probs: list[Problem] = []
    for r in rows:
        key = tuple(r[k] for k in schema.OBSERVATION_KEY)
        first = merged.get(key)
        if first is None:
            merged[key] = dict(r)
        elif (r["_has_v"] and first["_has_v"]) or (r["_has_g"] and first["_has_g"]):
            at = f"row {first['_row']}" if first["_file"] == r["_file"] else f"{first['_file']} row {first['_row']}"
            probs.append(Problem(r["_file"], r["_row"], r["_pcol"], f"duplicate figure for ({', '.join(map(str, key[:3]))}"
                                 f", vintage {key[3]!r}): already given at {at}; keep one per region × indicator × period",
                                 "duplicate_figure" if first["_file"] == r["_file"] else "duplicate_figure_file",
                                 {"key": ", ".join(map(str, key[:3])), "vintage": key[3], "row": first["_row"],
                                  "other": first["_file"]}))
        elif r["_has_v"]:   # the value half of a figure whose growth came first (wide layout blocks)
            first.update({schema.YTD_VALUE: r[schema.YTD_VALUE], "_has_v": True, "_vrow": r["_row"], "_vcol": r["_vcol"]})
        else:
            first.update({schema.YTD_YOY: r[schema.YTD_YOY], "_has_g": True})
    latest: dict[tuple, dict] = {}
    for r in merged.values():
        k = (r[schema.REGION], r[schema.INDICATOR], r[schema.PERIOD])
        if pd.notna(r[schema.YTD_VALUE]) and (k not in latest or r[schema.VINTAGE] > latest[k][schema.VINTAGE]):
            latest[k] = r
    prev: dict[tuple, dict] = {}
    for k in sorted(latest, key=lambda k: (k[0], k[1], k[2].ordinal)):
        r, g = latest[k], (k[0], k[1], k[2].year)
        p = prev.get(g)
        if p is not None and r[schema.YTD_VALUE] < p[schema.YTD_VALUE] - 1e-9:
            probs.append(Problem(r["_file"], r["_vrow"], r["_vcol"], (
                f"YTD level falls within {k[2].year}: {k[1]} {k[0]} is {r[schema.YTD_VALUE]:g} at {k[2]} but was "
                f"{p[schema.YTD_VALUE]:g} at {p[schema.PERIOD]} (row {p['_vrow']}); a year-to-date total cannot fall — "
                "check the period, the unit (万元/亿元) or the value"), "ytd_falls",
                {"year": k[2].year, "indicator": k[1], "region": k[0], "value": f"{r[schema.YTD_VALUE]:g}",
                 "period": str(k[2]), "prev_value": f"{p[schema.YTD_VALUE]:g}", "prev_period": str(p[schema.PERIOD]),
                 "row": p["_vrow"]}))
        prev[g] = r
    return list(merged.values()), probs
