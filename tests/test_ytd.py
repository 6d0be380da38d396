"""YTD arithmetic: seasons, YTD ↔ flows, comparable base, chained index, panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.data.errors import DataError
from forecast.data.panel import build_panel, series_flows
from forecast.data.schema import PANEL_COLUMNS as PANEL_FRAME_COLUMNS
from forecast.data.ytd import (
    chained_index,
    comparable_base,
    flows_to_ytd,
    season_of,
    season_periods,
    ytd_to_flows,
)


def _grid_index(first_year: int, n_years: int, ppy: int) -> pd.PeriodIndex:
    return pd.PeriodIndex([p for y in range(first_year, first_year + n_years) for p in season_periods(y, ppy)])


def _obs(rows: list[tuple]) -> pd.DataFrame:
    """Observations from (region, indicator, period, ytd_value, ytd_yoy[, vintage]) tuples."""
    rows = [r if len(r) == 6 else (*r, "") for r in rows]
    df = pd.DataFrame(rows, columns=["region", "indicator", "period", "ytd_value", "ytd_yoy", "vintage"])
    return df.assign(
        period=pd.PeriodIndex(df["period"], freq="M"),
        ytd_value=df["ytd_value"].astype(float),
        ytd_yoy=df["ytd_yoy"].astype(float),
    )


# ---------------------------------------------------------------- seasons


def test_seasons_of_the_11_period_year():
    assert [season_of(p) for p in ["2025-02", "2025-03", "2025-07", "2025-12"]] == [1, 2, 6, 11]
    assert [str(p) for p in season_periods(2025)] == [f"2025-{m:02d}" for m in range(2, 13)]


def test_seasons_of_the_12_period_year_are_months():
    assert [season_of(f"2025-{m:02d}", 12) for m in range(1, 13)] == list(range(1, 13))
    assert len(season_periods(2025, 12)) == 12


def test_january_is_an_error_in_11_period_mode():
    with pytest.raises(DataError, match="Jan–Feb"):
        season_of("2025-01")
    jan = pd.Series([1.0, 2.0], index=pd.PeriodIndex(["2025-01", "2025-02"], freq="M"))
    with pytest.raises(DataError, match="2025-01"):
        ytd_to_flows(jan)


def test_unsupported_mode_and_bad_index_are_errors():
    with pytest.raises(DataError, match="periods_per_year"):
        season_periods(2025, 4)
    with pytest.raises(DataError, match="PeriodIndex"):
        ytd_to_flows(pd.Series([1.0, 2.0]))


# ---------------------------------------------------------------- YTD <-> flows


def test_ytd_to_flows_by_hand():
    # YTD Jan–Feb 10, Mar 15, Apr 21, (May missing), Jun 40; next year Jan–Feb 12.
    idx = pd.PeriodIndex(["2025-02", "2025-03", "2025-04", "2025-06", "2026-02"], freq="M")
    ytd = pd.Series([10.0, 15.0, 21.0, 40.0, 12.0], index=idx)
    flows = ytd_to_flows(ytd)
    # 10; 15-10 = 5; 21-15 = 6; June: May missing -> NaN; Jan–Feb of a new year = its YTD 12
    np.testing.assert_array_equal(flows.to_numpy(), [10.0, 5.0, 6.0, np.nan, 12.0])
    assert ytd.tolist() == [10.0, 15.0, 21.0, 40.0, 12.0]  # input untouched


def test_flows_to_ytd_by_hand_and_nan_propagates_within_the_year():
    idx = pd.PeriodIndex(["2024-12", "2025-02", "2025-03", "2025-04", "2025-05"], freq="M")
    flows = pd.Series([7.0, 10.0, np.nan, 6.0, 1.0], index=idx)
    ytd = flows_to_ytd(flows)
    # Dec 2024 alone: Jan–Feb..Nov 2024 unknown -> NaN; 2025: 10, then NaN from the missing March on
    np.testing.assert_array_equal(ytd.to_numpy(), [np.nan, 10.0, np.nan, np.nan, np.nan])


def test_12_period_flows_by_hand():
    idx = pd.period_range("2025-01", periods=3, freq="M")
    ytd = pd.Series([3.0, 7.0, 12.0], index=idx)
    assert ytd_to_flows(ytd, 12).tolist() == [3.0, 4.0, 5.0]  # 3; 7-3; 12-7


_flow_values = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    ppy=st.sampled_from([11, 12]),
    first_year=st.integers(1990, 2040),
    data=st.data(),
)
def test_flows_ytd_round_trips(ppy, first_year, data):
    n_years = data.draw(st.integers(1, 4))
    idx = _grid_index(first_year, n_years, ppy)
    vals = data.draw(st.lists(_flow_values, min_size=len(idx), max_size=len(idx)))
    flows = pd.Series(vals, index=idx)
    ytd = flows_to_ytd(flows, ppy)
    np.testing.assert_allclose(ytd_to_flows(ytd, ppy).to_numpy(), vals, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(flows_to_ytd(ytd_to_flows(ytd, ppy), ppy).to_numpy(), ytd.to_numpy(), atol=1e-6)
    # the last YTD of each year is the sum of that year's flows
    for y in range(first_year, first_year + n_years):
        in_year = flows[flows.index.year == y]
        assert ytd[pd.Period(f"{y}-12", "M")] == pytest.approx(in_year.sum(), abs=1e-6)


# ---------------------------------------------------------------- comparable base


def test_comparable_base_from_published_liaoning_retail_2018():
    # Liaoning retail Jan–Mar 2018: YTD 3461.9 亿元, +7.8 % -> base 3461.9 / 1.078 = 3211.4100...
    assert comparable_base(3461.9, 7.8) == pytest.approx(3211.41002, abs=1e-4)
    # Jan–Sep 2018: 10460.4 亿元, +7.4 % -> 10460.4 / 1.074 = 9739.6648...
    assert comparable_base(10460.4, 7.4) == pytest.approx(9739.66480, abs=1e-4)


def test_comparable_base_kinds_and_errors():
    s = comparable_base(pd.Series([110.0, np.nan]), pd.Series([10.0, 5.0]))
    assert isinstance(s, pd.Series) and s.iloc[0] == pytest.approx(100.0) and np.isnan(s.iloc[1])
    arr = comparable_base(np.array([90.0]), np.array([-10.0]))
    assert arr[0] == pytest.approx(100.0)  # 90 / 0.9
    with pytest.raises(DataError, match="-100"):
        comparable_base(50.0, -100.0)


@settings(max_examples=100, deadline=None)
@given(
    v=st.floats(min_value=1e-3, max_value=1e6),
    g=st.floats(min_value=-99.0, max_value=500.0),
)
def test_comparable_base_round_trip(v, g):
    b = comparable_base(v, g)
    assert b * (1 + g / 100) == pytest.approx(v, rel=1e-12)
    assert (v / b - 1) * 100 == pytest.approx(g, rel=1e-9, abs=1e-9)


# ---------------------------------------------------------------- chained index


def test_chained_index_default_profile_by_hand():
    # No anchor: the year before the first year with growth has equal flows summing to 100,
    # i.e. YTD_s(2023) = 100·s/11. 2024 growth 10 % everywhere, 2025 growth -5 % everywhere.
    idx = _grid_index(2024, 2, 11)
    g = pd.Series([10.0] * 11 + [-5.0] * 11, index=idx)
    ix = chained_index(g)
    # Jan–Feb 2024 = 100/11 · 1.10 = 10.0; Dec 2024 = 100 · 1.10 = 110
    assert ix[pd.Period("2024-02", "M")] == pytest.approx(10.0)
    assert ix[pd.Period("2024-12", "M")] == pytest.approx(110.0)
    # Dec 2025 = 110 · 0.95 = 104.5; Jan–Feb 2025 = 10 · 0.95 = 9.5
    assert ix[pd.Period("2025-12", "M")] == pytest.approx(104.5)
    assert ix[pd.Period("2025-02", "M")] == pytest.approx(9.5)


def test_chained_index_on_published_liaoning_fai():
    # Liaoning FAI: 2017 level 6445 亿元 (annual), growth 2018 +3.7 %, 2024 +5.3 %, 2025 -19.0 %.
    g = pd.Series([3.7], index=pd.PeriodIndex(["2018-12"], freq="M"))
    lv = pd.Series([6445.0], index=pd.PeriodIndex(["2017-12"], freq="M"))
    ix = chained_index(g, anchor=lv)
    assert ix[pd.Period("2017-12", "M")] == 6445.0  # the anchor level is kept
    assert ix[pd.Period("2018-12", "M")] == pytest.approx(6445 * 1.037)  # = 6683.465
    # without anchor: Dec 2023 = 100, Dec 2024 = 105.3, Dec 2025 = 105.3 · 0.81 = 85.293
    g2 = pd.Series([5.3, -19.0], index=pd.PeriodIndex(["2024-12", "2025-12"], freq="M"))
    assert chained_index(g2).tolist() == pytest.approx([105.3, 85.293])


def test_chained_index_missing_month_leaves_nan_and_keeps_the_chain():
    idx = _grid_index(2020, 4, 11)
    g = pd.Series(10.0, index=idx)
    full = chained_index(g)
    gap = g.copy()
    gap[pd.Period("2021-05", "M")] = np.nan
    with_gap = chained_index(gap)
    assert np.isnan(with_gap[pd.Period("2021-05", "M")])
    # the gap is bridged with growth interpolated from April and June 2021 (both 10 %), so every
    # other period, including May 2022 and May 2023, is unchanged
    others = with_gap.index != pd.Period("2021-05", "M")
    np.testing.assert_allclose(with_gap[others].to_numpy(), full[others].to_numpy(), rtol=1e-12)


def test_chained_index_partial_anchor_year_is_filled_with_equal_flows():
    # 11 periods; 2024 levels known for Mar (season 2) = 30 and Jun (season 5) = 90 only.
    # Profile: Jan–Feb = 15 (equal flows from 0 to 30), Apr 50, May 70 (30 -> 90 in 3 equal steps),
    # after June at the average flow 90/5 = 18: Dec (season 11) = 18·11 = 198.
    idx = _grid_index(2025, 1, 11)
    g = pd.Series(0.0, index=idx)
    lv = pd.Series([30.0, 90.0], index=pd.PeriodIndex(["2024-03", "2024-06"], freq="M"))
    ix = chained_index(g, anchor=lv)
    expect = {"2025-02": 15.0, "2025-03": 30.0, "2025-04": 50.0, "2025-05": 70.0, "2025-06": 90.0, "2025-12": 198.0}
    for p, v in expect.items():
        assert ix[pd.Period(p, "M")] == pytest.approx(v)


_growth = st.floats(min_value=-60.0, max_value=80.0, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(ppy=st.sampled_from([11, 12]), data=st.data())
def test_chained_index_growth_equals_input_growth(ppy, data):
    n_years = data.draw(st.integers(2, 4))
    idx = _grid_index(2015, n_years, ppy)
    g = pd.Series(data.draw(st.lists(_growth, min_size=len(idx), max_size=len(idx))), index=idx)
    ix = chained_index(g, ppy)
    prev = ix.reindex(idx - 12).to_numpy()
    later = idx.year > 2015
    np.testing.assert_allclose((ix.to_numpy()[later] / prev[later] - 1) * 100, g.to_numpy()[later], atol=1e-8)
    # first year: against the default profile 100·s/P
    first = ~later
    base = 100.0 * np.arange(1, ppy + 1) / ppy
    np.testing.assert_allclose((ix.to_numpy()[first] / base - 1) * 100, g.to_numpy()[first], atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(ppy=st.sampled_from([11, 12]), data=st.data())
def test_chained_index_reproduces_the_levels_it_was_computed_from(ppy, data):
    n_years = data.draw(st.integers(2, 5))
    idx = _grid_index(2010, n_years, ppy)
    flows = data.draw(st.lists(st.floats(1.0, 1e4), min_size=len(idx), max_size=len(idx)))
    levels = flows_to_ytd(pd.Series(flows, index=idx), ppy)
    growth = ((levels / levels.reindex(idx - 12).to_numpy() - 1) * 100).dropna()  # years 2011..
    ix = chained_index(growth, ppy, anchor=levels)
    assert ix.index.equals(idx)
    np.testing.assert_allclose(ix.to_numpy(), levels.to_numpy(), rtol=1e-9)


# ---------------------------------------------------------------- panel


def test_panel_from_published_liaoning_retail_2023():
    # Liaoning retail 2023: Jan–Mar 2343.4 亿元 (+6.5 %), Jan–Apr 3108.6 亿元 (+10.7 %).
    obs = _obs([
        ("liaoning", "retail", "2023-03", 2343.4, 6.5),
        ("liaoning", "retail", "2023-04", 3108.6, 10.7),
    ])
    panel = build_panel(obs)
    assert list(panel.columns) == PANEL_FRAME_COLUMNS
    assert panel["season"].tolist() == [2, 3] and panel["year"].tolist() == [2023, 2023]
    mar, apr = panel.iloc[0], panel.iloc[1]
    assert np.isnan(mar["value"])  # Jan–Feb 2023 not given: March flow unknown
    assert apr["value"] == pytest.approx(765.2)  # 3108.6 - 2343.4
    # bases: 3108.6/1.107 = 2808.13008, 2343.4/1.065 = 2200.37559; April 2022 base = 607.75449
    assert apr["ytd_base"] == pytest.approx(2808.13008, abs=1e-4)
    assert mar["ytd_base"] == pytest.approx(2200.37559, abs=1e-4)
    assert apr["base"] == pytest.approx(607.75449, abs=1e-4)
    # April 2023 alone grew 765.2 / 607.75449 - 1 = 25.9 % (April 2022 was a lockdown month)
    assert apr["value"] / apr["base"] - 1 == pytest.approx(0.25906, abs=1e-4)
    assert not panel["is_index"].any()
    assert series_flows(panel, "liaoning", "retail").index.equals(pd.PeriodIndex(["2023-03", "2023-04"], freq="M"))


def test_panel_grid_fills_gaps_and_keeps_the_latest_vintage():
    obs = _obs([
        ("dalian", "trade", "2025-02", 101.0, 6.0, "2025-04-25"),  # revision: wins though listed first
        ("dalian", "trade", "2025-02", 100.0, 5.0, "2025-03-20"),
        ("dalian", "trade", "2025-04", 160.0, 4.0, "2025-05-20"),
    ])
    panel = build_panel(obs)
    assert [str(p) for p in panel["period"]] == ["2025-02", "2025-03", "2025-04"]
    assert panel["ytd_value"].iloc[0] == 101.0
    assert panel["base"].iloc[0] == pytest.approx(101 / 1.06)
    assert np.isnan(panel["value"].iloc[1]) and np.isnan(panel["value"].iloc[2])  # March missing
    assert len(obs) == 3 and obs["ytd_value"].tolist() == [101.0, 100.0, 160.0]  # input untouched


def test_panel_growth_only_indicator_is_a_chained_index():
    # fai without levels: default profile, so each 2024 period flow = 100/11 · 1.10 = 10.0
    idx = _grid_index(2024, 1, 11)
    obs = _obs([("liaoning", "fai", str(p), np.nan, 10.0) for p in idx])
    panel = build_panel(obs)
    assert panel["is_index"].all()
    np.testing.assert_allclose(panel["value"].to_numpy(), 10.0)
    np.testing.assert_allclose(panel["base"].to_numpy(), 100 / 11)  # base flows of the profile year
    assert panel["ytd_value"].iloc[-1] == pytest.approx(110.0)


def test_panel_levels_missing_in_some_years_uses_the_anchored_chain():
    # retail: 2024 levels complete (anchor), 2025 growth only at 5 % -> 2025 levels = 1.05 · 2024
    idx24, idx25 = _grid_index(2024, 1, 11), _grid_index(2025, 1, 11)
    lv24 = np.cumsum(np.arange(1, 12, dtype=float))  # flows 1..11
    rows = [("shenyang", "retail", str(p), v, 3.0) for p, v in zip(idx24, lv24, strict=True)]
    rows += [("shenyang", "retail", str(p), np.nan, 5.0) for p in idx25]
    panel = build_panel(_obs(rows))
    y24, y25 = panel[panel["year"] == 2024], panel[panel["year"] == 2025]
    assert not y24["is_index"].any() and y25["is_index"].all()
    np.testing.assert_allclose(y25["ytd_value"].to_numpy(), 1.05 * lv24)
    np.testing.assert_allclose(y25["value"].to_numpy(), 1.05 * np.arange(1, 12))
    np.testing.assert_allclose(y25["base"].to_numpy(), np.arange(1, 12))  # last year's flows


def test_panel_rejects_january_and_impossible_growth_with_every_problem():
    obs = _obs([
        ("liaoning", "retail", "2025-01", 1.0, 1.0),
        ("liaoning", "retail", "2025-03", 2.0, -100.0),
    ])
    with pytest.raises(DataError) as err:
        build_panel(obs)
    assert len(err.value.problems) == 2
    # in 12-period mode January is fine, growth still is not
    with pytest.raises(DataError) as err12:
        build_panel(obs, periods_per_year=12)
    assert len(err12.value.problems) == 1


def test_panel_12_period_mode_and_missing_series():
    obs = _obs([("liaoning", "exports", f"2025-{m:02d}", 10.0 * m, 0.0) for m in (1, 2, 3)])
    panel = build_panel(obs, periods_per_year=12)
    assert panel["season"].tolist() == [1, 2, 3]
    assert series_flows(panel, "liaoning", "exports").tolist() == [10.0, 10.0, 10.0]
    with pytest.raises(DataError, match="liaoning/exports"):
        series_flows(panel, "dalian", "exports")


def test_empty_observations_give_an_empty_panel_with_the_panel_columns():
    from forecast.data.schema import empty_observations

    panel = build_panel(empty_observations())
    assert len(panel) == 0 and list(panel.columns) == PANEL_FRAME_COLUMNS
    assert isinstance(panel["period"].dtype, pd.PeriodDtype) and panel["is_index"].dtype == bool
