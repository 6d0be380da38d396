"""The engine: one series → calibrated sample paths; a panel of series → one result per series.

``method="auto"`` (per series):

1. backtest every candidate model (default :data:`DEFAULT_MODELS`) on a few rolling origins, refitting
   at each (plan: :func:`plan_backtest`);
2. drop, with the reason recorded in ``dropped``, any candidate that raises, returns non-finite or
   mis-shaped values, or whose single fit takes longer than ``AutoConfig.fit_budget`` seconds (timed
   after the fact: signals do not work in threads, so a slow model is measured and dropped);
3. weight the survivors from their backtest errors (:func:`forecast.combine.combination_weights`);
4. calibrate the spread per horizon on the combination's own backtest errors and draw sample paths
   (:mod:`forecast.combine`);
5. if every candidate fails, a built-in seasonal naive answers and the result is flagged
   ``fallback_snaive``.

A single registry name as ``method`` runs the same steps with one candidate, so its paths are
calibrated the same way. Results are deterministic for a seed.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from forecast.combine import combine, loo_coverage, naive_prior
from forecast.errors import DataError, ModelError
from forecast.evaluation import origin_metrics
from forecast.models.base import Forecaster

#: Candidates of ``method="auto"``, chosen on measurements (bench/README.md): on M3 monthly adding
#: SARIMAX did not lower auto's sMAPE (14.51 with or without it on a 119-series sample) and on the bundled
#: Liaoning panel it helped fewer series beat seasonal naive, at 2-3x the cost; Prophet made auto worse
#: on M3 and 4x slower. Both stay available: ``AutoConfig(models=("ets", "theta", "snaive", "sarimax"))``.
DEFAULT_MODELS: tuple[str, ...] = ("ets", "theta", "snaive")


@dataclass(frozen=True)
class AutoConfig:
    """Settings of the ``auto`` combination (defaults suit monthly and 11-period series).

    Attributes
    ----------
    models : tuple
        Candidates: registry names, ``(name, params)`` or ``(label, name, params)`` entries.
    n_origins : int
        Backtest origins wanted (fewer when the series is short; flagged ``few_origins``).
    step : int or None
        Periods between origins; default ``max(1, season_length // 2)``.
    backtest_h : int or None
        Backtest horizon; default the forecast horizon. Longer horizons use the fitted error profile.
    min_train : int or None
        Shortest training sample of a backtest fit; default ``2 * season_length + 1``.
    fit_budget : float
        Seconds one fit may take before its model is dropped for the series.
    shrink, cutoff : float
        Weights: see :func:`forecast.combine.combination_weights`.
    prior_strength, inflate : float
        Spread: see :func:`forecast.combine.calibrate_sigma`.
    model_paths : int
        Paths drawn from each candidate to shape the dependence across horizons.
    reuse_structure : bool
        Backtest refits keep the structure (ETS spec, SARIMAX orders) selected on the whole series and
        re-estimate its parameters: several times cheaper, at the price of a little look-ahead in the
        choice of structure.
    """

    models: tuple = DEFAULT_MODELS
    n_origins: int = 3
    step: int | None = None
    backtest_h: int | None = None
    min_train: int | None = None
    fit_budget: float = 10.0
    shrink: float = 0.5
    cutoff: float = 4.0
    prior_strength: float = 2.0
    inflate: float = 1.0
    model_paths: int = 200
    reuse_structure: bool = True


@dataclass(frozen=True, eq=False)
class ForecastResult:
    """Forecast of one series: point forecast, calibrated sample paths and how they were made.

    Attributes
    ----------
    mean : ndarray (h,)
        Point forecast (the weighted combination); equals ``paths.mean(axis=0)``.
    paths : ndarray (n_paths, h)
        Sample paths of future period values (read-only).
    weights : dict
        Model name → combination weight (sums to 1).
    dropped : dict
        Model name → why it was left out for this series.
    flags : tuple of str
        ``fallback_snaive``, ``no_backtest``, ``few_origins``, ``filled_gaps:<n>``, ``failed: …``.
    metrics : dict
        Backtest summary of the combination: ``mase``, ``smape`` (0–200), ``coverage80``
        (leave-one-origin-out), ``growth_error_pp`` (mean absolute, needs seasons), ``n_origins``.
    method : str
    """

    mean: np.ndarray
    paths: np.ndarray
    weights: dict[str, float]
    dropped: dict[str, str]
    flags: tuple[str, ...]
    metrics: dict[str, float]
    method: str

    def quantiles(self, levels: Any = (0.1, 0.5, 0.9)) -> np.ndarray:
        """Quantiles of the paths per horizon: array ``len(levels) × h``.

        ``levels`` are probabilities in [0, 1]; numpy's default (linear interpolation) is used.

        Examples
        --------
        >>> fc = forecast_series([1.0, 3.0, 2.0] * 12, h=2, season_length=3, method="snaive", n_paths=50)
        >>> fc.quantiles((0.1, 0.9)).shape
        (2, 2)
        """
        q = np.atleast_1d(np.asarray(levels, float))
        if np.any((q < 0) | (q > 1)):
            raise DataError(f"quantile levels are probabilities in [0, 1], got {list(q)}; for 80 % use 0.1, 0.9")
        return np.quantile(self.paths, q, axis=0)


@dataclass(frozen=True, eq=False)
class SeriesForecast(ForecastResult):
    """A :class:`ForecastResult` of one panel series, with its keys and future periods."""

    region: str = ""
    indicator: str = ""
    last_period: pd.Period | None = None
    periods: pd.PeriodIndex = field(default_factory=lambda: pd.PeriodIndex([], freq="M"))


class SeasonalNaiveFallback(Forecaster):
    """Built-in seasonal naive, independent of the registry: the answer when every candidate fails."""

    name = "snaive_fallback"

    def fit(self, y: Any, X: Any = None) -> SeasonalNaiveFallback:
        self.y_ = self._as_series(y)
        m = self.season_length if self.y_.size >= self.season_length else 1
        self.m_ = m
        d = self.y_[m:] - self.y_[:-m]
        self.sigma_ = float(np.sqrt(np.mean(d**2))) if d.size else 0.0
        self.is_fitted_ = True
        return self

    def predict(self, h: int, X: Any = None) -> np.ndarray:
        self._check_fitted()
        last = self.y_[-self.m_ :]
        return last[np.arange(self._check_h(h)) % self.m_].copy()

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        self._check_fitted()
        steps = np.arange(self._check_h(h)) // self.m_ + 1
        z = np.random.default_rng(seed).standard_normal((n_paths, h))
        return self.predict(h)[None, :] + z * self.sigma_ * np.sqrt(steps)


def subseed(seed: int, *keys: Any) -> int:
    """A 32-bit seed derived deterministically (across processes and runs) from ``seed`` and keys."""
    import zlib

    ints = [int(seed) % 2**32] + [zlib.crc32(str(k).encode()) for k in keys]
    return int(np.random.SeedSequence(ints).generate_state(1)[0])


def plan_backtest(n: int, h: int, season_length: int, config: AutoConfig) -> tuple[int, int, int] | None:
    """Backtest horizon, number of origins and step for a series of ``n`` points, or None if too short.

    Keeps the horizon (``backtest_h`` or ``h``) and as many origins as fit ``min_train``, shrinking the
    step when that keeps more origins; returns None when not even one origin fits.

    Examples
    --------
    >>> plan_backtest(100, 18, 12, AutoConfig())
    (18, 3, 6)
    >>> plan_backtest(48, 18, 12, AutoConfig())   # 48 - 18 - 25 = 5 spare points: step 2
    (18, 3, 2)
    """
    bt_h = min(h, config.backtest_h or h)
    step = config.step or max(1, season_length // 2)
    min_train = config.min_train or 2 * season_length + 1
    spare = n - bt_h - min_train
    if spare < 0:
        return None
    for k in range(config.n_origins, 0, -1):
        s = step if k == 1 else min(step, spare // (k - 1))
        if s >= 1 or k == 1:
            return bt_h, k, max(s, 1)
    return None  # pragma: no cover - k == 1 always returns


def _registry() -> dict[str, type]:
    from forecast.models import MODELS

    return MODELS


def model_specs(models: Any) -> list[tuple[str, type, dict]]:
    """``(label, class, params)`` of candidate entries: a registry name, ``(name, params)`` or
    ``(label, name, params)``.

    Examples
    --------
    >>> [s[0] for s in model_specs(["theta", ("ets", {"candidates": ("AAdA",)}), ("ets2", "ets", {})])]
    ['theta', 'ets', 'ets2']
    """
    registry = _registry()
    out = []
    for entry in models:
        label, name, params = (entry, entry, {}) if isinstance(entry, str) else \
            (entry[0], entry[0], dict(entry[1])) if len(entry) == 2 else (entry[0], entry[1], dict(entry[2]))
        if name not in registry:
            raise DataError(f"unknown model {name!r}; expected 'auto' or one of {sorted(registry)}")
        out.append((label, registry[name], params))
    labels = [o[0] for o in out]
    if len(set(labels)) != len(labels):
        raise DataError(f"candidate labels must be unique, got {labels}; use (label, name, params) entries")
    return out


def _uses_regressors(model: Forecaster) -> bool:
    return bool(getattr(model, "uses_regressors", getattr(model, "supports_regressors", False)))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:240]


def _fit_predict(model: Forecaster, y: np.ndarray, X, t: int, steps: int, xf, budget: float) -> np.ndarray:
    """Fit on ``y[:t]`` and forecast ``steps``; TimeoutError past the budget, ModelError if unusable."""
    use_x = X is not None and _uses_regressors(model)
    start = time.perf_counter()
    model.fit(y[:t], X=X[:t] if use_x else None)
    mean = np.asarray(model.predict(steps, X=xf if use_x else None), dtype=float)
    took = time.perf_counter() - start
    if took > budget:
        raise TimeoutError(f"one fit took {took:.1f} s, over the budget of {budget:g} s")
    if mean.shape != (steps,) or not np.all(np.isfinite(mean)):
        raise ModelError(f"non-finite or mis-shaped forecast at origin {t} of {y.size}")
    return mean


def _chosen_structure(model: Forecaster, params: dict) -> dict:
    """``{"candidates": [spec_]}`` for a family that selected a structure itself (ETS, SARIMAX), else {}."""
    if "candidates" in model.get_params() and params.get("candidates") is None and hasattr(model, "spec_"):
        return {"candidates": [model.spec_]}
    return {}


def _run_candidate(cls, params, m, y, X, Xf, h, origins, bt_h, config: AutoConfig, seed):
    """Final mean (h,), paths and backtest forecasts (origins × bt_h) of one candidate; raises on failure.

    The final fit comes first (a failing or slow model costs one fit). With ``config.reuse_structure``
    the backtest refits keep the structure the final fit selected (ETS spec, SARIMAX orders) and
    re-estimate its parameters; an origin where that structure cannot be fitted selects afresh.
    """
    budget = config.fit_budget
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        final = cls(season_length=m, **params)
        mean = _fit_predict(final, y, X, y.size, h, Xf, budget)
        paths = np.asarray(final.sample_paths(h, n_paths=config.model_paths, seed=seed,
                                              X=Xf if X is not None and _uses_regressors(final) else None), float)
        if paths.shape != (config.model_paths, h) or not np.all(np.isfinite(paths)):
            raise ModelError(f"sample_paths gave shape {paths.shape} or non-finite values")
        fixed = _chosen_structure(final, params) if config.reuse_structure else {}
        fc = np.empty((len(origins), bt_h))
        for i, t in enumerate(origins):
            xf = None if X is None else X[t : t + bt_h]
            try:
                fc[i] = _fit_predict(cls(season_length=m, **{**params, **fixed}), y, X, t, bt_h, xf, budget)
            except TimeoutError:
                raise
            except Exception:  # noqa: BLE001 - the fixed structure failed here: let the family choose
                if not fixed:
                    raise
                fc[i] = _fit_predict(cls(season_length=m, **params), y, X, t, bt_h, xf, budget)
    return fc, mean, paths


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread inside (threadpoolctl when installed; otherwise nothing).

    The models multiply tiny matrices, where BLAS threads only add overhead: on a busy 2-core machine
    a multi-threaded OpenBLAS made a statsmodels fit about 5x slower. The previous limits are restored.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional dependency
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def run_series(
    y: np.ndarray,
    h: int,
    *,
    season_length: int,
    method: str = "auto",
    n_paths: int = 1000,
    seed: int = 0,
    config: AutoConfig | None = None,
    X: np.ndarray | None = None,
    X_future: np.ndarray | None = None,
    seasons: np.ndarray | None = None,
    flags: tuple[str, ...] = (),
) -> ForecastResult:
    """Engine core on a clean float array (see the module docstring); ``forecast_series`` wraps it."""
    with single_threaded_blas():
        return _run_series(y, h, season_length=season_length, method=method, n_paths=n_paths, seed=seed,
                           config=config or AutoConfig(), X=X, X_future=X_future, seasons=seasons, flags=flags)


def _run_series(y, h, *, season_length, method, n_paths, seed, config, X, X_future, seasons, flags):
    n, m = y.size, season_length
    specs = model_specs(config.models if method == "auto" else (method,))
    plan = plan_backtest(n, h, m, config)
    bt_h, k, step = plan if plan else (0, 0, 1)
    origins = [n - bt_h - step * (k - 1 - i) for i in range(k)]
    flags = tuple(flags) + (("no_backtest",) if plan is None else ("few_origins",) if k < config.n_origins else ())
    dropped: dict[str, str] = {}
    runs: dict[str, tuple] = {}
    for i, (nm, cls, params) in enumerate(specs):
        try:
            runs[nm] = _run_candidate(cls, params, m, y, X, X_future, h, origins, bt_h, config,
                                      subseed(seed, "model", i))
        except Exception as exc:  # noqa: BLE001 - any model failure drops that model for this series
            dropped[nm] = _reason(exc)
    if not runs:
        flags += ("fallback_snaive",)
        runs["snaive_fallback"] = _run_candidate(SeasonalNaiveFallback, {}, m, y, None, None, h, origins, bt_h,
                                                 replace(config, fit_budget=np.inf), subseed(seed, "fallback"))
    actual = np.array([y[t : t + bt_h] for t in origins]).reshape(k, bt_h)
    comb = combine({nm: r[0] for nm, r in runs.items()}, {nm: r[1] for nm, r in runs.items()},
                   {nm: r[2] for nm, r in runs.items()}, actual, n_paths=n_paths, seed=subseed(seed, "paths"),
                   shrink=config.shrink, cutoff=config.cutoff, prior_strength=config.prior_strength,
                   inflate=config.inflate, fallback_prior=naive_prior(y, h, m))
    metrics = {"mase": float("nan"), "smape": float("nan"), "coverage80": float("nan"),
               "growth_error_pp": float("nan"), "n_origins": float(k)}
    if k:
        metrics.update(origin_metrics(y, origins, actual - comb.errors, m, seasons))
        metrics["coverage80"] = loo_coverage(comb.errors, comb.prior, prior_strength=config.prior_strength,
                                             inflate=config.inflate)
    for arr in (comb.mean, comb.paths):
        arr.setflags(write=False)
    return ForecastResult(mean=comb.mean, paths=comb.paths, weights=comb.weights, dropped=dropped, flags=flags,
                          metrics=metrics, method=method)


def forecast_series(y, h, *, season_length=12, method="auto", n_paths=1000, seed=0) -> ForecastResult:
    """Forecast one series with calibrated sample paths.

    Parameters
    ----------
    y : array-like or Series
        1-D finite float values, oldest first (a Series is read by position).
    h : int
        Horizon in periods.
    season_length : int
        Periods per year (12 monthly, 11 for official Jan–Feb-combined series).
    method : str
        ``"auto"`` (weighted combination of :data:`DEFAULT_MODELS`) or a name in
        :data:`forecast.models.MODELS`.
    n_paths, seed : int
        Number of sample paths; the same seed gives identical paths.

    Returns
    -------
    ForecastResult
        ``.mean`` (h,), ``.paths`` (n_paths, h), ``.quantiles(levels)`` (len(levels), h), ``.weights``,
        ``.dropped``, ``.flags``, ``.metrics``.

    Examples
    --------
    A series that repeats exactly: seasonal naive makes no backtest error and takes all the weight.

    >>> fc = forecast_series([10.0, 12.0, 14.0] * 10, h=3, season_length=3, n_paths=100)
    >>> fc.mean.round(1), fc.weights["snaive"], fc.paths.shape
    (array([10., 12., 14.]), 1.0, (100, 3))
    >>> fc.quantiles((0.1, 0.5, 0.9)).shape
    (3, 3)
    """
    arr = Forecaster._as_series(y)
    h = Forecaster._check_h(h)
    if int(season_length) != season_length or season_length < 1:
        raise DataError(f"season_length must be a positive whole number, got {season_length!r}")
    if int(n_paths) != n_paths or n_paths < 1:
        raise DataError(f"n_paths must be a positive whole number, got {n_paths!r}")
    return run_series(arr, h, season_length=int(season_length), method=method, n_paths=int(n_paths), seed=int(seed))

# -- panel ------------------------------------------------------------------------------------------
def future_periods(last: pd.Period, h: int, periods_per_year: int = 11) -> pd.PeriodIndex:
    """The ``h`` periods after ``last`` (period-end months; Jan–Feb is month 2 in 11-period mode).

    Examples
    --------
    >>> [str(p) for p in future_periods(pd.Period("2026-10", "M"), 4)]
    ['2026-11', '2026-12', '2027-02', '2027-03']
    """
    from forecast.ytd import season_periods

    out: list[pd.Period] = []
    year = last.year
    while len(out) < h:
        out += [p for p in season_periods(year, periods_per_year) if p > last]
        year += 1
    return pd.PeriodIndex(out[:h], freq="M")


def default_horizon(last: pd.Period, periods_per_year: int = 11) -> int:
    """Periods from after ``last`` to December of the following year (11 + the rest of this year)."""
    from forecast.ytd import season_of

    return periods_per_year - season_of(last, periods_per_year) + periods_per_year


def _fill_gaps(values: np.ndarray, m: int) -> tuple[np.ndarray, int]:
    """Interior NaNs filled with the mean of the same season one year either side, else linearly."""
    v = values.copy()
    gaps = np.flatnonzero(~np.isfinite(v))
    for t in gaps:
        near = [values[j] for j in (t - m, t + m) if 0 <= j < v.size and np.isfinite(values[j])]
        if near:
            v[t] = float(np.mean(near))
    still = ~np.isfinite(v)
    if still.any():
        idx = np.arange(v.size)
        v[still] = np.interp(idx[still], idx[~still], v[~still])
    return v, int(gaps.size)


def _panel_task(task: dict) -> SeriesForecast:
    """Forecast one panel series; never raises (a failure becomes a flagged NaN result)."""
    region, indicator, ppy = task["region"], task["indicator"], task["periods_per_year"]
    periods, values = task["periods"], task["values"]
    seed = subseed(task["seed"], region, indicator)
    keys = {"region": region, "indicator": indicator}
    try:
        ok = np.flatnonzero(np.isfinite(values))
        if ok.size == 0:
            raise DataError(f"{region}/{indicator}: no finite period values")
        periods, values = periods[ok[0] : ok[-1] + 1], values[ok[0] : ok[-1] + 1]
        y, n_filled = _fill_gaps(values, ppy)
        last = periods[-1]
        h = task["h"] or default_horizon(last, ppy)
        fut = future_periods(last, h, ppy)
        config = task["config"] or AutoConfig()
        specs = model_specs(config.models if task["method"] == "auto" else (task["method"],))
        X = Xf = None
        if task["regressors"] and any(getattr(cls, "uses_regressors", False) for _, cls, _ in specs):
            from forecast.calendar import spring_festival_regressors

            reg = spring_festival_regressors(periods.append(fut), ppy).to_numpy(dtype=float)
            X, Xf = reg[: y.size], reg[y.size :]
        # season of each period: Jan-Feb (month 2) is season 1 in the 11-period year, else the month
        seasons = np.asarray(periods.month, dtype=int) - (1 if ppy == 11 else 0)
        res = run_series(y, h, season_length=ppy, method=task["method"], n_paths=task["n_paths"], seed=seed,
                         config=config, X=X, X_future=Xf, seasons=seasons,
                         flags=(f"filled_gaps:{n_filled}",) if n_filled else ())
        return SeriesForecast(**{f: getattr(res, f) for f in _RESULT_FIELDS}, **keys, last_period=last, periods=fut)
    except Exception as exc:  # noqa: BLE001 - failure isolation: one series never loses the panel
        h = task["h"] or 0
        nan = np.full(h, np.nan)
        return SeriesForecast(mean=nan, paths=np.full((task["n_paths"], h), np.nan), weights={}, dropped={},
                              flags=(f"failed: {_reason(exc)}",), metrics={}, method=task["method"], **keys)


_RESULT_FIELDS = ("mean", "paths", "weights", "dropped", "flags", "metrics", "method")


_BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Processes started inside inherit one-thread BLAS settings (unless the user set them)."""
    import os

    saved = {k: os.environ.get(k) for k in _BLAS_ENV}
    for k in _BLAS_ENV:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def forecast_panel(
    panel: pd.DataFrame,
    *,
    h: int | None = None,
    n_paths: int = 1000,
    seed: int = 0,
    periods_per_year: int = 11,
    workers: int = 1,
    method: str = "auto",
    config: AutoConfig | None = None,
    regressors: bool = True,
    keys: list[tuple[str, str]] | None = None,
) -> dict[tuple[str, str], SeriesForecast]:
    """Forecast every (region, indicator) series of a panel from :func:`forecast.panel.build_panel`.

    Parameters
    ----------
    panel : DataFrame
        Columns ``region, indicator, period, value`` at least (period flows on a complete grid);
        not modified.
    h : int, optional
        Horizon; default per series: to December of the year after its last period.
    n_paths, seed : int
        Paths per series; each series' seed derives from ``(seed, region, indicator)``, so results do
        not depend on ``workers`` or on which other series are in the panel.
    periods_per_year : {11, 12}
        Also the season length of the models.
    workers : int
        Processes (``concurrent.futures.ProcessPoolExecutor``); 1 runs in this process.
    method, config
        As in :func:`run_series`.
    regressors : bool
        Give Spring Festival regressors (:func:`forecast.calendar.spring_festival_regressors`) to the
        models that use regressors.
    keys : list of (region, indicator), optional
        Only these series.

    Returns
    -------
    dict
        ``(region, indicator)`` → :class:`SeriesForecast`, in panel order. A series that cannot be
        forecast at all has NaN mean and paths and a ``failed: …`` flag.

    Examples
    --------
    >>> from forecast.io import load_bundled; from forecast.panel import build_panel   # doctest: +SKIP
    >>> fcs = forecast_panel(build_panel(load_bundled()), n_paths=200, workers=2)      # doctest: +SKIP
    """
    from forecast.schema import INDICATOR, PERIOD, REGION, VALUE

    missing = [c for c in (REGION, INDICATOR, PERIOD, VALUE) if c not in panel.columns]
    if missing:
        raise DataError(f"forecast_panel: panel lacks column(s) {missing}; build it with forecast.panel.build_panel")
    tasks = []
    for (region, indicator), grp in panel.groupby([REGION, INDICATOR], sort=True):
        if keys is not None and (region, indicator) not in keys:
            continue
        grp = grp.sort_values(PERIOD)
        tasks.append({"region": region, "indicator": indicator, "periods": pd.PeriodIndex(grp[PERIOD], freq="M"),
                      "values": grp[VALUE].to_numpy(dtype=float), "h": h, "n_paths": n_paths, "seed": seed,
                      "periods_per_year": periods_per_year, "method": method, "config": config,
                      "regressors": regressors})
    if workers <= 1 or len(tasks) <= 1:
        results = [_panel_task(t) for t in tasks]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with _single_threaded_children(), ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        ) as pool:
            futures = [pool.submit(_panel_task, t) for t in tasks]
            results = []
            for t, fut in zip(tasks, futures, strict=True):
                try:
                    results.append(fut.result())
                except Exception:  # noqa: BLE001 - a dead worker: redo this series here
                    results.append(_panel_task(t))
    return {(r.region, r.indicator): r for r in results}
