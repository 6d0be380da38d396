"""The auto combination, its fallbacks, calibrated paths, determinism and the panel loop."""

from __future__ import annotations

import inspect
import time

import numpy as np
import pandas as pd
import pytest

from forecast.data.errors import DataError, ModelError
from forecast.engine import auto as engine
from forecast.engine.auto import (
    AutoConfig,
    forecast_series,
    plan_backtest,
    run_series,
)
from forecast.engine.combine import (
    calibrate_sigma,
    calibrated_paths,
    combination_weights,
    combine,
    fit_power_profile,
)
from forecast.engine.models import MODELS
from forecast.engine.models.base import Forecaster
from forecast.engine.panel_forecast import forecast_panel, future_periods


# -- stand-in models ----------------------------------------------------------------------------------
class Drift(Forecaster):
    """Last value plus the average slope; Gaussian random-walk paths."""

    name = "drift"

    def fit(self, y, X=None):
        y = self._as_series(y)
        self.last_, self.slope_ = y[-1], (y[-1] - y[0]) / max(y.size - 1, 1)
        self.sigma_ = float(np.std(np.diff(y))) if y.size > 2 else 0.0
        self.is_fitted_ = True
        return self

    def predict(self, h, X=None):
        self._check_fitted()
        return self.last_ + self.slope_ * np.arange(1, h + 1)


class Boom(Drift):
    name = "boom"

    def fit(self, y, X=None):
        raise ModelError("boom on purpose")


class NaNs(Drift):
    name = "nans"

    def predict(self, h, X=None):
        return np.full(h, np.nan)


class Slow(Drift):
    name = "slow"

    def fit(self, y, X=None):
        time.sleep(0.05)
        return super().fit(y, X)


STANDINS = {"snaive": MODELS["snaive"], "naive": MODELS["naive"], "drift": Drift, "boom": Boom, "nans": NaNs,
            "slow": Slow, "theta": MODELS["theta"]}


@pytest.fixture
def standins(monkeypatch):
    monkeypatch.setattr(engine, "_registry", lambda: STANDINS)


def seasonal(n, m=12, seed=0, noise=1.0):
    rng = np.random.default_rng(seed)
    return 50 + 10 * np.sin(2 * np.pi * np.arange(n) / m) + 0.1 * np.arange(n) + noise * rng.standard_normal(n)


# -- weights and calibration ----------------------------------------------------------------------------
def test_inverse_mse_weights_shrunk_to_equal():
    errs = {"a": np.array([1.0, -1.0]), "b": np.array([2.0, 2.0]), "c": np.array([10.0, 10.0])}
    # MSE 1, 4, 100; c exceeds cutoff 4 x best -> 0. Inverse-MSE of a, b: 1 : 1/4 -> 0.8, 0.2.
    # shrink 0.5 with equal weights (0.5, 0.5): a = 0.65, b = 0.35
    w = combination_weights(errs, shrink=0.5, cutoff=4.0)
    assert w == pytest.approx({"a": 0.65, "b": 0.35, "c": 0.0})
    assert combination_weights(errs, shrink=0.0, cutoff=np.inf) == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    # a perfect candidate takes everything
    assert combination_weights({"a": np.zeros(3), "b": np.ones(3)}) == {"a": 1.0, "b": 0.0}


def test_median_combination_by_hand():
    means = {"a": np.array([1.0, 2.0, 10.0]), "b": np.array([3.0, 3.0, 3.0]), "c": np.array([2.0, 5.0, 0.0])}
    paths = {k: v[None, :] + np.random.default_rng(0).standard_normal((50, 3)) for k, v in means.items()}
    actual = np.array([[4.0, 4.0], [6.0, 6.0]])
    backtests = {"a": np.array([[3.0, 5.0], [6.0, 6.0]]),   # errors (1, -1), (0, 0): MSE 0.5
                 "b": np.array([[4.0, 4.0], [8.0, 8.0]]),   # errors (0, 0), (-2, -2): MSE 2
                 "c": np.array([[1.0, 9.0], [6.0, 2.0]])}   # errors (3, -5), (0, 4): MSE 12.5
    comb = combine(backtests, means, paths, actual, n_paths=200, seed=1, cutoff=np.inf, method="median")
    np.testing.assert_allclose(comb.mean, [2.0, 3.0, 3.0])          # horizon-wise medians
    np.testing.assert_allclose(comb.errors, [[1.0, -1.0], [0.0, 0.0]])  # actual - median backtest
    assert comb.weights == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})
    np.testing.assert_allclose(comb.paths.mean(axis=0), comb.mean, atol=1e-9)
    # c's MSE (12.5) is beyond 4 x the best (0.5): the median is that of a and b, i.e. their mean
    cut = combine(backtests, means, paths, actual, n_paths=200, seed=1, cutoff=4.0, method="median")
    np.testing.assert_allclose(cut.mean, [2.0, 2.5, 6.5])
    assert cut.weights["c"] == 0.0
    with pytest.raises(ValueError, match="median"):
        combine(backtests, means, paths, actual, n_paths=10, seed=1, method="mode")


def test_blend_combination_by_hand():
    # the same three candidates as above; shrink 1: inverse-MSE weights 1/0.5 : 1/2 : 1/12.5 = 2 : 0.5 : 0.08
    means = {"a": np.array([1.0, 2.0, 10.0]), "b": np.array([3.0, 3.0, 3.0]), "c": np.array([2.0, 5.0, 0.0])}
    paths = {k: v[None, :] + np.random.default_rng(0).standard_normal((50, 3)) for k, v in means.items()}
    actual = np.array([[4.0, 4.0], [6.0, 6.0]])
    backtests = {"a": np.array([[3.0, 5.0], [6.0, 6.0]]), "b": np.array([[4.0, 4.0], [8.0, 8.0]]),
                 "c": np.array([[1.0, 9.0], [6.0, 2.0]])}
    w = np.array([2.0, 0.5, 0.08]) / 2.58
    comb = combine(backtests, means, paths, actual, n_paths=200, seed=1, cutoff=np.inf, shrink=1.0, method="blend")
    weighted = w[0] * means["a"] + w[1] * means["b"] + w[2] * means["c"]
    np.testing.assert_allclose(comb.mean, 0.5 * (weighted + np.array([2.0, 3.0, 3.0])))
    # its backtest errors are those of the same blend of the candidates' backtests
    bt_weighted = w[0] * backtests["a"] + w[1] * backtests["b"] + w[2] * backtests["c"]
    bt_median = np.array([[3.0, 5.0], [6.0, 6.0]])
    np.testing.assert_allclose(comb.errors, actual - 0.5 * (bt_weighted + bt_median))
    assert comb.weights == pytest.approx(dict(zip("abc", w, strict=True)))  # the weighted mean's, for the shapes
    np.testing.assert_allclose(comb.paths.mean(axis=0), comb.mean, atol=1e-9)


def test_power_profile_and_shrinkage_by_hand():
    # errors +-k at horizon k: sigma_k = k exactly (sigma_1 = 1, beta = 1)
    e = np.array([[1.0, -2.0, 3.0], [-1.0, 2.0, -3.0]])
    s1, beta = fit_power_profile(e)
    assert (s1, beta) == pytest.approx((1.0, 1.0))
    # prior 2 everywhere with strength 2 against 2 origins: sigma_k^2 = (2 k^2 + 2 * 4) / 4
    sig = calibrate_sigma(e, 4, np.full(4, 2.0), prior_strength=2.0)
    np.testing.assert_allclose(sig, np.sqrt((2 * np.arange(1, 5) ** 2 + 8) / 4))
    np.testing.assert_allclose(calibrate_sigma(None, 3, np.ones(3), inflate=1.5), 1.5)


def test_calibrated_paths_have_the_mean_and_spread_asked_for():
    rng = np.random.default_rng(1)
    shapes = {"a": np.cumsum(rng.standard_normal((300, 5)), axis=1), "b": np.zeros((300, 5))}  # b: no spread
    mean, sigma = np.arange(5.0), np.array([1.0, 2.0, 0.5, 3.0, 4.0])
    p = calibrated_paths(mean, sigma, shapes, {"a": 0.7, "b": 0.3}, n_paths=400, seed=3)
    np.testing.assert_allclose(p.mean(axis=0), mean, atol=1e-9)
    np.testing.assert_allclose(p.std(axis=0), sigma, rtol=1e-9)
    # random-walk shapes keep a strong positive correlation between neighbouring horizons
    assert np.corrcoef(p[:, 3], p[:, 4])[0, 1] > 0.5
    np.testing.assert_array_equal(p, calibrated_paths(mean, sigma, shapes, {"a": 0.7, "b": 0.3}, 400, 3))


def test_plan_backtest_shrinks_with_the_series():
    cfg = AutoConfig()
    assert plan_backtest(144, 18, 12, cfg) == (18, 3, 6)
    assert plan_backtest(45, 18, 12, cfg) == (18, 3, 1)    # 45 - 18 - 25 = 2 spare points: step 1
    assert plan_backtest(43, 18, 12, cfg) == (18, 1, 6)
    assert plan_backtest(13, 6, 12, cfg) is None


# -- fallbacks --------------------------------------------------------------------------------------------
def test_failing_models_are_dropped_with_reasons(standins):
    cfg = AutoConfig(models=("snaive", "boom", "nans", "drift"))
    res = run_series(seasonal(60), 6, season_length=12, n_paths=50, config=cfg)
    assert set(res.weights) == {"snaive", "drift"}
    assert sum(res.weights.values()) == pytest.approx(1.0)
    assert res.dropped["boom"] == "ModelError: boom on purpose"
    assert "non-finite" in res.dropped["nans"]
    assert "fallback_snaive" not in res.flags


def test_slow_model_is_dropped(standins):
    cfg = AutoConfig(models=("slow", "snaive"), fit_budget=0.01)
    res = run_series(seasonal(60), 6, season_length=12, n_paths=50, config=cfg)
    assert list(res.weights) == ["snaive"]
    assert res.dropped["slow"].startswith("TimeoutError: one fit took")


def test_everything_failing_falls_back_to_seasonal_naive(standins):
    y = seasonal(40)
    res = run_series(y, 14, season_length=12, n_paths=50, config=AutoConfig(models=("boom", "nans")))
    assert "fallback_snaive" in res.flags
    assert res.weights == {"snaive_fallback": 1.0}
    assert set(res.dropped) == {"boom", "nans"}
    # the last season repeated: y[28:40] then y[28:30]
    np.testing.assert_allclose(res.mean, np.r_[y[28:40], y[28:30]])
    assert np.all(np.isfinite(res.paths))


def test_unknown_method_is_refused():
    with pytest.raises(DataError, match="unknown model 'nope'"):
        forecast_series(seasonal(30), 3, method="nope")


# -- real models on awkward series ---------------------------------------------------------------------
def test_constant_series():
    res = forecast_series([5.0] * 40, 6, season_length=12, n_paths=100)
    np.testing.assert_allclose(res.mean, 5.0, atol=1e-6)
    np.testing.assert_allclose(res.quantiles((0.1, 0.9)), 5.0, atol=1e-4)
    assert sum(res.weights.values()) == pytest.approx(1.0)


def test_thirteen_points():
    y = seasonal(13)
    res = forecast_series(y, 6, season_length=12, n_paths=100)
    assert "no_backtest" in res.flags
    assert res.paths.shape == (100, 6) and np.all(np.isfinite(res.paths))
    assert sum(res.weights.values()) == pytest.approx(1.0)
    q = res.quantiles((0.1, 0.5, 0.9))
    assert np.all(q[0] < q[2])                     # some spread even without a backtest


def test_collapse_like_2020():
    # 8 years of 11 periods; in year 3 (2020) Jan-Feb and March fall by 30 % and 15 %, then recover
    y = seasonal(88, m=11, seed=2)
    y[22] *= 0.70
    y[23] *= 0.85
    res = forecast_series(y, 11, season_length=11, n_paths=200, seed=1)
    assert np.all(np.isfinite(res.paths))
    assert sum(res.weights.values()) == pytest.approx(1.0)
    # the collapse is long past: the forecast stays within the last year's range +- 20 %
    assert np.all((res.mean > 0.8 * y[-11:].min()) & (res.mean < 1.2 * y[-11:].max()))
    q = res.quantiles((0.1, 0.5, 0.9))
    assert np.all(np.diff(q, axis=0) >= 0)


@pytest.mark.slow
def test_calibration_out_of_sample_coverage():
    """Seasonal AR(1) with known noise: the 80 % intervals cover 70-90 % of unseen values."""
    rng = np.random.default_rng(7)
    n, m = 420, 12
    e = np.zeros(n)
    for t in range(1, n):
        e[t] = 0.6 * e[t - 1] + rng.standard_normal()
    y = 100 + 8 * np.sin(2 * np.pi * np.arange(n) / m) + e
    cfg = AutoConfig(models=("snaive", "theta"), n_origins=4, step=3)
    hits = []
    for t in range(120, n - 6 + 1, 6):                 # 50 origins with disjoint 6-period windows
        res = run_series(y[:t], 6, season_length=m, n_paths=400, seed=t, config=cfg)
        lo, hi = res.quantiles((0.1, 0.9))
        hits.append((y[t : t + 6] >= lo) & (y[t : t + 6] <= hi))
    cov = float(np.mean(hits))
    assert 0.7 <= cov <= 0.9, cov


# -- the public function ---------------------------------------------------------------------------------
def test_result_describes_the_final_fit_of_each_kept_model():
    import json

    y = seasonal(60)
    fc = run_series(y, 6, season_length=12, n_paths=50, config=AutoConfig(models=("theta", "snaive")))
    assert set(fc.models) == {m for m, w in fc.weights.items() if w > 0} == {"theta", "snaive"}
    # the description is that of the fit on the whole series, not of a backtest refit
    assert fc.models["theta"] == MODELS["theta"](season_length=12).fit(y).to_dict()
    assert json.loads(json.dumps(fc.models)) == fc.models


def test_forecast_series_signature_and_outputs(standins):
    sig = inspect.signature(forecast_series)
    assert [(p.name, p.kind.name, p.default) for p in sig.parameters.values()] == [
        ("y", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("h", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("season_length", "KEYWORD_ONLY", 12),
        ("method", "KEYWORD_ONLY", "auto"),
        ("n_paths", "KEYWORD_ONLY", 1000),
        ("seed", "KEYWORD_ONLY", 0),
    ]
    y = pd.Series(seasonal(48, m=4), index=pd.period_range("2014-01", periods=48, freq="M"))
    res = forecast_series(y, 5, season_length=4, method="snaive", n_paths=300, seed=4)
    assert res.mean.shape == (5,) and res.paths.shape == (300, 5)
    np.testing.assert_allclose(res.mean, np.r_[y.to_numpy()[-4:], y.to_numpy()[-4]])
    np.testing.assert_allclose(res.paths.mean(axis=0), res.mean)
    q = res.quantiles((0.1, 0.5, 0.9))
    assert q.shape == (3, 5) and np.all(q[0] <= q[1]) and np.all(q[1] <= q[2])
    assert res.weights == {"snaive": 1.0} and res.dropped == {} and res.method == "snaive"
    with pytest.raises(ValueError):
        res.paths[0, 0] = 1.0                           # read-only
    with pytest.raises(DataError, match="probabilities"):
        res.quantiles((10, 90))


def test_same_seed_same_paths(standins):
    y = seasonal(60)
    cfg = AutoConfig(models=("snaive", "drift", "theta"))
    a = run_series(y, 8, season_length=12, n_paths=200, seed=11, config=cfg)
    b = run_series(y, 8, season_length=12, n_paths=200, seed=11, config=cfg)
    c = run_series(y, 8, season_length=12, n_paths=200, seed=12, config=cfg)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert a.weights == b.weights
    assert not np.array_equal(a.paths, c.paths)


# -- panel ---------------------------------------------------------------------------------------------
def _panel():
    periods = [p for y in range(2018, 2027) for p in pd.period_range(f"{y}-02", f"{y}-12", freq="M")]
    periods = [p for p in periods if p <= pd.Period("2026-10", "M")]
    rows = []
    for k, region in enumerate(["dalian", "liaoning", "shenyang"]):
        v = seasonal(len(periods), m=11, seed=k) * (1 + k)
        if region == "shenyang":
            v[:] = np.nan                                       # nothing usable: must not sink the panel
        if region == "dalian":
            v[30] = np.nan                                      # one gap inside the series
        rows.append(pd.DataFrame({"region": region, "indicator": "retail", "period": pd.PeriodIndex(periods),
                                  "value": v}))
    return pd.concat(rows, ignore_index=True)


def test_future_periods_skip_january():
    got = [str(p) for p in future_periods(pd.Period("2026-10", "M"), 4, 11)]
    assert got == ["2026-11", "2026-12", "2027-02", "2027-03"]


@pytest.mark.slow
def test_panel_isolates_failures_and_is_identical_across_workers():
    panel = _panel()
    before = panel.copy()
    cfg = AutoConfig(models=("snaive", "theta"))
    one = forecast_panel(panel, n_paths=100, seed=5, workers=1, config=cfg)
    two = forecast_panel(panel, n_paths=100, seed=5, workers=2, config=cfg)
    pd.testing.assert_frame_equal(panel, before)
    assert list(one) == [("dalian", "retail"), ("liaoning", "retail"), ("shenyang", "retail")]
    lia = one[("liaoning", "retail")]
    # last period 2026-10 (season 9): 2 more periods this year + 11 next year = 13, ending 2027-12
    assert lia.paths.shape == (100, 13) and str(lia.periods[0]) == "2026-11" and str(lia.periods[-1]) == "2027-12"
    assert str(lia.last_period) == "2026-10"
    assert set(lia.metrics) >= {"mase", "smape", "coverage80", "growth_error_pp"}
    assert np.isfinite(lia.metrics["growth_error_pp"])
    assert "filled_gaps:1" in one[("dalian", "retail")].flags
    assert one[("shenyang", "retail")].flags[0].startswith("failed: DataError")
    for key in one:
        np.testing.assert_array_equal(one[key].paths, two[key].paths)
        assert one[key].weights == two[key].weights
    # seeds depend on (seed, region, indicator), not on the other series in the panel
    alone = forecast_panel(panel[panel["region"] == "liaoning"], n_paths=100, seed=5, config=cfg)
    np.testing.assert_array_equal(alone[("liaoning", "retail")].paths, lia.paths)
