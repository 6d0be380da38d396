"""Where one series stands in its year: the YTD position, the full-year base and the remaining periods.

The per-series half of the target arithmetic (DESIGN §4), shared by :mod:`forecast.decisions.targets`,
:mod:`forecast.decisions.reconcile` and :mod:`forecast.decisions.scenarios`: a panel series is read once into a
:class:`SeriesTable`, and :func:`ytd_position` gives ``V_t``, ``B_t``, ``B_12`` and the periods left, from
which :func:`full_year_growth_paths` turns sample paths of future flows into full-year growth.
All functions are pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, IS_INDEX, PERIOD, REGION, SEASON, YTD_VALUE, YTD_YOY

_SAME_BASE_RTOL = 1e-9

# --------------------------------------------------------------------------------
YM = tuple[int, int]  # (year, month) of a period-end month


@dataclass(frozen=True)
class SeriesTable:
    """One panel series as plain dicts keyed by (year, month): cheap to query many times.

    ``levels`` holds every finite ``ytd_value``; ``releases`` the periods with finite ``ytd_value`` and
    ``ytd_yoy``; ``index_years`` the years with a row from the chained index.
    """

    region: str
    indicator: str
    levels: dict[YM, float]
    releases: dict[YM, tuple[float, float]]
    index_years: frozenset[int]
    periods_per_year: int

    @property
    def name(self) -> str:
        return f"{self.region}/{self.indicator}"

    def latest_release(self, year: int) -> tuple[pd.Period, float, float] | None:
        """``(period, ytd_value, ytd_yoy)`` of the year's latest release, None before the first one."""
        months = [m for (y, m) in self.releases if y == int(year)]
        if not months:
            return None
        m = max(months)
        return (pd.Period(year=int(year), month=m, freq="M"), *self.releases[(int(year), m)])


def series_table(panel_series: pd.DataFrame, periods_per_year: int | None = None) -> SeriesTable:
    """Check the rows of one region × indicator of a panel and index them (see :class:`SeriesTable`)."""
    missing = [c for c in (PERIOD, YTD_VALUE, YTD_YOY) if c not in panel_series.columns]
    if missing:
        raise DataError(f"panel_series: missing column(s) {missing}; expected a panel from forecast.data.panel.build_panel")
    names = {}
    for col in (REGION, INDICATOR):
        vals = set(panel_series[col]) if col in panel_series.columns else set()
        if len(vals) > 1:
            raise DataError(f"panel_series: holds several {col}s {sorted(map(str, vals))[:5]}; "
                            "pass the rows of one region × indicator")
        names[col] = str(next(iter(vals))) if vals else ""
    idx = pd.PeriodIndex(panel_series[PERIOD], freq="M")
    keys = list(zip(idx.year.tolist(), idx.month.tolist(), strict=True))
    if len(set(keys)) != len(keys):
        dup = sorted({f"{y}-{m:02d}" for (y, m) in keys if keys.count((y, m)) > 1})
        raise DataError(f"panel_series {names[REGION]}/{names[INDICATOR]}: duplicate period(s) {dup[:10]}; "
                        "keep one row per period")
    v = panel_series[YTD_VALUE].to_numpy(dtype=float)
    g = panel_series[YTD_YOY].to_numpy(dtype=float)
    levels = {k: float(x) for k, x in zip(keys, v, strict=True) if np.isfinite(x)}
    releases = {k: (float(x), float(y)) for k, x, y in zip(keys, v, g, strict=True) if np.isfinite(x) and np.isfinite(y)}
    flags = panel_series[IS_INDEX].to_numpy(dtype=bool) if IS_INDEX in panel_series.columns else np.zeros(len(keys), bool)
    index_years = frozenset(int(k[0]) for k, f in zip(keys, flags, strict=True) if f)
    ppy = periods_per_year or panel_periods_per_year(panel_series)
    return SeriesTable(names[REGION], names[INDICATOR], levels, releases, index_years, ppy)


def full_year_base_of(tab: SeriesTable, year: int) -> tuple[float, str]:
    year = int(year)
    if (year, 12) in tab.releases:
        v, g = tab.releases[(year, 12)]
        return v / (1 + g / 100), "december_release"
    prev_dec = tab.levels.get((year - 1, 12), np.nan)
    if not prev_dec > 0:
        raise DataError(
            f"full_year_base: {tab.name} has neither the December {year} release nor a positive December "
            f"{year - 1} level, so the full-year base of {year} is unknown; add the {year - 1} full-year figure"
        )
    for m in sorted((m for (y, m) in tab.releases if y == year), reverse=True):
        last = tab.levels.get((year - 1, m), np.nan)
        if last > 0:
            v, g = tab.releases[(year, m)]
            return prev_dec * (v / (1 + g / 100)) / last, "scaled_previous_year"
    return prev_dec, "previous_year"


def full_year_base(panel_series: pd.DataFrame, year: int) -> float:
    """Last year's full-year level on the comparable basis of ``year`` (``B_12``).

    In order of preference:

    1. December of ``year`` is released: its comparable base ``V_12 / (1 + g_12)``.
    2. Otherwise December ``year − 1``'s YTD level scaled by the comparability ratio of the latest release
       of ``year`` that has a same-month level a year earlier: ``V_12(Y−1) · B_t(Y) / V_t(Y−1)``. The
       ratio carries the statistical office's base revision (published growth vs. level ratio) to the
       full year, assuming the revision is proportional across months; it also keeps
       ``B_12 − B_t = ratio × (last year's remaining flows)``.
    3. Otherwise (no release yet in ``year``) December ``year − 1``'s YTD level, unscaled.

    Parameters
    ----------
    panel_series : DataFrame
        Rows of one region × indicator of a panel (:func:`forecast.data.panel.build_panel`); not modified.
    year : int

    Raises
    ------
    DataError
        When neither December ``year`` nor a positive December ``year − 1`` level is in the series.

    Examples
    --------
    >>> s = pd.DataFrame({"period": pd.PeriodIndex(["2024-06", "2024-12", "2025-06"], freq="M"),
    ...                   "ytd_value": [400.0, 1000.0, 441.0], "ytd_yoy": [5.0, 6.0, 5.0]})
    >>> round(full_year_base(s, 2025), 6)   # B_t = 441/1.05 = 420; ratio 420/400 = 1.05; 1000 × 1.05
    1050.0
    """
    return float(full_year_base_of(series_table(panel_series), year)[0])


def panel_periods_per_year(panel: pd.DataFrame) -> int:
    months = np.asarray(pd.PeriodIndex(panel[PERIOD]).month, dtype=int) if len(panel) else np.zeros(0, int)
    if SEASON in panel.columns and len(panel):
        return 11 if np.any(months - panel[SEASON].to_numpy(dtype=int) == 1) else 12
    return 12 if np.any(months == 1) else 11


def remaining_periods(last_period: pd.Period | None, year: int, periods_per_year: int = 11) -> list[pd.Period]:
    """Period-end months of ``year`` after ``last_period`` (all periods of the year when it is None).

    Examples
    --------
    >>> [str(p) for p in remaining_periods(pd.Period("2025-10", "M"), 2025)]
    ['2025-11', '2025-12']
    >>> len(remaining_periods(None, 2025)), len(remaining_periods(None, 2025, 12))
    (11, 12)
    """
    if last_period is None or last_period.year < int(year):
        first = 2 if periods_per_year == 11 else 1
    else:
        first = last_period.month + 1
    return [pd.Period(year=int(year), month=m, freq="M") for m in range(first, 13)]


@dataclass(frozen=True)
class YTDPosition:
    """Where one series stands in a year: the inputs of every §4 formula.

    ``last_period`` is None (and ``ytd_value = ytd_base = 0``, ``ytd_yoy`` NaN) before the year's first
    release. ``remaining`` lists the period-end months still to come in the year.
    """

    region: str
    indicator: str
    year: int
    last_period: pd.Period | None
    ytd_value: float
    ytd_yoy: float
    ytd_base: float
    full_year_base: float
    base_method: str
    remaining: tuple[pd.Period, ...]
    is_index: bool
    periods_per_year: int = 11

    @property
    def periods_left(self) -> int:
        return len(self.remaining)

    @property
    def remaining_base(self) -> float:
        """``B_12 − B_t``: last year's flow of the remaining periods, comparable basis (0 when decided)."""
        return 0.0 if not self.remaining else self.full_year_base - self.ytd_base


def ytd_position(panel_series: pd.DataFrame | SeriesTable, year: int, periods_per_year: int | None = None) -> YTDPosition:
    """The latest release of ``year`` in one series, its comparable base and the full-year base.

    ``is_index`` is True when any row of ``year − 1`` or ``year`` came from the chained index.

    Raises
    ------
    DataError
        As :func:`full_year_base`.
    """
    tab = panel_series if isinstance(panel_series, SeriesTable) else series_table(panel_series, periods_per_year)
    ppy = periods_per_year or tab.periods_per_year
    b12, method = full_year_base_of(tab, year)
    latest = tab.latest_release(year)
    if latest is not None:
        t, v, g = latest
        bt = v / (1 + g / 100)
    else:
        t, v, g, bt = None, 0.0, float("nan"), 0.0
    is_index = bool({int(year), int(year) - 1} & tab.index_years)
    return YTDPosition(tab.region, tab.indicator, int(year), t, v, g, bt, float(b12), method,
                       tuple(remaining_periods(t, year, ppy)), is_index, ppy)


def remaining_bases(panel_series: pd.DataFrame, year: int) -> pd.Series:
    """Comparable base of each remaining period of ``year``: ``B_12 − B_t`` split like last year's flows.

    The split follows the flows of the same periods a year earlier (differences of last year's YTD
    levels); when those are unknown it is equal across the remaining periods. The bases sum to
    ``B_12 − B_t`` exactly, so a ``pp`` adjustment of ``x`` on every remaining period
    (:func:`shift_paths_pp`) raises full-year growth by ``x · (B_12 − B_t) / B_12`` percentage points.

    Returns
    -------
    Series
        Float bases indexed by the remaining periods (empty once December is released).
    """
    tab = series_table(panel_series)
    pos = ytd_position(tab, year)
    idx = pd.PeriodIndex(list(pos.remaining), freq="M")
    if not len(idx):
        return pd.Series([], index=idx, dtype=float, name="base")
    first_month = 2 if pos.periods_per_year == 11 else 1
    last = tab.levels
    flows = np.array([
        last.get((p.year - 1, p.month), np.nan) - (0.0 if p.month == first_month else last.get((p.year - 1, p.month - 1), np.nan))
        for p in idx
    ])
    if not (np.all(np.isfinite(flows)) and flows.sum() > 0):
        flows = np.ones(len(idx))
    return pd.Series(pos.remaining_base * flows / flows.sum(), index=idx, name="base")


def shift_paths_pp(paths: np.ndarray, bases: np.ndarray, x: float) -> np.ndarray:
    """Paths of period flows with ``x`` percentage points added to every period's growth.

    ``flow + x/100 × base`` for each period (column); returns a new array.

    Examples
    --------
    >>> shift_paths_pp(np.array([[100.0, 110.0]]), np.array([90.0, 100.0]), 2.0).tolist()
    [[101.8, 112.0]]
    """
    return np.asarray(paths, dtype=float) + float(x) / 100 * np.asarray(bases, dtype=float)[None, :]


def remaining_flow_paths(pos: YTDPosition, forecast: Any | None) -> np.ndarray:
    """Per sample path, the sum of forecast flows over the remaining periods of the year.

    Returns ``[0.0]`` when no period remains.

    Raises
    ------
    DataError
        When periods remain but ``forecast`` is None, does not cover every remaining period, or has
        non-finite paths.
    """
    if not pos.remaining:
        return np.zeros(1)
    where = f"{pos.region}/{pos.indicator} {pos.year}"
    if forecast is None:
        raise DataError(f"{where}: no forecast for the {pos.periods_left} remaining period(s)")
    periods = pd.PeriodIndex(forecast.periods, freq="M")
    paths = np.asarray(forecast.paths, dtype=float)
    if paths.ndim != 2 or paths.shape[1] != len(periods):
        raise DataError(f"{where}: forecast paths have shape {paths.shape}; expected (n_paths, {len(periods)})")
    cols = [periods.get_loc(p) if p in periods else None for p in pos.remaining]
    gone = [str(p) for p, c in zip(pos.remaining, cols, strict=True) if c is None]
    if gone:
        raise DataError(f"{where}: forecast (from {forecast.last_period}) lacks period(s) {gone}; rerun the "
                        "forecast on the latest data")
    total = paths[:, cols].sum(axis=1)
    if not np.all(np.isfinite(total)):
        raise DataError(f"{where}: forecast paths have non-finite values")
    return total


def full_year_growth_paths(panel_series: pd.DataFrame, forecast: Any | None, year: int) -> np.ndarray:
    """Full-year growth (%) of every sample path: ``(V_t + Σ remaining flows) / B_12 − 1``.

    Once December is released it is the single published figure ``[g_12]``.
    """
    pos = ytd_position(panel_series, year)
    if not pos.remaining:
        return np.array([pos.ytd_yoy])
    return growth_from_flows(pos, remaining_flow_paths(pos, forecast))


def growth_from_flows(pos: YTDPosition, remaining_flows: np.ndarray) -> np.ndarray:
    return ((pos.ytd_value + remaining_flows) / pos.full_year_base - 1) * 100



# -- base effect (基数效应) ---------------------------------------------------------------------------
#: A base counts as unusually low or high when last year's share of the remaining periods differs from
#: the usual share by at least this fraction of it.
BASE_EFFECT_MIN = 0.15


@dataclass(frozen=True)
class BaseEffect:
    """Last year's share of the periods still to come in ``year``, against the usual share.

    ``share`` is last year's flow of those periods over its full-year total (both in %), ``usual`` the
    mean of the same share over the ``len(years)`` years before it; ``ratio = share / usual``.
    """

    year: int
    periods: tuple[pd.Period, ...]
    share: float
    usual: float
    years: tuple[int, ...]

    @property
    def ratio(self) -> float:
        return self.share / self.usual

    @property
    def direction(self) -> str:
        """``low``, ``high`` or ``usual`` (within :data:`BASE_EFFECT_MIN` of the usual share)."""
        if abs(self.ratio - 1) < BASE_EFFECT_MIN:
            return "usual"
        return "low" if self.ratio < 1 else "high"


def base_effect(panel_series: pd.DataFrame | SeriesTable, year: int, n_years: int = 3) -> BaseEffect | None:
    """How unusual last year's base is for the periods of ``year`` that are still to come.

    A forecast that follows the usual seasonal pattern turns a low base (last year's remaining periods
    were a smaller part of the year than usual) into high growth for those periods, and so lifts the
    full-year growth above the YTD growth; a high base does the opposite. Shares come from the YTD
    levels: the periods after month ``m`` make up ``1 − V(y, m) / V(y, 12)`` of year ``y``.

    Returns None when nothing is left to come, when the whole year is still to come, or when last year
    or one of the ``n_years`` before it lacks the levels.

    Examples
    --------
    >>> levels = {2021: (80, 100), 2022: (80, 100), 2023: (80, 100), 2024: (90, 100)}   # (Oct, Dec) YTD
    >>> rows = [(f"{y}-{m}", v) for y, (oct_, dec) in levels.items() for m, v in (("10", oct_), ("12", dec))]
    >>> rows.append(("2025-10", 85.0))
    >>> panel = pd.DataFrame({"period": pd.PeriodIndex([p for p, _ in rows], freq="M"),
    ...                       "ytd_value": [float(v) for _, v in rows], "ytd_yoy": 1.0})
    >>> effect = base_effect(panel, 2025)
    >>> round(effect.share, 1), round(effect.usual, 1), effect.direction   # 10 % of 2024 against 20 %
    (10.0, 20.0, 'low')
    """
    tab = panel_series if isinstance(panel_series, SeriesTable) else series_table(panel_series)
    latest = tab.latest_release(year)
    if latest is None or latest[0].month == 12:
        return None
    month = latest[0].month

    def share(y: int) -> float:
        done, total = tab.levels.get((y, month)), tab.levels.get((y, 12))
        return 100 * (1 - done / total) if done is not None and total else float("nan")

    last = share(int(year) - 1)
    before = tuple(range(int(year) - 1 - n_years, int(year) - 1))
    usual = float(np.mean([share(y) for y in before]))
    if not (np.isfinite(last) and np.isfinite(usual) and usual > 0):
        return None
    periods = tuple(pd.Period(year=int(year) - 1, month=m, freq="M") for m in range(month + 1, 13))
    return BaseEffect(int(year), periods, float(last), usual, before)


def panel_base_effect(panel: pd.DataFrame, region: str, indicator: str, year: int) -> BaseEffect | None:
    """:func:`base_effect` of one region × indicator of a panel (None when the panel lacks the series)."""
    rows = panel[(panel[REGION] == region) & (panel[INDICATOR] == indicator)]
    return base_effect(rows, year) if len(rows) else None
