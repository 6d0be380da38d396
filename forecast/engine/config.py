"""Settings of the per-series engine: :class:`AutoConfig` and the default candidates (measured choices).

Kept apart from :mod:`forecast.engine.auto` because one candidate's run (:mod:`forecast.engine.candidates`)
reads the same settings, and the engine calls the candidates: both import this module, neither the other.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Candidates of ``method="auto"``, chosen on measurements (bench/README.md, "Accuracy lead"):
#: statsforecast's compiled AutoETS restricted to damped trends, AutoCES and dynamic optimised Theta, and
#: troika's statsmodels ETS. On the 1,428 M3 monthly series, with the global members and the ``"blend"``
#: combination, they reach sMAPE 13.13 and MASE 0.822, against 13.58 and 0.823 for the median of
#: statsforecast's AutoARIMA, AutoETS, AutoCES and DOTM (replayed from cached fits; the benchmark runs both
#: in one process). Seasonal naive left the pool: it lowered the backtest error (its weight is learnt on that
#: backtest) but raised M3's MASE from 0.822 to 0.830; on the Liaoning panel the full-year growth error
#: is unchanged at 3.62 pp without it. The damped-only AutoETS searches about half the models of the full
#: one (``"autoets"`` without params) and was more accurate in every combination measured. SARIMAX and
#: Prophet stay available, e.g. ``AutoConfig(models=DEFAULT_MODELS + ("sarimax",))``; they did not help on M3
#: and cost 2-4x more; AutoARIMA's search alone costs about twice auto's whole budget per series.
DEFAULT_MODELS: tuple = (("autoets", {"damped": True}), "ces", "dotm", "ets")

#: Global members offered to every series of a panel of many series (``AutoConfig.global_models``):
#: LightGBM on the last 3 and the last 2 years, different seeds. On M3 monthly the weighted mean of
#: :data:`DEFAULT_MODELS` and both of them reached sMAPE 13.21 against statsmodels Theta's 13.97 (0.945;
#: without them 13.53, 0.968); the one on 3 years alone, in a median, 0.953 (bench/README.md).
GLOBAL_MODELS: tuple = (("global_gbm", {"lag_years": 3, "seed": 0}), ("global_gbm_2y", {"lag_years": 2, "seed": 1}))


@dataclass(frozen=True)
class AutoConfig:
    """Settings of the ``auto`` combination (defaults suit monthly and 11-period series).

    Attributes
    ----------
    models : tuple
        Candidates: registry names, ``(name, params)`` or ``(label, name, params)`` entries.
    n_origins : int
        Backtest origins wanted (fewer when the series is short; flagged ``few_origins``).
    step : int or None
        Periods between origins; default ``max(1, season_length // 2)``.
    backtest_h : int or None
        Backtest horizon; default the forecast horizon. Longer horizons use the fitted error profile.
    min_train : int or None
        Shortest training sample of a backtest fit; default ``2 * season_length + 1``.
    fit_budget : float
        Seconds one fit may take before its model is dropped for the series.
    combination : str
        ``"median"`` (the candidates' median, horizon by horizon, among those within ``cutoff`` of the
        best backtest MSE), ``"mean"`` (weighted mean) or ``"blend"`` (the average of the two, the default:
        on M3 it beat both, sMAPE 13.13 against 13.16 and 13.15); see :func:`forecast.engine.combine.combine`.
    shrink, cutoff : float
        Weights: see :func:`forecast.engine.combine.combination_weights` (``shrink`` only for ``"mean"``).
        The default ``cutoff`` (inf) keeps every candidate: on M3 dropping those beyond 4x the best
        backtest MSE made both combinations worse (mean 13.53 → 13.59, median 13.44 → 13.50).
    prior_strength, inflate : float
        Spread: see :func:`forecast.engine.combine.calibrate_sigma`.
    model_paths : int
        Paths drawn from each candidate to shape the dependence across horizons.
    reuse_structure : bool
        Backtest refits keep the structure (ETS spec, SARIMAX orders) selected on the whole series and
        re-estimate its parameters: several times cheaper, at the price of a little look-ahead in the
        choice of structure.
    global_models : tuple
        ``(label, params)`` of the global LightGBM members (:class:`forecast.engine.models.global_gbm.GlobalGBM`)
        that a *panel* of at least ``global_min_series`` series trains across all its series and offers
        to every series (:mod:`forecast.engine.global_members`); a panel-wide backtest decides whether they
        join. One series alone (``forecast_series``) has none. ``()`` turns them off.
    global_min_series : int
        Fewest series a panel needs to train the global members.
    global_threads : int
        LightGBM threads when training them.
    panel_calibration : bool
        :func:`forecast.engine.panel_forecast.forecast_many` calibrates the spread across the collection
        (:func:`forecast.engine.calibration.calibrate_panel`); on M1 monthly it took the 80 % coverage from
        74.1 % to 77.8 %, on M3 from 79.6 % to 82.4 % (bench/README.md). The Liaoning batch calibrates its
        full-year growth with its own table instead (:func:`forecast.engine.calibration.apply_spread_scales`).
    gate_t : float
        The panel gate admits the global members when the paired t statistic of the series' log backtest
        AvgRelMAE ratios (with / without) is at most ``-gate_t``
        (:func:`forecast.engine.global_members.choose_variants`).
    """

    models: tuple = DEFAULT_MODELS
    n_origins: int = 3
    step: int | None = None
    backtest_h: int | None = None
    min_train: int | None = None
    fit_budget: float = 10.0
    combination: str = "blend"
    shrink: float = 0.5
    cutoff: float = float("inf")
    prior_strength: float = 2.0
    inflate: float = 1.0
    model_paths: int = 200
    reuse_structure: bool = True
    global_models: tuple = GLOBAL_MODELS
    global_min_series: int = 100
    global_threads: int = 2
    gate_t: float = 1.645
    panel_calibration: bool = True
