"""Compiled exponential smoothing and Theta families from statsforecast (Nixtla; C++ cores).

Three families whose automatic versions are among the strongest local statistical models on the M3 and
M4 monthly data, fitted in milliseconds by statsforecast's compiled code:

=========  ========================================  ================================================
name       statsforecast model                       what it chooses
=========  ========================================  ================================================
autoets    ``AutoETS(model="ZZZ")``                  error, trend (incl. damped), season by AICc
ces        ``AutoCES(model="Z")``                    complex exponential smoothing (Svetunkov &
                                                     Kourentzes): none / simple / partial / full
                                                     seasonality by AICc
dotm       ``DynamicOptimizedTheta``                 Theta with the theta line and smoothing
                                                     optimised, dynamic coefficients (Fiorucci et al.
                                                     2016), on the series deseasonalised when a
                                                     seasonality test says so
=========  ========================================  ================================================

Each wrapper follows :class:`~forecast.engine.models.base.Forecaster`: the point forecast is statsforecast's
``predict(h)["mean"]``, sample paths are its ``simulate(h, n_paths, seed)`` deviations centred on that
point forecast (paths that turn non-finite or explode are replaced by Gaussian ones,
``_common.guard_paths``), and the forecast is
rejected with ModelError when it is non-finite or explodes (``_common.check_forecast``).
``structure()`` names the form the automatic search chose, so a backtest can refit that form only.

statsforecast is imported on the first ``fit``; when it is missing, ``fit`` raises ModelError and the
engine drops the model for that series, as it does for Prophet.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from forecast.data.errors import ModelError
from forecast.engine.models._common import artifact, check_forecast, explosion_bound, guard_paths
from forecast.engine.models.base import Forecaster


def _statsforecast_models() -> Any:
    try:
        with warnings.catch_warnings():
            # statsforecast imports tqdm.auto, which warns inside Jupyter without ipywidgets; no
            # progress bar is ever shown here.
            warnings.filterwarnings("ignore", message="IProgress not found")
            import statsforecast.models as sfm
    except ImportError as exc:
        raise ModelError(f"statsforecast is not available ({exc}); install troika's dependencies") from exc
    return sfm


class _CompiledForecaster(Forecaster):
    """Shared fit / predict / simulate around one statsforecast model object."""

    uses_regressors = False
    #: Shortest series the family accepts.
    min_obs: int = 4

    def _make(self, sfm: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _summary(self) -> dict[str, Any]:
        return {}

    def fit(self, y: Any, X: Any = None) -> _CompiledForecaster:
        """Fit the statsforecast model on ``y``; ``X`` is ignored."""
        arr, _ = self._start_fit(y, min_obs=self.min_obs)
        self.bound_ = explosion_bound(arr)
        self.n_obs_ = arr.size
        if np.ptp(arr) == 0:
            # A constant series: the forecast is the constant (the optimisers divide by its variance).
            self.model_, self.level_, self.sigma_ = None, float(arr[0]), 0.0
            self.is_fitted_ = True
            return self
        model = self._make(_statsforecast_models())
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                model.fit(arr)
        except Exception as exc:  # noqa: BLE001 - the compiled code raises plain Exception and others
            raise ModelError(f"{self.name} failed to fit a series of {arr.size} values: {exc}") from exc
        resid = np.asarray(model.model_.get("residuals", []), dtype=float)
        resid = resid[np.isfinite(resid)]
        self.sigma_ = float(np.std(resid, ddof=1)) if resid.size > 1 else 0.0
        self.model_ = model
        self.is_fitted_ = True
        return self

    def predict(self, h: int, X: Any = None) -> np.ndarray:
        """Point forecast for the next ``h`` periods."""
        self._check_fitted()
        h = self._check_h(h)
        if self.model_ is None:
            return np.full(h, self.level_)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            mean = self.model_.predict(h)["mean"]
        return check_forecast(mean, self.bound_, self.name)

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        """Paths simulated from the fitted state space model (statsforecast ``simulate``)."""
        mean = self.predict(h)
        if self.model_ is None:
            return np.tile(mean, (n_paths, 1))
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                paths = np.asarray(self.model_.simulate(h=h, n_paths=n_paths, seed=int(seed) % 2**31), float)
        except Exception:  # noqa: BLE001 - a failed simulation falls back to Gaussian paths below
            paths = np.full((n_paths, h), np.nan)
        if paths.shape != (n_paths, h):
            paths = np.full((n_paths, h), np.nan)
        # Keep the simulated deviations but centre them on the point forecast: statsforecast 2.1's
        # simulate drops the slope of an undamped additive trend (ETS(A,A,A) paths drift below predict).
        paths = mean[None, :] + (paths - np.nanmean(paths, axis=0)[None, :]) if np.isfinite(paths).any() else paths
        paths = guard_paths(paths, mean, self.bound_, self.sigma_, seed, self.name)
        return self._finite_or_raise(paths, self.name)

    def structure(self) -> dict[str, Any]:
        """Constructor arguments that refit the chosen form without searching again ({} if none)."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fitted state: the chosen form, its parameters and the residual scale."""
        self._check_fitted()
        if self.model_ is None:
            return artifact(self, {"constant": self.level_})
        return artifact(self, {**self._summary(), "sigma": self.sigma_})


class AutoETSForecaster(_CompiledForecaster):
    """ETS chosen by AICc over error × trend (none, additive, damped) × season (statsforecast ``AutoETS``).

    Parameters
    ----------
    season_length : int
        Periods per year (11 or 12); 1 for no seasonality.
    model : str
        Three letters error/trend/season, each ``A``, ``M``, ``N`` or ``Z`` (choose); ``"ZZZ"`` searches.
    damped : bool or None
        Damped trend; None lets the search decide.

    Attributes
    ----------
    model_ : statsforecast.models.AutoETS
        The fitted statsforecast model (None for a constant series).
    method_ : str
        The chosen form, e.g. ``"ETS(M,Ad,M)"``.

    Examples
    --------
    >>> y = [10.0, 12.0, 14.0, 11.0] * 6
    >>> m = AutoETSForecaster(season_length=4).fit(y)
    >>> m.predict(4).round(0)
    array([10., 12., 14., 11.])
    """

    name = "autoets"
    test_params: dict[str, Any] = {"season_length": 4}

    def __init__(self, season_length: int = 12, model: str = "ZZZ", damped: bool | None = None):
        self.season_length = season_length
        self.model = model
        self.damped = damped

    def _make(self, sfm: Any) -> Any:
        m = int(self.season_length)
        model = self.model
        if self.n_obs_ < 2 * m + 2 and m > 1:
            model = model[:2] + "N"  # too short to estimate a seasonal state: no season
            m = 1
        return sfm.AutoETS(season_length=m, model=model, damped=self.damped)

    def fit(self, y: Any, X: Any = None) -> AutoETSForecaster:
        super().fit(y, X)
        self.method_ = "constant" if self.model_ is None else str(self.model_.model_["method"])
        return self

    def structure(self) -> dict[str, Any]:
        """``{"model": "MAM", "damped": True}`` for ETS(M,Ad,M), say."""
        self._check_fitted()
        if self.model_ is None:
            return {}
        parts = self.method_[self.method_.index("(") + 1 : -1].split(",")
        return {"model": "".join(p[0] for p in parts), "damped": parts[1].endswith("d")}

    def _summary(self) -> dict[str, Any]:
        fitted = self.model_.model_
        return {"method": self.method_, "par": fitted["par"], "aicc": float(fitted["aicc"])}


class CESForecaster(_CompiledForecaster):
    """Complex exponential smoothing (Svetunkov & Kourentzes), seasonal type chosen by AICc.

    Parameters
    ----------
    season_length : int
        Periods per year; 1 for no seasonality.
    model : str
        ``"N"`` none, ``"S"`` simple, ``"P"`` partial, ``"F"`` full seasonality, ``"Z"`` choose.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([10.0, 12.0, 14.0, 11.0] * 6) + np.random.default_rng(0).normal(0.0, 0.3, 24)
    >>> bool(abs(CESForecaster(season_length=4).fit(y).predict(1)[0] - 10.0) < 1.0)
    True
    """

    name = "ces"
    test_params: dict[str, Any] = {"season_length": 4}

    def __init__(self, season_length: int = 12, model: str = "Z"):
        self.season_length = season_length
        self.model = model

    def _make(self, sfm: Any) -> Any:
        m = int(self.season_length)
        if self.n_obs_ < 2 * m + 2 and m > 1:
            return sfm.AutoCES(season_length=1, model="N")
        return sfm.AutoCES(season_length=m, model=self.model)

    def structure(self) -> dict[str, Any]:
        """``{"model": <the chosen seasonal type>}``."""
        self._check_fitted()
        return {} if self.model_ is None else {"model": str(self.model_.model_["seasontype"])}

    def _summary(self) -> dict[str, Any]:
        fitted = self.model_.model_
        return {"seasontype": str(fitted["seasontype"]), "par": fitted["par"],
                "aicc": float(fitted["aicc"])}


class DOTMForecaster(_CompiledForecaster):
    """Dynamic optimised Theta (Fiorucci et al. 2016) on a deseasonalised series.

    Parameters
    ----------
    season_length : int
        Periods per year; 1 for no seasonality.

    Examples
    --------
    >>> import numpy as np
    >>> m = DOTMForecaster(season_length=1).fit(np.arange(1.0, 31.0))
    >>> bool(m.predict(1)[0] > 29.5)
    True
    """

    name = "dotm"
    test_params: dict[str, Any] = {"season_length": 4}

    def __init__(self, season_length: int = 12):
        self.season_length = season_length

    def _make(self, sfm: Any) -> Any:
        m = int(self.season_length)
        if self.n_obs_ < 2 * m + 2 and m > 1:
            m = 1
        # statsforecast falls back to additive decomposition when the data are not positive.
        return sfm.DynamicOptimizedTheta(season_length=m)

    def _summary(self) -> dict[str, Any]:
        fitted = self.model_.model_
        return {"par": fitted["par"], "decomposed": bool(fitted["decompose"]), "mse": float(fitted["mse"])}
