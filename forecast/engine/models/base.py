"""The one small model interface every family implements (scikit-learn manners, STYLE.md).

A model sees one plain series: a 1-D float array ``y`` of period values, oldest first, optionally with a
2-D array ``X`` of regressors (one row per observation). It knows nothing of regions, dates or scenarios.

- the constructor only stores its arguments (``season_length`` and family options);
- ``fit(y, X=None)`` learns and returns ``self``; fitted state lives in attributes ending in ``_``;
- ``predict(h, X=None)`` returns the point forecast, an array of length ``h``;
- ``sample_paths(h, n_paths=1000, seed=0, X=None)`` returns an ``n_paths × h`` array of future values
  drawn from the model's own predictive distribution (the engine recalibrates their spread later);
- ``clone()`` returns an unfitted copy with the same parameters;
- ``structure()`` names the form a self-selecting family chose (``{}`` for the others).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from forecast.data.errors import DataError, ModelError, NotFittedError


class Forecaster:
    """Base class: parameter handling, input checks and the fitted-state guard."""

    #: Short registry name, set by each subclass.
    name: str = "base"
    #: Whether ``X`` (e.g. Spring Festival regressors) is used when given.
    uses_regressors: bool = False
    #: Cheap constructor arguments for the contract test suite.
    test_params: dict = {}

    def __init__(self, season_length: int = 12):
        self.season_length = season_length

    # -- parameters ---------------------------------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments as stored, by name."""
        return {p: getattr(self, p) for p in self._param_names()}

    def clone(self) -> Forecaster:
        """An unfitted copy with the same constructor arguments."""
        return type(self)(**self.get_params())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # -- checks -------------------------------------------------------------------------------------
    @staticmethod
    def _as_series(y: Any) -> np.ndarray:
        arr = np.array(y, dtype=float).reshape(-1) if np.ndim(y) <= 1 else None
        if arr is None:
            raise DataError(f"y must be 1-D, got shape {np.shape(y)}")
        if arr.size == 0:
            raise DataError("y is empty; give at least one observation")
        if not np.all(np.isfinite(arr)):
            raise DataError(f"y has {int(np.sum(~np.isfinite(arr)))} non-finite value(s); fill or drop them first")
        return arr

    @staticmethod
    def _as_regressors(X: Any, n: int, what: str) -> np.ndarray | None:
        if X is None:
            return None
        arr = np.array(X, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.shape[0] != n:
            raise DataError(f"{what} has {arr.shape[0]} rows, expected {n}")
        if not np.all(np.isfinite(arr)):
            raise DataError(f"{what} has non-finite values")
        return arr

    def _start_fit(self, y: Any, X: Any = None, *, min_obs: int = 1) -> tuple[np.ndarray, np.ndarray | None]:
        """Common start of every ``fit``: forget the old fit, check ``y`` (and ``X`` if the model uses it).

        The fitted flag is reset first, so a refit that fails leaves the model unusable rather than
        half-updated. Returns the series as a float array and the regressors (None when unused).
        """
        self.is_fitted_ = False
        arr = self._as_series(y)
        if arr.size < min_obs:
            raise ModelError(f"{self.name} needs at least {min_obs} observations, got {arr.size}; "
                             "use naive for shorter series")
        exog = self._as_regressors(X, arr.size, "X") if self.uses_regressors else None
        return arr, exog

    def _check_fitted(self) -> None:
        if not getattr(self, "is_fitted_", False):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit(y) before predict or sample_paths")

    @staticmethod
    def _check_h(h: int) -> int:
        if int(h) != h or h < 1:
            raise DataError(f"h must be a positive whole number of periods, got {h!r}")
        return int(h)

    @staticmethod
    def _finite_or_raise(values: np.ndarray, model: str) -> np.ndarray:
        if not np.all(np.isfinite(values)):
            raise ModelError(f"{model} produced non-finite forecasts")
        return values

    # -- interface ----------------------------------------------------------------------------------
    def fit(self, y: Any, X: Any = None) -> Forecaster:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict(self, h: int, X: Any = None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def structure(self) -> dict[str, Any]:
        """Constructor arguments that refit the form this fit chose, without searching again.

        Families that select a structure (ETS spec, SARIMAX orders, CES season type) return it, so a
        backtest can re-estimate only the parameters; the rest return ``{}``.
        """
        return {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fitted parameters, for run artifacts (never pickles)."""
        self._check_fitted()
        return {"model": self.name, "params": self.get_params()}

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        """Gaussian random-walk errors around ``predict`` with the in-sample residual scale ``sigma_``.

        Families with a proper simulation override this; the engine recalibrates the spread anyway.
        """
        self._check_fitted()
        h = self._check_h(h)
        mean = self.predict(h, X=X)
        sigma = float(getattr(self, "sigma_", 0.0))
        rng = np.random.default_rng(seed)
        return mean[None, :] + np.cumsum(rng.standard_normal((n_paths, h)) * sigma, axis=1)


class CandidateChooser(Forecaster):
    """A family that fits a list of ``candidates`` (None: its default set) and keeps the best as ``spec_``.

    Its :meth:`structure` pins that choice, so a backtest refit re-estimates the chosen candidate only.
    """

    candidates: Any = None

    def structure(self) -> dict[str, Any]:
        """``{"candidates": [spec_]}`` when this fit chose among several candidates, else ``{}``."""
        self._check_fitted()
        if self.candidates is not None and len(self.candidates) == 1:
            return {}
        return {"candidates": [self.spec_]}
