"""What the engine returns: :class:`ForecastResult` for one series, :class:`SeriesForecast` for a panel's.

Both are frozen; their arrays are read-only. :mod:`forecast.engine.auto` makes them and re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecast.data.errors import DataError


@dataclass(frozen=True, eq=False)
class ForecastResult:
    """Forecast of one series: point forecast, calibrated sample paths and how they were made.

    Attributes
    ----------
    mean : ndarray (h,)
        Point forecast (the weighted combination); equals ``paths.mean(axis=0)``.
    paths : ndarray (n_paths, h)
        Sample paths of future period values (read-only).
    weights : dict
        Model name → combination weight (sums to 1).
    dropped : dict
        Model name → why it was left out for this series.
    flags : tuple of str
        ``fallback_snaive``, ``no_backtest``, ``few_origins``, ``filled_gaps:<n>``, ``failed: …``.
    metrics : dict
        Backtest summary of the combination: ``mase``, ``smape`` (0–200), ``coverage80``
        (leave-one-origin-out), ``growth_error_pp`` (mean absolute, needs seasons), ``rel_mae`` (MAE
        relative to seasonal naive's at the same origins, :func:`forecast.engine.evaluation.relative_mae`),
        ``n_origins``.
    method : str
    models : dict
        Model name → JSON-safe description of its final fit (``to_dict()``), for every candidate
        with a positive weight; ``{"error": …}`` when a model cannot describe itself.
    misses : ndarray (origins, backtest horizon) or None
        The backtest errors in units of the 80 % half-width learnt without their origin
        (:func:`forecast.engine.combine.loo_misses`); what a panel-wide calibration learns from
        (:func:`forecast.engine.calibration.calibrate_panel`). None with fewer than two origins.
    """

    mean: np.ndarray
    paths: np.ndarray
    weights: dict[str, float]
    dropped: dict[str, str]
    flags: tuple[str, ...]
    metrics: dict[str, float]
    method: str
    models: dict[str, dict] = field(default_factory=dict)
    misses: np.ndarray | None = None

    def quantiles(self, levels: Any = (0.1, 0.5, 0.9)) -> np.ndarray:
        """Quantiles of the paths per horizon: array ``len(levels) × h``.

        ``levels`` are probabilities in [0, 1]; numpy's default (linear interpolation) is used.

        Examples
        --------
        >>> from forecast import forecast_series
        >>> fc = forecast_series([1.0, 3.0, 2.0] * 12, h=2, season_length=3, method="snaive", n_paths=50)
        >>> fc.quantiles((0.1, 0.9)).shape
        (2, 2)
        """
        q = np.atleast_1d(np.asarray(levels, float))
        if np.any((q < 0) | (q > 1)):
            raise DataError(f"quantile levels are probabilities in [0, 1], got {list(q)}; for 80 % use 0.1, 0.9")
        return np.quantile(self.paths, q, axis=0)


@dataclass(frozen=True, eq=False)
class SeriesForecast(ForecastResult):
    """A :class:`ForecastResult` of one panel series, with its keys and future periods."""

    region: str = ""
    indicator: str = ""
    last_period: pd.Period | None = None
    periods: pd.PeriodIndex = field(default_factory=lambda: pd.PeriodIndex([], freq="M"))
