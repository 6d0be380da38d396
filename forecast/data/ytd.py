"""Year-to-date (YTD) arithmetic: seasons, YTD ↔ period flows, comparable base, chained index.

Official releases give cumulative values from January to month t (累计值) and their growth over the
same months of last year on a comparable basis (累计增长). This module turns them into period flows.

The 11-period year (DESIGN §7): January and February are released together, so official series have
11 periods a year — Jan–Feb (period-end month 2, season 1), Mar (season 2), …, Dec (season 11). A
January period in 11-period mode is an error, never a "missing January". Generic monthly series use
12 periods (season = month). In both modes the previous period of season ``s > 1`` is the previous month.

The comparable base of a release is ``ytd_value / (1 + ytd_yoy/100)``: last year's YTD value on this
year's basis. A period's base flow is the difference of two consecutive YTD bases of the same year.
:mod:`forecast.data.panel` applies this to every series of an observations frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.errors import DataError, Problem
from forecast.data.schema import PERIOD

_MODES = (11, 12)


def check_mode(periods_per_year: int) -> int:
    if periods_per_year not in _MODES:
        raise DataError(
            f"periods_per_year={periods_per_year!r} is not supported; expected 11 (official series, "
            "Jan–Feb released together) or 12 (generic monthly series)"
        )
    return int(periods_per_year)


def season_numbers(index: pd.PeriodIndex, periods_per_year: int, what: str = "series") -> np.ndarray:
    """Season number of every period; DataError listing every January in 11-period mode."""
    check_mode(periods_per_year)
    months = np.asarray(index.month, dtype=int)
    if periods_per_year == 12:
        return months
    jan = months == 1
    if jan.any():
        bad = [str(p) for p in index[jan]]
        raise DataError(
            f"{what}: January period(s) {bad[:10]} in 11-period mode; January is published together with "
            "February as 'Jan–Feb' (period-end month 2). Label the Jan–Feb release with its last month "
            "(e.g. 2025-02), drop separate January figures, or use periods_per_year=12 for monthly data",
            [Problem(what, None, PERIOD, f"January period {p} in 11-period mode", "january_period", {"period": p})
             for p in bad],
        )
    return np.where(months == 2, 1, months - 1)


def _period_index(series: pd.Series, what: str) -> pd.PeriodIndex:
    idx = series.index
    if not isinstance(idx, pd.PeriodIndex) or idx.freqstr != "M":
        raise DataError(
            f"{what}: expected a Series indexed by a monthly PeriodIndex (period[M]), got index of type "
            f"{type(idx).__name__} ({getattr(idx, 'dtype', '?')}); convert with "
            "series.index = pd.PeriodIndex(series.index, freq='M')"
        )
    if idx.has_duplicates:
        dup = sorted({str(p) for p in idx[idx.duplicated()]})
        raise DataError(f"{what}: duplicate period(s) {dup[:10]}; keep one value per period (e.g. latest vintage)")
    return idx


def season_of(period: pd.Period | str, periods_per_year: int = 11) -> int:
    """Season number of a period: 1..11 (Jan–Feb = 1, Mar = 2, …, Dec = 11) or 1..12 (month).

    Parameters
    ----------
    period : Period or str
        Monthly period (the last month of the YTD window), or anything ``pd.Period(x, freq="M")`` accepts.
    periods_per_year : {11, 12}
        11 for official series (Jan–Feb combined), 12 for generic monthly series.

    Raises
    ------
    DataError
        For a January period in 11-period mode (January is published as Jan–Feb).

    Examples
    --------
    >>> season_of(pd.Period("2025-02", "M")), season_of("2025-03"), season_of("2025-12")
    (1, 2, 11)
    >>> season_of("2025-01", periods_per_year=12)
    1
    """
    p = pd.Period(period, freq="M")
    return int(season_numbers(pd.PeriodIndex([p]), periods_per_year, what=str(period))[0])


def season_periods(year: int, periods_per_year: int = 11) -> list[pd.Period]:
    """The periods of one year, in season order.

    Examples
    --------
    >>> [str(p) for p in season_periods(2025)[:3]], len(season_periods(2025))
    (['2025-02', '2025-03', '2025-04'], 11)
    >>> str(season_periods(2025, periods_per_year=12)[0])
    '2025-01'
    """
    first = 2 if check_mode(periods_per_year) == 11 else 1
    return [pd.Period(year=int(year), month=m, freq="M") for m in range(first, 13)]


def ytd_to_flows(ytd: pd.Series, periods_per_year: int = 11) -> pd.Series:
    """Period flows from YTD values.

    The first period of a year (Jan–Feb, or January in 12-period mode) is its YTD value; a later period
    is the difference from the previous period of the same year, NaN where that period is missing or NaN.

    Parameters
    ----------
    ytd : Series
        YTD values indexed by a monthly PeriodIndex (any order; not modified).
    periods_per_year : {11, 12}

    Returns
    -------
    Series
        Flows on the same index, float.

    Examples
    --------
    >>> ytd = pd.Series([10.0, 15.0, 21.0], index=pd.period_range("2025-02", periods=3, freq="M"))
    >>> ytd_to_flows(ytd).tolist()
    [10.0, 5.0, 6.0]
    """
    idx = _period_index(ytd, "ytd")
    seasons = season_numbers(idx, periods_per_year, "ytd")
    values = ytd.to_numpy(dtype=float)
    prev = ytd.astype(float).reindex(idx - 1).to_numpy(dtype=float)
    flows = np.where(seasons == 1, values, values - prev)
    return pd.Series(flows, index=idx, name=ytd.name)


def _grid(series: pd.Series, periods_per_year: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Years (sorted, contiguous) and a years × seasons float matrix of a period series (NaN elsewhere)."""
    idx = _period_index(series, what)
    seasons = season_numbers(idx, periods_per_year, what)
    if len(idx) == 0:
        return np.zeros(0, dtype=int), np.zeros((0, periods_per_year))
    years_of = np.asarray(idx.year, dtype=int)
    years = np.arange(years_of.min(), years_of.max() + 1)
    mat = np.full((len(years), periods_per_year), np.nan)
    mat[years_of - years[0], seasons - 1] = series.to_numpy(dtype=float)
    return years, mat


def _widen(years: np.ndarray, mat: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The matrix re-laid on the years lo..hi (NaN where absent)."""
    out = np.full((hi - lo + 1, mat.shape[1]), np.nan)
    if len(years):
        out[years[0] - lo : years[-1] - lo + 1] = mat
    return out


def flows_to_ytd(flows: pd.Series, periods_per_year: int = 11) -> pd.Series:
    """YTD values from period flows: the cumulative sum within each year.

    A YTD value is NaN when any earlier period of its year is missing or NaN.

    Examples
    --------
    >>> flows = pd.Series([10.0, 5.0, 6.0], index=pd.period_range("2025-02", periods=3, freq="M"))
    >>> flows_to_ytd(flows).tolist()
    [10.0, 15.0, 21.0]
    """
    idx = _period_index(flows, "flows")
    years, mat = _grid(flows, periods_per_year, "flows")
    cum = np.cumsum(mat, axis=1)  # NaN propagates to the rest of the year
    seasons = season_numbers(idx, periods_per_year, "flows")
    values = cum[np.asarray(idx.year, dtype=int) - years[0], seasons - 1] if len(idx) else np.zeros(0)
    return pd.Series(values, index=idx, name=flows.name)


def _check_growth(yoy: np.ndarray, what: str) -> None:
    bad = np.asarray(yoy, dtype=float) <= -100
    if np.any(bad):
        vals = np.asarray(yoy, dtype=float)[bad][:5].tolist()
        raise DataError(
            f"{what}: growth of {vals} % is at or below -100 %, which leaves no comparable base; "
            "expected growth > -100 % (check the sign and the unit: growth is in percent, e.g. 5.2 for +5.2 %)"
        )


def comparable_base(ytd_value, ytd_yoy):
    """Comparable base implied by a release: ``ytd_value / (1 + ytd_yoy/100)``.

    Parameters
    ----------
    ytd_value, ytd_yoy : float, array or Series
        YTD level and its YTD growth in percent (NaN propagates).

    Returns
    -------
    float, ndarray or Series
        Of the same kind as the inputs (numpy/pandas broadcasting rules).

    Raises
    ------
    DataError
        Where growth is at or below -100 %.

    Examples
    --------
    >>> round(comparable_base(3461.9, 7.8), 2)   # Liaoning retail Jan–Mar 2018
    3211.41
    """
    _check_growth(np.asarray(ytd_yoy, dtype=float), "comparable_base")
    return ytd_value / (1 + ytd_yoy / 100)


def _interp_rows(mat: np.ndarray) -> np.ndarray:
    """Fill NaN within each row by linear interpolation across seasons (nearest value at the ends)."""
    out = mat.copy()
    x = np.arange(mat.shape[1])
    for i, row in enumerate(mat):
        ok = np.isfinite(row)
        if ok.any() and not ok.all():
            out[i] = np.interp(x, x[ok], row[ok])
    return out


def _anchor_profile(levels: np.ndarray) -> np.ndarray:
    """A full YTD profile from a year with some levels: equal flows between and after the known ones."""
    s = np.arange(1, len(levels) + 1)
    ok = np.isfinite(levels)
    known_s, known_v = s[ok], levels[ok]
    prof = np.interp(s, np.r_[0, known_s], np.r_[0.0, known_v])
    after = s > known_s[-1]
    prof[after] = known_v[-1] * s[after] / known_s[-1]
    return prof


def chained_index(ytd_yoy: pd.Series, periods_per_year: int = 11, anchor: pd.Series | None = None) -> pd.Series:
    """YTD index levels of a growth-only series, chained season by season across years.

    For every season ``t``: ``YTD_t(Y) = YTD_t(Y-1) × (1 + g_t(Y)/100)``, so the YTD growth of the index
    equals the published growth wherever it is given.

    Anchoring, in order of preference:

    1. ``anchor`` (observed YTD levels) has a year with every season: the latest such year keeps its
       levels; later years are chained forwards with growth, earlier years backwards by dividing.
    2. ``anchor`` has some levels but no full year: the latest year with any level is the anchor; its
       missing seasons are filled with equal flows between known levels (and, after the last known
       season, at the average flow so far). Levels of other years are not reproduced exactly.
    3. No anchor: **default profile** — the year before the first year with growth has equal period
       flows summing to 100 (``YTD_t = 100·t/P``), so index 100 = that year's full-year level and
       each year's comparable base for season ``t`` is exactly ``100·t/P`` chained forwards.

    Missing growth (NaN) leaves NaN at the period whose link to the anchor is missing (its own growth for
    years after the anchor, the next year's growth for years before). The chain is carried across the gap
    with the growth interpolated linearly across the seasons of that year, so the season's other years
    keep their values; a year with no growth at all breaks the chain beyond it (NaN).

    Parameters
    ----------
    ytd_yoy : Series
        YTD growth in percent, indexed by a monthly PeriodIndex.
    periods_per_year : {11, 12}
    anchor : Series, optional
        Observed YTD levels (NaN where unpublished), indexed by a monthly PeriodIndex.

    Returns
    -------
    Series
        Index levels on the sorted union of both indexes, named ``"ytd_index"``; all NaN when there is
        neither growth nor a level.

    Raises
    ------
    DataError
        Growth at or below -100 %, a non-monthly or duplicated index, January in 11-period mode.

    Examples
    --------
    >>> g = pd.Series([10.0, 10.0], index=pd.PeriodIndex(["2024-12", "2025-12"], freq="M"))
    >>> lv = pd.Series([200.0], index=pd.PeriodIndex(["2024-12"], freq="M"))
    >>> chained_index(g, periods_per_year=12, anchor=lv).round(6).tolist()  # 200, then 200 × 1.10
    [200.0, 220.0]
    """
    P = check_mode(periods_per_year)
    g_idx = _period_index(ytd_yoy, "ytd_yoy")
    _check_growth(ytd_yoy.to_numpy(dtype=float), "chained_index")
    a = anchor if anchor is not None else pd.Series([], index=pd.PeriodIndex([], freq="M"), dtype=float)
    a_idx = _period_index(a, "anchor")
    out_idx = g_idx.union(a_idx).sort_values()
    result = pd.Series(np.nan, index=out_idx, name="ytd_index")
    if len(out_idx) == 0:
        return result
    gy, gm = _grid(ytd_yoy, P, "ytd_yoy")
    ay, am = _grid(a, P, "anchor")
    lo = int(min(gy.min(initial=9999), ay.min(initial=9999))) - 1
    hi = int(max(gy.max(initial=-9999), ay.max(initial=-9999)))
    G = _widen(gy, gm, lo, hi)
    L = _widen(ay, am, lo, hi)
    full = np.flatnonzero(np.isfinite(L).all(axis=1))
    some = np.flatnonzero(np.isfinite(L).any(axis=1))
    has_g = np.flatnonzero(np.isfinite(G).any(axis=1))
    if len(full):
        A, prof, anchored = int(full[-1]), L[full[-1]].copy(), True
    elif len(some):
        A, prof, anchored = int(some[-1]), _anchor_profile(L[some[-1]]), True
    elif len(has_g):
        A, prof, anchored = int(has_g[0]) - 1, 100.0 * np.arange(1, P + 1) / P, False
    else:
        return result
    Gc = _interp_rows(G)
    C = np.full_like(G, np.nan)
    C[A] = prof
    for y in range(A + 1, len(C)):
        C[y] = C[y - 1] * (1 + Gc[y] / 100)
    for y in range(A - 1, -1, -1):
        C[y] = C[y + 1] / (1 + Gc[y + 1] / 100)
    out = np.full_like(C, np.nan)
    out[A + 1 :] = np.where(np.isfinite(G[A + 1 :]), C[A + 1 :], np.nan)
    out[:A] = np.where(np.isfinite(G[1 : A + 1]), C[:A], np.nan)
    if anchored:
        out[A] = np.where(np.isfinite(L[A]), L[A], np.where(np.isfinite(G[A]), C[A], np.nan))
    seasons = season_numbers(out_idx, P, "chained_index")
    result[:] = out[np.asarray(out_idx.year, dtype=int) - lo, seasons - 1]
    return result
