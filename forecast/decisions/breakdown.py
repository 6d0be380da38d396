"""Cities against the province: contributions to growth and shares of the three carriages.

Contributions need levels that add up, so they refuse growth-only series (``fai`` run on a chained index:
city indices do not sum to the province) with a :class:`~forecast.data.errors.DataError`; carriage shares
leave a growth-only carriage out and say so. The city tables and checks here are shared with the target
inversion (:mod:`forecast.decisions.inversion`, which re-exports :func:`contributions` and :func:`carriage_shares`).

The statistical discrepancy (province − sum of the cities; DESIGN §2) is always its own line, so cities
plus discrepancy reproduce the province exactly. Cities whose latest release differs from the province's
are left out and fall into the discrepancy (their row is missing; the discrepancy row's ``note`` names them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.catalog import CARRIAGES, CITIES, PROVINCE
from forecast.data.errors import Coded, DataError, joined
from forecast.data.schema import INDICATOR, PERIOD, REGION, YEAR, YTD_VALUE, YTD_YOY
from forecast.decisions.targets import (
    SeriesTable,
    YTDPosition,
    forecast_map,
    remaining_flow_paths,
    series_table,
    ytd_position,
)


def indicator_tables(panel: pd.DataFrame, indicator: str) -> dict[str, SeriesTable]:
    """Every region's series of ``indicator`` in the panel, indexed once."""
    rows = panel[panel[INDICATOR] == indicator]
    return {str(r): series_table(g) for r, g in rows.groupby(REGION, sort=False)}


def refuse_index_series(tables: dict[str, SeriesTable], indicator: str, year: int, what: str) -> None:
    if any({year - 1, year} & t.index_years for t in tables.values()):
        raise DataError(
            f"{what}: {indicator} {year} runs on a chained growth index (levels not published), and city "
            "indices do not add up to the province; supply published levels (亿元) to use this function"
        )


def province_table(tables: dict[str, SeriesTable], indicator: str) -> SeriesTable:
    if PROVINCE not in tables:
        raise DataError(f"panel has no {PROVINCE}/{indicator} series; the province is needed as the total")
    return tables[PROVINCE]


def table_year(tables: dict[str, SeriesTable], indicator: str, year: int | None) -> int:
    if year is not None:
        return int(year)
    levels = province_table(tables, indicator).levels
    if not levels:
        raise DataError(f"{PROVINCE}/{indicator} has no released value; nothing to compute")
    return max(y for y, _ in levels)


def median_full_year_level(pos: YTDPosition, fc: Any | None) -> float:
    """Median full-year level ``V_t + median(Σ remaining flows)`` (``V_t`` once decided; NaN without forecast)."""
    if not pos.remaining:
        return pos.ytd_value
    if fc is None:
        return float("nan")
    return pos.ytd_value + float(np.median(remaining_flow_paths(pos, fc)))


def contributions(
    panel: pd.DataFrame,
    forecasts: Mapping | Iterable | None = None,
    *,
    indicator: str,
    year: int | None = None,
) -> pd.DataFrame:
    """Each city's contribution (百分点) to the province's YTD growth and projected full-year growth.

    YTD, at the province's latest release ``t``: ``(V_c,t − B_c,t) / B_P,t × 100`` for every city
    released at ``t``; the discrepancy line is ``(D_t − B_D,t) / B_P,t × 100`` with ``D = V_P − ΣV_c`` and
    ``B_D = B_P − ΣB_c``, so the lines sum to the province's growth ``(V_P,t − B_P,t)/B_P,t × 100`` exactly.
    ``ytd_contribution_rate`` (贡献率) is the contribution divided by the province's growth.

    Full year, from the median of each series' sample paths: ``(median L_c − B_c,12) / B_P,12 × 100`` with
    ``L = V_t + Σ remaining flows``; the discrepancy line is the province's projected growth minus the
    cities' contributions, so these sum exactly too. NaN where a forecast (or a full-year base) is missing;
    once December is released the full-year columns are the actual figures.

    Parameters
    ----------
    panel : DataFrame
        From :func:`forecast.data.panel.build_panel`.
    forecasts : mapping or iterable, optional
    indicator : str
    year : int, optional
        Default: the province's latest year.

    Returns
    -------
    DataFrame
        Rows: cities, ``discrepancy``, province (``role``); columns last_period, ytd_value, ytd_base,
        ytd_growth, ytd_contribution_pp, ytd_contribution_rate, full_year_level, full_year_base,
        full_year_growth, full_year_contribution_pp, note.

    Examples
    --------
    >>> c = contributions(panel, run.forecasts, indicator="retail")
    >>> c[["region", "role", "ytd_contribution_pp", "full_year_contribution_pp"]].tail(3).round(1)
             region         role  ytd_contribution_pp  full_year_contribution_pp
    13      huludao         city                  0.0                        0.0
    14  discrepancy  discrepancy                  1.1                        0.4
    15     liaoning     province                  2.5                        2.5
    """
    tables = indicator_tables(panel, indicator)
    year = table_year(tables, indicator, year)
    refuse_index_series(tables, indicator, year, "contributions")
    latest = province_table(tables, indicator).latest_release(year)
    if latest is None:
        raise DataError(f"{PROVINCE}/{indicator} has no release in {year}; contributions need the province's YTD")
    t, _, _ = latest
    fmap = forecast_map(forecasts)
    regions = [c for c in CITIES if c in tables and (rel := tables[c].latest_release(year)) and rel[0] == t]
    rows = [_contribution_row(tables[r], "city" if r != PROVINCE else "province", year, fmap)
            for r in [*regions, PROVINCE]]
    prov = rows[-1]
    cities = rows[:-1]
    disc = {REGION: "discrepancy", "role": "discrepancy", "note": ""}
    for col in (YTD_VALUE, "ytd_base", "full_year_level", "full_year_base"):
        disc[col] = prov[col] - sum(r[col] for r in cities)
    disc["ytd_growth"] = (disc[YTD_VALUE] / disc["ytd_base"] - 1) * 100 if disc["ytd_base"] > 0 else np.nan
    fy_d = disc["full_year_base"]
    disc["full_year_growth"] = (disc["full_year_level"] / fy_d - 1) * 100 if fy_d > 0 else np.nan
    for r in [*cities, disc, prov]:
        r["ytd_contribution_pp"] = (r[YTD_VALUE] - r["ytd_base"]) / prov["ytd_base"] * 100
        r["full_year_contribution_pp"] = (r["full_year_level"] - r["full_year_base"]) / prov["full_year_base"] * 100
    growth_p = prov["ytd_contribution_pp"]
    for r in [*cities, disc, prov]:
        r["ytd_contribution_rate"] = r["ytd_contribution_pp"] / growth_p if growth_p != 0 else np.nan
    left = [c for c in CITIES if c not in regions and c in tables]
    if left:
        disc["note"] = Coded(f"includes cities not released at {t}: {', '.join(left)}", "cities_not_released",
                             {"period": str(t), "cities": ", ".join(left)})
    out = pd.DataFrame([*cities, disc, prov], columns=_CONTRIB_COLUMNS)
    out.insert(2, INDICATOR, indicator)
    out.insert(3, YEAR, year)
    out.insert(4, "last_period", pd.PeriodIndex([t] * len(out), freq="M"))
    return out


_CONTRIB_COLUMNS = [
    REGION, "role", YTD_VALUE, "ytd_base", "ytd_growth", "ytd_contribution_pp", "ytd_contribution_rate",
    "full_year_level", "full_year_base", "full_year_growth", "full_year_contribution_pp", "note",
]


def _contribution_row(tab: SeriesTable, role: str, year: int, fmap: dict) -> dict:
    _, v, g = tab.latest_release(year)
    ratio = 1 + g / 100
    row = {REGION: tab.region, "role": role, YTD_VALUE: v, "ytd_base": v / ratio if ratio else np.nan,
           "ytd_growth": g, "full_year_level": np.nan, "full_year_base": np.nan, "full_year_growth": np.nan,
           "note": "" if ratio else Coded("growth of -100 %: last year's base cannot be recovered", "growth_minus_100")}
    try:
        pos = ytd_position(tab, year)
        row["full_year_base"] = pos.full_year_base
        row["full_year_level"] = median_full_year_level(pos, fmap.get((tab.region, tab.indicator)))
        if not np.isfinite(row["full_year_level"]):
            row["note"] = Coded("no forecast", "no_forecast")
    except DataError as exc:
        row["note"] = joined([row["note"], exc.summary])
    with np.errstate(divide="ignore", invalid="ignore"):
        row["full_year_growth"] = (row["full_year_level"] / row["full_year_base"] - 1) * 100
    return row


def carriage_shares(panel: pd.DataFrame, region: str, year: int | None = None) -> pd.DataFrame:
    """Each carriage's share of the combined change in YTD level (亿元) of one region.

    ``change = V_t − B_t`` (this year's YTD level minus last year's on a comparable basis) at the latest
    period released by every included carriage; ``share = change / Σ change``. Shares can be negative or
    exceed 1 when changes have opposite signs. **Growth-only series are excluded** (``fai`` in real
    releases: its chained index is not in 亿元 and cannot be added to the others); the row stays with
    ``included = False`` and a ``note``, as do carriages without data.

    Parameters
    ----------
    panel : DataFrame
        From :func:`forecast.data.panel.build_panel`.
    region : str
    year : int, optional
        Default: the region's latest year.

    Returns
    -------
    DataFrame
        One row per carriage (fai, retail, trade): indicator, period, ytd_value, ytd_base, ytd_growth,
        change, share, included, note.

    Examples
    --------
    >>> carriage_shares(panel, "dalian")[["indicator", "share", "included"]].round(2)
      indicator  share  included
    0       fai    NaN     False
    1    retail   0.32      True
    2     trade   0.68      True
    """
    rows_of = panel[panel[REGION] == region]
    if rows_of.empty:
        raise DataError(f"panel has no rows for region {region!r}")
    tables = {str(k): series_table(g) for k, g in rows_of.groupby(INDICATOR, sort=False)}
    if year is None:
        year = max(y for t in tables.values() for (y, _) in t.levels) if any(t.levels for t in tables.values()) else 0
    year = int(year)
    latest: dict[str, pd.Period] = {}
    notes: dict[str, str] = {}
    for k in CARRIAGES:
        rel = tables[k].latest_release(year) if k in tables else None
        if rel is None:
            notes[k] = Coded(f"no release in {year}", "no_release_year", {"year": year})
        elif year in tables[k].index_years:
            notes[k] = Coded("growth-only series (chained index, not 亿元): excluded", "growth_only_excluded")
        else:
            latest[k] = rel[0]
    t = min(latest.values()) if latest else None
    out = []
    for k in CARRIAGES:
        row = {INDICATOR: k, PERIOD: t, YTD_VALUE: np.nan, "ytd_base": np.nan, YTD_YOY: np.nan,
               "change": np.nan, "share": np.nan, "included": False, "note": notes.get(k, "")}
        if k in latest:
            if (t.year, t.month) in tables[k].releases:
                v, g = tables[k].releases[(t.year, t.month)]
                row.update({YTD_VALUE: v, "ytd_base": v / (1 + g / 100), YTD_YOY: g, "included": True})
                row["change"] = v - row["ytd_base"]
            else:
                row["note"] = Coded(f"no release at {t}, the latest period common to the carriages", "no_release_at",
                                    {"period": str(t)})
        out.append(row)
    frame = pd.DataFrame(out)
    total = frame.loc[frame["included"], "change"].sum()
    frame["share"] = np.where(frame["included"] & (total != 0), frame["change"] / total if total else np.nan, np.nan)
    frame[PERIOD] = pd.PeriodIndex(frame[PERIOD], freq="M")
    frame.insert(0, REGION, region)
    frame = frame.rename(columns={YTD_YOY: "ytd_growth"})
    return frame
