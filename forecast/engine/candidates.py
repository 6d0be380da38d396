"""One candidate's run for the engine: final fit, sample paths and backtest refits, with its failures.

:func:`run_candidate` fits one candidate model on the whole series, draws its sample paths and refits it
at every backtest origin, raising on any failure (an exception, non-finite or mis-shaped values, a fit
over ``AutoConfig.fit_budget`` seconds) so that :mod:`forecast.engine.auto` can drop it with :func:`failure_reason`.
:class:`SeasonalNaiveFallback`, independent of the model registry, answers when every candidate fails.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from forecast.data.errors import ModelError
from forecast.engine.config import AutoConfig
from forecast.engine.models.base import Forecaster


class SeasonalNaiveFallback(Forecaster):
    """Built-in seasonal naive, independent of the registry: the answer when every candidate fails.

    Examples
    --------
    >>> SeasonalNaiveFallback(season_length=3).fit([1.0, 2.0, 3.0, 1.5, 2.5, 3.5]).predict(4)
    array([1.5, 2.5, 3.5, 1.5])
    """

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

    def to_dict(self) -> dict[str, Any]:
        self._check_fitted()
        return {"model": self.name, "params": {"season_length": int(self.season_length)},
                "fitted": {"season_used": int(self.m_), "sigma": float(self.sigma_)}}

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        self._check_fitted()
        steps = np.arange(self._check_h(h)) // self.m_ + 1
        z = np.random.default_rng(seed).standard_normal((n_paths, h))
        return self.predict(h)[None, :] + z * self.sigma_ * np.sqrt(steps)


def _uses_regressors(model: Forecaster) -> bool:
    return bool(getattr(model, "uses_regressors", getattr(model, "supports_regressors", False)))


def failure_reason(exc: BaseException) -> str:
    """``"<ExceptionType>: <first line of its message>"``, at most 240 characters.

    Examples
    --------
    >>> failure_reason(ValueError("bad start\\nmore detail"))
    'ValueError: bad start'
    """
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


def describe_fit(model: Forecaster) -> dict:
    """``model.to_dict()`` of a fitted model, or ``{"error": …}``: a description never fails a forecast."""
    try:
        return model.to_dict()
    except Exception as exc:  # noqa: BLE001
        return {"model": getattr(model, "name", type(model).__name__), "error": failure_reason(exc)}


def run_candidate(cls, params, m, y, X, Xf, h, origins, bt_h, config: AutoConfig, seed):
    """Backtest forecasts (origins × bt_h), final mean (h,), paths and the final fitted model of one
    candidate; raises on failure.

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
        fixed = final.structure() if config.reuse_structure else {}
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
    return fc, mean, paths, final
