"""Header cells of official tables: the role a column plays, and the measure and unit a header names.

A header cell names a column's *role* (``地区`` → region, ``累计增长(%)`` → yoy, see :data:`ROLE_NAMES`), and
may carry a unit (``累计值(万元)``) and a *measure* at its end (``2025-10 累计值``, ``社会消费品零售总额
累计增长%``): the year-to-date value (``value``) or the year-to-date growth (``yoy``).
:mod:`forecast.data.layouts` uses these to find the header and tell the layout; :func:`measure_of` reads the
cells of a column that names each row's measure (``项目``, ``指标项``, ``计量``, ``类型``: 累计值 or 累计增长).
"""

from __future__ import annotations

import functools
import re

from forecast.data.catalog import indicator_code, is_indicator, normalise_name
from forecast.data.cells import classify_unit, fold, text

ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "region": ("地区", "地区名称", "区域", "城市", "市别", "各市", "地市", "行政区划", "region", "city", "area"),
    "indicator": ("指标", "指标名称", "项目", "indicator", "indicatorname", "item", "series"),
    "period": ("时期", "时间", "统计时期", "报告期", "期别", "月份", "period", "month", "ytdperiod"),
    "year": ("年份", "年度", "年", "year"),
    "value": ("累计值", "本年累计", "累计完成", "累计数", "累计", "绝对值", "数值", "ytdvalue", "value", "level",
              "ytdlevel", "cumulativevalue", "ytdtotal", "本月止累计"),
    "yoy": ("累计增长", "累计增速", "累计同比", "比上年同期增长", "比去年同期增长", "比上年同期增减", "同比增长",
            "同比增速", "同比", "增长", "增速", "增长率", "增减", "ytdyoy", "yoy", "growth", "growthrate",
            "ytdgrowth", "yoygrowth", "cumulativegrowth", "ytdchange", "累计增长率", "增幅", "累计增幅",
            "同比增幅", "比上年增长", "同比±", "比上年同期±"),
    "unit": ("单位", "计量单位", "unit", "units"),
    "status": ("状态", "数据状态", "status"),
    "source": ("来源", "数据来源", "资料来源", "source"),
    "vintage": ("发布日期", "发布时间", "版本", "vintage", "releasedate", "release"),
    "measure": ("类型", "口径", "数据类型", "指标类型", "指标项", "计量", "计量项", "数据项", "项目类型", "measure",
                "type"),
}
_ROLE = {normalise_name(n): role for role, names in ROLE_NAMES.items() for n in names}
#: Measure words that may end a header, an indicator cell or a block title, longest first.
_MEASURE_WORDS = sorted(((normalise_name(n), role) for role in ("value", "yoy") for n in ROLE_NAMES[role]),
                        key=lambda t: -len(t[0]))

#: The measure words alone (a cell of a measure column), with their measure.
_MEASURE_ALONE = dict(_MEASURE_WORDS)


@functools.lru_cache(maxsize=4096)
def split_unit(v: object) -> tuple[str, str | None]:
    """Take a unit out of a header: ``'累计值(万元)'`` → ``('累计值', '万元')``; ``'增长%'`` → ``('增长', '%')``."""
    s, unit = fold(v), None
    for m in list(re.finditer(r"[(\[【]([^)\]】]*)[)\]】]", s)):
        if classify_unit(m.group(1)) not in ("", "?"):
            unit = m.group(1).replace("单位", "").strip(":：")
            s = s.replace(m.group(0), "")
    m = re.search(r"(亿美元|万美元|千美元|美元|亿元|万元|%)$", s)
    if m:
        unit, s = unit or m.group(1), s[: m.start()]
    return s.strip(":：/|_-,"), unit


@functools.lru_cache(maxsize=4096)
def split_measure(v: object) -> tuple[str, str | None, str | None]:
    """Split header text into (rest, measure 'value'|'yoy'|None, unit)."""
    s, unit = split_unit(v)
    key = normalise_name(s)
    for word, role in _MEASURE_WORDS:
        if key.endswith(word):
            cut = len(s)
            while cut > 0 and normalise_name(s[cut:]) != word:
                cut -= 1
            return s[:cut].strip(":：/|_-,"), role, unit
    if unit and classify_unit(unit) == "%":
        return s, "yoy", unit
    return s, ("value" if unit else None), unit


@functools.lru_cache(maxsize=4096)
def role_of(v: object) -> str | None:
    """The column role a header cell names (see ROLE_NAMES), or None."""
    rest, unit = split_unit(v)
    return _ROLE.get(normalise_name(rest)) if rest else ("yoy" if unit == "%" else None)


@functools.lru_cache(maxsize=4096)
def resolve_indicator(v: object) -> tuple[str | None, str | None, str | None]:
    """(code, measure, unit) of an indicator cell such as '社会消费品零售总额 累计增长(%)'."""
    if is_indicator(text(v)):
        return indicator_code(text(v)), None, None
    rest, measure, unit = split_measure(v)
    return (indicator_code(rest) if rest and is_indicator(rest) else None), measure, unit


@functools.lru_cache(maxsize=4096)
def measure_of(v: object) -> tuple[str | None, str | None]:
    """(measure, unit) of a cell that is only a measure word and maybe a unit: ``'累计值(亿元)'`` →
    ``('value', '亿元')``, ``'累计增长%'`` → ``('yoy', '%')``; ``(None, None)`` for anything else.

    Examples
    --------
    >>> measure_of("累计值"), measure_of("比上年同期增长(%)"), measure_of("当月值"), measure_of("社会消费品零售总额")
    (('value', None), ('yoy', '%'), (None, None), (None, None))
    """
    rest, unit = split_unit(v)
    role = _MEASURE_ALONE.get(normalise_name(rest)) if rest else None
    return (role, unit) if role else (None, None)
