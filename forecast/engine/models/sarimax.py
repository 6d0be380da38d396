"""Seasonal ARIMA with optional regressors, chosen by AIC from at most three candidates.

Wraps :class:`statsmodels.tsa.statespace.sarimax.SARIMAX`. Candidates ``((p, d, q), (P, D, Q), trend)``:

- seasonal (``season_length > 1`` and enough data): the airline model (0,1,1)(0,1,1)s; (1,0,0)(0,1,1)s
  with drift; (1,1,0)(1,0,0)s;
- otherwise: (0,1,1); (0,1,1) with drift; (1,0,0) with a constant.

Speed: the differencing ``(1 - L)^d (1 - L^s)^D`` is applied here, once, and statsmodels fits a
stationary ARMA on the differenced series (and differenced regressors: regression with ARIMA errors),
with a concentrated scale, ``method="lbfgs"`` (loosened tolerances, ``maxiter`` iterations) and no
parameter covariance; convergence warnings are silenced and a non-converged fit is still used.
Forecasts are integrated back here. A candidate whose differenced series is exactly constant (an exact
trend + seasonal pattern) needs no ARMA: it forecasts that constant, with zero spread, and wins.

Choice: the candidates have different differencing, so their likelihoods cover different samples. They
are compared on a common sample: ``AIC = -2 * sum(log-likelihood of y[t] | past, t >= B) + 2 k`` where
``B`` is the largest differencing order among the fitted candidates (the one-step densities of a
differenced series equal those of ``y`` given its past). A candidate whose forecast over
``max(2 * season_length, 12)`` periods is non-finite or exploding is skipped.

Sample paths: Gaussian, with the model's own correlation across the horizon (the MA(inf) weights of
the differenced model, i.e. ``impulse_responses``, integrated back) and rescaled at each step to the
variance of ``get_forecast`` (which adds the end-of-sample state uncertainty). This is the law of
``results.simulate(anchor="end", repetitions=n_paths)`` at a fraction of its cost.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from statsmodels.tsa.statespace.sarimax import SARIMAX

from forecast.data.errors import DataError, ModelError
from forecast.engine.models._common import artifact, check_forecast, explosion_bound, guard_paths
from forecast.engine.models.base import CandidateChooser

SEASONAL_CANDIDATES = (
    ((0, 1, 1), (0, 1, 1), None),
    ((1, 0, 0), (0, 1, 1), "c"),
    ((1, 1, 0), (1, 0, 0), None),
)
NONSEASONAL_CANDIDATES = (
    ((0, 1, 1), (0, 0, 0), None),
    ((0, 1, 1), (0, 0, 0), "c"),
    ((1, 0, 0), (0, 0, 0), "c"),
)
#: Looser L-BFGS stopping rules than scipy's defaults: ~1.5x faster, log-likelihoods within 0.02.
LBFGS_TOLERANCES = {"factr": 1e10, "pgtol": 1e-4}
#: Exceptions statsmodels raises on degenerate data; a candidate raising one of them is skipped.
FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError)


def diff_polynomial(d: int, D: int, m: int) -> np.ndarray:
    """Coefficients of ``(1 - L)^d (1 - L^m)^D``, lag 0 first.

    Examples
    --------
    >>> diff_polynomial(1, 1, 3)
    array([ 1., -1.,  0., -1.,  1.])
    """
    poly = np.array([1.0])
    for _ in range(d):
        poly = np.convolve(poly, [1.0, -1.0])
    seasonal = np.zeros(m + 1)
    seasonal[0], seasonal[-1] = 1.0, -1.0
    for _ in range(D):
        poly = np.convolve(poly, seasonal)
    return poly


def difference(a: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Apply the differencing polynomial along axis 0 (drops the first ``len(poly) - 1`` rows)."""
    if a.ndim == 1:
        return np.convolve(a, poly, mode="valid")
    return np.column_stack([np.convolve(a[:, j], poly, mode="valid") for j in range(a.shape[1])])


def integrate(w: np.ndarray, history: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Invert :func:`difference` for future values ``w`` (last axis = horizon) given the history.

    Examples
    --------
    >>> integrate(np.array([1.0, 1.0]), np.array([5.0, 7.0]), diff_polynomial(1, 0, 1))
    array([8., 9.])
    """
    b = poly.size - 1
    if b == 0:
        return w.copy()
    h = w.shape[-1]
    full = np.empty(w.shape[:-1] + (b + h,))
    full[..., :b] = history[-b:]
    lags = poly[1:]
    for k in range(h):
        full[..., b + k] = w[..., k] - full[..., k : b + k][..., ::-1] @ lags
    return full[..., b:]


class SARIMAXForecaster(CandidateChooser):
    """Seasonal ARIMA (with regressors ``X`` when given) from a tiny candidate set.

    Parameters
    ----------
    season_length : int
        Periods per year (11 or 12); 1 for no seasonality.
    maxiter : int
        L-BFGS iterations per candidate.
    candidates : sequence or None
        Candidates as ``((p, d, q), (P, D, Q), trend)`` with trend None or ``"c"``; None for the default
        set chosen by the series length.

    Attributes
    ----------
    spec_ : tuple
        The chosen candidate.
    result_ : SARIMAXResults
        Results of the ARMA fitted on the differenced series.
    aic_ : dict[str, float]
        Common-sample AIC of each fitted candidate, keyed by ``str(candidate)``.
    sigma_ : float
        Innovation standard deviation.

    Examples
    --------
    >>> import numpy as np
    >>> y = 50 + np.tile([0.0, 4.0, -2.0, 1.0], 8) + np.arange(32)  # exact trend + season
    >>> m = SARIMAXForecaster(season_length=4).fit(y)
    >>> m.spec_, m.predict(4)
    (((0, 1, 1), (0, 1, 1), None), array([82., 87., 82., 86.]))
    """

    name = "sarimax"
    uses_regressors = True
    test_params: dict[str, Any] = {"season_length": 4, "maxiter": 30}

    def __init__(self, season_length: int = 12, maxiter: int = 50, candidates: Any = None):
        self.season_length = season_length
        self.maxiter = maxiter
        self.candidates = candidates

    # -- fitting ------------------------------------------------------------------------------------
    def fit(self, y: Any, X: Any = None) -> SARIMAXForecaster:
        """Fit the feasible candidates on the differenced data and keep the best by common-sample AIC."""
        arr, exog = self._start_fit(y, X)
        n = arr.size
        m = int(self.season_length)
        specs = self._specs(n, m)
        if not specs:
            raise ModelError(
                f"sarimax needs at least 9 observations, got {n}; "
                "use naive or snaive for shorter series"
            )
        fits = []
        reasons: dict[str, str] = {}
        for spec in specs:
            try:
                fits.append(self._fit_one(arr, exog, spec, m))
            except FIT_ERRORS as exc:
                reasons[str(spec)] = f"fit failed: {exc}"
                continue
            if fits[-1]["result"] is None:
                break  # the differencing alone explains the series exactly: nothing can beat it
        if not fits:
            raise ModelError(f"sarimax could not fit any candidate on {n} values: {reasons or specs}")
        burn = max(f["burn"] for f in fits)
        for f in fits:
            if f["result"] is None:
                f["aic"] = -np.inf
                continue
            llf = np.asarray(f["result"].llf_obs, dtype=float)[burn - f["burn"] :]
            k = len(f["result"].params) + 1
            f["aic"] = -2.0 * float(llf.sum()) + 2.0 * k if np.all(np.isfinite(llf)) else np.inf
        fits.sort(key=lambda f: f["aic"])
        bound = explosion_bound(arr)
        self.n_obs_ = n
        self.n_features_in_ = 0 if exog is None else exog.shape[1]
        self.history_ = arr
        self.X_history_ = exog
        self.bound_ = bound
        probe_h = max(2 * m, 12)
        for f in fits:
            self._use(f)
            probe_x = None if exog is None else np.repeat(exog[-1:], probe_h, axis=0)
            try:
                self._mean(probe_h, probe_x)
            except ModelError as exc:
                reasons[str(f["spec"])] = str(exc)
                continue
            self.aic_ = {str(g["spec"]): g["aic"] for g in fits}
            self.rejected_ = reasons
            self.is_fitted_ = True
            return self
        raise ModelError(f"every sarimax candidate failed on this series: {reasons}")

    def _specs(self, n: int, m: int) -> list[tuple]:
        if self.candidates is not None:
            return [tuple(tuple(c) if isinstance(c, list) else c for c in spec) for spec in self.candidates]
        if m > 1:
            seasonal = [s for s in SEASONAL_CANDIDATES if self._enough(n, m, s)]
            if seasonal:
                return seasonal
        return [s for s in NONSEASONAL_CANDIDATES if self._enough(n, m, s)]

    @staticmethod
    def _enough(n: int, m: int, spec: tuple) -> bool:
        (p, d, q), (P, D, Q), trend = spec
        left = n - d - D * m
        k = p + q + P + Q + (trend is not None) + 1
        return left >= max(8, 3 * k) and (P + Q == 0 or left >= m + 8)

    def _fit_one(self, y: np.ndarray, X: np.ndarray | None, spec: tuple, m: int) -> dict[str, Any]:
        (p, d, q), (P, D, Q), trend = spec
        if P + Q + D > 0 and m < 2:
            raise DataError(f"seasonal candidate {spec} needs season_length >= 2, got {m}")
        poly = diff_polynomial(d, D, m)
        w = difference(y, poly)
        out = {"spec": spec, "poly": poly, "burn": poly.size - 1, "keep": [], "result": None, "const": 0.0}
        if w.size and np.ptp(w) <= 1e-10 * max(1.0, float(np.max(np.abs(y)))):
            # Deterministic after differencing (e.g. exact trend + seasonal pattern): the ARMA likelihood
            # is degenerate (zero variance), so forecast the constant differenced value exactly.
            return out | {"const": float(np.mean(w))}
        keep: list[int] = []
        xw = None
        if X is not None:
            xd = difference(X, poly)
            keep = [j for j in range(xd.shape[1]) if np.ptp(xd[:, j]) > 1e-12 * (1.0 + np.abs(xd[:, j]).max())]
            xw = xd[:, keep] if keep else None
        model = SARIMAX(
            w,
            exog=xw,
            order=(p, 0, q),
            seasonal_order=(P, 0, Q, m if P + Q > 0 else 0),
            trend=trend,
            concentrate_scale=True,
        )
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = model.fit(
                method="lbfgs", maxiter=int(self.maxiter), disp=False, cov_type="none", **LBFGS_TOLERANCES
            )
        return out | {"keep": keep, "result": result}

    def _use(self, f: dict[str, Any]) -> None:
        self.spec_ = f["spec"]
        self.result_ = f["result"]
        self.poly_ = f["poly"]
        self.exog_columns_ = f["keep"]
        self.constant_ = f["const"]
        scale = 0.0 if f["result"] is None else float(f["result"].scale)
        self.sigma_ = float(np.sqrt(max(scale, 0.0)))

    # -- forecasting --------------------------------------------------------------------------------
    def _future_exog(self, h: int, X: Any) -> np.ndarray | None:
        if not self.exog_columns_:
            return None
        if X is None:
            raise DataError(
                f"sarimax was fitted with {self.n_features_in_} regressor column(s); pass X with {h} rows "
                "of their future values"
            )
        fut = self._as_regressors(X, h, "X")
        if fut.shape[1] != self.n_features_in_:
            raise DataError(f"X has {fut.shape[1]} columns, the model was fitted with {self.n_features_in_}")
        full = np.vstack([self.X_history_, fut])
        return difference(full, self.poly_)[-h:, self.exog_columns_]

    def _mean(self, h: int, X: Any) -> tuple[np.ndarray, Any]:
        exog = self._future_exog(h, X)
        if self.result_ is None:
            mean = integrate(np.full(h, self.constant_), self.history_, self.poly_)
            return check_forecast(mean, self.bound_, f"sarimax {self.spec_}"), None
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            fc = self.result_.get_forecast(h, exog=exog)
            w_mean = np.asarray(fc.predicted_mean, dtype=float)
        mean = integrate(w_mean, self.history_, self.poly_)
        return check_forecast(mean, self.bound_, f"sarimax {self.spec_}"), fc

    def predict(self, h: int, X: Any = None) -> np.ndarray:
        """Point forecast; ``X`` (h rows) is required when the model was fitted with regressors."""
        self._check_fitted()
        h = self._check_h(h)
        return self._mean(h, X)[0]

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        """Gaussian paths with the model's correlation across steps and ``get_forecast`` variances."""
        self._check_fitted()
        h = self._check_h(h)
        mean, fc = self._mean(h, X)
        if fc is None:  # deterministic series: no innovation to simulate
            return np.tile(mean, (n_paths, 1))
        w_mean = np.asarray(fc.predicted_mean, dtype=float)
        var = np.maximum(np.asarray(fc.var_pred_mean, dtype=float).reshape(-1), 0.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            psi = np.asarray(self.result_.impulse_responses(steps=h - 1), dtype=float).reshape(-1)[:h]
        lower = np.zeros((h, h))
        for k in range(h):
            lower[k, : k + 1] = psi[: k + 1][::-1]
        psi_var = (lower**2).sum(axis=1) * self.sigma_**2
        scale = np.sqrt(np.divide(var, psi_var, out=np.ones(h), where=psi_var > 0))
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n_paths, h)) * self.sigma_
        w_paths = w_mean[None, :] + (z @ lower.T) * scale[None, :]
        paths = integrate(w_paths, self.history_, self.poly_)
        paths = guard_paths(paths, mean, self.bound_, self.sigma_, seed, self.name)
        return self._finite_or_raise(paths, self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fitted state: chosen candidate, ARMA parameters, innovation scale, AIC table."""
        self._check_fitted()
        res = self.result_
        if res is None:
            params = {"constant": self.constant_}
        else:
            params = dict(zip(res.model.param_names, np.asarray(res.params, dtype=float), strict=True))
        return artifact(
            self,
            {
                "spec": self.spec_,
                "params": params,
                "sigma": self.sigma_,
                "exog_columns": self.exog_columns_,
                "aic": self.aic_,
            },
        )
