"""Province target split over cities, contributions and carriage shares, worked by hand.

The panel: retail, province `liaoning` and two cities `shenyang` (A) and `dalian` (B), 2025 Jan–Jun.

| region | 2024 Jun | 2024 Dec | 2025 Jun (growth)   | B_t | B_12 | remaining base |
|--------|----------|----------|---------------------|-----|------|----------------|
| A      | 200      | 500      | 210 (+5 %)          | 200 | 500  | 300            |
| B      | 100      | 250      | 108 (+8 %)          | 100 | 250  | 150            |
| P      | 320      | 800      | 336 (+5 %)          | 320 | 800  | 480            |
| D=P−ΣC | 20       | 50       | 18                  | 20  | 50   | 30             |

All ratios B_t/V_t(2024) are 1, so B_12 = December 2024. Last year's discrepancy share: 50/800 = 6.25 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from common import FakeForecast, series
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.data.errors import DataError
from forecast.decisions.inversion import carriage_shares, contributions, invert_province_target


def panel(city_b_growth=8.0):
    vb = 100 * (1 + city_b_growth / 100)
    vp = 336.0 - 108.0 + vb
    return pd.concat([
        series("shenyang", "retail", {"2024-06": (200.0, 0.0), "2024-12": (500.0, 0.0), "2025-06": (210.0, 5.0)}),
        series("dalian", "retail", {"2024-06": (100.0, 0.0), "2024-12": (250.0, 0.0), "2025-06": (vb, city_b_growth)}),
        series("liaoning", "retail", {"2024-06": (320.0, 0.0), "2024-12": (800.0, 0.0),
                                      "2025-06": (vp, (vp / 320 - 1) * 100)}),
    ], ignore_index=True)


JUL_DEC = pd.period_range("2025-07", "2025-12", freq="M")


def fc(region, totals):
    """Paths spreading each remaining total evenly over Jul–Dec."""
    paths = np.repeat(np.asarray(totals, dtype=float)[:, None] / 6, 6, axis=1)
    return FakeForecast(region, "retail", pd.Period("2025-06", "M"), JUL_DEC, paths)


def by_region(out):
    return out.set_index("region")


def check_reproduces_province(out, target):
    """Cities + discrepancy give the province's full-year level (1 + T)·B_P,12 and the remaining flow."""
    o = by_region(out)
    parts = o.loc[o["role"] != "province"]
    prov = o.loc["liaoning"]
    assert parts["full_year_level"].sum() == pytest.approx((1 + target / 100) * 800.0, abs=1e-9)
    assert prov["full_year_growth"] == pytest.approx(target, abs=1e-9)
    assert parts["remaining_share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert parts["remaining_flow"].sum() == pytest.approx(prov["remaining_flow"], abs=1e-9)


# -- inversion --------------------------------------------------------------------------------------------
def test_equal_pp_by_hand():
    # T = 7 %: L_P = 1.07 × 800 = 856; discrepancy held at 6.25 % ⇒ L_D = 53.5; cities need 802.5 in all,
    # i.e. remaining flows F = 802.5 − (210 + 108) = 484.5. Baselines (no forecast) = YTD growth 5 %, 8 %:
    # Σ(1 + b)·RB = 1.05·300 + 1.08·150 = 315 + 162 = 477 ⇒ shortfall 7.5 ⇒ x = 7.5/450 = 1.6667 百分点.
    out = invert_province_target(panel(), 7.0, indicator="retail", rule="equal_pp")
    o = by_region(out)
    assert list(out["role"]) == ["city", "city", "discrepancy", "province"]
    assert o.loc["shenyang", "extra_pp"] == pytest.approx(100 * 7.5 / 450)
    assert o.loc["dalian", "extra_pp"] == pytest.approx(100 * 7.5 / 450)
    assert o.loc["shenyang", "required_growth"] == pytest.approx(5 + 100 * 7.5 / 450)   # 6.6667 %
    assert o.loc["dalian", "required_growth"] == pytest.approx(8 + 100 * 7.5 / 450)     # 9.6667 %
    # A: F = 1.066667·300 = 320 ⇒ L = 530 ⇒ 530/500 − 1 = 6 %; B: F = 1.096667·150 = 164.5 ⇒ 272.5/250 = 9 %
    assert o.loc["shenyang", "full_year_growth"] == pytest.approx(6.0)
    assert o.loc["dalian", "full_year_growth"] == pytest.approx(9.0)
    # shares of the province's remaining flow 856 − 336 = 520: 320/520, 164.5/520, (53.5 − 18)/520
    assert o.loc["shenyang", "remaining_share"] == pytest.approx(320 / 520)
    assert o.loc["dalian", "remaining_share"] == pytest.approx(164.5 / 520)
    assert o.loc["discrepancy", "remaining_share"] == pytest.approx(35.5 / 520)
    # the discrepancy grows at T on its own last-year level: 53.5/50 − 1 = 7 %
    assert o.loc["discrepancy", "full_year_growth"] == pytest.approx(7.0)
    assert "6.2500%" in o.loc["discrepancy", "note"] and "last year" in o.loc["discrepancy", "note"]
    # province: R = 856 − 336 = 520 over its remaining base 480 ⇒ 8.3333 %
    assert o.loc["liaoning", "required_growth"] == pytest.approx(100 * (520 / 480 - 1))
    check_reproduces_province(out, 7.0)


def test_proportional_gap_by_hand():
    # Uniform pace r_u = F/ΣRB − 1 = 484.5/450 − 1 = 7.6667 %. Gaps: A 7.6667 − 5 = 2.6667 百分点; B is ahead
    # (8 %) ⇒ 0. k = shortfall/Σ w·RB = 7.5/(0.026667·300) = 7.5/8 = 0.9375 ⇒ A adds 2.5 百分点, B nothing.
    out = invert_province_target(panel(), 7.0, indicator="retail", rule="proportional_gap")
    o = by_region(out)
    assert o.loc["shenyang", "extra_pp"] == pytest.approx(2.5)
    assert o.loc["dalian", "extra_pp"] == pytest.approx(0.0, abs=1e-12)
    assert o.loc["shenyang", "required_growth"] == pytest.approx(7.5)
    assert o.loc["dalian", "required_growth"] == pytest.approx(8.0)
    # A: 1.075·300 = 322.5 ⇒ 532.5/500 − 1 = 6.5 %; B: 1.08·150 = 162 ⇒ 270/250 − 1 = 8 %
    assert o.loc["shenyang", "full_year_growth"] == pytest.approx(6.5)
    assert o.loc["dalian", "full_year_growth"] == pytest.approx(8.0)
    check_reproduces_province(out, 7.0)


def test_proportional_gap_with_city_targets_and_with_slack():
    # City targets A 8 %, B 6 %: A's pace = (1.08·500 − 210)/300 − 1 = 10 %, gap 5 百分点; B's pace
    # (1.06·250 − 108)/150 − 1 = 4.6667 % < 8 % ⇒ no gap. k = 7.5/(0.05·300) = 0.5 ⇒ A adds 2.5 百分点.
    out = invert_province_target(panel(), 7.0, indicator="retail", rule="proportional_gap",
                                 city_targets={"shenyang": 8.0, "dalian": 6.0})
    assert by_region(out).loc["shenyang", "extra_pp"] == pytest.approx(2.5)
    check_reproduces_province(out, 7.0)
    # T = 5 %: F = (0.9375·840) − 318 = 787.5 − 318 = 469.5 < 477 ⇒ slack −7.5. r_u = 469.5/450 − 1 = 4.3333 %;
    # leads over it: A 0.6667, B 3.6667 百分点; Σ lead·RB = 2 + 5.5 = 7.5 ⇒ k = −1: both fall back to 4.3333 %.
    slack = by_region(invert_province_target(panel(), 5.0, indicator="retail", rule="proportional_gap"))
    assert slack.loc["shenyang", "required_growth"] == pytest.approx(100 * (469.5 / 450 - 1))
    assert slack.loc["dalian", "required_growth"] == pytest.approx(100 * (469.5 / 450 - 1))
    assert slack.loc["dalian", "extra_pp"] == pytest.approx(-(8 - 100 * (469.5 / 450 - 1)))


def test_inversion_with_forecasts_uses_medians():
    # Medians of remaining totals: A 321 (b = 321/300 − 1 = 7 %), B 159 (b = 6 %), province 504.
    # Projected discrepancy share = 1 − (531 + 267)/(336 + 504) = 1 − 798/840 = 5 %.
    # T = 7 %: L_P = 856, L_D = 42.8, cities need 813.2 ⇒ F = 495.2; Σ(1+b)RB = 321 + 159 = 480
    # ⇒ x = 15.2/450 = 3.3778 百分点.
    run = {
        ("shenyang", "retail"): fc("shenyang", [300.0, 321.0, 340.0]),
        ("dalian", "retail"): fc("dalian", [150.0, 159.0, 170.0]),
        ("liaoning", "retail"): fc("liaoning", [480.0, 504.0, 530.0]),
    }
    target = {"region": "liaoning", "indicator": "retail", "year": 2025, "value": 7.0, "kind": "about"}
    out = invert_province_target(panel(), target, forecasts=run)
    o = by_region(out)
    assert o.loc["shenyang", "baseline_growth"] == pytest.approx(7.0)
    assert o.loc["dalian", "baseline_growth"] == pytest.approx(6.0)
    assert o.loc["shenyang", "extra_pp"] == pytest.approx(100 * 15.2 / 450)
    assert o.loc["discrepancy", "full_year_level"] == pytest.approx(42.8)
    assert "projected" in o.loc["discrepancy", "note"]
    check_reproduces_province(out, 7.0)


@settings(max_examples=40, deadline=None)
@given(target=st.floats(-10.0, 20.0), growth_b=st.floats(-20.0, 30.0),
       rule=st.sampled_from(["equal_pp", "proportional_gap"]))
def test_cities_and_discrepancy_always_reproduce_the_province(target, growth_b, rule):
    out = invert_province_target(panel(growth_b), target, indicator="retail", rule=rule)
    check_reproduces_province(out, target)


def test_inversion_refuses_what_it_cannot_do():
    with pytest.raises(DataError, match="rule"):
        invert_province_target(panel(), 7.0, indicator="retail", rule="magic")
    decided = pd.concat([panel(), series("liaoning", "retail", {"2025-12": (850.0, 6.25)})], ignore_index=True)
    with pytest.raises(DataError, match="decided"):
        invert_province_target(decided, 7.0, indicator="retail")
    fai = pd.concat([series(r, "fai", {"2024-06": (1.0, 1.0), "2024-12": (2.0, 1.0), "2025-06": (1.1, 10.0)},
                            is_index=True) for r in ("liaoning", "shenyang")], ignore_index=True)
    with pytest.raises(DataError, match="chained growth index"):
        invert_province_target(fai, 5.0, indicator="fai")
    with pytest.raises(DataError, match="indicator"):
        invert_province_target(panel(), 7.0)


# -- contributions ----------------------------------------------------------------------------------------
def test_contributions_ytd_by_hand_and_sum_to_province():
    # ÷ B_P,t = 320: A (210 − 200)/320 = 3.125; B (108 − 100)/320 = 2.5; D (18 − 20)/320 = −0.625 百分点;
    # sum 5.0 = the province's growth. 贡献率 = contribution/5: 0.625, 0.5, −0.125.
    out = contributions(panel(), indicator="retail")
    o = by_region(out)
    assert o.loc["shenyang", "ytd_contribution_pp"] == pytest.approx(3.125)
    assert o.loc["dalian", "ytd_contribution_pp"] == pytest.approx(2.5)
    assert o.loc["discrepancy", "ytd_contribution_pp"] == pytest.approx(-0.625)
    assert o.loc["liaoning", "ytd_contribution_pp"] == pytest.approx(5.0)
    parts = o.loc[o["role"] != "province", "ytd_contribution_pp"].sum()
    assert parts == pytest.approx(o.loc["liaoning", "ytd_growth"], abs=1e-12)
    assert o.loc["shenyang", "ytd_contribution_rate"] == pytest.approx(0.625)
    assert o["full_year_contribution_pp"].isna().all()      # no forecasts given


def test_contributions_full_year_from_medians():
    # ÷ B_P,12 = 800: A (210 + 321 − 500)/800 = 3.875; B (108 + 159 − 250)/800 = 2.125;
    # province (336 + 504 − 800)/800 = 5 %; discrepancy = 5 − 6 = −1 = (42 − 50)/800.
    run = [fc("shenyang", [300.0, 321.0, 340.0]), fc("dalian", [150.0, 159.0, 170.0]),
           fc("liaoning", [480.0, 504.0, 530.0])]
    o = by_region(contributions(panel(), run, indicator="retail"))
    assert o.loc["shenyang", "full_year_contribution_pp"] == pytest.approx(3.875)
    assert o.loc["dalian", "full_year_contribution_pp"] == pytest.approx(2.125)
    assert o.loc["discrepancy", "full_year_contribution_pp"] == pytest.approx(-1.0)
    assert o.loc["liaoning", "full_year_growth"] == pytest.approx(5.0)
    parts = o.loc[o["role"] != "province", "full_year_contribution_pp"].sum()
    assert parts == pytest.approx(5.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(50.0, 500.0), st.floats(-30.0, 40.0)), min_size=1, max_size=14),
       st.floats(-50.0, 50.0))
def test_contributions_sum_exactly_for_any_cities(cities, disc):
    from forecast.data.catalog import CITIES

    frames, v_sum, b_sum = [], 0.0, 0.0
    for (v, g), name in zip(cities, CITIES, strict=False):
        frames.append(series(name, "retail", {"2025-06": (v, g)}))
        v_sum, b_sum = v_sum + v, b_sum + v / (1 + g / 100)
    vp = v_sum + disc
    frames.append(series("liaoning", "retail", {"2025-06": (vp, (vp / b_sum - 1) * 100)}))
    o = contributions(pd.concat(frames, ignore_index=True), indicator="retail")
    if vp == 0:  # the province fell by 100 %: no base to share out (hypothesis found this edge)
        assert np.isnan(o.loc[o["role"] == "province", "ytd_base"].iloc[0])
        assert "-100 %" in o.loc[o["role"] == "province", "note"].iloc[0]
        return
    parts = o.loc[o["role"] != "province", "ytd_contribution_pp"].sum()
    assert parts == pytest.approx(o.loc[o["role"] == "province", "ytd_growth"].iloc[0], abs=1e-9)


def test_contributions_of_a_province_down_100_percent_have_no_base():
    # one city 50 at 0 %, province level 0 at -100 %: the base 0 / (1 - 1) is undefined -> NaN, noted
    frames = [series("shenyang", "retail", {"2025-06": (50.0, 0.0)}), series("liaoning", "retail", {"2025-06": (0.0, -100.0)})]
    o = contributions(pd.concat(frames, ignore_index=True), indicator="retail").set_index("region")
    assert np.isnan(o.loc["liaoning", "ytd_base"]) and "-100 %" in o.loc["liaoning", "note"]
    assert o.loc["shenyang", "ytd_base"] == pytest.approx(50.0)


# -- carriage shares --------------------------------------------------------------------------------------
def test_carriage_shares_exclude_growth_only_fai():
    # retail change 336 − 320 = 16; trade 220 at +10 % ⇒ base 200, change 20 (its July release is ignored:
    # the latest common period is June). Shares 16/36 and 20/36; fai (chained index) excluded.
    p = pd.concat([
        panel(),
        series("liaoning", "trade", {"2025-06": (220.0, 10.0), "2025-07": (260.0, 9.0)}),
        series("liaoning", "fai", {"2025-06": (95.0, -5.0)}, is_index=True),
    ], ignore_index=True)
    out = carriage_shares(p, "liaoning").set_index("indicator")
    assert out.loc["retail", "share"] == pytest.approx(16 / 36)
    assert out.loc["trade", "share"] == pytest.approx(20 / 36)
    assert out.loc["trade", "change"] == pytest.approx(20.0)
    assert str(out.loc["trade", "period"]) == "2025-06"
    assert not out.loc["fai", "included"] and np.isnan(out.loc["fai", "share"])
    assert "growth-only" in out.loc["fai", "note"]
