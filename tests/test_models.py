"""Model contract suite over every entry of MODELS, plus per-family behaviour with known answers.

The contract (base.Forecaster, STYLE.md): constructors store, ``fit`` learns and returns ``self``,
fitted state ends in ``_``, ``predict``/``sample_paths`` are finite, shaped and reproducible, inputs
are never mutated, and failures surface as ModelError.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from forecast.data.errors import DataError, ModelError, NotFittedError
from forecast.engine.models import MODELS, ProphetForecaster, _common, ets, prophet_model
from forecast.engine.models.sarimax import diff_polynomial, difference, integrate

NAMES = sorted(MODELS)
M = 4  # season length of the contract data (every test_params uses it)
H = 7  # crosses a season boundary


def _contract_data(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Trend + season-4 pattern + noise, and one pulse regressor that moves y by +3."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    x = (t % 9 == 4).astype(float)
    y = 20.0 + 0.3 * t + np.array([0.0, 4.0, -2.0, 1.0])[t % M] + 3.0 * x + rng.normal(0.0, 0.5, n)
    return y, x[:, None]


Y, X = _contract_data()
X_FUTURE = (np.arange(40, 40 + H) % 9 == 4).astype(float)[:, None]


def _make(name: str):
    cls = MODELS[name]
    return cls(**cls.test_params)


def _fit(name: str, y=Y, X=X):
    model = _make(name)
    return model.fit(y, X=X if model.uses_regressors else None)


def _xf(model, h: int = H):
    return X_FUTURE[:h] if model.uses_regressors else None


@pytest.fixture(scope="module")
def fitted() -> dict:
    """One fitted model per family on the contract data (read-only for the tests that use it)."""
    return {name: _fit(name) for name in NAMES}


# -- registry ------------------------------------------------------------------------------------------
def test_registry_holds_the_nine_families_under_their_own_names():
    assert set(MODELS) == {"naive", "snaive", "ets", "sarimax", "theta", "autoets", "ces", "dotm", "prophet"}
    for name, cls in MODELS.items():
        assert cls.name == name
        assert isinstance(cls.uses_regressors, bool)
        assert set(cls.test_params) <= set(cls._param_names())
    assert [n for n, c in MODELS.items() if c.uses_regressors] == ["sarimax", "prophet"]


# -- contract ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_and_adds_only_underscore_attributes(name):
    model = _make(name)
    params_before = model.get_params()
    before = set(vars(model))
    out = model.fit(Y, X=X if model.uses_regressors else None)
    assert out is model
    added = set(vars(model)) - before
    assert added and all(a.endswith("_") for a in added), sorted(added)
    assert model.get_params() == params_before  # fit never rewrites constructor arguments


@pytest.mark.parametrize("name", NAMES)
def test_asking_before_fit_raises_not_fitted(name):
    model = _make(name)
    with pytest.raises(NotFittedError):
        model.predict(3)
    with pytest.raises(NotFittedError):
        model.sample_paths(3, n_paths=5)
    with pytest.raises(NotFittedError):
        model.to_dict()


@pytest.mark.parametrize("name", NAMES)
def test_predict_has_length_h_and_is_finite(name, fitted):
    model = fitted[name]
    for h in (1, H):
        pred = model.predict(h, X=_xf(model, h))
        assert pred.shape == (h,)
        assert np.all(np.isfinite(pred))


@pytest.mark.parametrize("name", NAMES)
def test_sample_paths_are_shaped_finite_and_reproducible(name, fitted):
    model = fitted[name]
    a = model.sample_paths(H, n_paths=60, seed=1, X=_xf(model))
    b = model.sample_paths(H, n_paths=60, seed=1, X=_xf(model))
    c = model.sample_paths(H, n_paths=60, seed=2, X=_xf(model))
    assert a.shape == (60, H)
    assert np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", NAMES)
def test_sample_paths_scatter_around_the_point_forecast(name, fitted):
    # The paths are the model's own predictive distribution: their mean sits within half a standard
    # deviation of the point forecast at every step (a bias this large would show a mismatch).
    model = fitted[name]
    paths = model.sample_paths(H, n_paths=2000, seed=0, X=_xf(model))
    pred = model.predict(H, X=_xf(model))
    spread = paths.std(axis=0)
    assert np.all(spread > 0)
    assert np.all(np.abs(paths.mean(axis=0) - pred) <= 0.5 * spread)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["list", "array", "series"])
def test_inputs_are_not_mutated(name, kind):
    y = {"list": list(Y), "array": Y.copy(), "series": pd.Series(Y.copy())}[kind]
    x = pd.DataFrame({"sf": X[:, 0]}) if kind == "series" else X.copy()
    xf = X_FUTURE.copy()
    y_copy = y.copy()
    x_copy, xf_copy = x.copy(), xf.copy()
    model = _make(name)
    model.fit(y, X=x if model.uses_regressors else None)
    model.predict(3, X=xf[:3] if model.uses_regressors else None)
    model.sample_paths(3, n_paths=5, X=xf[:3] if model.uses_regressors else None)
    if kind == "series":
        pd.testing.assert_series_equal(y, y_copy)
        pd.testing.assert_frame_equal(x, x_copy)
    else:
        np.testing.assert_array_equal(np.asarray(y), np.asarray(y_copy))
        np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(xf, xf_copy)


@pytest.mark.parametrize("name", NAMES)
def test_clone_is_unfitted_with_equal_params(name, fitted):
    model = fitted[name]
    twin = model.clone()
    assert type(twin) is type(model)
    assert twin.get_params() == model.get_params()
    assert not getattr(twin, "is_fitted_", False)
    with pytest.raises(NotFittedError):
        twin.predict(1)


@pytest.mark.parametrize("name", NAMES)
def test_constructor_stores_arguments_without_checking_them(name):
    cls = MODELS[name]
    sentinels = {p: object() for p in cls._param_names()}
    model = cls(**sentinels)
    for p, value in sentinels.items():
        assert getattr(model, p) is value


@pytest.mark.parametrize("name", NAMES)
def test_to_dict_is_json_safe_and_names_the_model(name, fitted):
    model = fitted[name]
    d = model.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["model"] == name
    assert d["params"] == model.get_params()


@pytest.mark.parametrize("name", [n for n in NAMES if not MODELS[n].uses_regressors])
def test_models_without_regressors_ignore_x(name, fitted):
    model = fitted[name]
    np.testing.assert_array_equal(model.predict(H), model.predict(H, X=X_FUTURE))
    again = _make(name).fit(Y, X=X)
    np.testing.assert_allclose(again.predict(H), model.predict(H))


@pytest.mark.parametrize("name", NAMES)
def test_constant_series_forecasts_the_constant(name):
    model = MODELS[name](season_length=M).fit(np.full(30, 7.0))
    np.testing.assert_allclose(model.predict(H), 7.0, rtol=1e-3)
    assert np.all(np.isfinite(model.sample_paths(H, n_paths=20)))


@pytest.mark.parametrize("name", NAMES)
def test_thirteen_monthly_points_are_enough_for_every_model(name):
    # 13 points < 2 seasons: seasonal families fall back to their non-seasonal forms.
    y = 100.0 + np.arange(13) + np.array([0.0, -8, 5, 3, 2, 1, 0, -1, 2, 4, -3, -5, 0])
    model = MODELS[name](season_length=12).fit(y)
    assert np.all(np.isfinite(model.predict(12)))
    assert np.all(np.isfinite(model.sample_paths(12, n_paths=20)))


@pytest.mark.parametrize("name", ["ets", "sarimax", "theta", "prophet"])
def test_two_points_raise_model_error(name):
    with pytest.raises(ModelError):
        MODELS[name](season_length=12).fit([1.0, 2.0])


@pytest.mark.parametrize("name", ["ets", "sarimax", "theta", "prophet"])
def test_a_failed_refit_leaves_the_model_unfitted(name):
    model = _fit(name)
    with pytest.raises(ModelError):
        model.fit([1.0, 2.0])
    with pytest.raises(NotFittedError):
        model.predict(1)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("where", ["middle", "last_but_one"])
def test_a_2020_style_collapse_does_not_blow_up(name, where):
    # Ten years of monthly data; one full season (12 consecutive months) at 30% of normal.
    t = np.arange(120)
    rng = np.random.default_rng(5)
    y = 100.0 + 0.5 * t + 10.0 * np.sin(2 * np.pi * t / 12) + rng.normal(0.0, 2.0, 120)
    start = 48 if where == "middle" else 96
    y[start : start + 12] *= 0.3
    model = MODELS[name](season_length=12).fit(y)
    pred = model.predict(12)
    assert np.all(np.isfinite(pred))
    assert np.all((pred > 0.2 * y.min()) & (pred < 2.0 * y.max()))
    paths = model.sample_paths(12, n_paths=200)
    assert np.all(np.isfinite(paths))
    assert np.abs(paths).max() <= _common.EXPLOSION_FACTOR * np.abs(y).max()


# -- naive and seasonal naive -------------------------------------------------------------------------
def test_seasonal_naive_repeats_the_last_season_exactly():
    # y = 1..8 with season 4: the last season is (5, 6, 7, 8); h = 6 wraps to (5, 6).
    model = MODELS["snaive"](season_length=4).fit([1.0, 2, 3, 4, 5, 6, 7, 8])
    np.testing.assert_array_equal(model.predict(6), [5.0, 6, 7, 8, 5, 6])
    assert model.fallback_ is False


def test_seasonal_naive_with_less_than_a_season_falls_back_to_naive():
    model = MODELS["snaive"](season_length=4).fit([3.0, 1.0, 2.0])
    np.testing.assert_array_equal(model.predict(3), [2.0, 2.0, 2.0])
    assert model.fallback_ is True


def test_naive_repeats_the_last_value():
    np.testing.assert_array_equal(MODELS["naive"]().fit([4.0, 9.0, 6.5]).predict(3), [6.5, 6.5, 6.5])


def test_seasonal_naive_paths_bootstrap_centred_seasonal_differences():
    # y[t] = t + pattern: every lag-4 difference is 4 except one outlier; centred residuals are
    # r - mean(r). Each path steps by one resampled residual per season: path[j] - last_season[j] for
    # j < 4 and path[j] - path[j - 4] for j >= 4 are all centred residuals.
    y = np.arange(24.0) + np.tile([0.0, 3, -1, 2], 6)
    y[13] += 5.0
    model = MODELS["snaive"](season_length=4).fit(y)
    resid = y[4:] - y[:-4]
    centred = set(np.round(resid - resid.mean(), 9))
    paths = model.sample_paths(8, n_paths=300, seed=3)
    steps = np.concatenate([paths[:, :4] - y[-4:], paths[:, 4:] - paths[:, :4]], axis=1)
    assert set(np.round(steps.ravel(), 9)) <= centred


def test_naive_gaussian_paths_grow_with_the_square_root_of_seasonal_steps():
    # Fewer than MIN_BOOTSTRAP residuals -> Gaussian; a season-3 walk has sd sigma * sqrt(k) at step
    # k = j // 3 + 1, so sd(step 4..6) / sd(step 1..3) = sqrt(2) (20,000 paths: ~1% sampling error).
    model = MODELS["snaive"](season_length=3).fit([1.0, 2.0, 3.0, 2.0, 4.0, 3.0, 1.0, 3.0])
    sd = model.sample_paths(6, n_paths=20_000, seed=0).std(axis=0)
    np.testing.assert_allclose(sd[3:] / sd[:3], np.sqrt(2.0), rtol=0.04)
    np.testing.assert_allclose(sd[:3], model.sigma_, rtol=0.04)


# -- ETS, SARIMAX, Theta, Prophet on series with known futures ------------------------------------------
PATTERN = np.array([0.0, -8, 5, 3, 2, 1, 0, -1, 2, 4, -3, -5])


def _seasonal_trend(n: int, slope: float = 0.5) -> np.ndarray:
    t = np.arange(n)
    return 100.0 + slope * t + PATTERN[t % 12]


@pytest.mark.parametrize(("name", "rtol"), [("sarimax", 1e-6), ("ets", 0.015), ("prophet", 0.005), ("autoets", 1e-6),
                                           ("ces", 0.01), ("dotm", 0.015)])
def test_noise_free_seasonal_trend_is_forecast_close_to_the_truth(name, rtol):
    # SARIMAX: (1 - L)(1 - L^12) y = 0 exactly, so the airline candidate reproduces the future exactly.
    # ETS: the best damped trend keeps phi <= 0.98, so after 12 steps it has added
    # 0.5 * (0.98 + ... + 0.98^12) = 5.2 instead of 6 (0.5% of ~150) -> 1.5% tolerance.
    # autoets: the undamped ETS(A,A,A) in its search set fits a noise-free line + season exactly.
    y = _seasonal_trend(96)
    truth = _seasonal_trend(108)[96:]
    pred = MODELS[name](season_length=12).fit(y).predict(12)
    np.testing.assert_allclose(pred, truth, rtol=rtol)


@pytest.mark.parametrize("name", ["ets", "sarimax", "theta", "prophet", "autoets", "dotm"])
def test_noise_free_seasonal_level_is_forecast_exactly(name):
    y = _seasonal_trend(96, slope=0.0)
    pred = MODELS[name](season_length=12).fit(y).predict(12)
    np.testing.assert_allclose(pred, 100.0 + PATTERN, rtol=1e-3)


def test_theta_adds_half_the_slope_to_the_last_value_on_a_line():
    # Theta with theta = 2 on y = 10 + 2t (t = 0..29): SES tracks the line (alpha -> 1), so the
    # forecast is y[29] + (2 / 2) * k = 68 + k, not the line's 68 + 2k (the method halves the trend).
    pred = MODELS["theta"](season_length=1).fit(10.0 + 2.0 * np.arange(30)).predict(5)
    np.testing.assert_allclose(pred, 68.0 + np.arange(1, 6), atol=1e-3)


def test_dynamic_optimised_theta_keeps_the_whole_slope_on_a_line():
    # Unlike the classic theta = 2 above, DOTM optimises the theta line's weight: on y = 10 + 2t it
    # continues the line, 70, 72, ..., 78.
    pred = MODELS["dotm"](season_length=1).fit(10.0 + 2.0 * np.arange(30)).predict(5)
    np.testing.assert_allclose(pred, 70.0 + 2.0 * np.arange(5), atol=0.05)


@pytest.mark.parametrize(("name", "key"), [("autoets", "method_"), ("ces", None), ("ets", "spec_")])
def test_structure_refits_the_chosen_form_without_searching(name, key):
    y = 100.0 + _seasonal_trend(96) + np.random.default_rng(3).normal(0.0, 1.0, 96)
    full = MODELS[name](season_length=12).fit(y)
    fixed = full.structure()
    assert fixed, "a self-selecting family names its choice"
    again = MODELS[name](season_length=12, **fixed).fit(y[:80])
    assert again.structure() in ({}, fixed)
    if key:
        assert getattr(again, key) == getattr(full, key)
    else:
        assert again.to_dict()["fitted"]["seasontype"] == full.to_dict()["fitted"]["seasontype"]


def test_compiled_families_raise_model_error_without_statsforecast(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "statsforecast.models", None)  # import now fails
    with pytest.raises(ModelError, match="statsforecast is not available"):
        MODELS["dotm"](season_length=4).fit(Y)


@pytest.mark.parametrize("name", ["sarimax", "prophet"])
def test_regressor_effect_carries_into_the_forecast(name):
    # y moves by +3 when x = 1 (contract data); switching x on at step 3 only changes step 3, by the
    # estimated coefficient (~3; noise sd 0.5 over 5 pulses).
    model = _fit(name)
    off = np.zeros((6, 1))
    on = off.copy()
    on[2] = 1.0
    diff = model.predict(6, X=on) - model.predict(6, X=off)
    np.testing.assert_allclose(np.delete(diff, 2), 0.0, atol=1e-8)
    assert 2.0 < diff[2] < 4.0


@pytest.mark.parametrize("name", ["sarimax", "prophet"])
def test_regressor_models_need_future_x_with_matching_shape(name, fitted):
    model = fitted[name]
    with pytest.raises(DataError, match="pass X"):
        model.predict(3)
    with pytest.raises(DataError, match="rows"):
        model.predict(3, X=X_FUTURE)


def test_sarimax_differencing_round_trips():
    y = np.random.default_rng(2).normal(size=30).cumsum()
    poly = diff_polynomial(1, 1, 4)  # (1 - L)(1 - L^4) = 1 - L - L^4 + L^5
    np.testing.assert_array_equal(poly, [1.0, -1, 0, 0, -1, 1])
    w = difference(y, poly)
    assert w.shape == (25,)
    np.testing.assert_allclose(integrate(w[-6:], y[:-6], poly), y[-6:], atol=1e-9)


def test_ets_checks_its_candidates():
    with pytest.raises(DataError, match="unknown ETS candidate"):
        MODELS["ets"](season_length=4, candidates=["XYZ"]).fit(Y)
    with pytest.raises(ModelError, match="multiplicative needs positive data"):
        MODELS["ets"](season_length=4, candidates=["MNM"]).fit(Y - 100.0)


def test_ets_rejects_an_exploding_candidate_and_uses_the_next(monkeypatch):
    real = ets.check_forecast

    def explode_for_aada(values, bound, model):
        if model == "ets AAdA":
            raise ModelError("exploded (test)")
        return real(values, bound, model)

    monkeypatch.setattr(ets, "check_forecast", explode_for_aada)
    model = MODELS["ets"](season_length=4, candidates=["AAdA", "ANA"]).fit(Y)
    assert model.spec_ == "ANA"
    assert "AAdA" in model.rejected_
    monkeypatch.setattr(ets, "check_forecast", lambda v, b, m: (_ for _ in ()).throw(ModelError("x")))
    with pytest.raises(ModelError, match="every ETS candidate failed"):
        MODELS["ets"](season_length=4, candidates=["AAdA", "ANA"]).fit(Y)


# -- guard rails ---------------------------------------------------------------------------------------
def test_check_forecast_rejects_non_finite_and_exploding_values():
    # bound for history max |y| = 4 is 10 * 4 = 40
    bound = _common.explosion_bound(np.array([1.0, -4.0]))
    assert bound == 40.0
    np.testing.assert_array_equal(_common.check_forecast([39.0, -40.0], bound, "m"), [39.0, -40.0])
    with pytest.raises(ModelError, match="beyond"):
        _common.check_forecast([41.0], bound, "m")
    with pytest.raises(ModelError, match="non-finite"):
        _common.check_forecast([np.nan], bound, "m")


def test_guard_paths_replaces_only_bad_paths_or_all_when_too_many():
    mean = np.zeros(3)
    paths = np.random.default_rng(0).normal(size=(100, 3))
    bad = paths.copy()
    bad[7, 1], bad[9, 0] = np.inf, 1e6  # 2% of the paths
    out = _common.guard_paths(bad, mean, 50.0, 1.0, seed=0, model="m")
    assert np.all(np.isfinite(out)) and np.abs(out).max() < 50.0
    keep = np.setdiff1d(np.arange(100), [7, 9])
    np.testing.assert_array_equal(out[keep], paths[keep])
    worse = paths.copy()
    worse[:10, 0] = np.nan  # 10% > MAX_BAD_PATH_SHARE: every path is redrawn
    out = _common.guard_paths(worse, mean, 50.0, 1.0, seed=0, model="m")
    assert np.all(np.isfinite(out)) and not np.any(out[10:] == paths[10:])


# -- Prophet unavailable or failing ---------------------------------------------------------------------
def test_prophet_import_failure_is_a_model_error_logged_once(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "prophet", None)  # makes `from prophet import ...` raise ImportError
    monkeypatch.setattr(prophet_model, "_warned", False)
    with caplog.at_level(logging.WARNING, logger="forecast.engine.models"):
        for _ in range(2):
            with pytest.raises(ModelError, match="prophet could not be imported"):
                ProphetForecaster(season_length=4).fit(Y)
    assert len([r for r in caplog.records if "prophet is unavailable" in r.getMessage()]) == 1


def test_prophet_backend_failure_is_a_model_error(monkeypatch):
    from prophet import Prophet

    def broken_fit(self, df, **kwargs):
        raise RuntimeError("stan backend crashed (test)")

    monkeypatch.setattr(Prophet, "fit", broken_fit)
    monkeypatch.setattr(prophet_model, "_warned", True)
    with pytest.raises(ModelError, match="stan backend crashed"):
        ProphetForecaster(season_length=4).fit(Y)


def test_prophet_retries_with_its_own_optimizer_settings(monkeypatch):
    from prophet import Prophet

    real_fit = Prophet.fit
    calls = []

    def fast_settings_fail(self, df, **kwargs):
        calls.append(sorted(kwargs))
        if "tol_rel_obj" in kwargs:
            raise RuntimeError("line search failed (test)")
        return real_fit(self, df, **kwargs)

    monkeypatch.setattr(Prophet, "fit", fast_settings_fail)
    model = ProphetForecaster(season_length=4).fit(Y)
    assert calls == [sorted(prophet_model.FAST_FIT), ["iter"]]
    assert np.all(np.isfinite(model.predict(3)))


def test_importing_the_registry_never_needs_prophet():
    code = (
        "import sys; sys.modules['prophet'] = None\n"
        "from forecast.engine.models import MODELS\n"
        "print(MODELS['snaive'](season_length=2).fit([1.0, 2.0, 3.0, 4.0]).predict(2))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[3. 4.]"
