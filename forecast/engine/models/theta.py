"""The Theta method (Assimakopoulos & Nikolopoulos 2000; Hyndman & Billah 2003), the M3 benchmark.

Wraps :class:`statsmodels.tsa.forecasting.theta.ThetaModel`: the series is deseasonalized by classical
decomposition when ``season_length > 1``, there are at least two full seasons and statsmodels'
seasonality test (lag-``s`` autocorrelation, 10% level) finds seasonality; multiplicatively only when
the data are positive (statsmodels switches to additive when a seasonal index is not positive). The
forecast combines simple exponential smoothing (SES, parameter ``alpha``) with half of the linear
trend (``theta = 2``), then reseasonalizes.

Sample paths follow the model behind the method, SES with drift, i.e. an IMA(1,1): on the
deseasonalized scale the error ``k`` steps ahead is ``e_k + alpha * (e_1 + ... + e_{k-1})`` with
independent ``e ~ N(0, sigma^2)``; ``sigma`` is the standard deviation of the in-sample one-step SES
errors of the deseasonalized series. This is the variance structure statsmodels'
``prediction_intervals`` intends, with two departures made on purpose: statsmodels estimates
``sigma2`` from an ARIMA(0,1,1) fitted to the *raw* (still seasonal) series, which inflates it on
seasonal data, and its step variance uses ``1 + (alpha - 1)^2`` where the IMA(1,1) gives ``alpha^2``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from statsmodels.tsa.forecasting.theta import ThetaModel

from forecast.data.errors import ModelError
from forecast.engine.models._common import artifact, check_forecast, explosion_bound, guard_paths
from forecast.engine.models.base import Forecaster

#: Exceptions statsmodels raises on degenerate data.
FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError)


class ThetaForecaster(Forecaster):
    """Theta method with optional classical deseasonalization.

    Parameters
    ----------
    season_length : int
        Periods per year (11 or 12); 1 for no seasonality.
    theta : float
        Weight of the trend line (``>= 1``); 2 is the classical Theta method, 1 is SES.

    Attributes
    ----------
    result_ : ThetaModelResults
        statsmodels results (``params`` holds ``b0`` and ``alpha``).
    seasonal_ : ndarray
        Seasonal index of each in-sample period (ones or zeros when not deseasonalized).
    method_ : str
        ``"mul"`` or ``"add"``: how the seasonal index applies.
    sigma_des_ : float
        Standard deviation of the one-step SES errors on the deseasonalized scale.
    sigma_ : float
        The same on the scale of the data (for the Gaussian fallback).

    Examples
    --------
    >>> import numpy as np
    >>> m = ThetaForecaster(season_length=1).fit(np.arange(1.0, 21.0))
    >>> bool(m.predict(1)[0] > 20)
    True
    """

    name = "theta"
    uses_regressors = False
    test_params: dict[str, Any] = {"season_length": 4}

    def __init__(self, season_length: int = 12, theta: float = 2.0):
        self.season_length = season_length
        self.theta = theta

    def fit(self, y: Any, X: Any = None) -> ThetaForecaster:
        """Fit the Theta decomposition; ``X`` is ignored."""
        arr, _ = self._start_fit(y, min_obs=3)
        n = arr.size
        m = int(self.season_length)
        self.bound_ = explosion_bound(arr)
        self.n_obs_ = n
        if np.ptp(arr) == 0:
            # statsmodels' trend regression breaks on an exactly constant series (add_trend sees a
            # constant column and skips its own), giving a spurious slope: forecast the constant.
            self.result_, self.alpha_, self.method_ = None, 1.0, "add"
            self.seasonal_ = np.zeros(n)
            self.level_, self.sigma_des_, self.sigma_ = float(arr[0]), 0.0, 0.0
            self.is_fitted_ = True
            return self
        deseasonalize = m > 1 and n >= 2 * m
        method = "mul" if np.min(arr) > 0 else "add"
        model = ThetaModel(arr, period=m if deseasonalize else None, deseasonalize=deseasonalize, method=method)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = model.fit()
                comp = result.forecast_components(m) if deseasonalize else None
        except FIT_ERRORS as exc:
            raise ModelError(f"theta failed to fit a series of {n} values: {exc}") from exc
        self.method_ = "mul" if model.method.startswith("mul") else "add"
        if comp is not None:
            # forecast_components gives the index of positions n, n+1, ...: map back to 0..n-1.
            season = np.asarray(comp["seasonal"], dtype=float)
            self.seasonal_ = season[(np.arange(n) - n) % m]
        else:
            self.seasonal_ = np.full(n, 1.0 if self.method_ == "mul" else 0.0)
        des = arr / self.seasonal_ if self.method_ == "mul" else arr - self.seasonal_
        alpha = float(result.params["alpha"])
        errors = _ses_errors(des, alpha)
        self.sigma_des_ = float(np.std(errors, ddof=1)) if errors.size > 1 else 0.0
        factor = float(np.mean(self.seasonal_)) if self.method_ == "mul" else 1.0
        self.sigma_ = self.sigma_des_ * factor
        if not np.isfinite(self.sigma_):
            raise ModelError("theta produced a non-finite error scale on this series")
        self.result_ = result
        self.alpha_ = alpha
        self.level_ = float(np.asarray(result.forecast_components(1)["ses"])[0])
        self.is_fitted_ = True
        return self

    def predict(self, h: int, X: Any = None) -> np.ndarray:
        """Theta point forecast, reseasonalized."""
        self._check_fitted()
        h = self._check_h(h)
        if self.result_ is None:
            return np.full(h, self.level_)
        with np.errstate(all="ignore"):
            fc = self.result_.forecast(h, theta=float(self.theta))
        return check_forecast(fc, self.bound_, self.name)

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        """IMA(1,1) error paths on the deseasonalized scale, reseasonalized."""
        mean = self.predict(h)
        if self.result_ is None:
            return np.tile(mean, (n_paths, 1))
        comp = self.result_.forecast_components(h)
        season = np.asarray(comp["seasonal"], dtype=float)
        rng = np.random.default_rng(seed)
        e = rng.standard_normal((n_paths, h)) * self.sigma_des_
        dev = e + self.alpha_ * (np.cumsum(e, axis=1) - e)
        paths = mean[None, :] + (dev * season[None, :] if self.method_ == "mul" else dev)
        paths = guard_paths(paths, mean, self.bound_, self.sigma_, seed, self.name)
        return self._finite_or_raise(paths, self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fitted state: ``b0``, ``alpha``, the one-step level, seasonal index and sigma."""
        self._check_fitted()
        m = int(self.season_length)
        n = self.n_obs_
        index = self.seasonal_[(np.arange(m) - n) % m] if m > 1 and n >= m else self.seasonal_[:1]
        b0 = 0.0 if self.result_ is None else float(self.result_.params["b0"])
        return artifact(
            self,
            {
                "b0": b0,
                "alpha": self.alpha_,
                "one_step": self.level_,
                "method": self.method_,
                "seasonal_next": index,
                "sigma_deseasonalized": self.sigma_des_,
            },
        )


def _ses_errors(x: np.ndarray, alpha: float) -> np.ndarray:
    """One-step errors of SES started at ``x[0]`` (as statsmodels' Theta does)."""
    level = x[0]
    errors = np.empty(x.size - 1)
    for t in range(1, x.size):
        errors[t - 1] = x[t] - level
        level += alpha * errors[t - 1]
    return errors
