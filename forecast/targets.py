"""The arithmetic of targets (DESIGN §4): full-year base, required growth, probability of meeting a target.

For one series in year ``Y`` after its latest release ``t`` (YTD value ``V_t``, published YTD growth
``g_t``, comparable base ``B_t = V_t / (1 + g_t)``) and the full-year comparable base ``B_12``:

- full-year growth of a sample path = ``(V_t + sum of the path's flows for the rest of Y) / B_12 − 1``;
- flow still needed for a target ``T``: ``R = (1 + T)·B_12 − V_t``;
- growth the remaining periods need, against the same periods last year: ``R / (B_12 − B_t) − 1``;
- probability of meeting ``T`` = share of sample paths whose full-year growth is ≥ ``T``. Both target
  kinds (``about`` 左右 and ``at_least`` 以上) are read as "≥ value"; the kind is carried to the output.

Growth-only series (``fai``) run the same formulas on the chained index of :func:`forecast.ytd.build_panel`
(``is_index``); rows computed that way say so in ``derived_from_index``.

A panel "release" is a row with a finite ``ytd_value`` and a finite ``ytd_yoy``. All functions are pure:
they never modify their inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from forecast.errors import DataError
from forecast.schema import INDICATOR, IS_INDEX, PERIOD, REGION, SEASON, YEAR, YTD_VALUE, YTD_YOY

#: Default probability thresholds: ``on_track`` at ≥ 0.7, ``at_risk`` at ≥ 0.3, else ``off_track``.
THRESHOLDS = (0.7, 0.3)
#: A full-year growth within this many percentage points below the target still counts as meeting it
#: (guards ``≥`` against floating-point noise only).
TOLERANCE_PP = 1e-9
#: Relative tolerance under which ``B_12`` and ``B_t`` count as equal (no period left).
_SAME_BASE_RTOL = 1e-9
TARGET_COLUMNS = [REGION, INDICATOR, YEAR, "value", "kind", "status", "source"]
QUANTILES = {"p2_5": 0.025, "p10": 0.10, "p90": 0.90, "p97_5": 0.975}


# -- scalar arithmetic ------------------------------------------------------------------------------------
def required_growth(ytd_value: float, ytd_yoy: float, full_year_base: float, target: float) -> float:
    """Growth (%) the rest of the year needs, against the same periods last year, to reach ``target``.

    ``B_t = V_t / (1 + g_t)``, ``R = (1 + T)·B_12 − V_t`` and the result is ``R / (B_12 − B_t) − 1``,
    in percent. A result at or below −100 means the target is reached even if nothing more comes in.

    Parameters
    ----------
    ytd_value : float
        ``V_t``, the YTD level (亿元, or index points) after the latest release; ``0`` (with
        ``ytd_yoy = 0``) means nothing of the year has been released yet, and the answer is ``target``.
    ytd_yoy : float
        ``g_t``, the published YTD growth in percent.
    full_year_base : float
        ``B_12``, last year's full-year level on this year's comparable basis (:func:`full_year_base`).
    target : float
        ``T`` in percent.

    Returns
    -------
    float
        Required growth of the remaining periods in percent; **NaN when no period remains** (``B_12``
        equals ``B_t`` to a relative 1e-9, i.e. December is released): the year is decided, compare
        ``ytd_yoy`` with ``target`` instead.

    Raises
    ------
    DataError
        Non-finite input; ``ytd_yoy ≤ −100``; a negative ``ytd_value``; a non-positive ``full_year_base``;
        ``full_year_base < B_t`` (the remaining periods would have a negative base). The message names
        the condition and the values given.

    Examples
    --------
    >>> round(required_growth(500.0, 25.0, 1000.0, 5.0), 6)   # B_t = 400; R = 1050 − 500 = 550; 550/600 − 1
    -8.333333
    >>> round(required_growth(0.0, 0.0, 1000.0, 5.0), 6)      # nothing released yet: the target itself
    5.0
    """
    values = {"ytd_value": ytd_value, "ytd_yoy": ytd_yoy, "full_year_base": full_year_base, "target": target}
    bad = {k: v for k, v in values.items() if not np.isfinite(float(v))}
    if bad:
        raise DataError(f"required_growth: non-finite input(s) {bad}; expected finite numbers")
    v, g, b12, tgt = (float(x) for x in (ytd_value, ytd_yoy, full_year_base, target))
    if g <= -100:
        raise DataError(f"required_growth: ytd_yoy={g} % is at or below -100 %, which leaves no comparable base; "
                        "growth is in percent (5.2 means +5.2 %)")
    if v < 0:
        raise DataError(f"required_growth: ytd_value={v} is negative; expected a YTD level ≥ 0")
    if b12 <= 0:
        raise DataError(f"required_growth: full_year_base={b12} is not positive; expected last year's "
                        "full-year level (> 0) on this year's comparable basis")
    bt = v / (1 + g / 100)
    remaining_base = b12 - bt
    if abs(remaining_base) <= _SAME_BASE_RTOL * b12:
        return float("nan")
    if remaining_base < 0:
        raise DataError(
            f"required_growth: full_year_base={b12} is below the YTD base B_t = ytd_value/(1+ytd_yoy) = {bt:.6g}, "
            "so the remaining periods would have a negative base; check that full_year_base is last year's "
            "full-year (December) level on a comparable basis and that ytd_value is this year's YTD level"
        )
    needed = (1 + tgt / 100) * b12 - v
    return float((needed / remaining_base - 1) * 100)


# -- one series of a panel --------------------------------------------------------------------------------
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
        raise DataError(f"panel_series: missing column(s) {missing}; expected a panel from forecast.ytd.build_panel")
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
    ppy = periods_per_year or _periods_per_year(panel_series)
    return SeriesTable(names[REGION], names[INDICATOR], levels, releases, index_years, ppy)


def _full_year_base(tab: SeriesTable, year: int) -> tuple[float, str]:
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
        Rows of one region × indicator of a panel (:func:`forecast.ytd.build_panel`); not modified.
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
    return float(_full_year_base(series_table(panel_series), year)[0])


def _periods_per_year(panel: pd.DataFrame) -> int:
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
    b12, method = _full_year_base(tab, year)
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
    return _growth(pos, remaining_flow_paths(pos, forecast))


def _growth(pos: YTDPosition, remaining_flows: np.ndarray) -> np.ndarray:
    return ((pos.ytd_value + remaining_flows) / pos.full_year_base - 1) * 100


def target_status(probability: float, thresholds: tuple[float, float] = THRESHOLDS) -> str:
    """``on_track`` (p ≥ thresholds[0]), ``at_risk`` (p ≥ thresholds[1]), ``off_track``; ``unknown`` if NaN.

    Examples
    --------
    >>> target_status(0.7), target_status(0.69), target_status(0.29), target_status(float("nan"))
    ('on_track', 'at_risk', 'off_track', 'unknown')
    """
    on, risk = _check_thresholds(thresholds)
    if not np.isfinite(probability):
        return "unknown"
    return "on_track" if probability >= on else "at_risk" if probability >= risk else "off_track"


def _check_thresholds(thresholds: tuple[float, float]) -> tuple[float, float]:
    on, risk = (float(x) for x in thresholds)
    if not 0 <= risk <= on <= 1:
        raise DataError(f"thresholds={thresholds!r}; expected (on_track, at_risk) with 0 ≤ at_risk ≤ on_track ≤ 1")
    return on, risk


def _forecast_map(forecasts: Mapping | Iterable | None) -> dict[tuple[str, str], Any]:
    if forecasts is None:
        return {}
    if isinstance(forecasts, Mapping):
        return dict(forecasts)
    return {(f.region, f.indicator): f for f in forecasts}


def latest_year(panel: pd.DataFrame) -> int:
    """Year of the latest release (finite ``ytd_value``) in a panel."""
    ok = np.isfinite(panel[YTD_VALUE].to_numpy(dtype=float)) if len(panel) else np.zeros(0, bool)
    if not ok.any():
        raise DataError("panel has no released value (finite ytd_value); nothing to evaluate")
    return int(pd.PeriodIndex(panel.loc[ok, PERIOD]).max().year)


def _check_targets(targets: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (REGION, INDICATOR, YEAR, "value", "kind") if c not in targets.columns]
    if missing:
        raise DataError(f"targets: missing column(s) {missing}; expected {TARGET_COLUMNS} (forecast.io.load_targets)")
    dup = targets.duplicated([REGION, INDICATOR, YEAR], keep=False)
    if dup.any():
        keys = sorted({f"{r}/{i}/{y}" for r, i, y in targets.loc[dup, [REGION, INDICATOR, YEAR]].itertuples(index=False)})
        raise DataError(f"targets: several targets for {keys[:10]}; keep one per region × indicator × year")
    bad = ~np.isfinite(pd.to_numeric(targets["value"], errors="coerce").to_numpy(dtype=float))
    if bad.any():
        raise DataError(f"targets: non-numeric or missing value (%) at row(s) {list(targets.index[bad][:10])}; "
                        "expected a growth target such as 5.5")
    return targets


def evaluate_targets(
    panel: pd.DataFrame,
    forecasts: Mapping | Iterable | None,
    targets: pd.DataFrame,
    *,
    year: int | None = None,
    thresholds: tuple[float, float] = THRESHOLDS,
) -> pd.DataFrame:
    """Every target of ``year`` against the latest data and the forecast sample paths.

    Per target (region × indicator): where the series stands (:func:`ytd_position`), the full-year
    growth of every sample path (:func:`full_year_growth_paths`), its median (``projected``) and
    quantiles, the probability that full-year growth is ≥ the target (both ``about`` and ``at_least``
    are read as ≥ value; ``kind`` is shown), the growth the remaining periods need
    (:func:`required_growth`) and a status from the probability: ``on_track`` if ≥ ``thresholds[0]``
    (0.7), ``at_risk`` if ≥ ``thresholds[1]`` (0.3), else ``off_track``; ``unknown`` without a
    probability.

    Once December is released the year is **decided**: ``periods_left = 0``, ``projected`` and every
    quantile equal the published full-year growth, probability is 1 or 0, ``required_growth`` is NaN.
    A row whose figures cannot be computed (no data, no forecast, no full-year base, forecast not
    covering the remaining periods) keeps NaN there and says why in ``note``; nothing is raised for it.

    Parameters
    ----------
    panel : DataFrame
        From :func:`forecast.ytd.build_panel`.
    forecasts : mapping or iterable, optional
        ``(region, indicator) → forecast`` (or an iterable of forecasts) with ``region``,
        ``indicator``, ``last_period``, ``periods`` and ``paths`` (n_paths × h future period flows).
    targets : DataFrame
        From :func:`forecast.io.load_targets`.
    year : int, optional
        Default: the year of the panel's latest release.
    thresholds : (float, float)
        Probabilities for ``on_track`` and ``at_risk``.

    Returns
    -------
    DataFrame
        One row per target of ``year``: region, indicator, year, last_period, periods_left, ytd_value,
        ytd_growth, full_year_base, base_method, target, kind, target_status, projected, p2_5, p10, p90,
        p97_5, probability, required_growth, gap_pp, status, decided, derived_from_index, n_paths, note.
        Growths and ``gap_pp`` (projected − target) in percent / 百分点.

    Examples
    --------
    >>> evaluate_targets(panel, run, forecast.load_targets())[["region", "probability"]]  # doctest: +SKIP
    """
    _check_thresholds(thresholds)
    targets = _check_targets(targets)
    year = latest_year(panel) if year is None else int(year)
    fmap = _forecast_map(forecasts)
    groups = dict(iter(panel.groupby([REGION, INDICATOR], sort=False))) if len(panel) else {}
    rows = [
        _evaluate_one(groups.get((tgt[REGION], tgt[INDICATOR])), fmap, tgt, year, thresholds)
        for tgt in targets[targets[YEAR].astype(int) == year].to_dict("records")
    ]
    out = pd.DataFrame(rows, columns=_EVAL_COLUMNS)
    out["last_period"] = pd.PeriodIndex(out["last_period"], freq="M") if len(out) else out["last_period"]
    return out


_EVAL_COLUMNS = [
    REGION, INDICATOR, YEAR, "last_period", "periods_left", "ytd_value", "ytd_growth", "full_year_base",
    "base_method", "target", "kind", "target_status", "projected", *QUANTILES, "probability",
    "required_growth", "gap_pp", "status", "decided", "derived_from_index", "n_paths", "note",
]


def _evaluate_one(series: pd.DataFrame | None, fmap: dict, tgt: dict, year: int, thresholds: tuple[float, float]) -> dict:
    region, indicator, target = tgt[REGION], tgt[INDICATOR], float(tgt["value"])
    row: dict[str, Any] = {c: np.nan for c in _EVAL_COLUMNS}
    row.update({REGION: region, INDICATOR: indicator, YEAR: year, "target": target, "kind": tgt["kind"],
                "target_status": tgt.get("status", ""), "last_period": pd.NaT, "base_method": "",
                "decided": False, "derived_from_index": False, "n_paths": 0, "status": "unknown", "note": ""})
    if series is None or series.empty:
        row["note"] = "no data for this series"
        return row
    notes: list[str] = []
    try:
        pos = ytd_position(series, year)
    except DataError as exc:
        row["note"] = exc.summary
        return row
    row.update({"last_period": pos.last_period if pos.last_period is not None else pd.NaT,
                "periods_left": pos.periods_left, "ytd_growth": pos.ytd_yoy,
                "ytd_value": pos.ytd_value if pos.last_period is not None else np.nan,
                "full_year_base": pos.full_year_base, "base_method": pos.base_method,
                "decided": not pos.remaining, "derived_from_index": pos.is_index})
    if pos.is_index:
        notes.append("derived from the chained growth index (levels not published)")
    if not pos.remaining:
        growth = np.array([pos.ytd_yoy])
        notes.append("year decided: December released")
    else:
        try:
            row["required_growth"] = required_growth(pos.ytd_value, 0.0 if pos.last_period is None else pos.ytd_yoy,
                                                     pos.full_year_base, target)
        except DataError as exc:
            notes.append(exc.summary)
        fc = fmap.get((region, indicator))
        try:
            growth = _growth(pos, remaining_flow_paths(pos, fc))
        except DataError as exc:
            row["note"] = "; ".join([*notes, exc.summary])
            return row
        made = getattr(fc, "last_period", None)
        if pos.last_period is not None and made is not None and pd.Period(made, freq="M") < pos.last_period:
            notes.append(f"forecast made at {fc.last_period}, data now at {pos.last_period}")
    probability = float(np.mean(growth >= target - TOLERANCE_PP))
    row.update({"projected": float(np.median(growth)), "probability": probability, "n_paths": len(growth),
                "status": target_status(probability, thresholds)})
    row.update({k: float(np.quantile(growth, q)) for k, q in QUANTILES.items()})
    row["gap_pp"] = row["projected"] - target
    row["note"] = "; ".join(notes)
    return row
