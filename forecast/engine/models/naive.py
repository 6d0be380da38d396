"""Naive and seasonal naive forecasts: the benchmarks every other model must beat, and the fallback.

- naive: every future value equals the last observation;
- seasonal naive: every future value equals the observation one season earlier (the last full season
  repeated); with fewer than ``season_length`` observations it falls back to naive (``fallback_``).

Sample paths treat each season position as a random walk driven by the in-sample lag-``s`` residuals
``y[t] - y[t - s]`` (``s = 1`` for naive), centred so that the paths scatter around the point forecast:
residuals are bootstrapped when there are at least ``MIN_BOOTSTRAP`` of them, otherwise Gaussian with
their standard deviation (that of the first differences when there are fewer than two). Either way the
spread grows with the square root of the number of seasonal steps ahead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecast.engine.models._common import artifact, seasonal_walk
from forecast.engine.models.base import Forecaster

#: Fewest residuals to bootstrap from; below this the paths are Gaussian.
MIN_BOOTSTRAP = 10


def _scale(residuals: np.ndarray, fallback: np.ndarray) -> float:
    """Standard deviation of ``residuals``, or of ``fallback`` (first differences) when too few."""
    for r in (residuals, fallback):
        if r.size >= 2:
            return float(np.std(r, ddof=1))
    return float(np.abs(fallback).sum())


class _LagForecaster(Forecaster):
    """Shared machinery: forecast ``y[t] = y[t - lag_]`` and random-walk paths per season position."""

    uses_regressors = False
    test_params: dict[str, Any] = {"season_length": 4}

    def __init__(self, season_length: int = 12):
        self.season_length = season_length

    def _lag(self, n: int) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, y: Any, X: Any = None) -> _LagForecaster:
        """Remember the last season and the lag residuals; ``X`` is ignored."""
        arr, _ = self._start_fit(y)
        lag = self._lag(arr.size)
        self.lag_ = lag
        self.last_season_ = arr[-lag:].copy()
        self.residuals_ = arr[lag:] - arr[:-lag]
        self.sigma_ = _scale(self.residuals_, np.diff(arr))
        self.n_obs_ = int(arr.size)
        self.is_fitted_ = True
        return self

    def predict(self, h: int, X: Any = None) -> np.ndarray:
        """The last season (last value for naive) repeated over ``h`` periods."""
        self._check_fitted()
        h = self._check_h(h)
        reps = -(-h // self.lag_)
        return self._finite_or_raise(np.tile(self.last_season_, reps)[:h], self.name)

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        """Random walk per season position driven by bootstrapped (or Gaussian) lag residuals."""
        mean = self.predict(h)
        rng = np.random.default_rng(seed)
        r = self.residuals_ - self.residuals_.mean() if self.residuals_.size else self.residuals_
        if r.size < MIN_BOOTSTRAP:
            return seasonal_walk(mean, self.sigma_, n_paths, rng, step=self.lag_)
        shocks = rng.choice(r, size=(n_paths, mean.shape[0]), replace=True)
        for j in range(self.lag_, mean.shape[0]):
            shocks[:, j] += shocks[:, j - self.lag_]
        return self._finite_or_raise(mean[None, :] + shocks, self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fitted state: the repeated season, its lag and the residual scale."""
        self._check_fitted()
        return artifact(self, {"lag": self.lag_, "last_season": self.last_season_, "sigma": self.sigma_})


class NaiveForecaster(_LagForecaster):
    """Repeat the last observation.

    Parameters
    ----------
    season_length : int
        Accepted for a uniform constructor; naive ignores it.

    Examples
    --------
    >>> NaiveForecaster().fit([1.0, 3.0, 2.0]).predict(2)
    array([2., 2.])
    """

    name = "naive"

    def _lag(self, n: int) -> int:
        return 1


class SeasonalNaiveForecaster(_LagForecaster):
    """Repeat the last full season; naive when the series is shorter than one season.

    Parameters
    ----------
    season_length : int
        Periods per year (11 for the official 11-period year, 12 for monthly data).

    Attributes
    ----------
    fallback_ : bool
        True when fewer than ``season_length`` observations forced the naive forecast.

    Examples
    --------
    >>> SeasonalNaiveForecaster(season_length=3).fit([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).predict(4)
    array([4., 5., 6., 4.])
    """

    name = "snaive"

    def _lag(self, n: int) -> int:
        m = int(self.season_length)
        self.fallback_ = m > 1 and n < m
        return 1 if m <= 1 or n < m else m
