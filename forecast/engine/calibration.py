"""Spread calibration learnt across a panel: one scale per group, applied to the sample paths.

A series' own backtest calibrates its paths (:mod:`forecast.engine.combine`); on a few origins that is
noisy, and on the quantity analysts quote (the full-year growth of an 11-period YTD series) the errors
are not those of any one horizon. This module is the second, panel-wide step, one mechanism for both
uses:

1. **Misses in units of the interval.** For a case with a predictive mean ``m``, an 80 % interval
   ``[lo, hi]`` and an outcome ``a``, the *needed scale* is ``(a - m) / (hi - m)`` when ``a >= m`` and
   ``(m - a) / (m - lo)`` otherwise (:func:`needed_scale`): the factor by which the interval's half on
   that side must be multiplied to just reach ``a``. ``<= 1`` means covered.
2. **A scale per group.** The 0.8 quantile of the needed scales of a group makes exactly 80 % of its
   cases covered. Groups are small (two years of one indicator at one origin month are 30 cases, and the
   15 series of a year move together), so each group's scale is shrunk on the log scale toward the
   pooled scale of all groups with ``n0`` pseudo-cases (:func:`shrunk_scale`)::

       log s = (n log q80(group) + n0 log q80(all)) / (n + n0)

3. **Scaled paths.** ``paths = mean + s (paths - mean)`` (:func:`scale_paths`): the mean is kept, every
   quantile moves away from (``s > 1``) or toward (``s < 1``) it by the same factor, and any quantity
   linear in the paths (a YTD sum, the full-year growth) has its spread scaled by exactly ``s``.

Two groupings use it. **A collection of many series** (:func:`forecast.engine.panel_forecast.forecast_many`,
e.g. M3): the cases are each series' backtest errors, each origin's in units of the 80 % half-width learnt on
the *other* origins (:func:`forecast.engine.combine.loo_misses`); the pooled scale is learnt per horizon over
the whole panel and each series' own factor is shrunk toward it with :data:`N0_ORIGINS` pseudo-origins
(:func:`calibrate_panel`), so a series with a short or unrepresentative backtest gets the panel's
calibration rather than its own. **The Liaoning panel's full-year growth**: the cases are rolling origins of the full-year growth (``bench/calibration.py``),
grouped by indicator × origin month and learnt on the last ``window`` published years
(:func:`learn_spread_scales`); the batch applies the table in ``data/spread_scales.csv``
(:func:`apply_spread_scales`). A break year (the 2025 fai collapse) enters the table as soon as its
December is published, so the next year's bands of that indicator widen; measured figures are in
bench/README.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

#: Coverage the scale aims at (the 80 % interval).
LEVEL = 0.8
#: Pseudo-cases of the pooled scale in each group's (two years of one indicator's 15 series).
N0 = 30.0
#: Published years the scale is learnt on: recent enough to follow a change of volatility.
WINDOW = 2
#: Bounds of a learnt scale (a guard against a degenerate table, not a tuning knob).
SCALE_BOUNDS = (0.2, 5.0)
#: Pseudo-origins of the panel's scale in each series' own (a backtest has 1-4 origins).
N0_ORIGINS = 4.0
#: Fewest series with a backtest for a panel-wide scale.
MIN_PANEL = 20


def needed_scale(actual: Any, mean: Any, lower: Any, upper: Any) -> np.ndarray:
    """Factor on the interval's half (on the side of the outcome) that just reaches the outcome.

    Examples
    --------
    >>> needed_scale([12.0, 4.0, 10.0], [10.0, 10.0, 10.0], [6.0, 6.0, 6.0], [14.0, 14.0, 14.0])
    array([0.5, 1.5, 0. ])
    """
    a, m, lo, hi = (np.asarray(v, float) for v in (actual, mean, lower, upper))
    half = np.where(a >= m, hi - m, m - lo)
    return np.abs(a - m) / np.maximum(half, 1e-12)


def shrunk_scale(needed: Any, pooled: float, n0: float = N0, level: float = LEVEL) -> float:
    """The ``level`` quantile of ``needed``, shrunk on the log scale toward ``pooled`` with ``n0`` pseudo-cases.

    Examples
    --------
    >>> round(shrunk_scale([2.0] * 30, pooled=1.0, n0=30), 3)   # half way on the log scale: sqrt(2)
    1.414
    >>> shrunk_scale([], pooled=0.8)
    0.8
    """
    x = np.asarray(needed, float)
    x = x[np.isfinite(x)]
    if not x.size:
        return float(pooled)
    own = max(float(np.quantile(x, level)), 1e-6)
    s = np.exp((x.size * np.log(own) + n0 * np.log(pooled)) / (x.size + n0))
    return float(np.clip(s, *SCALE_BOUNDS))


def learn_spread_scales(cases: pd.DataFrame, *, group: str = "indicator", by: str = "origin",
                        window: int | None = WINDOW, n0: float = N0, level: float = LEVEL) -> pd.DataFrame:
    """One scale per ``by`` × ``group`` from resolved cases (see the module docstring).

    Parameters
    ----------
    cases : DataFrame
        ``year``, ``by``, ``group``, ``actual``, ``mean``, ``p10``, ``p90`` (rows with a missing value are
        left out): every case must be resolved (its outcome published) before it is used.
    window : int or None
        Learn on the last ``window`` years present (None: all of them).

    Returns
    -------
    DataFrame
        ``by``, ``group``, ``scale``, ``cases``, ``pooled`` (the scale of all groups at that ``by``) and
        ``years`` (e.g. ``"2024-2025"``), sorted.
    """
    need = ["year", by, group, "actual", "mean", "p10", "p90"]
    missing = [c for c in need if c not in cases.columns]
    if missing:
        raise ValueError(f"cases need the columns {need}; missing {missing}")
    c = cases.dropna(subset=need).copy()
    if window is not None and len(c):
        c = c[c["year"] > c["year"].max() - window]
    c["needed"] = needed_scale(c["actual"], c["mean"], c["p10"], c["p90"])
    rows = []
    for b, at in c.groupby(by, sort=True):
        pooled = float(np.clip(np.quantile(at["needed"], level), *SCALE_BOUNDS))
        years = f"{int(at['year'].min())}-{int(at['year'].max())}"
        for g, cell in at.groupby(group, sort=True):
            rows.append({by: b, group: g, "scale": shrunk_scale(cell["needed"], pooled, n0, level),
                         "cases": len(cell), "pooled": pooled, "years": years})
    return pd.DataFrame(rows, columns=[by, group, "scale", "cases", "pooled", "years"])


def scale_paths(paths: np.ndarray, scale: float, mean: np.ndarray | None = None) -> np.ndarray:
    """``mean + scale * (paths - mean)`` (``mean``: the paths' own mean per column by default).

    Examples
    --------
    >>> scale_paths(np.array([[1.0], [3.0]]), 2.0).ravel()
    array([0., 4.])
    """
    p = np.asarray(paths, float)
    m = p.mean(axis=0) if mean is None else np.asarray(mean, float)
    return m[None, :] + float(scale) * (p - m[None, :])


def spread_scale_for(table: pd.DataFrame | None, indicator: str, origin: int) -> float | None:
    """The table's scale for ``indicator`` at origin month ``origin``; None when it has none."""
    if table is None or not len(table):
        return None
    hit = table[(table["indicator"] == indicator) & (table["origin"] == int(origin))]
    return float(hit["scale"].iloc[0]) if len(hit) else None


def apply_spread_scales(forecasts: Mapping[Any, Any], table: pd.DataFrame | None) -> dict:
    """Each forecast with its paths scaled by the table's scale for its indicator and origin month.

    ``forecasts``: key → :class:`forecast.engine.result.SeriesForecast` (``indicator`` and ``last_period``
    give the table's row). A series without a row (no table, December as the origin, an indicator the table
    lacks) is returned as it is. A scaled one records ``spread_scale`` in its ``metrics``.
    """
    out = {}
    for key, fc in forecasts.items():
        last = getattr(fc, "last_period", None)
        s = None if last is None or pd.isna(last) else spread_scale_for(table, fc.indicator, last.month)
        if s is None or not np.all(np.isfinite(fc.paths)):
            out[key] = fc
            continue
        paths = scale_paths(fc.paths, s, fc.mean)
        paths.setflags(write=False)
        out[key] = replace(fc, paths=paths, metrics={**fc.metrics, "spread_scale": s})
    return out


def panel_horizon_scales(misses: list[np.ndarray], h: int, level: float = LEVEL) -> np.ndarray:
    """The pooled scale per horizon 1..h: the ``level`` quantile of every series' misses at that horizon
    (beyond the longest backtest horizon, the last one's)."""
    hb = max(m.shape[1] for m in misses)
    pooled = np.array([np.quantile(np.concatenate([m[:, j] for m in misses if m.shape[1] > j]), level)
                       for j in range(hb)])
    pooled = np.clip(pooled, *SCALE_BOUNDS)
    return np.concatenate([pooled, np.full(max(h - hb, 0), pooled[-1])])[:h]


def calibrate_panel(results: list, *, n0: float = N0_ORIGINS, level: float = LEVEL,
                    min_series: int = MIN_PANEL) -> list:
    """Each result's paths scaled per horizon by the panel's scale times its own shrunk factor.

    ``results``: :class:`forecast.engine.result.ForecastResult` (None allowed, kept). The panel's scale per
    horizon is :func:`panel_horizon_scales` of every result's ``misses``; a series' own factor is the
    ``level`` quantile of its misses relative to the panel's, shrunk toward 1 on the log scale with ``n0``
    pseudo-origins against its own origins (a series without ``misses`` takes the panel's scale as it is).
    With fewer than ``min_series`` series with misses nothing changes. A scaled result records the mean of
    its scales as ``metrics["spread_scale"]``.
    """
    misses = [r.misses for r in results if r is not None and getattr(r, "misses", None) is not None]
    if len(misses) < min_series:
        return list(results)
    h = max(r.mean.size for r in results if r is not None)
    pooled = panel_horizon_scales(misses, h, level)
    out = []
    for r in results:
        if r is None or not np.all(np.isfinite(r.paths)):
            out.append(r)
            continue
        own = 1.0
        if getattr(r, "misses", None) is not None:
            rel = r.misses / pooled[: r.misses.shape[1]][None, :]
            own = shrunk_scale(rel.ravel(), 1.0, n0 * rel.shape[1], level)  # n0 origins' worth of cases
        s = pooled[: r.mean.size] * own
        paths = r.mean[None, :] + s[None, :] * (r.paths - r.mean[None, :])
        paths.setflags(write=False)
        out.append(replace(r, paths=paths, metrics={**r.metrics, "spread_scale": float(np.mean(s))}))
    return out
