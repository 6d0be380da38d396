"""The global model (forecast/engine/models/global_gbm.py): window normalisation, training rows, fit and predict."""

from __future__ import annotations

import numpy as np
import pytest
from common import lightgbm_or_skip, positive_panel

from forecast.data.errors import DataError, ModelError, NotFittedError
from forecast.engine.models.global_gbm import GlobalGBM, training_rows, window_inputs


def _panel(n_series=24, n=84, seed=0):
    return positive_panel(n_series, n, seed)


def test_window_is_scale_free_and_level_is_the_last_season_mean():
    x = 100 + 10 * np.sin(np.arange(50) * np.pi / 6) + np.arange(50)
    w1, lvl1 = window_inputs(np.log(x), 36, 12)
    w2, lvl2 = window_inputs(np.log(7.5 * x), 36, 12)
    np.testing.assert_allclose(w1, w2, atol=1e-12)
    assert lvl2 - lvl1 == pytest.approx(np.log(7.5))
    assert lvl1 == pytest.approx(np.log(x[-12:]).mean())
    assert w1.shape == (36,) and w1[-12:].mean() == pytest.approx(0.0, abs=1e-12)


def test_short_window_is_padded_with_the_first_season_mean():
    logs = np.log(np.arange(1.0, 31.0))  # 30 values, 33 lags, 11-period year
    w, lvl = window_inputs(logs, 33, 11)
    np.testing.assert_allclose(w[:3] + lvl, logs[:11].mean())
    np.testing.assert_allclose(w[3:] + lvl, logs)


def test_training_rows_cover_the_last_origins_with_every_horizon():
    h = 6
    x = np.exp(np.linspace(0.0, 1.0, 80))
    X, y = training_rows([x], h, lags=36, season_length=12, n_windows=30)
    origins = range(80 - 30, 80 - h + 1)
    assert X.shape == (len(origins) * h, 37) and y.shape == (len(origins) * h,)
    np.testing.assert_array_equal(X[:h, -1], np.arange(h))  # the horizon input
    _, level = window_inputs(np.log(x[: 80 - h]), 36, 12)  # last row: origin 80 - h, horizon h - 1
    assert y[-1] == pytest.approx(np.log(x[-1]) - level)


def test_predict_before_fit_and_bad_horizons_raise_specific_errors():
    with pytest.raises(NotFittedError):
        GlobalGBM().predict([1.0, 2.0], 1)
    with pytest.raises(DataError):
        GlobalGBM().fit(_panel(2), h=0)


def test_fit_learns_a_shared_pattern_and_scales_with_each_series():
    lightgbm_or_skip()
    panel = _panel()
    train = [x[:-6] for x in panel]
    model = GlobalGBM(season_length=12, n_rounds=200, min_data_in_leaf=20).fit(train, h=6)
    assert model.skipped_ == [] and model.n_rows_ > 0
    errs = [np.mean(np.abs(model.predict(tr, 6) / x[-6:] - 1)) for tr, x in zip(train, panel, strict=True)]
    naive = [np.mean(np.abs(tr[-12:-6] / x[-6:] - 1)) for tr, x in zip(train, panel, strict=True)]
    assert np.mean(errs) < 0.03  # the pattern is learnt: a few per cent, noise is 1 %
    assert np.mean(errs) < np.mean(naive)
    # window normalisation: a series in other units gets the same forecast in those units
    np.testing.assert_allclose(model.predict(1000 * train[3], 6), 1000 * model.predict(train[3], 6), rtol=1e-9)


def test_fit_is_deterministic_and_skips_unusable_series():
    lightgbm_or_skip()
    panel = [x[:-6] for x in _panel(12)]
    bad = panel[2].copy()
    bad[10] = -1.0
    series = panel[:2] + [bad, panel[3][:20]] + panel[4:]
    a = GlobalGBM(season_length=12, n_rounds=30, min_data_in_leaf=20).fit(series, h=4)
    b = GlobalGBM(season_length=12, n_rounds=30, min_data_in_leaf=20).fit(series, h=4)
    assert a.skipped_ == [2, 3]  # a negative value; too short for 2 seasons + h
    np.testing.assert_array_equal(a.predict(panel[0], 4), b.predict(panel[0], 4))
    with pytest.raises(ModelError, match="positive"):
        a.predict(bad, 4)
    with pytest.raises(DataError, match="trained horizon"):
        a.predict(panel[0], 5)
    assert a.to_dict()["fitted"]["skipped_series"] == [2, 3]


def test_no_usable_series_is_a_model_error():
    lightgbm_or_skip()
    with pytest.raises(ModelError, match="no training windows"):
        GlobalGBM(season_length=12).fit([np.ones(10), -np.ones(50)], h=3)
