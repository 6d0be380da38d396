"""A global model: one LightGBM regressor trained across many series (a member of ``auto`` on big panels).

Every other family fits one series. :class:`GlobalGBM` learns from the windows of *many* series at once,
the idea behind the global models that lead the M-competition benchmarks (Montero-Manso & Hyndman
2021, IJF 37(4); N-BEATS, Oreshkin et al. 2020). On M3 monthly, adding it to the median of troika's best
local models took sMAPE from 13.39 to 13.26, 0.949 x statsmodels Theta (``bench/global_m3.py``,
``bench/README.md``). It is not in :data:`forecast.engine.models.MODELS`: its ``fit`` takes a list of series.
:mod:`forecast.engine.global_members` trains it over a panel (``forecast_panel``, ``forecast_many``, the batch)
and offers it to every series' ``auto`` combination.

Inputs and target (window normalisation). At an origin ``t`` of a positive series ``x``, with
``L = lags`` and ``m = season_length``::

    window = log x[t-L:t] - level,   level = mean(log x[t-m:t])
    target = log x[t+j] - level      for each horizon j = 0 .. h-1 (j is also an input)

so a series in other units gives the same rows, and the forecast is ``exp(prediction + level)``: scaling
a series scales its forecast by the same factor. Windows shorter than ``L`` are left-padded with the
mean of the first season. Training rows come from the last ``n_windows`` origins of every series that
still have ``h`` values after them. Series with a non-positive or non-finite value, or fewer than
``2 m + h`` values, are left out of training (``skipped_``) and cannot be forecast.

Needs ``lightgbm`` (a dependency of troika); where it cannot load (its OpenMP runtime, libgomp, is
missing) ``fit`` raises ModelError and panels run without the global members.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from forecast.data.errors import DataError, ModelError, NotFittedError


def _lightgbm() -> Any:
    try:
        import lightgbm
    except (ImportError, OSError) as exc:  # OSError: the wheel's OpenMP runtime (libgomp) is missing
        raise ModelError(f"the global model needs lightgbm (pip install lightgbm; it needs libgomp): {exc}") from exc
    return lightgbm


def window_inputs(logs: np.ndarray, lags: int, season_length: int) -> tuple[np.ndarray, float]:
    """The normalised last ``lags`` log values and the level (mean of the last season's logs).

    Examples
    --------
    >>> w, level = window_inputs(np.log([1.0, 2.0, 4.0, 8.0]), lags=3, season_length=2)
    >>> np.round(np.exp(w), 3).tolist(), round(float(np.exp(level)), 3)   # relative to sqrt(4 * 8)
    ([0.354, 0.707, 1.414], 5.657)
    """
    m = max(int(season_length), 1)
    if logs.size < lags:
        logs = np.r_[np.full(lags - logs.size, logs[:m].mean()), logs]
    window = logs[-lags:]
    level = float(window[-m:].mean())
    return window - level, level


def training_rows(series: Sequence[np.ndarray], h: int, lags: int, season_length: int,
                  n_windows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``[window..., horizon]`` and normalised log targets from the given (positive) series."""
    rows, targets = [], []
    for x in series:
        logs = np.log(x)
        for t in range(max(2 * season_length, logs.size - n_windows), logs.size - h + 1):
            window, level = window_inputs(logs[:t], lags, season_length)
            for j in range(h):
                rows.append(np.r_[window, j])
                targets.append(logs[t + j] - level)
    return np.asarray(rows, float).reshape(-1, lags + 1), np.asarray(targets, float)


class GlobalGBM:
    """One gradient-boosted model for many series; forecasts each of them.

    Parameters
    ----------
    season_length : int
        Periods per year (12 monthly, 11 official); the level is the mean of the last season.
    lags : int or None
        Input window; default ``lag_years * season_length``.
    n_windows : int
        Training origins per series (the last ones).
    n_rounds, learning_rate, num_leaves, min_data_in_leaf : LightGBM settings (L1 objective, with
        row and feature subsampling of 0.8).
    seed : int
    threads : int
        LightGBM threads.
    lag_years : int
        Input window in years when ``lags`` is None.

    Attributes
    ----------
    h_ : int
        Horizon the model was trained for.
    skipped_ : list of int
        Positions of the series left out of training.
    n_rows_ : int
        Training rows.

    Examples
    --------
    >>> t = np.arange(72)
    >>> panel = [(5.0 + k) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) for k in range(20)]
    >>> model = GlobalGBM(season_length=12, n_rounds=50).fit(panel, h=6)
    >>> model.predict(panel[0], 6).shape, model.n_rows_
    ((6,), 5160)
    """

    name = "global_gbm"

    def __init__(self, season_length: int = 12, lags: int | None = None, n_windows: int = 60, n_rounds: int = 500,
                 learning_rate: float = 0.05, num_leaves: int = 63, min_data_in_leaf: int = 50, seed: int = 0,
                 threads: int = 1, lag_years: int = 3):
        self.season_length = season_length
        self.lags = lags
        self.lag_years = lag_years
        self.n_windows = n_windows
        self.n_rounds = n_rounds
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_data_in_leaf = min_data_in_leaf
        self.seed = seed
        self.threads = threads

    def _usable(self, y: Any, h: int) -> np.ndarray | None:
        x = np.asarray(y, dtype=float).ravel()
        if x.size < 2 * self.season_length + h or not np.all(np.isfinite(x)) or np.any(x <= 0):
            return None
        return x

    def fit(self, series: Sequence[Any], h: int) -> GlobalGBM:
        """Train on the windows of every usable series for horizons ``0 .. h-1``; returns self."""
        if int(h) != h or h < 1:
            raise DataError(f"h must be a positive whole number of periods, got {h!r}")
        lgb = _lightgbm()
        self.h_ = int(h)
        self.lags_ = int(self.lags or self.lag_years * self.season_length)
        usable = [self._usable(y, self.h_) for y in series]
        self.skipped_ = [i for i, x in enumerate(usable) if x is None]
        X, target = training_rows([x for x in usable if x is not None], self.h_, self.lags_,
                                  int(self.season_length), int(self.n_windows))
        if target.size == 0:
            raise ModelError(f"no training windows: {len(series)} series, {len(self.skipped_)} of them unusable "
                             f"(non-positive, non-finite or shorter than {2 * self.season_length + h} values)")
        params = {"objective": "l1", "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                  "min_data_in_leaf": self.min_data_in_leaf, "bagging_fraction": 0.8, "bagging_freq": 1,
                  "feature_fraction": 0.8, "seed": self.seed, "deterministic": True,
                  "num_threads": self.threads, "verbose": -1}
        self.booster_ = lgb.train(params, lgb.Dataset(X, target), num_boost_round=self.n_rounds)
        self.n_rows_ = int(target.size)
        return self

    def predict(self, y: Any, h: int) -> np.ndarray:
        """Forecast ``h <= h_`` periods after the end of ``y`` (one positive series)."""
        return self.predict_many([y], [h])[0]

    def predict_many(self, ys: Sequence[Any], hs: Sequence[int]) -> list[np.ndarray]:
        """Forecasts of many series in one call to the booster (much faster than one call per series)."""
        if not hasattr(self, "booster_"):
            raise NotFittedError("GlobalGBM is not fitted: call fit(series, h) first")
        rows, levels = [], []
        for y, h in zip(ys, hs, strict=True):
            if int(h) != h or not 1 <= h <= self.h_:
                raise DataError(f"h must be a whole number from 1 to the trained horizon {self.h_}, got {h!r}")
            x = np.asarray(y, dtype=float).ravel()
            if x.size == 0 or not np.all(np.isfinite(x)) or np.any(x <= 0):
                raise ModelError("the global model forecasts positive, finite series only (it works on logs)")
            window, level = window_inputs(np.log(x), self.lags_, int(self.season_length))
            rows.append(np.c_[np.tile(window, (int(h), 1)), np.arange(int(h))])
            levels.append(np.full(int(h), level))
        if not rows:
            return []
        out = np.exp(self.booster_.predict(np.vstack(rows)) + np.concatenate(levels))
        return np.split(out, np.cumsum([int(h) for h in hs])[:-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe description: settings and what the training saw."""
        if not hasattr(self, "booster_"):
            raise NotFittedError("GlobalGBM is not fitted")
        return {"model": self.name,
                "params": {k: getattr(self, k) for k in ("season_length", "lags", "n_windows", "n_rounds",
                                                          "learning_rate", "num_leaves", "min_data_in_leaf",
                                                          "seed", "lag_years")},
                "fitted": {"h": self.h_, "lags": self.lags_, "training_rows": self.n_rows_,
                           "skipped_series": list(self.skipped_)}}
