"""The statistical discrepancy of a hierarchy: its history and its sample-path forecast (DESIGN §2).

The province is the sum of its cities **plus a statistical discrepancy**; :mod:`forecast.decisions.reconcile`
carries that gap as a series of its own, and this module says what the series is:

- its history is ``province − Σ cities`` of the panel's period flows (:func:`discrepancy_history`), over
  the periods where the province and every forecast city are known;
- its forecast (:func:`forecast_discrepancy`) is, for each future period, the mean of the same
  period-end month over the last ``HISTORY_YEARS`` (3) years that have it, plus noise bootstrapped i.i.d.
  from the pooled deviations from those means (each scaled by ``sqrt(k/(k−1))`` for the ``k`` years its
  mean used, so the spread is not understated).

Both functions are pure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.catalog import PROVINCE
from forecast.data.errors import DataError
from forecast.data.schema import INDICATOR, PERIOD, REGION, VALUE

#: Region code of the statistical discrepancy (province minus the sum of its cities).
DISCREPANCY = "discrepancy"
#: Years of history whose same-month mean forecasts the discrepancy.
HISTORY_YEARS = 3


def discrepancy_history(panel: pd.DataFrame, indicator: str, cities: tuple[str, ...]) -> pd.Series:
    """Historical discrepancy flows ``province − Σ cities`` of one indicator, indexed by period.

    Only periods where the province and every city in ``cities`` have a finite flow are kept.

    Examples
    --------
    >>> p = pd.DataFrame({"region": ["liaoning", "shenyang", "dalian"], "indicator": "retail",
    ...     "period": pd.PeriodIndex(["2025-03"] * 3, freq="M"), "value": [100.0, 40.0, 50.0]})
    >>> discrepancy_history(p, "retail", ("shenyang", "dalian")).tolist()
    [10.0]
    """
    rows = panel[(panel[INDICATOR] == indicator) & panel[REGION].isin([PROVINCE, *cities])]
    wide = rows.pivot_table(index=PERIOD, columns=REGION, values=VALUE, aggfunc="first")
    if PROVINCE not in wide.columns or any(c not in wide.columns for c in cities):
        return pd.Series([], index=pd.PeriodIndex([], freq="M"), dtype=float, name=DISCREPANCY)
    wide = wide[[PROVINCE, *cities]].dropna()
    out = wide[PROVINCE] - wide[list(cities)].sum(axis=1)
    return pd.Series(out.to_numpy(dtype=float), index=pd.PeriodIndex(wide.index, freq="M"), name=DISCREPANCY)


def forecast_discrepancy(history: pd.Series, periods: pd.PeriodIndex, n_paths: int, *,
                         years: int = HISTORY_YEARS, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Sample paths of the discrepancy: same-month mean of recent years plus bootstrapped deviations.

    Parameters
    ----------
    history : Series
        Discrepancy flows by period (:func:`discrepancy_history`); must not be empty.
    periods : PeriodIndex
        Future period-end months.
    n_paths : int
    years : int
        How many of the latest years with a value for a month make its mean.
    seed : int or Generator

    Returns
    -------
    ndarray
        Shape ``(n_paths, len(periods))``. A month with no history takes the mean of all kept values.

    Examples
    --------
    >>> h = pd.Series([1.0, 3.0], index=pd.PeriodIndex(["2024-12", "2025-12"], freq="M"))
    >>> forecast_discrepancy(h, pd.PeriodIndex(["2026-12"], freq="M"), 3, seed=0).shape
    (3, 1)
    """
    if len(history) == 0:
        raise DataError("forecast_discrepancy: empty history; expected discrepancy flows by period")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    idx = pd.PeriodIndex(history.index, freq="M")
    vals = history.to_numpy(dtype=float)
    months = np.asarray(idx.month, dtype=int)
    means: dict[int, float] = {}
    pool: list[np.ndarray] = []
    kept: list[np.ndarray] = []
    for m in np.unique(months):
        sel = np.flatnonzero(months == m)
        sel = sel[np.argsort(np.asarray(idx.year)[sel])][-years:]
        v = vals[sel]
        means[int(m)] = float(v.mean())
        kept.append(v)
        if len(v) >= 2:
            pool.append((v - v.mean()) * np.sqrt(len(v) / (len(v) - 1)))
    fallback = float(np.concatenate(kept).mean())
    centre = np.array([means.get(int(p.month), fallback) for p in periods])
    out = np.tile(centre, (int(n_paths), 1))
    if pool:
        res = np.concatenate(pool)
        out = out + rng.choice(res, size=out.shape, replace=True)
    return out
