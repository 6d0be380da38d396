"""Exponential smoothing (ETS) state space models, chosen by AICc from a small candidate set.

Wraps :class:`statsmodels.tsa.exponential_smoothing.ets.ETSModel`. The candidates (statsmodels short
names: error, trend, seasonal; ``Ad`` = damped additive trend) are

- ``ANN``, ``AAdN`` and, for positive data, ``MNN``, ``MAdN`` without seasonality;
- ``ANA``, ``AAdA`` and, for positive data, ``MNM``, ``MAdM`` when there are at least two full seasons.

Multiplicative trends are left out on purpose: they are the usual source of exploding forecasts.

Guard rails:

- statsmodels' bounds on the parameters (smoothing parameters in (1e-4, 1 - 1e-4), damping in
  (0.8, 0.98));
- initial states from the heuristic of Hyndman et al. when the series is long enough (fast: only the
  smoothing parameters are estimated), else estimated;
- candidates are tried from the best AICc down; one whose forecast over ``max(2 * season_length, 12)``
  periods is non-finite or beyond ``EXPLOSION_FACTOR`` times the history's largest absolute value is
  rejected and the next one is tried; if none is left, ``fit`` raises ModelError.

Sample paths come from ``ETSResults.simulate(nsimulations=h, anchor="end", repetitions=n_paths,
rng=Generator(seed))``; paths that explode or turn non-finite are replaced by Gaussian ones
(``_common.guard_paths``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from forecast.data.errors import DataError, ModelError
from forecast.engine.models._common import artifact, check_forecast, explosion_bound, guard_paths
from forecast.engine.models.base import CandidateChooser

_SPECS = {  # short name -> (error, trend, damped, seasonal)
    "ANN": ("add", None, False, None),
    "AAdN": ("add", "add", True, None),
    "MNN": ("mul", None, False, None),
    "MAdN": ("mul", "add", True, None),
    "ANA": ("add", None, False, "add"),
    "AAdA": ("add", "add", True, "add"),
    "MNM": ("mul", None, False, "mul"),
    "MAdM": ("mul", "add", True, "mul"),
}

#: Exceptions statsmodels raises on degenerate data; a candidate raising one of them is skipped.
FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError)


def default_candidates(n: int, season_length: int, positive: bool) -> list[str]:
    """The candidate short names for a series of ``n`` values.

    Examples
    --------
    >>> default_candidates(30, 12, positive=True)
    ['ANA', 'AAdA', 'MNM', 'MAdM']
    >>> default_candidates(13, 12, positive=False)
    ['ANN', 'AAdN']
    """
    seasonal = season_length > 1 and n >= 2 * season_length
    names = ["ANA", "AAdA", "MNM", "MAdM"] if seasonal else ["ANN", "AAdN", "MNN", "MAdN"]
    return [s for s in names if positive or not s.startswith("M")]


class ETSForecaster(CandidateChooser):
    """ETS with a small automatic candidate set and guards against exploding forecasts.

    Parameters
    ----------
    season_length : int
        Periods per year (11 or 12); 1 for no seasonality.
    candidates : sequence of str or None
        Short names to choose from (keys of ``_SPECS``, e.g. ``("AAdA", "ANN")``); None for the
        default set (:func:`default_candidates`). Candidates the data cannot support (multiplicative on
        non-positive data, seasonal with fewer than two seasons) are skipped.

    Attributes
    ----------
    spec_ : str
        The chosen model's short name.
    result_ : ETSResults
        The statsmodels results of the chosen model.
    aicc_ : dict[str, float]
        AICc of every candidate that could be fitted.
    sigma_ : float
        Standard deviation of the in-sample one-step errors (levels, not relative).

    Examples
    --------
    >>> y = [10.0, 12.0, 14.0, 11.0] * 6
    >>> m = ETSForecaster(season_length=4).fit(y)
    >>> m.predict(4).round(0)
    array([10., 12., 14., 11.])
    """

    name = "ets"
    uses_regressors = False
    test_params: dict[str, Any] = {"season_length": 4}

    def __init__(self, season_length: int = 12, candidates: Any = None):
        self.season_length = season_length
        self.candidates = candidates

    def fit(self, y: Any, X: Any = None) -> ETSForecaster:
        """Fit every feasible candidate and keep the best by AICc whose forecast is sane; ``X`` is ignored."""
        arr, _ = self._start_fit(y, min_obs=4)
        m = int(self.season_length)
        n = arr.size
        positive = bool(np.min(arr) > 0)
        names = list(self.candidates) if self.candidates is not None else default_candidates(n, m, positive)
        unknown = [s for s in names if s not in _SPECS]
        if unknown:
            raise DataError(f"unknown ETS candidate(s) {unknown}; expected some of {sorted(_SPECS)}")
        feasible = [s for s in names if self._feasible(s, n, m, positive)]
        if not feasible:
            raise ModelError(
                f"none of the ETS candidates {names} suits a series of {n} values "
                f"(positive={positive}, season_length={m}); multiplicative needs positive data, "
                "seasonal needs two full seasons"
            )
        bound = explosion_bound(arr)
        probe_h = max(2 * m, 12)
        fitted, reasons = [], {}
        for spec in feasible:
            try:
                res = _fit_one(arr, spec, m)
            except FIT_ERRORS as exc:
                reasons[spec] = f"fit failed: {exc}"
                continue
            crit = float(res.aicc) if np.isfinite(res.aicc) else np.inf
            fitted.append((crit, spec, res))
        fitted.sort(key=lambda t: t[0])
        for _, spec, res in fitted:
            try:
                with np.errstate(all="ignore"):
                    check_forecast(res.forecast(probe_h), bound, f"ets {spec}")
            except ModelError as exc:
                reasons[spec] = str(exc)
                continue
            self.spec_ = spec
            self.result_ = res
            self.aicc_ = {s: float(c) for c, s, _ in fitted}
            resid = arr - np.asarray(res.fittedvalues, dtype=float)
            self.sigma_ = float(np.std(resid, ddof=1)) if n > 1 else 0.0
            self.bound_ = bound
            self.rejected_ = reasons
            self.n_obs_ = n
            self.is_fitted_ = True
            return self
        raise ModelError(f"every ETS candidate failed on this series: {reasons}")

    @staticmethod
    def _feasible(spec: str, n: int, m: int, positive: bool) -> bool:
        error, _, _, seasonal = _SPECS[spec]
        if (error == "mul" or seasonal == "mul") and not positive:
            return False
        return seasonal is None or (m > 1 and n >= 2 * m)

    def predict(self, h: int, X: Any = None) -> np.ndarray:
        """Point forecast of the chosen model; ModelError if it explodes at this horizon."""
        self._check_fitted()
        h = self._check_h(h)
        with np.errstate(all="ignore"):
            fc = self.result_.forecast(h)
        return check_forecast(fc, self.bound_, f"ets {self.spec_}")

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        """Simulated paths from the state space model (``simulate(anchor="end")``), exploded ones replaced."""
        mean = self.predict(h)
        rng = np.random.default_rng(seed)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            sim = self.result_.simulate(nsimulations=h, anchor="end", repetitions=n_paths, rng=rng)
        paths = np.asarray(sim, dtype=float).reshape(h, n_paths).T
        paths = guard_paths(paths, mean, self.bound_, self.sigma_, seed, self.name)
        return self._finite_or_raise(paths, self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fitted state: chosen spec, its parameters, initial states, AICc table and sigma."""
        self._check_fitted()
        res = self.result_
        params = dict(zip(res.model.param_names, np.asarray(res.params, dtype=float), strict=True))
        return artifact(
            self,
            {
                "spec": self.spec_,
                "params": params,
                "initial_state": np.asarray(res.initial_state, dtype=float),
                "aicc": self.aicc_,
                "sigma": self.sigma_,
            },
        )


def _fit_one(y: np.ndarray, spec: str, m: int) -> Any:
    """Fit one candidate quietly with heuristic initial states when the data allow it."""
    error, trend, damped, seasonal = _SPECS[spec]
    n = y.size
    heuristic = n >= 10 and (seasonal is None or n >= max(2 * m, 10 + 2 * (m // 2)))
    model = ETSModel(
        y,
        error=error,
        trend=trend,
        damped_trend=damped,
        seasonal=seasonal,
        seasonal_periods=m if seasonal else None,
        initialization_method="heuristic" if heuristic else "estimated",
    )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return model.fit(disp=False, maxiter=200)
