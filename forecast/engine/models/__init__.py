"""Forecasting model families behind one small interface (:class:`~forecast.engine.models.base.Forecaster`).

``MODELS`` maps each registry name to its class; the engine, CLI and UI read the names from here.

=========  ==================================  =============================================
name       class                               family
=========  ==================================  =============================================
naive      :class:`NaiveForecaster`            last value repeated (benchmark, fallback)
snaive     :class:`SeasonalNaiveForecaster`    last season repeated (benchmark, fallback)
ets        :class:`ETSForecaster`              exponential smoothing, AICc over a small set
sarimax    :class:`SARIMAXForecaster`          seasonal ARIMA with regressors, AIC over <= 3
theta      :class:`ThetaForecaster`            Theta method, deseasonalized
autoets    :class:`AutoETSForecaster`          ETS, full AICc search (statsforecast, compiled)
ces        :class:`CESForecaster`              complex exponential smoothing (statsforecast)
dotm       :class:`DOTMForecaster`             dynamic optimised Theta (statsforecast)
prophet    :class:`ProphetForecaster`          Prophet on a synthetic date index (slowest)
=========  ==================================  =============================================

Importing this package never imports Prophet or statsforecast; the ``fit`` of their families does, and
raises ModelError when the library is unavailable.

Examples
--------
>>> from forecast.engine.models import MODELS
>>> model = MODELS["snaive"](season_length=4).fit([1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0, 5.0])
>>> model.predict(5)
array([2., 3., 4., 5., 2.])
"""

from __future__ import annotations

from forecast.engine.models.base import Forecaster
from forecast.engine.models.compiled import AutoETSForecaster, CESForecaster, DOTMForecaster
from forecast.engine.models.ets import ETSForecaster
from forecast.engine.models.naive import NaiveForecaster, SeasonalNaiveForecaster
from forecast.engine.models.prophet_model import ProphetForecaster
from forecast.engine.models.sarimax import SARIMAXForecaster
from forecast.engine.models.theta import ThetaForecaster

MODELS: dict[str, type[Forecaster]] = {
    cls.name: cls
    for cls in (
        NaiveForecaster,
        SeasonalNaiveForecaster,
        ETSForecaster,
        SARIMAXForecaster,
        ThetaForecaster,
        AutoETSForecaster,
        CESForecaster,
        DOTMForecaster,
        ProphetForecaster,
    )
}

__all__ = [
    "MODELS",
    "AutoETSForecaster",
    "CESForecaster",
    "DOTMForecaster",
    "ETSForecaster",
    "Forecaster",
    "NaiveForecaster",
    "ProphetForecaster",
    "SARIMAXForecaster",
    "SeasonalNaiveForecaster",
    "ThetaForecaster",
]
