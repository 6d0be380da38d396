"""Reading one table cell: its text, a number, a unit, a period or a release date.

These are the small parsers shared by :mod:`forecast.data.layouts` (which recognises headers and layouts),
:mod:`forecast.data.files` (which validates the figures) and :mod:`forecast.data.target_table`. Each takes a raw cell
value (text, a number, a date or None, as CSV or openpyxl give it) and either returns the parsed value or
raises ``ValueError`` whose message says what was given and what was expected.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import pandas as pd

from forecast.data.errors import CodedError

_NON_FINITE = re.compile(r"[+-]?(inf|infinity|nan|∞)")
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?(e[+-]?\d+)?|[+-]?\.\d+")


def text(v: object) -> str:
    """Cell as stripped text ('' for None; whole floats without '.0')."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def fold(v: object) -> str:
    """NFKC, case-fold and drop whitespace (keeps '-', unlike catalog.normalise_name)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(v)).casefold())


@functools.lru_cache(maxsize=4096)
def classify_unit(v: object) -> str:
    """'亿元', '万元', 'usd', '%', '' (blank) or '?' (unknown) for a unit text."""
    s = fold(v).strip("()[]【】:：单位")
    if not s:
        return ""
    if "美元" in s or "usd" in s or "us$" in s or "dollar" in s:
        return "usd"
    if "万元" in s:
        return "万元"
    if "亿元" in s or s in ("亿", "亿人民币", "100millionyuan", "100myuan"):
        return "亿元"
    return "%" if s in ("%", "百分比", "percent") else "?"


def is_missing(v: object) -> bool:
    """True for a blank cell or an explicit 'not published' marker (—, -, …, /, NA).

    ``nan`` is not one: it is what a program writes for a number it lost, and :func:`parse_number` refuses it.
    """
    s = fold(v)
    return s == "" or bool(re.fullmatch(r"[-—–―‐…./]+", s)) or s in ("na", "n/a", "null", "none", "#n/a")


def parse_number(v: object) -> Decimal | None:
    """Parse a published number: None for blank or a missing marker; ``ValueError`` if unreadable.

    Non-finite numbers are refused: ``inf``, ``nan`` (written out: an unpublished figure is — or an empty cell)
    and numbers past the largest float (``1e400``), which would be stored as infinity.

    Examples
    --------
    >>> parse_number("14,142.8"), parse_number("－１.２%"), parse_number("—")
    (Decimal('14142.8'), Decimal('-1.2'), None)
    >>> parse_number("1e400")
    Traceback (most recent call last):
    ...
    forecast.data.errors.CodedError: number '1e400' is too large to store (the largest is about 1.8e308); check the cell
    """
    if isinstance(v, bool):
        raise CodedError(f"expected a number, got {v!r}", "not_a_number", value=repr(v))
    if isinstance(v, float) and v != v:
        return None   # an empty cell as some readers give it
    if isinstance(v, float) and not math.isfinite(v):
        raise CodedError(f"{v!r} is not a finite number; write the figure, or — for an unpublished one", "not_finite",
                         value=repr(v))
    if isinstance(v, int | float):
        return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    if is_missing(v):
        return None
    s = unicodedata.normalize("NFKC", text(v)).replace("\u2212", "-").replace(" ", "").casefold()
    s = s[:-1] if s.endswith("%") else s
    if _NON_FINITE.fullmatch(s):
        raise CodedError(f"{text(v)!r} is not a finite number; write the figure, or — (or leave the cell empty) "
                         "for an unpublished one", "not_finite_text", value=text(v))
    if not _NUMBER.fullmatch(s):
        raise CodedError(f"cannot read number {text(v)!r}; expected e.g. 1234.5, 1,234.5, -3.2 or 6.7%, "
                         "or — for an unpublished figure", "bad_number", value=text(v))
    try:
        d = Decimal(s.replace(",", ""))
    except InvalidOperation:
        raise CodedError(f"cannot read number {text(v)!r}", "bad_number_short", value=text(v)) from None
    if not math.isfinite(float(d)):
        raise CodedError(f"number {text(v)!r} is too large to store (the largest is about 1.8e308); check the cell",
                         "number_too_large", value=text(v))
    return d


def parse_vintage(v: object) -> str:
    """Parse a release date to ``YYYY-MM-DD`` ('' for a blank cell); bare ``ValueError`` if unreadable.

    The caller words the problem (it knows the cell), so the error carries no message.

    Examples
    --------
    >>> parse_vintage("2025年11月15日"), parse_vintage("20251115"), parse_vintage(None)
    ('2025-11-15', '2025-11-15', '')
    """
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    s = fold(v)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?|(\d{4})(\d{2})(\d{2})", s)
    if s and m:
        y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
        return dt.date(y, mo, d).isoformat()   # ValueError for 2025-13-45
    if s:
        raise ValueError
    return ""


# ---------------------------------------------------------------- periods
_DASH = r"[-~—–―至到]"
_ZH = re.compile(rf"^(?:(?P<y>\d{{4}})年)?(?:(?P<a>\d{{1,2}})月?{_DASH})?(?P<b>\d{{1,2}})月份?(?:累计)?$")
_PRE = re.compile(r"^(?:(?P<y>\d{4})年)?前(?P<b>\d{1,2})个?月$")
_QTR = {"一季度": 3, "第一季度": 3, "1季度": 3, "上半年": 6, "前三季度": 9, "1-3季度": 9, "全年": 12}
_QTR_RE = re.compile(rf"^(?:(?P<y>\d{{4}})年)?(?P<q>{'|'.join(_QTR)})$")
_ISO = re.compile(r"^(?P<y>\d{4})[-/.](?:(?P<a>\d{1,2})\.\.)?(?P<b>\d{1,2})(?:ytd)?$")
_YM = re.compile(r"^(?P<y>\d{4})(?P<b>\d{2})$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN = re.compile(r"^(?P<y1>\d{4})?(?:(?P<a>[a-z]{3,9})[-~–—])?(?P<b>[a-z]{3,9})(?P<y2>\d{4})?$")
PERIOD_FORMS = "2025-10, 2025年1-10月, 2025年1-2月, 2025年10月, or 1-10月 with a 年份/year column"
#: A period inside a title line, e.g. '2025年1-10月各市主要经济指标'.
PERIOD_IN_TEXT = re.compile(rf"\d{{4}}年(?:(?:\d{{1,2}}月?{_DASH})?\d{{1,2}}月(?!\d{{1,2}}日)(?!\d)|前\d{{1,2}}个?月|"
                            rf"{'|'.join(_QTR)})|\d{{4}}-\d{{2}}(?:\.\.\d{{2}})?(?![-\d])")


def _month(name: str | None) -> int | None:
    if name is None:
        return None
    if name[:3] in _MONTHS and (len(name) == 3 or any(m.startswith(name) for m in (
            "january", "february", "march", "april", "may", "june", "july", "august", "september",
            "october", "november", "december", "sept"))):
        return _MONTHS.index(name[:3]) + 1
    raise ValueError


@functools.lru_cache(maxsize=4096)
def parse_period(v: object, year: int | None = None) -> pd.Period:
    """Parse a YTD period to the last month of its window (``Period[M]``).

    Raises ``ValueError`` whose message says what was given and what was expected.

    Examples
    --------
    >>> parse_period("2025年1-10月"), parse_period("1-2月", year=2025), parse_period("2025-03")
    (Period('2025-10', 'M'), Period('2025-02', 'M'), Period('2025-03', 'M'))
    """
    if isinstance(v, dt.date | pd.Timestamp | pd.Period):
        y0, a, b = v.year, None, v.month
    elif isinstance(v, float) and not v.is_integer():
        raise CodedError(f"period given as the number {v}; write it as text such as 2025-10 or 2025年1-10月",
                         "period_number", value=str(v))
    else:
        s = fold(v)
        if not s:
            raise CodedError(f"period is empty; expected {PERIOD_FORMS}", "period_empty_forms")
        for rx in (_ZH, _PRE, _QTR_RE, _ISO, _YM, _EN):
            m = rx.match(s)
            if m:
                break
        else:
            raise CodedError(f"cannot read period {text(v)!r}; expected {PERIOD_FORMS}", "bad_period", value=text(v))
        g = m.groupdict()
        y0 = g.get("y") or g.get("y1") or g.get("y2")
        y0 = int(y0) if y0 else None
        try:
            if rx is _EN:
                a, b = _month(g["a"]), _month(g["b"])
            elif rx is _QTR_RE:
                a, b = 1, _QTR[g["q"]]
            else:
                a, b = (int(g["a"]) if g.get("a") else (1 if rx is _PRE else None)), int(g["b"])
        except ValueError:
            raise CodedError(f"cannot read period {text(v)!r}; expected {PERIOD_FORMS}", "bad_period",
                             value=text(v)) from None
    if not 1 <= b <= 12 or (a is not None and not 1 <= a <= 12):
        raise CodedError(f"period {text(v)!r} names a month outside 1-12; expected {PERIOD_FORMS}", "period_month",
                         value=text(v))
    if a is not None and a != 1:
        raise CodedError(f"period {text(v)!r} is not a year-to-date window: it must start in January (1-{b}月)",
                         "period_not_ytd", value=text(v), month=b)
    if a is not None and a > b:
        raise CodedError(f"period {text(v)!r} ends before it starts; expected a window such as 1-{a}月",
                         "period_reversed", value=text(v), month=a)
    if y0 is not None and year is not None and y0 != year:
        raise CodedError(f"period {text(v)!r} says {y0} but the 年份/year column says {year}; make them agree",
                         "period_year_mismatch", value=text(v), period_year=y0, year=year)
    y = y0 if y0 is not None else year
    if y is None:
        raise CodedError(f"period {text(v)!r} has no year; write 2025年1-10月 or add a 年份/year column",
                         "period_no_year", value=text(v))
    if not 1949 <= y <= 2100:
        raise CodedError(f"period {text(v)!r} has year {y}, outside 1949-2100", "period_year_range", value=text(v),
                         year=y)
    return pd.Period(year=y, month=b, freq="M")
