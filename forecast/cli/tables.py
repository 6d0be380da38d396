"""The command line's tables: the latest figures against their targets, and plain-text tables that line up
Chinese (wide) characters. Shared by :mod:`forecast.cli.main` and :mod:`forecast.cli.commands`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd

TARGET, TARGET_KIND, TARGET_STATUS, GAP = "target", "target_kind", "target_status", "gap"
#: Columns of :func:`summary_frame` (the first five are the observation columns of the same names).
SUMMARY_COLUMNS = ["region", "indicator", "period", "ytd_value", "ytd_yoy", TARGET, TARGET_KIND,
                   TARGET_STATUS, GAP]


def summary_frame(latest: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Join the latest YTD figures with the targets of their year: one row per region × carriage.

    Parameters
    ----------
    latest : DataFrame
        Observations, one row per (region, indicator): the latest period (see ``Store.latest``).
    targets : DataFrame
        Targets (``region, indicator, year, value, kind, status``), as from ``forecast.data.target_table.load_targets``.

    Returns
    -------
    DataFrame
        Columns :data:`SUMMARY_COLUMNS`, the province first then cities in catalogue order, carriages
        in :data:`forecast.data.catalog.CARRIAGES` order. ``gap`` = ``ytd_yoy − target`` (percentage points);
        NaN where either is missing; ``period`` is NaT for a series without data.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"region": ["liaoning"], "indicator": ["retail"],
    ...                     "period": pd.PeriodIndex(["2025-10"], freq="M"),
    ...                     "ytd_value": [9000.0], "ytd_yoy": [3.2]})
    >>> tg = pd.DataFrame({"region": ["liaoning"], "indicator": ["retail"], "year": [2025],
    ...                    "value": [4.0], "kind": ["about"], "status": ["published"]})
    >>> round(float(summary_frame(obs, tg).iloc[1]["gap"]), 6)  # 3.2 - 4.0
    -0.8
    """
    import numpy as np
    import pandas as pd

    from forecast.data import schema
    from forecast.data.catalog import CARRIAGES, REGIONS

    by_key = {(r[schema.REGION], r[schema.INDICATOR]): r for r in latest.to_dict("records")}
    tg = targets.assign(_rank=(targets[schema.STATUS] != "published").astype(int))  # a published target beats an analyst's
    tg = tg.sort_values("_rank", kind="stable").drop_duplicates([schema.REGION, schema.INDICATOR, schema.YEAR])
    target_of = {(t[schema.REGION], t[schema.INDICATOR], int(t[schema.YEAR])): t for t in tg.to_dict("records")}
    records = []
    for region in REGIONS:
        for ind in CARRIAGES:
            rec: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, np.nan)
            rec.update({schema.REGION: region, schema.INDICATOR: ind, schema.PERIOD: pd.NaT, TARGET_KIND: "", TARGET_STATUS: ""})
            obs = by_key.get((region, ind))
            if obs is not None:
                rec.update({c: obs[c] for c in (schema.PERIOD, schema.YTD_VALUE, schema.YTD_YOY)})
                t = target_of.get((region, ind, obs[schema.PERIOD].year))
                if t is not None:
                    rec.update({TARGET: float(t[schema.VALUE]), TARGET_KIND: t["kind"], TARGET_STATUS: t[schema.STATUS]})
                    rec[GAP] = rec[schema.YTD_YOY] - rec[TARGET]
            records.append(rec)
    out = pd.DataFrame.from_records(records, columns=SUMMARY_COLUMNS)
    out[schema.PERIOD] = pd.PeriodIndex(out[schema.PERIOD], freq="M")
    return out.astype({c: "float64" for c in (schema.YTD_VALUE, schema.YTD_YOY, TARGET, GAP)})


_HEADERS = {
    "zh": ["地区", "指标", "最新时期", "累计值(亿元)", "累计增长(%)", "年度目标(%)", "差距(百分点)"],
    "en": ["Region", "Indicator", "Latest period", "YTD level (100m yuan)", "YTD growth (%)",
           "Target (%)", "Gap (pp)"],
}
_KIND = {"zh": {"about": "{v}左右", "at_least": "{v}以上"}, "en": {"about": "about {v}", "at_least": "at least {v}"}}
_NOTES = {
    "zh": ["差距 = 累计增长 − 年度目标(百分点)；空白 = 未公布或无目标。", "* 分析员设定的目标(非公布目标)。"],
    "en": ["Gap = YTD growth − target (percentage points); blank = not published or no target.",
           "* an analyst's target (not a published one)."],
}
def period_label(period: Any, lang: str = "zh") -> str:
    """Name the YTD window ending in ``period``: ``2025年1-10月`` / ``Jan–Oct 2025`` (:func:`forecast.present.i18n.fmt_period`).

    Examples
    --------
    >>> import pandas as pd
    >>> period_label(pd.Period("2025-02", "M")), period_label(pd.Period("2025-10", "M"), "en")
    ('2025年1-2月', 'Jan–Oct 2025')
    """
    from forecast.present.i18n import fmt_period

    return fmt_period(period, lang)


def _num(x: float, fmt: str = "{:.1f}") -> str:
    if x != x:  # NaN
        return ""
    x = round(float(x), 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return fmt.format(x)


def format_summary(table: pd.DataFrame, lang: str = "zh") -> str:
    """Render :func:`summary_frame` as an aligned text table (wide characters count double).

    Examples
    --------
    >>> from forecast.data.catalog import CARRIAGES
    >>> table = summary_frame(store.latest(list(CARRIAGES)), targets)
    >>> print(format_summary(table.head(3)))                       # the province's three carriages
    地区  指标                    最新时期      累计值(亿元)  累计增长(%)  年度目标(%)  差距(百分点)
    ----  ----------------------  ------------  ------------  -----------  -----------  ------------
    辽宁  固定资产投资(不含农户)  2026年1-10月                       -8.2
    辽宁  社会消费品零售总额      2026年1-10月        8953.2          2.5        4左右          -1.5
    辽宁  进出口总额              2026年1-10月        6327.6          1.5
    差距 = 累计增长 − 年度目标(百分点)；空白 = 未公布或无目标。
    """
    import pandas as pd

    from forecast.data.catalog import INDICATORS, REGIONS

    rows, assumed = [], False
    for rec in table.to_dict("records"):
        target = ""
        if pd.notna(rec[TARGET]):
            target = _KIND[lang].get(rec[TARGET_KIND], "{v}").format(v=f"{rec[TARGET]:g}")
            if rec[TARGET_STATUS] != "published":
                target += "*"
                assumed = True
        no_data = pd.isna(rec["period"])
        rows.append([
            REGIONS[rec["region"]].name(lang),
            INDICATORS[rec["indicator"]].name(lang),
            ("无数据" if lang == "zh" else "no data") if no_data else period_label(rec["period"], lang),
            _num(rec["ytd_value"]),
            _num(rec["ytd_yoy"]),
            target,
            _num(rec["gap"], "{:+.1f}").replace("+0.0", "0.0"),
        ])
    notes = _NOTES[lang][:1] + (_NOTES[lang][1:] if assumed else [])
    return render_table(_HEADERS[lang], rows, align="lllrrrr") + "\n" + "\n".join(notes)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """Align columns of text for a terminal, counting wide (CJK) characters as two columns.

    Examples
    --------
    >>> print(render_table(["a", "数"], [["x", "1.0"]], "lr"))
    a   数
    -  ---
    x  1.0
    """
    widths = [max(_width(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for cell, w, a in zip(cells, widths, align, strict=True):
            pad = " " * (w - _width(cell))
            out.append(cell + pad if a == "l" else pad + cell)
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


# ---------------------------------------------------------------------- entry point
