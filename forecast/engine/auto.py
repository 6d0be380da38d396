"""The engine: one series → combined, calibrated sample paths (the panel loop is in panel_forecast.py).

``method="auto"`` (per series):

1. backtest every candidate model (default :data:`DEFAULT_MODELS`) on a few rolling origins, refitting
   at each (plan: :func:`plan_backtest`);
2. drop, with the reason recorded in ``dropped``, any candidate that raises, returns non-finite or
   mis-shaped values, or whose single fit takes longer than ``AutoConfig.fit_budget`` seconds (timed
   after the fact: signals do not work in threads, so a slow model is measured and dropped);
3. combine the survivors: a weighted mean with weights from their backtest errors
   (:func:`forecast.engine.combine.combination_weights`), or their median (``AutoConfig.combination``);
4. calibrate the spread per horizon on the combination's own backtest errors and draw sample paths
   (:mod:`forecast.engine.combine`);
5. if every candidate fails, a built-in seasonal naive answers and the result is flagged
   ``fallback_snaive``.

On a panel of many series (``forecast_panel``, ``forecast_many``, the batch) step 3 may also combine
*global* members trained across the panel (:mod:`forecast.engine.global_members`): each series is combined
with and without them (:func:`run_series_variants`) and a panel-wide backtest decides which is
published.

A single registry name as ``method`` runs the same steps with one candidate, so its paths are
calibrated the same way. Results are deterministic for a seed. One candidate's fit, paths and backtest
(and the built-in fallback) are in :mod:`forecast.engine.candidates`.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from forecast.data.errors import DataError
from forecast.engine.candidates import SeasonalNaiveFallback, describe_fit, failure_reason, run_candidate
from forecast.engine.combine import combine, loo_misses, naive_prior

# AutoConfig and the default candidates live in config.py (candidates.py needs them too); imported here
# so that forecast.engine.auto stays the one place a caller looks for the per-series engine
from forecast.engine.config import DEFAULT_MODELS, GLOBAL_MODELS, AutoConfig  # noqa: F401
from forecast.engine.evaluation import origin_metrics, relative_mae
from forecast.engine.models import MODELS
from forecast.engine.models.base import Forecaster
from forecast.engine.result import ForecastResult, SeriesForecast  # noqa: F401 - SeriesForecast re-exported


def subseed(seed: int, *keys: Any) -> int:
    """A 32-bit seed derived deterministically (across processes and runs) from ``seed`` and keys."""
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
    extra: dict | None = None,
) -> ForecastResult:
    """Engine core on a clean float array (see the module docstring); ``forecast_series`` wraps it.

    ``extra``: members forecast elsewhere (label → backtest, final mean, description), combined with the
    candidates as in :func:`run_series_variants`.
    """
    with single_threaded_blas():
        return _run_series(y, h, season_length=season_length, method=method, n_paths=n_paths, seed=seed,
                           config=config or AutoConfig(), X=X, X_future=X_future, seasons=seasons, flags=flags,
                           extra=extra)


def auto_origins(n: int, h: int, season_length: int, config: AutoConfig) -> tuple[int, list[int]]:
    """Backtest horizon and origins (training lengths) of a series of ``n`` points; ``(0, [])`` if too short.

    Examples
    --------
    >>> auto_origins(100, 18, 12, AutoConfig())
    (18, [70, 76, 82])
    """
    plan = plan_backtest(n, h, season_length, config)
    bt_h, k, step = plan if plan else (0, 0, 1)
    return bt_h, [n - bt_h - step * (k - 1 - i) for i in range(k)]


def _run_series(y, h, *, season_length, method, n_paths, seed, config, X, X_future, seasons, flags, extra=None):
    """One result (``extra`` members included when given); see :func:`run_series_variants` for both."""
    state = _candidate_runs(y, h, season_length, method, seed, config, X, X_future, flags)
    return _finish(y, state, extra or {}, season_length, n_paths, seed, config, seasons, method)


def run_series_variants(y, h, *, season_length, extra, method="auto", n_paths=1000, seed=0, config=None,
                        X=None, X_future=None, seasons=None, flags=()):
    """The series' result without and with the ``extra`` (global) members, from one run of the candidates.

    ``extra`` maps a label to ``(backtest forecasts, final mean, description)`` made on the same backtest
    origins (:func:`auto_origins`), e.g. by :func:`forecast.engine.global_members.global_members`. The second
    result is None when ``extra`` is empty, the series is too short for a backtest (nothing to weigh
    the extra members by) or every local candidate failed (the seasonal naive fallback does not mix
    with global members). Which of the two a panel publishes is decided across the whole
    panel (:func:`forecast.engine.global_members.choose_variants`).
    """
    config = config or AutoConfig()
    with single_threaded_blas():
        state = _candidate_runs(y, h, season_length, method, seed, config, X, X_future, flags)
        local = _finish(y, state, {}, season_length, n_paths, seed, config, seasons, method)
        # no global members without a backtest to weigh them by, nor next to the seasonal naive fallback
        both = None if not extra or not state["origins"] or "fallback_snaive" in state["flags"] else \
            _finish(y, state, extra, season_length, n_paths, seed, config, seasons, method)
    return local, both


def _candidate_runs(y, h, m, method, seed, config, X, X_future, flags) -> dict:
    """Backtest and final fit of every candidate (or the fallback): the inputs of :func:`_finish`."""
    n = y.size
    specs = model_specs(config.models if method == "auto" else (method,))
    bt_h, origins = auto_origins(n, h, m, config)
    k = len(origins)
    flags = tuple(flags) + (("no_backtest",) if not k else ("few_origins",) if k < config.n_origins else ())
    dropped: dict[str, str] = {}
    runs: dict[str, tuple] = {}
    for i, (nm, cls, params) in enumerate(specs):
        try:
            runs[nm] = run_candidate(cls, params, m, y, X, X_future, h, origins, bt_h, config,
                                      subseed(seed, "model", i))
        except Exception as exc:  # noqa: BLE001 - any model failure drops that model for this series
            dropped[nm] = failure_reason(exc)
    if not runs:
        flags += ("fallback_snaive",)
        runs["snaive_fallback"] = run_candidate(SeasonalNaiveFallback, {}, m, y, None, None, h, origins, bt_h,
                                                 replace(config, fit_budget=np.inf), subseed(seed, "fallback"))
    return {"runs": runs, "dropped": dropped, "flags": flags, "origins": origins, "bt_h": bt_h, "h": h}


def _finish(y, state, extra, m, n_paths, seed, config, seasons, method) -> ForecastResult:
    """Combine the candidates' runs (and ``extra`` members: no paths of their own) into a result."""
    origins, bt_h, k = state["origins"], state["bt_h"], len(state["origins"])
    for nm, (bt, mean, _) in extra.items():
        if np.shape(bt) != (k, bt_h) or np.shape(mean) != (state["h"],):
            raise DataError(f"extra member {nm!r}: backtest {np.shape(bt)} and mean {np.shape(mean)} do not match "
                            f"this series' {k} origins x {bt_h} periods and horizon {state['h']} (see auto_origins)")
    runs = {**state["runs"], **{nm: (bt, mean, None, desc) for nm, (bt, mean, desc) in extra.items()}}
    actual = np.array([y[t : t + bt_h] for t in origins]).reshape(k, bt_h)
    comb = combine({nm: r[0] for nm, r in runs.items()}, {nm: r[1] for nm, r in runs.items()},
                   {nm: r[2] for nm, r in runs.items() if r[2] is not None}, actual, n_paths=n_paths,
                   seed=subseed(seed, "paths"), shrink=config.shrink, cutoff=config.cutoff,
                   prior_strength=config.prior_strength, inflate=config.inflate,
                   fallback_prior=naive_prior(y, state["h"], m), method=config.combination)
    metrics = {"mase": float("nan"), "smape": float("nan"), "coverage80": float("nan"),
               "growth_error_pp": float("nan"), "rel_mae": float("nan"), "n_origins": float(k)}
    misses = None
    if k:
        metrics.update(origin_metrics(y, origins, actual - comb.errors, m, seasons))
        metrics["rel_mae"] = relative_mae(y, origins, actual - comb.errors, m)
        misses = loo_misses(comb.errors, comb.prior, prior_strength=config.prior_strength, inflate=config.inflate)
        metrics["coverage80"] = float("nan") if misses is None else float(np.mean(misses <= 1))
    for arr in (comb.mean, comb.paths):
        arr.setflags(write=False)
    models = {nm: runs[nm][3] if isinstance(runs[nm][3], dict) else describe_fit(runs[nm][3])
              for nm, w in comb.weights.items() if w > 0}
    return ForecastResult(mean=comb.mean, paths=comb.paths, weights=comb.weights, dropped=dict(state["dropped"]),
                          flags=state["flags"], metrics=metrics, method=method, models=models, misses=misses)


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
        ``"auto"`` (weighted combination of :data:`DEFAULT_MODELS`, calibrated on their backtest) or a name in
        :data:`forecast.engine.models.MODELS`.
    n_paths, seed : int
        Number of sample paths; the same seed gives identical paths.

    Returns
    -------
    ForecastResult
        ``.mean`` (h,), ``.paths`` (n_paths, h), ``.quantiles(levels)`` (len(levels), h), ``.weights``,
        ``.dropped``, ``.flags``, ``.metrics``.

    Examples
    --------
    A series that repeats exactly: the combination forecasts the pattern, to within a few tenths (the
    exponential smoothing members do not reproduce a pure pattern exactly on 30 points).

    >>> fc = forecast_series([10.0, 12.0, 14.0] * 10, h=3, season_length=3, n_paths=100)
    >>> fc.mean.round(0), fc.paths.shape
    (array([10., 12., 14.]), (100, 3))
    >>> fc.quantiles((0.1, 0.5, 0.9)).shape
    (3, 3)
    """
    arr = Forecaster._as_series(y)
    h, season_length, n_paths = check_settings(h, season_length, n_paths)
    return run_series(arr, h, season_length=season_length, method=method, n_paths=n_paths, seed=int(seed))


def check_settings(h: Any, season_length: Any, n_paths: Any) -> tuple[int, int, int]:
    """``h``, ``season_length`` and ``n_paths`` as ints; DataError unless each is a positive whole number."""
    h = Forecaster._check_h(h)
    if int(season_length) != season_length or season_length < 1:
        raise DataError(f"season_length must be a positive whole number, got {season_length!r}")
    if int(n_paths) != n_paths or n_paths < 1:
        raise DataError(f"n_paths must be a positive whole number, got {n_paths!r}")
    return h, int(season_length), int(n_paths)
