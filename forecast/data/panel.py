"""Observations → the period panel every model, target and scenario works on.

:func:`build_panel` turns the observations of many series (one row per published YTD figure) into
period flows on the 11-period year (Jan–Feb, Mar, …, Dec) or the 12-month year, with comparable bases
and, for growth-only series (fai), the chained index of :mod:`forecast.data.ytd`. The panel's columns are
``forecast.data.schema.PANEL_COLUMNS``; flows are always derived here, never stored as input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.catalog import INDICATORS
from forecast.data.errors import DataError, Problem
from forecast.data.schema import (
    BASE,
    INDICATOR,
    IS_INDEX,
    PANEL_COLUMNS,
    PERIOD,
    REGION,
    SEASON,
    VALUE,
    VINTAGE,
    YEAR,
    YTD_BASE,
    YTD_VALUE,
    YTD_YOY,
)
from forecast.data.ytd import (
    chained_index,
    check_mode,
    comparable_base,
    season_numbers,
    season_periods,
    ytd_to_flows,
)


def _latest_vintage(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per (region, indicator, period): the latest vintage, ties (or no vintage) → last row."""
    key = [REGION, INDICATOR, PERIOD]
    order = obs[VINTAGE].fillna("").astype(str) if VINTAGE in obs.columns else ""
    latest = obs.assign(_v=order).sort_values([*key, "_v"], kind="stable")
    return latest.drop_duplicates(key, keep="last").drop(columns="_v")


def _panel_group(region: str, indicator: str, grp: pd.DataFrame, P: int) -> pd.DataFrame:
    grp = grp.set_index(PERIOD).sort_index()
    periods = []
    if len(grp):
        first, last = grp.index.min(), grp.index.max()
        periods = [p for y in range(first.year, last.year + 1) for p in season_periods(y, P) if first <= p <= last]
    idx = pd.PeriodIndex(periods, freq="M")
    v = grp[YTD_VALUE].astype(float).reindex(idx)
    g = grp[YTD_YOY].astype(float).reindex(idx)
    spec = INDICATORS.get(indicator)
    growth_only = spec is not None and not spec.levels_published
    gaps = bool((v.isna() & g.notna()).any())
    if growth_only or gaps:
        chained = chained_index(g, P, anchor=v).reindex(idx)
        published = np.isclose(chained.to_numpy(), v.to_numpy(), rtol=1e-9, atol=0.0)
        is_index = pd.Series(~published, index=idx)
        v = chained
    else:
        is_index = pd.Series(False, index=idx)
    ytd_base = comparable_base(v, g)
    seasons = season_numbers(idx, P)
    return pd.DataFrame(
        {
            REGION: region,
            INDICATOR: indicator,
            PERIOD: idx,
            YEAR: np.asarray(idx.year, dtype="int64"),
            SEASON: seasons.astype("int64"),
            YTD_VALUE: v.to_numpy(),
            YTD_YOY: g.to_numpy(),
            YTD_BASE: ytd_base.to_numpy(),
            VALUE: ytd_to_flows(v, P).to_numpy(),
            BASE: ytd_to_flows(ytd_base, P).to_numpy(),
            IS_INDEX: is_index.to_numpy(dtype=bool),
        }
    )


def build_panel(obs: pd.DataFrame, periods_per_year: int = 11) -> pd.DataFrame:
    """Period flows and comparable bases of every (region, indicator) series of an observations frame.

    Per series: keep the latest vintage of each period (vintage strings sort as ``YYYY-MM-DD``; ``''``
    is oldest), lay the periods on a complete grid from the first to the last observed period (gaps are
    rows with NaN), and derive:

    - ``ytd_value``: the published YTD level, or — for an indicator with ``levels_published=False`` or a
      series with growth but no level somewhere — the whole series replaced by :func:`chained_index`
      anchored on whatever levels exist (one consistent series rather than a mix of levels and index);
    - ``ytd_base`` = ``ytd_value / (1 + ytd_yoy/100)``;
    - ``value`` = period flow of ``ytd_value``; ``base`` = that period's comparable base last year,
      ``ytd_base_t − ytd_base_{t−1}`` (first period of the year: ``ytd_base_t``);
    - ``is_index`` True where ``ytd_value`` came from the chained index (not a published level).

    Parameters
    ----------
    obs : DataFrame
        Observations (``region, indicator, period, ytd_value, ytd_yoy`` and optionally ``vintage``);
        not modified.
    periods_per_year : {11, 12}

    Returns
    -------
    DataFrame
        Columns :data:`PANEL_COLUMNS`, sorted by region, indicator, period, fresh RangeIndex.

    Raises
    ------
    DataError
        Missing columns, January periods in 11-period mode, growth at or below -100 %.

    Examples
    --------
    >>> obs = pd.DataFrame({"region": "liaoning", "indicator": "retail",
    ...     "period": pd.PeriodIndex(["2018-02", "2018-03"], freq="M"),
    ...     "ytd_value": [2300.0, 3461.9], "ytd_yoy": [8.0, 7.8]})
    >>> build_panel(obs)["value"].round(1).tolist()
    [2300.0, 1161.9]
    """
    P = check_mode(periods_per_year)
    need = [REGION, INDICATOR, PERIOD, YTD_VALUE, YTD_YOY]
    missing = [c for c in need if c not in obs.columns]
    if missing:
        raise DataError(f"build_panel: observations lack column(s) {missing}; expected at least {need}")
    if not isinstance(obs[PERIOD].dtype, pd.PeriodDtype):
        raise DataError(f"build_panel: column 'period' has dtype {obs[PERIOD].dtype}; expected period[M]")
    problems: list[Problem] = []
    for i, r, ind, p, g in zip(obs.index, obs[REGION], obs[INDICATOR], obs[PERIOD], obs[YTD_YOY], strict=True):
        where = f"row index {i!r} ({r}/{ind} {p})"
        if P == 11 and p.month == 1:
            problems.append(Problem("observations", None, PERIOD, f"{where}: January period in 11-period mode",
                                    "panel_january", {"where": where}))
        if pd.notna(g) and g <= -100:
            problems.append(Problem("observations", None, YTD_YOY, f"{where}: growth {g} % is at or below -100 %",
                                    "panel_growth", {"where": where, "value": g}))
    if problems:
        raise DataError(
            "build_panel: observations cannot be turned into flows (January is published with February as "
            "period-end month 2 in 11-period mode; growth must exceed -100 %)",
            problems,
        )
    latest = _latest_vintage(obs[[c for c in [*need, VINTAGE] if c in obs.columns]])
    frames = [_panel_group(r, ind, grp, P) for (r, ind), grp in latest.groupby([REGION, INDICATOR], sort=True)]
    if not frames:  # an empty frame with the panel's columns and dtypes
        return _panel_group("", "", latest.iloc[:0], P).iloc[:0]
    return pd.concat(frames, ignore_index=True)[PANEL_COLUMNS]


def series_flows(panel: pd.DataFrame, region: str, indicator: str) -> pd.Series:
    """The period flows (``value``) of one series of a panel, indexed by its PeriodIndex.

    Raises
    ------
    DataError
        When the panel has no rows for (region, indicator); the message lists the series it has.

    Examples
    --------
    >>> obs = pd.DataFrame({"region": "liaoning", "indicator": "retail",
    ...     "period": pd.PeriodIndex(["2018-02", "2018-03"], freq="M"),
    ...     "ytd_value": [2300.0, 3461.9], "ytd_yoy": [8.0, 7.8]})
    >>> series_flows(build_panel(obs), "liaoning", "retail").round(1).tolist()
    [2300.0, 1161.9]
    """
    rows = panel[(panel[REGION] == region) & (panel[INDICATOR] == indicator)]
    if rows.empty:
        have = sorted({f"{r}/{i}" for r, i in zip(panel[REGION], panel[INDICATOR], strict=True)})
        raise DataError(f"panel has no series {region}/{indicator}; it has {have[:20]}")
    rows = rows.sort_values(PERIOD)
    return pd.Series(
        rows[VALUE].to_numpy(dtype=float),
        index=pd.PeriodIndex(rows[PERIOD], freq="M", name=PERIOD),
        name=VALUE,
    )

