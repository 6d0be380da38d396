"""Labels and number formats of the front ends, in Chinese (default) and English.

Every text the app shows goes through :func:`t` (labels) or one of the ``fmt_*`` functions (numbers with
their unit), so switching the language changes every label, number format and unit at once:

========================  =====================  ==========================
quantity                  zh                     en
========================  =====================  ==========================
level (:func:`fmt_amount`)  ``9948.8亿元``           ``9,948.8 (100 million yuan)``
growth (:func:`fmt_pct`)    ``3.6%``               ``3.6%``
change of growth          ``+0.2个百分点``         ``+0.2 pp``
probability               ``73%``                ``73%``
target (:func:`fmt_target`) ``5%左右`` / ``5%以上``   ``about 5%`` / ``at least 5%``
YTD window                ``2026年1-11月``         ``Jan–Nov 2026``
========================  =====================  ==========================

Region and indicator names come from the catalogue (:mod:`forecast.data.catalog`), never from here. The label
tables live beside this module: the app's in :mod:`forecast.present.labels`, the Excel meeting pack's in
:mod:`forecast.present.labels_export`; :data:`LABELS` is both.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from forecast.data.catalog import INDICATORS, REGIONS, UNIT, UNIT_EN
from forecast.present.labels import APP_LABELS
from forecast.present.labels_export import EXPORT_LABELS

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
#: Name of each language in its own script (the language switch shows these).
LANG_NAMES = {"zh": "中文", "en": "English"}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Label key → (zh, en): the app's labels (:mod:`forecast.present.labels`) and the meeting pack's
#: (:mod:`forecast.present.labels_export`), all read with :func:`t`.
LABELS: dict[str, tuple[str, str]] = {**APP_LABELS, **EXPORT_LABELS}
assert len(LABELS) == len(APP_LABELS) + len(EXPORT_LABELS), "a meeting-pack label reuses an app label key"


def _lang(lang: str) -> int:
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}; expected one of {LANGS}")
    return LANGS.index(lang)


def t(key: str, lang: str = DEFAULT_LANG, **fields: Any) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``fields``.

    Raises
    ------
    KeyError
        For an unknown key (a typo in the app should fail its tests, not show a key).

    Examples
    --------
    >>> t("page_overview"), t("page_overview", "en")
    ('总览', 'Overview')
    >>> t("scn_saved", "en", name="q4")
    'Saved scenario: q4'
    """
    text = LABELS[key][_lang(lang)]
    return text.format(**fields) if fields else text


def region_name(code: str, lang: str = DEFAULT_LANG) -> str:
    """Catalogue name of a region (``discrepancy`` is the statistical discrepancy).

    Examples
    --------
    >>> region_name("shenyang"), region_name("shenyang", "en"), region_name("discrepancy", "en")
    ('沈阳', 'Shenyang', 'discrepancy')
    """
    if code in REGIONS:
        return REGIONS[code].name(lang)
    if code == "discrepancy":
        return t("role_discrepancy", lang)
    return str(code)


def indicator_name(code: str, lang: str = DEFAULT_LANG, short: bool = False) -> str:
    """Catalogue name of an indicator; ``short`` drops the bracketed qualifier.

    Examples
    --------
    >>> indicator_name("fai", short=True), indicator_name("retail", "en")
    ('固定资产投资', 'Retail sales of consumer goods')
    """
    if code not in INDICATORS:
        return str(code)
    name = INDICATORS[code].name(lang)
    return name.split("(")[0].strip() if short else name


def _missing(x: Any) -> bool:
    try:
        return x is None or x is pd.NaT or math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def _round(x: float, digits: int) -> float:
    return round(float(x), digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def fmt_pct(x: Any, lang: str = DEFAULT_LANG, digits: int = 1, sign: bool = False) -> str:
    """A growth rate in percent (``3.6%``); ``sign`` writes ``+`` on positive values; ``—`` when missing.

    Examples
    --------
    >>> fmt_pct(3.64), fmt_pct(-0.04), fmt_pct(2.0, sign=True), fmt_pct(float("nan"))
    ('3.6%', '0.0%', '+2.0%', '—')
    """
    _lang(lang)
    if _missing(x):
        return "—"
    v = _round(x, digits)
    return f"{v:+.{digits}f}%" if sign and v != 0 else f"{v:.{digits}f}%"


def fmt_pp(x: Any, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A change of a growth rate in percentage points, signed: ``+0.2个百分点`` / ``+0.2 pp``.

    Examples
    --------
    >>> fmt_pp(0.186), fmt_pp(-1.25, "en"), fmt_pp(0.0, "en")
    ('+0.2个百分点', '-1.2 pp', '0.0 pp')
    """
    if _missing(x):
        return "—"
    v = _round(x, digits)
    num = f"{v:+.{digits}f}" if v != 0 else f"{v:.{digits}f}"
    return f"{num}个百分点" if _lang(lang) == 0 else f"{num} pp"


def fmt_amount(x: Any, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A level in 亿元: ``9948.8亿元`` / ``9,948.8 (100 million yuan)``.

    Examples
    --------
    >>> fmt_amount(9948.8), fmt_amount(9948.8, "en")
    ('9948.8亿元', '9,948.8 (100 million yuan)')
    """
    if _missing(x):
        return "—"
    v = _round(x, digits)
    return f"{v:.{digits}f}{UNIT}" if _lang(lang) == 0 else f"{v:,.{digits}f} ({UNIT_EN})"


def fmt_prob(p: Any, lang: str = DEFAULT_LANG) -> str:
    """A probability (0–1) in whole percent.

    Examples
    --------
    >>> fmt_prob(0.735), fmt_prob(1.0, "en")
    ('74%', '100%')
    """
    _lang(lang)
    if _missing(p):
        return "—"
    return f"{_round(float(p) * 100, 0):.0f}%"


def fmt_target(value: Any, kind: str, lang: str = DEFAULT_LANG, status: str = "published") -> str:
    """A growth target as the work reports word it: ``5%左右`` / ``about 5%``, ``5%以上`` / ``at least 5%``.

    A target that is not ``published`` says where it comes from: ``analyst`` (set by a person) or
    ``reference`` (derived by a rule, e.g. the province's target shown against a city: never a verdict).

    Examples
    --------
    >>> fmt_target(5, "about"), fmt_target(5.5, "at_least", "en"), fmt_target(4, "about", "zh", "reference")
    ('5%左右', 'at least 5.5%', '4%左右（参考）')
    >>> fmt_target(6, "about", "en", "analyst")
    "about 6% (analyst's)"
    """
    if _missing(value):
        return "—"
    num = f"{float(value):g}%"
    word = t(f"kind_{kind}", lang) if kind in ("about", "at_least") else ""
    text = (num + word) if _lang(lang) == 0 else (f"{word} {num}".strip())
    return text + (t(f"target_mark_{status}", lang) if status in ("analyst", "reference") else "")


def fmt_period(period: Any, lang: str = DEFAULT_LANG) -> str:
    """The YTD window ending in ``period``: ``2026年1-11月`` / ``Jan–Nov 2026`` (an en dash in English).

    Examples
    --------
    >>> fmt_period(pd.Period("2026-02", "M")), fmt_period(pd.Period("2026-11", "M"), "en")
    ('2026年1-2月', 'Jan–Nov 2026')
    """
    if _missing(period):
        return "—"
    p = pd.Period(period, freq="M")
    if _lang(lang) == 0:
        return f"{p.year}年1月" if p.month == 1 else f"{p.year}年1-{p.month}月"
    return f"Jan {p.year}" if p.month == 1 else f"Jan–{_MONTHS_EN[p.month - 1]} {p.year}"


def fmt_month(period: Any, lang: str = DEFAULT_LANG) -> str:
    """One period-end month: ``2026年12月`` / ``Dec 2026`` (Jan–Feb: ``2027年1-2月`` / ``Jan–Feb 2027``).

    Examples
    --------
    >>> fmt_month(pd.Period("2026-12", "M")), fmt_month(pd.Period("2027-02", "M"), "en")
    ('2026年12月', 'Jan–Feb 2027')
    """
    p = pd.Period(period, freq="M")
    if p.month == 2:
        return fmt_period(p, lang)
    return f"{p.year}年{p.month}月" if _lang(lang) == 0 else f"{_MONTHS_EN[p.month - 1]} {p.year}"


def fmt_month_span(periods: Any, lang: str = DEFAULT_LANG) -> str:
    """The months from the first to the last of ``periods`` (one year): ``2025年11月–12月`` / ``Nov–Dec 2025``.

    Examples
    --------
    >>> months = pd.period_range("2025-11", "2025-12", freq="M")
    >>> fmt_month_span(months), fmt_month_span(months, "en"), fmt_month_span(months[:1])
    ('2025年11月–12月', 'Nov–Dec 2025', '2025年11月')
    """
    first, last = pd.Period(periods[0], freq="M"), pd.Period(periods[-1], freq="M")
    if first == last:
        return fmt_month(first, lang)
    if _lang(lang) == 0:
        return f"{fmt_month(first, lang)}–{last.month}月"
    return f"{_MONTHS_EN[first.month - 1]}–{fmt_month(last, lang)}"


def fmt_base_effect(effect: Any, prefix: str, lang: str = DEFAULT_LANG) -> str:
    """The text of a low or high base (:class:`forecast.decisions.position.BaseEffect`) from the labels
    ``{prefix}low`` / ``{prefix}high``; ``""`` for an ordinary base or None."""
    if effect is None or effect.direction not in ("low", "high"):
        return ""
    return t(f"{prefix}{effect.direction}", lang, months=fmt_month_span(effect.periods, lang),
             share=fmt_pct(effect.share, lang), usual=fmt_pct(effect.usual, lang), n=len(effect.years))


def fmt_time(when: Any, lang: str = DEFAULT_LANG) -> str:
    """A run time (datetime or ISO text, UTC): ``2026-11-27 22:52 UTC``; ``—`` when missing.

    Examples
    --------
    >>> import datetime as dt
    >>> fmt_time(dt.datetime(2026, 11, 27, 22, 52, 44, tzinfo=dt.UTC))
    '2026-11-27 22:52 UTC'
    """
    _lang(lang)
    if _missing(when) or when == "":
        return "—"
    ts = pd.Timestamp(when)
    ts = ts.tz_convert("UTC") if ts.tzinfo is not None else ts
    return f"{ts:%Y-%m-%d %H:%M} UTC"


def status_label(status: str, lang: str = DEFAULT_LANG) -> str:
    """Name of a target status (``on_track``, ``at_risk``, ``off_track``, ``unknown``, ``no target``).

    Examples
    --------
    >>> status_label("on_track"), status_label("no target", "en")
    ('有望完成', 'no target')
    """
    key = "status_" + str(status).replace(" ", "_")
    return t(key, lang) if key in LABELS else str(status)


#: Background colour of each target status (traffic lights, light enough for black text).
STATUS_COLOURS = {"on_track": "#c8e6c9", "at_risk": "#fff3b0", "off_track": "#ffcdd2", "unknown": "#e0e0e0",
                  "no target": "#f5f5f5", "reference": "#e3ecf7"}


def status_colour(label: str, lang: str = DEFAULT_LANG) -> str:
    """Background colour for a status given by its code or by its label in ``lang``.

    Examples
    --------
    >>> status_colour("on_track") == status_colour("有望完成") == STATUS_COLOURS["on_track"]
    True
    """
    for code, colour in STATUS_COLOURS.items():
        if label in (code, status_label(code, lang)):
            return colour
    return ""
