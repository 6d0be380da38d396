"""Prophet (Taylor & Letham 2018) configured for monthly and 11-period data.

Models see a plain series, not dates, so the series is placed on a synthetic regular date index: one
observation every ``STEP_DAYS`` (30) days from ``ORIGIN``. Prophet's built-in yearly, weekly and daily
seasonalities are switched off (their periods are in calendar days and would not line up with the
synthetic steps); instead one custom seasonality named ``"season"`` has period
``season_length * STEP_DAYS`` days, i.e. exactly one year of ``season_length`` periods, with Fourier
order ``season_length // 2`` (as flexible as seasonal dummies). It is used only with at least two full
seasons. Trend: piecewise linear with Prophet's default changepoint prior.

Spring Festival: Prophet's holidays are day-based effects and do nothing useful on monthly data (the
holiday date falls between two synthetic observations), so the festival enters through regressors:
each column of ``X`` becomes an extra regressor (``add_regressor``); constant columns are dropped.

Uncertainty: MAP fit (``mcmc_samples=0``) and ``uncertainty_samples`` draws (trend changes + noise) from
``Prophet.predictive_samples``; ``sample_paths`` resamples those draws to ``n_paths`` with the seed.
Prophet draws from numpy's global random state, so the draws are made under a seeded global state
that is restored afterwards (not thread-safe; the engine runs models in processes).

Prophet is imported inside ``fit``: importing ``forecast.engine.models`` never fails because of Prophet. If
Prophet or its Stan backend cannot be imported or fails to fit, ``fit`` raises ModelError (and logs a
warning once per process); the engine then drops the model.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.errors import DataError, ModelError
from forecast.engine.models._common import artifact, check_forecast, explosion_bound, guard_paths, logger
from forecast.engine.models.base import Forecaster

ORIGIN = pd.Timestamp("2000-01-01")
STEP_DAYS = 30
_warned = False
#: Optimizer cap (Prophet's default is 10,000 iterations).
MAX_ITER = 1000
#: L-BFGS with looser stopping rules than Stan's defaults: forecasts move by < 0.1% on monthly series
#: while fits run 5-10x faster, and noise-free series (where the noise scale tends to 0) stop early.
#: (Prophet itself uses Newton below 100 observations, which can take a minute on such series.)
FAST_FIT = {"algorithm": "LBFGS", "iter": MAX_ITER, "tol_rel_obj": 1e6, "tol_param": 1e-5}


def _import_prophet() -> Any:
    """Import and return the ``Prophet`` class with cmdstanpy's chatter silenced; ModelError if unusable."""
    global _warned
    try:
        plot_logger = logging.getLogger("prophet.plot")
        level = plot_logger.level
        plot_logger.setLevel(logging.CRITICAL)  # "Importing plotly failed" is noise for us
        try:
            from prophet import Prophet
        finally:
            plot_logger.setLevel(level)
    except Exception as exc:  # noqa: BLE001 - any import failure (missing package, broken Stan build)
        if not _warned:
            logger.warning("prophet is unavailable (%s); the prophet model is skipped", exc)
            _warned = True
        raise ModelError(f"prophet could not be imported ({exc}); install prophet>=1.1.5 or drop 'prophet'") from exc
    with contextlib.suppress(ImportError):
        from cmdstanpy.utils import get_logger

        get_logger()  # installs cmdstanpy's handler and DEBUG level once; quieten it afterwards
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    return Prophet


@contextlib.contextmanager
def _seeded_global_rng(seed: int) -> Iterator[None]:
    """Seed numpy's global state for Prophet's draws, restore it afterwards, hush its pandas warnings."""
    state = np.random.get_state()
    np.random.seed(seed % (2**32))
    try:
        with _quiet():
            yield
    finally:
        np.random.set_state(state)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Hide Prophet 1.5's pandas-3 deprecation warning (``DataFrame.drop(inplace=True)``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        yield


def dates(start: int, h: int) -> pd.Series:
    """Synthetic dates of positions ``start .. start + h - 1``.

    Examples
    --------
    >>> [str(d.date()) for d in dates(0, 2)]
    ['2000-01-01', '2000-01-31']
    """
    return pd.Series(ORIGIN + pd.to_timedelta(STEP_DAYS * np.arange(start, start + h), unit="D"))


class ProphetForecaster(Forecaster):
    """Prophet on a synthetic date index with one seasonality of ``season_length`` periods.

    Parameters
    ----------
    season_length : int
        Periods per year (11 or 12); 1 for no seasonality.
    uncertainty_samples : int
        Posterior predictive draws Prophet makes (resampled to ``n_paths``).
    changepoint_prior_scale : float
        Flexibility of the trend (Prophet's default 0.05).
    seasonality_mode : str
        ``"additive"`` or ``"multiplicative"``.

    Attributes
    ----------
    model_ : prophet.Prophet
        The fitted Prophet model.
    regressors_ : list[int]
        Columns of ``X`` used as regressors.

    Examples
    --------
    >>> m = ProphetForecaster(season_length=4).fit([1.0, 5.0, 3.0, 2.0] * 6)
    >>> m.predict(4).round(0)
    array([1., 5., 3., 2.])
    """

    name = "prophet"
    uses_regressors = True
    test_params: dict[str, Any] = {"season_length": 4, "uncertainty_samples": 50}

    def __init__(
        self,
        season_length: int = 12,
        uncertainty_samples: int = 200,
        changepoint_prior_scale: float = 0.05,
        seasonality_mode: str = "additive",
    ):
        self.season_length = season_length
        self.uncertainty_samples = uncertainty_samples
        self.changepoint_prior_scale = changepoint_prior_scale
        self.seasonality_mode = seasonality_mode

    def fit(self, y: Any, X: Any = None) -> ProphetForecaster:
        """Fit Prophet (MAP); ModelError if Prophet is unavailable or its backend fails."""
        arr, exog = self._start_fit(y, X, min_obs=3)
        n = arr.size
        Prophet = _import_prophet()
        m = int(self.season_length)
        keep = [] if exog is None else [j for j in range(exog.shape[1]) if np.ptp(exog[:, j]) > 0]
        df = pd.DataFrame({"ds": dates(0, n), "y": arr})
        for j in keep:
            df[f"x{j}"] = exog[:, j]
        seasonal = m > 1 and n >= 2 * m
        try:
            try:
                model = self._build(Prophet, m if seasonal else 0, keep)
                with _seeded_global_rng(0):
                    model.fit(df, **FAST_FIT)
            except Exception:  # noqa: BLE001 - retry once with Prophet's own optimizer settings
                model = self._build(Prophet, m if seasonal else 0, keep)
                with _seeded_global_rng(0):
                    model.fit(df, iter=MAX_ITER)
        except Exception as exc:  # noqa: BLE001 - Stan backends raise many types; isolate them here
            global _warned
            if not _warned:
                logger.warning("prophet failed to fit (%s); the prophet model is skipped", exc)
                _warned = True
            raise ModelError(f"prophet failed to fit a series of {n} values: {exc}") from exc
        self.model_ = model
        self.regressors_ = keep
        self.n_features_in_ = 0 if exog is None else exog.shape[1]
        self.n_obs_ = n
        self.bound_ = explosion_bound(arr)
        resid = arr - self._yhat(self._future(0, n, exog))
        self.sigma_ = float(np.std(resid, ddof=1)) if n > 1 else 0.0
        self.is_fitted_ = True
        return self

    def _build(self, Prophet: Any, m: int, keep: list[int]) -> Any:
        model = Prophet(
            growth="linear",
            yearly_seasonality=False,
            weekly_seasonality=False,
            daily_seasonality=False,
            seasonality_mode=self.seasonality_mode,
            changepoint_prior_scale=float(self.changepoint_prior_scale),
            uncertainty_samples=int(self.uncertainty_samples),
            mcmc_samples=0,
        )
        if m > 1:
            model.add_seasonality("season", period=m * STEP_DAYS, fourier_order=max(1, m // 2))
        for j in keep:
            model.add_regressor(f"x{j}")
        # fit() retries with Prophet's own settings on failure; Prophet's internal Newton retry would
        # reuse the L-BFGS-only tolerances of FAST_FIT and fail.
        model.stan_backend.newton_fallback = False
        return model

    def _future(self, start: int, h: int, X: np.ndarray | None) -> pd.DataFrame:
        df = pd.DataFrame({"ds": dates(start, h)})
        for j in self.regressors_:
            df[f"x{j}"] = X[:, j]
        return df

    def _future_frame(self, h: int, X: Any) -> pd.DataFrame:
        fut = None
        if self.regressors_:
            if X is None:
                raise DataError(
                    f"prophet was fitted with {self.n_features_in_} regressor column(s); pass X with {h} "
                    "rows of their future values"
                )
            fut = self._as_regressors(X, h, "X")
            if fut.shape[1] != self.n_features_in_:
                raise DataError(f"X has {fut.shape[1]} columns, the model was fitted with {self.n_features_in_}")
        return self._future(self.n_obs_, h, fut)

    def _yhat(self, df: pd.DataFrame) -> np.ndarray:
        """Prophet's point forecast without its interval sampling (as ``Prophet.predict`` computes yhat)."""
        model = self.model_
        with _quiet():
            frame = model.setup_dataframe(df.copy())
            trend = np.asarray(model.predict_trend(frame), dtype=float)
            comps = model.predict_seasonal_components(frame)
        mult = np.asarray(comps["multiplicative_terms"], dtype=float)
        add = np.asarray(comps["additive_terms"], dtype=float)
        return trend * (1 + mult) + add

    def predict(self, h: int, X: Any = None) -> np.ndarray:
        """Point forecast; ``X`` (h rows) is required when the model was fitted with regressors."""
        self._check_fitted()
        h = self._check_h(h)
        return check_forecast(self._yhat(self._future_frame(h, X)), self.bound_, self.name)

    def sample_paths(self, h: int, n_paths: int = 1000, seed: int = 0, X: Any = None) -> np.ndarray:
        """Prophet's predictive draws (trend changes + noise), resampled to ``n_paths`` with the seed."""
        self._check_fitted()
        h = self._check_h(h)
        df = self._future_frame(h, X)
        with _seeded_global_rng(seed):
            draws = np.asarray(self.model_.predictive_samples(df)["yhat"], dtype=float).T
        rng = np.random.default_rng(seed)
        paths = draws[rng.integers(0, draws.shape[0], size=n_paths)]
        mean = check_forecast(self._yhat(df), self.bound_, self.name)
        paths = guard_paths(paths, mean, self.bound_, self.sigma_, seed, self.name)
        return self._finite_or_raise(paths, self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe fitted state: Prophet's own ``model_to_json`` string and the regressor columns."""
        self._check_fitted()
        from prophet.serialize import model_to_json

        return artifact(self, {"prophet_json": model_to_json(self.model_), "regressors": self.regressors_})
