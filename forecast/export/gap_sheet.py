"""The pack's sheet of each city's share of the province's gap to its target (缺口分解-…, Gap-…).

One sheet per carriage whose province has a published or analyst's target in the run's year
(:func:`forecast.decisions.gap_shares.gap_shares` on the run's reconciled paths and targets in force): the
cities, the statistical discrepancy and the province total, in 亿元 and 百分点 of province growth.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from forecast.data.errors import DataError
from forecast.decisions.gap_shares import gap_shares
from forecast.decisions.targets import latest_year
from forecast.present import i18n
from forecast.present.messages import note_text

#: Short names that keep a sheet title within Excel's 31 characters.
_SHORT = {"fai": ("固投", "FAI"), "retail": ("社零", "retail"), "trade": ("外贸", "trade"), "exports": ("出口", "exports"),
          "imports": ("进口", "imports")}


def gap_sheet_name(indicator: str, lang: str = "zh") -> str:
    """``缺口分解-社零`` / ``Gap by city-retail``.

    Examples
    --------
    >>> gap_sheet_name("retail"), gap_sheet_name("retail", "en")
    ('缺口分解-社零', 'Gap by city-retail')
    """
    short = _SHORT.get(indicator, (indicator, indicator))[0 if lang == "zh" else 1]
    return i18n.t("pack_sheet_gap", lang, indicator=short)


def gap_columns(lang: str = "zh") -> list[tuple[str, str, str | None]]:
    """(header, source column of :func:`gap_frame`, number format) in ``lang``."""
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    return [(t("col_region"), "name", None), (t("gap_col_gap_yuan"), "gap_yuan", "0.0"),
            (t("gap_col_gap_pp"), "gap_pp", "0.00"), (t("gap_col_share"), "share_pct", "0.0"),
            (t("gap_col_growth"), "city_growth", "0.0"), (t("gap_col_above"), "above", None),
            (t("pack_col_note"), "note", None)]


def gap_frame(run: Any, indicator: str, lang: str = "zh") -> pd.DataFrame | None:
    """Rows of the gap sheet of ``indicator``, or None when the province has no target for it (or it is fai).

    Examples
    --------
    >>> gap_frame(run, "retail", "en")["name"].tolist()[-2:]
    ['Statistical discrepancy', 'Province total']
    >>> gap_frame(run, "trade") is None                  # no province trade target in 2026
    True
    """
    tg = run.targets
    year = int(tg["year"].max()) if len(tg) else latest_year(run.panel)
    try:
        shares = gap_shares(run.panel, run.forecasts, getattr(run, "discrepancies", {}) or {}, run.target_table,
                            indicator, year)
    except DataError:
        return None
    t = lambda k: i18n.t(k, lang)  # noqa: E731
    names = [t("gap_discrepancy") if role == "discrepancy" else t("gap_total") if role == "province"
             else i18n.region_name(r, lang) for r, role in zip(shares["region"], shares["role"], strict=True)]
    return pd.DataFrame({"name": names, "gap_yuan": shares["gap_yuan"].astype(float),
                         "gap_pp": shares["gap_pp"].astype(float), "share_pct": shares["share_pct"].astype(float),
                         "city_growth": shares["city_growth"].astype(float),
                         "above": ["✓" if bool(a) else "" for a in shares["above_target"]],
                         "note": [note_text(n, lang) for n in shares["note"].fillna("")]})
