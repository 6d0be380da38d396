"""Engine layer: forecasts of one series and of a panel of series.

``models/`` (one family per module, the ``MODELS`` registry), the candidates' fits and backtest refits,
combination and calibration, the per-series ``auto`` (:mod:`forecast.engine.auto`), rolling-origin
backtests and metrics, the global members trained across a panel, the loop over a panel, and the result
types (:mod:`forecast.engine.result`) that carry everything a run stores, fitted descriptions included.

May import: ``forecast.data`` and this layer.
"""
