"""Spring Festival dates from holidays.China and the monthly regressors built from them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecast.data.calendar import COLUMNS, REFERENCE_YEARS, spring_festival_dates, spring_festival_regressors
from forecast.data.errors import DataError


def _p(s: str) -> pd.Period:
    return pd.Period(s, "M")


def test_known_spring_festival_dates():
    assert spring_festival_dates([2024, 2025, 2026]) == {
        2024: dt.date(2024, 2, 10),
        2025: dt.date(2025, 1, 29),  # 2025-01-28 is New Year's Eve, not the festival's first day
        2026: dt.date(2026, 2, 17),
    }


def test_every_festival_2010_2030_lies_between_21_jan_and_20_feb():
    dates = spring_festival_dates(range(2010, 2031))
    assert sorted(dates) == list(range(2010, 2031))
    for year, day in dates.items():
        assert dt.date(year, 1, 21) <= day <= dt.date(year, 2, 20), (year, day)


def test_year_outside_holidays_range_is_an_error():
    with pytest.raises(DataError, match="2150"):
        spring_festival_dates([2025, 2150])


def test_late_festival_puts_more_of_the_window_in_march():
    # window = New Year's day - 7 .. + 14 (22 days).
    # 2025 (29 Jan): 22 Jan .. 12 Feb -> 0 days in March; 2026 (17 Feb): 10 Feb .. 3 Mar -> 3 days.
    x = spring_festival_regressors(pd.PeriodIndex(["2025-03", "2026-03"], freq="M"))
    assert x.loc[_p("2026-03"), "sf_mar"] - x.loc[_p("2025-03"), "sf_mar"] == pytest.approx(3 / 22)
    assert x.loc[_p("2026-03"), "sf_mar"] > x.loc[_p("2025-03"), "sf_mar"]


def test_12_period_columns_by_hand():
    # 2025 window 22 Jan .. 12 Feb: 10 days in January, 12 in February.
    # 2024 (10 Feb) window 3 Feb .. 24 Feb: all 22 days in February.
    idx = pd.PeriodIndex(["2024-01", "2024-02", "2025-01", "2025-02"], freq="M")
    x = spring_festival_regressors(idx, periods_per_year=12)
    assert list(x.columns) == COLUMNS[12]
    assert x.loc[_p("2025-01"), "sf_jan"] - x.loc[_p("2024-01"), "sf_jan"] == pytest.approx(10 / 22)
    assert x.loc[_p("2024-02"), "sf_feb"] - x.loc[_p("2025-02"), "sf_feb"] == pytest.approx(10 / 22)


def test_regressors_are_centred_on_the_reference_years_and_shift_between_seasons():
    for ppy in (11, 12):
        periods = pd.PeriodIndex([p for y in REFERENCE_YEARS for p in pd.period_range(f"{y}-02", f"{y}-12", freq="M")])
        if ppy == 12:
            periods = periods.append(pd.PeriodIndex([f"{y}-01" for y in REFERENCE_YEARS], freq="M"))
        x = spring_festival_regressors(periods, ppy)
        by_year = x.groupby(x.index.year).sum()
        # mean over the reference years is zero for every column
        np.testing.assert_allclose(by_year.mean().to_numpy(), 0.0, atol=1e-12)
        # the window's shares sum to one each year, so the centred columns cancel within a year
        np.testing.assert_allclose(by_year.sum(axis=1).to_numpy(), 0.0, atol=1e-12)
        # only the first seasons carry a value; April..December are zero
        assert (x[x.index.month > 3] == 0).all().all()
        # not constant: the festival's date matters
        assert x["sf_mar"].abs().max() > 0.1


def test_same_index_finite_deterministic_and_beyond_holidays_range():
    idx = pd.PeriodIndex(["2026-03", "2025-02", "2025-03", "2025-03", "2150-03", "1900-02", "2101-12"], freq="M")
    x = spring_festival_regressors(idx)
    assert x.index.equals(idx) and list(x.columns) == COLUMNS[11]
    assert np.isfinite(x.to_numpy()).all()
    pd.testing.assert_frame_equal(x, spring_festival_regressors(idx))
    # years without a date from holidays: the festival's usual effect, i.e. zeros
    assert (x.loc[[_p("2150-03"), _p("1900-02"), _p("2101-12")]] == 0).all().all()
    # 11 periods: Jan–Feb and March of a year move in opposite directions by the same amount
    assert x.loc[_p("2025-02"), "sf_janfeb"] == pytest.approx(-x.loc[_p("2025-03"), "sf_mar"].iloc[0])


def test_january_and_bad_input_are_errors():
    with pytest.raises(DataError, match="Jan–Feb"):
        spring_festival_regressors(pd.PeriodIndex(["2025-01"], freq="M"))
    with pytest.raises(DataError, match="PeriodIndex"):
        spring_festival_regressors(pd.DatetimeIndex(["2025-02-28"]))
