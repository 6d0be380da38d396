"""Month-native rolling-origin backtest and the accuracy metrics troika reports.

Everything is counted in *periods*, never in days: an origin is the number of observations a model is
fitted on, a horizon ``k`` is the ``k``-th period after it. Official Liaoning series have 11 periods a
year (Jan–Feb, Mar, …, Dec, DESIGN §7), generic monthly series 12, and the arithmetic is the same.

Origins. With ``n`` observations, horizon ``h``, ``n_origins`` origins ``step`` periods apart, the last
origin leaves exactly ``h`` actuals: ``origins = [n - h - step*(n_origins-1), …, n - h - step, n - h]``.
The model is refitted from scratch (a fresh clone) at every origin on ``y[:origin]``.

Metrics (each definition is the one written in the function's docstring, checked by hand in the tests):
:func:`mase` (scale = in-sample seasonal-naive MAE), :func:`smape` (0–200), :func:`coverage`,
:func:`pinball`, and the analysts' metric :func:`full_year_growth_error` (percentage points of
projected full-year growth).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.errors import DataError, ModelError
from forecast.engine.models import MODELS
from forecast.engine.models.base import Forecaster

ORIGIN = "origin"
HORIZON = "horizon"
TARGET = "target"
ACTUAL = "actual"
MEAN = "mean"


def interval_columns(level: float) -> tuple[str, str]:
    """Names of the lower and upper bound columns of a central interval, e.g. ``("lo80", "hi80")``."""
    tag = f"{level:g}"
    return f"lo{tag}", f"hi{tag}"


def interval_taus(level: float) -> tuple[float, float]:
    """Quantile probabilities of a central ``level`` % interval: 80 → (0.1, 0.9)."""
    if not 0 < level < 100:
        raise DataError(f"interval level must be a percentage in (0, 100), got {level!r}")
    a = (1 - level / 100) / 2
    return a, 1 - a


def model_factory(model_or_factory: Any, season_length: int) -> Callable[[], Forecaster]:
    """Turn a model instance, a registry name or a zero-argument factory into a factory of fresh models.

    Parameters
    ----------
    model_or_factory : Forecaster, str or callable
        A model (cloned for every fit), a name in :data:`forecast.engine.models.MODELS` (built with
        ``season_length``) or a callable returning a new unfitted model.
    season_length : int
        Season length for registry names.
    """
    if isinstance(model_or_factory, Forecaster):
        return model_or_factory.clone
    if isinstance(model_or_factory, str):
        if model_or_factory not in MODELS:
            raise DataError(f"unknown model {model_or_factory!r}; expected one of {sorted(MODELS)}")
        cls = MODELS[model_or_factory]
        return lambda: cls(season_length=season_length)
    if callable(model_or_factory):
        return model_or_factory
    raise DataError(
        f"expected a Forecaster, a registry name or a factory, got {type(model_or_factory).__name__}"
    )


def backtest_origins(n: int, *, h: int, n_origins: int, step: int = 1, min_train: int = 1) -> list[int]:
    """Origins (training lengths) of a rolling-origin backtest, oldest first.

    Examples
    --------
    >>> backtest_origins(10, h=2, n_origins=3, step=2)
    [4, 6, 8]
    """
    if int(h) != h or h < 1 or int(n_origins) != n_origins or n_origins < 1 or int(step) != step or step < 1:
        raise DataError(
            f"h, n_origins and step must be positive whole numbers, got h={h!r}, n_origins={n_origins!r}, step={step!r}"
        )
    first = n - h - step * (n_origins - 1)
    if first < min_train:
        need = min_train + h + step * (n_origins - 1)
        raise DataError(
            f"series of {n} points is too short for {n_origins} origin(s) of horizon {h} every {step} period(s) "
            f"with at least {min_train} training point(s): it needs {need}; use fewer origins or a shorter horizon"
        )
    return [first + step * i for i in range(n_origins)]


def backtest(
    y: Any,
    model_or_factory: Any,
    *,
    h: int,
    n_origins: int,
    season_length: int,
    X: Any = None,
    step: int = 1,
    level: Sequence[float] = (80, 95),
    n_paths: int = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """Rolling-origin backtest refitting the model at every origin.

    Parameters
    ----------
    y : array-like
        1-D series of period values, oldest first (a pandas Series is read by position).
    model_or_factory : Forecaster, str or callable
        See :func:`model_factory`.
    h : int
        Horizon in periods.
    n_origins : int
        Number of origins; the last one leaves exactly ``h`` actuals.
    season_length : int
        Periods per seasonal cycle (11 for official series, 12 for monthly ones).
    X : array-like, optional
        Regressors, one row per observation of ``y``; rows ``[:origin]`` fit, ``[origin:origin+h]``
        predict.
    step : int
        Periods between origins.
    level : sequence of float
        Central interval levels in %; bounds come from the model's ``sample_paths``. Empty: no paths.
    n_paths, seed : int
        Paths per origin for the intervals; origin ``i`` uses seed ``seed + i``.

    Returns
    -------
    DataFrame
        One row per origin × horizon: ``origin`` (training length), ``horizon`` (1..h), ``target``
        (position of the forecast period in ``y``), ``actual``, ``mean`` and per level ``lo{L}``,
        ``hi{L}`` (quantiles ``(1 - L/100)/2`` and ``(1 + L/100)/2`` of the paths).

    Raises
    ------
    ModelError
        A fit or forecast failed; the message names the origin.

    Examples
    --------
    Origins 6 and 7; seasonal naive repeats the last season of each training sample:

    >>> bt = backtest([1., 2, 3, 1, 2, 3, 1, 2, 4], "snaive", h=2, n_origins=2, season_length=3, level=())
    >>> bt[["origin", "horizon", "actual", "mean"]].values.tolist()
    [[6.0, 1.0, 1.0, 1.0], [6.0, 2.0, 2.0, 2.0], [7.0, 1.0, 2.0, 2.0], [7.0, 2.0, 4.0, 3.0]]
    """
    arr = Forecaster._as_series(y)
    xa = Forecaster._as_regressors(X, arr.size, "X")
    factory = model_factory(model_or_factory, season_length)
    origins = backtest_origins(arr.size, h=h, n_origins=n_origins, step=step)
    rows = []
    for i, t in enumerate(origins):
        model = factory()
        try:
            model.fit(arr[:t], X=None if xa is None else xa[:t])
            xf = None if xa is None else xa[t : t + h]
            mean = np.asarray(model.predict(h, X=xf), dtype=float)
            paths = model.sample_paths(h, n_paths=n_paths, seed=seed + i, X=xf) if len(level) else None
        except (ModelError, DataError, ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            raise ModelError(f"{type(model).__name__} failed at origin {t} of {arr.size}: {exc}") from exc
        if mean.shape != (h,) or not np.all(np.isfinite(mean)):
            raise ModelError(f"{type(model).__name__} gave a non-finite or mis-shaped forecast at origin {t}")
        frame = {ORIGIN: t, HORIZON: np.arange(1, h + 1), TARGET: np.arange(t, t + h), ACTUAL: arr[t : t + h], MEAN: mean}
        for lev in level:
            lo, hi = interval_columns(lev)
            frame[lo], frame[hi] = np.quantile(np.asarray(paths, float), interval_taus(lev), axis=0)
        rows.append(pd.DataFrame(frame))
    return pd.concat(rows, ignore_index=True)


# -- point metrics ----------------------------------------------------------------------------------
def seasonal_naive_scale(insample: Any, season_length: int) -> float:
    """In-sample MAE of the seasonal naive forecast, ``mean |y_t - y_{t-m}|`` over ``t = m..n-1``.

    Falls back to ``m = 1`` when the sample has no full season plus one point; NaN for one point.
    """
    y = np.asarray(insample, dtype=float)
    m = season_length if y.size > season_length else 1
    if y.size <= m:
        return float("nan")
    return float(np.mean(np.abs(y[m:] - y[:-m])))


def mase(actual: Any, forecast: Any, insample: Any, season_length: int) -> float:
    """Mean absolute scaled error: ``mean |a - f| / seasonal_naive_scale(insample, m)``.

    NaN when the scale is zero or undefined (a constant in-sample series).

    Examples
    --------
    >>> mase([4.0, 6.0], [5.0, 5.0], [1.0, 2.0, 3.0, 4.0], season_length=2)  # scale 2
    0.5
    """
    scale = seasonal_naive_scale(insample, season_length)
    err = np.mean(np.abs(np.asarray(actual, float) - np.asarray(forecast, float)))
    return float(err / scale) if scale > 0 else float("nan")


def smape(actual: Any, forecast: Any) -> float:
    """Symmetric MAPE on the 0–200 scale: ``mean 200 |a - f| / (|a| + |f|)``; a 0/0 term counts as 0.

    Examples
    --------
    >>> smape([100.0], [50.0])   # 200 * 50 / 150
    66.66666666666667
    """
    a, f = np.asarray(actual, float), np.asarray(forecast, float)
    den = np.abs(a) + np.abs(f)
    terms = np.divide(200 * np.abs(a - f), den, out=np.zeros_like(den), where=den > 0)
    return float(np.mean(terms))


def coverage(actual: Any, lower: Any, upper: Any) -> float:
    """Share of actuals inside ``[lower, upper]`` (bounds included).

    Examples
    --------
    >>> coverage([1.0, 5.0], [0.0, 0.0], [2.0, 4.0])
    0.5
    """
    a = np.asarray(actual, float)
    return float(np.mean((a >= np.asarray(lower, float)) & (a <= np.asarray(upper, float))))


def pinball(actual: Any, quantile: Any, tau: float) -> float:
    """Mean pinball (quantile) loss ``max(tau (a - q), (tau - 1)(a - q))``.

    Examples
    --------
    >>> pinball([10.0, 10.0], [8.0, 12.0], 0.9)   # (0.9*2 + 0.1*2) / 2
    1.0
    """
    d = np.asarray(actual, float) - np.asarray(quantile, float)
    return float(np.mean(np.maximum(tau * d, (tau - 1) * d)))


def summarize_backtest(bt: pd.DataFrame, y: Any, season_length: int, level: float = 80) -> dict[str, float]:
    """Average metrics of a backtest frame.

    ``mase`` uses each origin's own in-sample scale (``y[:origin]``) and averages over origins;
    ``smape`` averages all rows; ``coverage`` and ``pinball`` (mean of the two bounds' losses) use the
    ``level`` interval when its columns are present, otherwise NaN.
    """
    arr = np.asarray(y, dtype=float)
    mases = [
        mase(g[ACTUAL], g[MEAN], arr[:o], season_length) for o, g in bt.groupby(ORIGIN, sort=True)
    ]
    out = {"mase": float(np.nanmean(mases)) if np.any(np.isfinite(mases)) else float("nan"),
           "smape": smape(bt[ACTUAL], bt[MEAN])}
    lo, hi = interval_columns(level)
    if lo in bt.columns and hi in bt.columns:
        t_lo, t_hi = interval_taus(level)
        out["coverage"] = coverage(bt[ACTUAL], bt[lo], bt[hi])
        out["pinball"] = (pinball(bt[ACTUAL], bt[lo], t_lo) + pinball(bt[ACTUAL], bt[hi], t_hi)) / 2
    else:
        out["coverage"] = out["pinball"] = float("nan")
    return out


# -- the analysts' metric ---------------------------------------------------------------------------
def _year_start(seasons: np.ndarray, pos: int) -> int:
    """Position of season 1 of the year holding ``pos`` (seasons must count up by one inside a year)."""
    start = pos - (int(seasons[pos]) - 1)
    if start < 0 or not np.array_equal(seasons[start : pos + 1], np.arange(1, seasons[pos] + 1)):
        raise DataError(f"seasons around position {pos} do not count 1, 2, … within the year: give a complete grid")
    return start


def full_year_growth_error(
    values: Any,
    seasons: Any,
    origin: int,
    forecast: Any,
    *,
    periods_per_year: int = 11,
    base: float | None = None,
) -> float:
    """Error, in percentage points, of the full-year growth projected at a forecast origin.

    The target year is the year of the first forecast period ``values[origin]`` (an origin after
    December therefore projects the whole next year). With ``ytd`` = that year's actuals before the
    origin, ``r`` = its remaining periods and ``base`` = last year's full-year total::

        projected = (ytd + sum(forecast[:r])) / base - 1
        actual    = (ytd + sum(values[origin:origin + r])) / base - 1
        error_pp  = 100 * (projected - actual)

    Parameters
    ----------
    values : array-like
        Actual period values, oldest first, covering at least the target year (NaN where unknown).
    seasons : array-like of int
        Season of each value within its year (1..periods_per_year, consecutive within a year).
    origin : int
        Number of known periods; the forecast starts at ``values[origin]``.
    forecast : array-like
        Forecasts of ``values[origin], values[origin+1], …``: at least ``r`` of them.
    periods_per_year : {11, 12}
    base : float, optional
        Last year's full-year total; default the sum of the previous year's ``periods_per_year`` values.

    Returns
    -------
    float
        ``error_pp``; NaN when a needed actual (or the default base) is missing.

    Examples
    --------
    >>> v = [10.0] * 11 + [11.0] * 11          # last year 110, this year 121 (+10 %)
    >>> s = list(range(1, 12)) * 2
    >>> round(full_year_growth_error(v, s, 20, [10.0, 10.0]), 6)   # (99 + 20)/110 - 1 vs 0.10
    -1.818182
    """
    v = np.asarray(values, dtype=float)
    s = np.asarray(seasons, dtype=int)
    f = np.asarray(forecast, dtype=float)
    if v.shape != s.shape:
        raise DataError(f"values and seasons differ in length: {v.size} vs {s.size}")
    if not 0 < origin < v.size:
        raise DataError(f"origin must lie inside the series (1..{v.size - 1}), got {origin}")
    if s.min() < 1 or s.max() > periods_per_year:
        raise DataError(f"seasons must lie in 1..{periods_per_year}, got {s.min()}..{s.max()}")
    start = _year_start(s, origin)
    r = periods_per_year - int(s[origin]) + 1
    if f.size < r:
        raise DataError(f"forecast has {f.size} value(s); the rest of the year needs {r}")
    if base is None:
        prev = start - periods_per_year
        if prev < 0:
            return float("nan")
        base = float(np.sum(v[prev:start])) if np.all(np.isfinite(v[prev:start])) else float("nan")
    ytd = float(np.sum(v[start:origin]))
    rest = v[origin : origin + r]
    if rest.size < r or not np.isfinite(base) or base == 0:
        return float("nan")
    projected = (ytd + float(np.sum(f[:r]))) / base - 1
    actual = (ytd + float(np.sum(rest))) / base - 1
    return float(100 * (projected - actual))


def growth_errors(
    bt: pd.DataFrame, values: Any, seasons: Any, *, periods_per_year: int = 11, column: str = MEAN
) -> pd.DataFrame:
    """Full-year growth error (pp) of every origin of a backtest frame whose horizon reaches year end.

    Returns a frame with ``origin``, ``origin_season`` (season of the last known period) and
    ``error_pp``; origins whose horizon stops before December or whose year lacks actuals are left out.
    """
    s = np.asarray(seasons, dtype=int)
    out = []
    for o, g in bt.groupby(ORIGIN, sort=True):
        o = int(o)
        r = periods_per_year - int(s[o]) + 1 if o < s.size else periods_per_year + 1
        if len(g) < r:
            continue
        err = full_year_growth_error(values, s, o, g.sort_values(HORIZON)[column].to_numpy(),
                                     periods_per_year=periods_per_year)
        if np.isfinite(err):
            out.append((o, int(s[o - 1]), err))
    return pd.DataFrame(out, columns=[ORIGIN, "origin_season", "error_pp"]).astype(
        {ORIGIN: "int64", "origin_season": "int64", "error_pp": "float64"}
    )


def origin_metrics(
    y: Any, origins: Sequence[int], forecasts: np.ndarray, season_length: int, seasons: Any = None
) -> dict[str, float]:
    """MASE, sMAPE and mean absolute full-year growth error of forecasts made at given origins.

    Parameters
    ----------
    y : array-like
        The whole series.
    origins : sequence of int
        Training lengths; row ``i`` of ``forecasts`` forecasts ``y[origins[i]:origins[i] + H]``.
    forecasts : array (len(origins), H)
    season_length : int
        Also the periods per year of the growth error (11 or 12), computed only when ``seasons`` is given.
    """
    arr = np.asarray(y, dtype=float)
    fc = np.atleast_2d(np.asarray(forecasts, dtype=float))
    hb = fc.shape[1]
    actual = np.array([arr[t : t + hb] for t in origins])
    mases = np.array([mase(actual[i], fc[i], arr[:t], season_length) for i, t in enumerate(origins)])
    out = {"mase": float(np.mean(mases[np.isfinite(mases)])) if np.isfinite(mases).any() else float("nan"),
           "smape": smape(actual, fc), "growth_error_pp": float("nan")}
    if seasons is not None and season_length in (11, 12):
        bt = pd.DataFrame({ORIGIN: np.repeat(list(origins), hb), HORIZON: np.tile(np.arange(1, hb + 1), len(origins)),
                           MEAN: fc.ravel()})
        ge = growth_errors(bt, arr, seasons, periods_per_year=season_length)
        if len(ge):
            out["growth_error_pp"] = float(np.mean(np.abs(ge["error_pp"])))
    return out


def relative_mae(y: Any, origins: Sequence[int], forecasts: np.ndarray, season_length: int) -> float:
    """MAE of forecasts made at ``origins`` divided by seasonal naive's MAE at the same origins.

    Below 1: better than seasonal naive. Scale-free, so a panel's geometric mean of it (the AvgRelMAE
    of Davydenko & Fildes 2013, IJF 29(3)) compares two forecasting methods over many series. NaN when
    seasonal naive is exact or a training part is shorter than a season.

    Examples
    --------
    >>> y = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 4.0])   # snaive at origin 4 forecasts 1, 3: errors 0, 1
    >>> relative_mae(y, [4], np.array([[1.0, 3.5]]), 2)
    0.5
    """
    arr = np.asarray(y, dtype=float)
    fc = np.atleast_2d(np.asarray(forecasts, dtype=float))
    hb, m = fc.shape[1], int(season_length)
    if not len(origins) or min(origins) < m:
        return float("nan")
    actual = np.array([arr[t : t + hb] for t in origins])
    naive = np.array([arr[t - m + np.arange(hb) % m] for t in origins])
    base = float(np.mean(np.abs(actual - naive)))
    return float(np.mean(np.abs(actual - fc)) / base) if base > 0 else float("nan")
