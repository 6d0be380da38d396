"""Backtest and metrics on hand-computed examples (the arithmetic is written out in the comments)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.data.errors import DataError, ModelError
from forecast.engine.evaluation import (
    backtest,
    backtest_origins,
    coverage,
    full_year_growth_error,
    growth_errors,
    interval_taus,
    mase,
    pinball,
    seasonal_naive_scale,
    smape,
    summarize_backtest,
)
from forecast.engine.models.naive import SeasonalNaiveForecaster


class TwoPointSNaive(SeasonalNaiveForecaster):
    """Seasonal naive whose paths are ``mean - 1`` (first half) and ``mean + 1`` (second half).

    With 1,000 paths, numpy's linear quantiles give q0.1 = mean - 1 and q0.9 = mean + 1 exactly.
    """

    def sample_paths(self, h, n_paths=1000, seed=0, X=None):
        mean = self.predict(h)
        sign = np.where(np.arange(n_paths) < n_paths // 2, -1.0, 1.0)
        return mean[None, :] + sign[:, None]


# y positions:     0  1  2  3  4  5  6  7
Y = np.array([1.0, 3, 2, 4, 3, 6, 5, 7])


def test_origins_are_counted_in_periods():
    # n=8, h=2, 2 origins one period apart: the last origin leaves exactly h=2 actuals -> [5, 6]
    assert backtest_origins(8, h=2, n_origins=2, step=1) == [5, 6]
    assert backtest_origins(24, h=11, n_origins=3, step=2) == [9, 11, 13]
    with pytest.raises(DataError, match="too short"):
        backtest_origins(8, h=6, n_origins=3, step=1, min_train=2)


def test_backtest_by_hand_snaive_two_origins():
    bt = backtest(Y, TwoPointSNaive(season_length=2), h=2, n_origins=2, season_length=2, level=(80,), n_paths=1000)
    # origin 5: trained on [1,3,2,4,3]; last season [4,3] -> forecasts 4, 3; actuals y[5:7] = 6, 5
    # origin 6: trained on [1,3,2,4,3,6]; last season [3,6] -> forecasts 3, 6; actuals y[6:8] = 5, 7
    assert bt["origin"].tolist() == [5, 5, 6, 6]
    assert bt["horizon"].tolist() == [1, 2, 1, 2]
    assert bt["target"].tolist() == [5, 6, 6, 7]
    assert bt["actual"].tolist() == [6, 5, 5, 7]
    assert bt["mean"].tolist() == [4, 3, 3, 6]
    np.testing.assert_allclose(bt["lo80"], bt["mean"] - 1)
    np.testing.assert_allclose(bt["hi80"], bt["mean"] + 1)

    m = summarize_backtest(bt, Y, season_length=2, level=80)
    # MASE, origin 5: scale = mean|y_t - y_{t-2}|, t=2..4 = (|2-1| + |4-3| + |3-2|)/3 = 1; MAE (2+2)/2 = 2 -> 2
    #       origin 6: scale = (1 + 1 + 1 + |6-4|)/4 = 1.25; MAE (|5-3| + |7-6|)/2 = 1.5 -> 1.2;  mean = 1.6
    assert m["mase"] == pytest.approx(1.6)
    # sMAPE terms 200|a-f|/(|a|+|f|): 400/10 = 40, 400/8 = 50, 400/8 = 50, 200/13 = 15.3846 -> mean 38.8462
    assert m["smape"] == pytest.approx((40 + 50 + 50 + 200 / 13) / 4)
    # errors a-f = 2, 2, 2, 1; interval f±1 holds only the last -> coverage 1/4
    assert m["coverage"] == pytest.approx(0.25)
    # pinball tau=0.1 at q=f-1: d = a-q = 3,3,3,2 -> 0.1*d mean = 0.275
    # pinball tau=0.9 at q=f+1: d = 1,1,1,0 -> 0.9*d mean = 0.675;   average of the two = 0.475
    assert m["pinball"] == pytest.approx(0.475)


def test_backtest_refits_and_does_not_touch_input():
    y = Y.copy()
    bt = backtest(pd.Series(y), SeasonalNaiveForecaster(season_length=2), h=1,
                  n_origins=3, season_length=2, level=())
    np.testing.assert_array_equal(y, Y)
    assert list(bt.columns) == ["origin", "horizon", "target", "actual", "mean"]
    # origin 5 -> y[3] = 4, origin 6 -> y[4] = 3, origin 7 -> y[5] = 6 (seasonal naive, lag 2)
    assert bt["mean"].tolist() == [4, 3, 6]


def test_backtest_names_failing_origin():
    class Boom(SeasonalNaiveForecaster):
        def fit(self, y, X=None):
            raise ValueError("no luck")

    with pytest.raises(ModelError, match="origin 5"):
        backtest(Y, Boom(season_length=2), h=2, n_origins=2, season_length=2, level=())


def test_point_metrics_by_hand():
    # scale of [1,2,4,7] with m=1: (1 + 2 + 3)/3 = 2; |a-f| = 1, 3 -> MAE 2 -> MASE 1
    assert mase([3.0, 5.0], [2.0, 8.0], [1.0, 2.0, 4.0, 7.0], season_length=1) == pytest.approx(1.0)
    # fewer than m+1 points: lag 1 is used
    assert seasonal_naive_scale([1.0, 3.0], season_length=12) == pytest.approx(2.0)
    assert np.isnan(mase([1.0], [2.0], [5.0, 5.0, 5.0], season_length=1))  # constant: zero scale
    assert smape([0.0, 100.0], [0.0, 100.0]) == 0.0
    assert smape([100.0], [0.0]) == pytest.approx(200.0)
    assert coverage([1.0, 2.0, 3.0], [1.0, 2.5, 0.0], [1.0, 3.0, 2.0]) == pytest.approx(1 / 3)
    # tau 0.5: half the absolute error
    assert pinball([1.0, 5.0], [2.0, 2.0], 0.5) == pytest.approx((0.5 + 1.5) / 2)
    assert interval_taus(80) == pytest.approx((0.1, 0.9))


# Full-year growth on an 11-period year.
# Last year: season 1 = 20, seasons 2..10 = 10 each, season 11 = 30 -> total 20 + 90 + 30 = 140.
# This year: 22, nine times 11, 33 -> total 22 + 99 + 33 = 154 -> actual growth 154/140 - 1 = 10 %.
LAST = [20.0] + [10.0] * 9 + [30.0]
THIS = [22.0] + [11.0] * 9 + [33.0]
SEASONS = list(range(1, 12)) * 2


def test_full_year_growth_error_by_hand():
    v = LAST + THIS
    # Origin after season 8 of this year: positions 11..18 known, ytd = 22 + 7*11 = 99; origin = 19.
    # Forecast of the remaining 3 periods: 10 + 10 + 30 = 50 (actual 11 + 11 + 33 = 55).
    # projected = (99 + 50)/140 - 1 = 6.428571 %, actual 10 % -> error = -3.571429 pp
    err = full_year_growth_error(v, SEASONS, 19, [10.0, 10.0, 30.0], periods_per_year=11)
    assert err == pytest.approx(100 * (149 / 140 - 154 / 140), abs=1e-12)
    assert err == pytest.approx(-3.571429, abs=1e-6)
    # extra forecasts past December are ignored
    assert full_year_growth_error(v, SEASONS, 19, [10.0, 10.0, 30.0, 99.0]) == pytest.approx(err)
    # origin after December of last year (origin 11): the whole year is forecast.
    # forecast = last year's flows + 14 spread on season 11 -> 154: growth exactly right -> 0 pp
    assert full_year_growth_error(v, SEASONS, 11, LAST[:-1] + [44.0]) == pytest.approx(0.0, abs=1e-12)
    # an explicit comparable base: (99 + 50)/149 - 1 = 0 vs 154/149 - 1 -> -5/149 = -3.355705 pp
    assert full_year_growth_error(v, SEASONS, 19, [10.0, 10.0, 30.0], base=149.0) == pytest.approx(-500 / 149)


def test_full_year_growth_error_missing_pieces():
    # no previous year -> no default base
    assert np.isnan(full_year_growth_error(THIS, SEASONS[:11], 5, [11.0] * 6))
    # this year's actuals stop before December -> unknown actual growth
    v = LAST + THIS[:9]
    assert np.isnan(full_year_growth_error(v, SEASONS[:20], 19, [10.0, 10.0, 30.0]))
    with pytest.raises(DataError, match="rest of the year needs 3"):
        full_year_growth_error(LAST + THIS, SEASONS, 19, [10.0])
    with pytest.raises(DataError, match="count 1, 2"):
        full_year_growth_error(LAST + THIS, SEASONS[:12] + SEASONS[13:] + [11], 19, [1.0] * 3)


def test_growth_errors_from_a_backtest_frame():
    v = np.array(LAST + THIS)
    # snaive on an 11-period year forecasts last year's flows: at origin 19 -> 10 + 10 + 30 = 50,
    # the same -3.571429 pp as above; at origin 18 (after season 7): 10*3 + 30 = 60 vs 11*3 + 33 = 66,
    # ytd 22 + 6*11 = 88 -> (88 + 60)/140 - 154/140 = -6/140 -> -4.285714 pp
    bt = backtest(v, SeasonalNaiveForecaster(season_length=11), h=4, n_origins=3, season_length=11, level=())
    assert sorted(bt["origin"].unique()) == [16, 17, 18]
    ge = growth_errors(bt, v, SEASONS, periods_per_year=11)
    # origins 16 and 17 need 6 and 5 periods to reach December: left out
    assert ge["origin"].tolist() == [18]
    assert ge["origin_season"].tolist() == [7]
    np.testing.assert_allclose(ge["error_pp"], [-600 / 140])
    bt19 = backtest(v, SeasonalNaiveForecaster(season_length=11), h=3, n_origins=1, season_length=11, level=())
    ge19 = growth_errors(bt19, v, SEASONS, periods_per_year=11)
    assert ge19["origin_season"].tolist() == [8]
    np.testing.assert_allclose(ge19["error_pp"], [-500 / 140])
