"""DESIGN §4 by hand: required growth, full-year base, evaluate_targets through the year, properties.

Every expected number is worked out in the comments next to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from common import FakeForecast
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.data.errors import DataError
from forecast.decisions.targets import (
    evaluate_targets,
    full_year_base,
    full_year_growth_paths,
    remaining_bases,
    required_growth,
    shift_paths_pp,
    target_status,
    ytd_position,
)

# -- fixtures built by hand -------------------------------------------------------------------------------


def make_series(region: str, indicator: str, points: dict[str, tuple[float, float]], is_index: bool = False):
    """Panel rows (build_panel's columns) from {period: (ytd_value, ytd_yoy)}; NaN growth allowed."""
    idx = pd.PeriodIndex(sorted(points), freq="M")
    v = np.array([points[str(p)][0] for p in idx], dtype=float)
    g = np.array([points[str(p)][1] for p in idx], dtype=float)
    ytd = pd.Series(v, index=idx)
    prev = ytd.reindex(idx - 1).to_numpy()
    flows = np.where(idx.month == 2, v, v - prev)
    base = v / (1 + g / 100)
    return pd.DataFrame({
        "region": region, "indicator": indicator, "period": idx, "year": idx.year.astype("int64"),
        "season": np.where(idx.month == 2, 1, idx.month - 1).astype("int64"),
        "ytd_value": v, "ytd_yoy": g, "ytd_base": base, "value": flows,
        "base": np.nan, "is_index": is_index,
    })


def targets_frame(*rows):
    return pd.DataFrame(
        [{"region": r, "indicator": i, "year": y, "value": v, "kind": k, "status": "published", "source": ""}
         for r, i, y, v, k in rows]
    )


def forecast_after(region, indicator, last, totals, n_periods):
    """Paths spreading each total evenly over the n_periods after `last` (11-period calendar)."""
    periods = []
    p = pd.Period(last, freq="M")
    while len(periods) < n_periods:
        p = p + 1
        if p.month == 1:
            continue  # Jan is released with Feb
        periods.append(p)
    paths = np.repeat(np.asarray(totals, dtype=float)[:, None] / n_periods, n_periods, axis=1)
    return FakeForecast(region, indicator, pd.Period(last, freq="M"), pd.PeriodIndex(periods, freq="M"), paths)


# YTD levels of 2024 (growth not needed for the arithmetic, set to 0): flows Jan–Feb 100, Mar 50, Apr 70,
# May 90, Jun 90, then 100 a month from July to December (Jun YTD 400, Dec YTD 1000).
LAST_YEAR = {
    "2024-02": (100.0, 0.0), "2024-03": (150.0, 0.0), "2024-04": (220.0, 0.0), "2024-05": (310.0, 0.0),
    "2024-06": (400.0, 0.0), "2024-07": (500.0, 0.0), "2024-08": (600.0, 0.0), "2024-09": (700.0, 0.0),
    "2024-10": (800.0, 0.0), "2024-11": (900.0, 0.0), "2024-12": (1000.0, 0.0),
}


def mid_year_series():
    # 2025 Jan–Jun: V_t = 441, published growth 5 % ⇒ B_t = 441/1.05 = 420.
    # Level ratio 441/400 − 1 = 10.25 % differs from the published 5 %: comparable basis.
    pts = dict(LAST_YEAR)
    pts.update({"2025-02": (105.0, 5.0), "2025-06": (441.0, 5.0)})
    return make_series("liaoning", "retail", pts)


# -- required_growth --------------------------------------------------------------------------------------
def test_required_growth_by_hand():
    # V=441, g=5 % ⇒ B_t = 420; B_12 = 1050; T = 6 %:
    # R = 1.06 × 1050 − 441 = 1113 − 441 = 672; remaining base 1050 − 420 = 630; 672/630 − 1 = 6.6667 %
    assert required_growth(441.0, 5.0, 1050.0, 6.0) == pytest.approx(100 * (672 / 630 - 1), abs=1e-12)
    assert required_growth(441.0, 5.0, 1050.0, 6.0) == pytest.approx(6.666666666667, abs=1e-9)
    # Jan–Feb −5 %: V=190 ⇒ B_t = 200; B_12 = 1000; T = 5 %: R = 1050 − 190 = 860; 860/800 − 1 = 7.5 %
    assert required_growth(190.0, -5.0, 1000.0, 5.0) == pytest.approx(7.5, abs=1e-12)
    # nothing released yet (V = 0): the remaining periods are the whole year, so the target itself
    assert required_growth(0.0, 0.0, 1000.0, 5.0) == pytest.approx(5.0, abs=1e-12)
    # target already reached without more flow: V=1100 (g=10 ⇒ B_t=1000) vs B_12=1010, T=5 %:
    # R = 1060.5 − 1100 = −39.5; −39.5/10 − 1 = −4.95 ⇒ −495 %
    assert required_growth(1100.0, 10.0, 1010.0, 5.0) == pytest.approx(-495.0, abs=1e-9)


def test_required_growth_no_period_left_is_nan():
    # December: B_t = 14142.8/1.067 = B_12 ⇒ nothing remains; documented NaN
    b12 = 14142.8 / 1.067
    assert np.isnan(required_growth(14142.8, 6.7, b12, 6.5))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((441.0, -100.0, 1050.0, 6.0), "-100"),
        ((441.0, 5.0, 0.0, 6.0), "not positive"),
        ((441.0, 5.0, -3.0, 6.0), "not positive"),
        ((441.0, 5.0, 400.0, 6.0), "negative base"),  # B_12 = 400 < B_t = 420
        ((np.nan, 5.0, 1050.0, 6.0), "non-finite"),
        ((441.0, 5.0, np.inf, 6.0), "non-finite"),
        ((-1.0, 5.0, 1050.0, 6.0), "negative"),
    ],
)
def test_required_growth_rejects_impossible_inputs(args, fragment):
    with pytest.raises(DataError, match=fragment):
        required_growth(*args)


# -- full_year_base ---------------------------------------------------------------------------------------
def test_full_year_base_scaled_by_comparability_ratio():
    # ratio at the latest release (Jun): B_t(2025)/V_t(2024) = 420/400 = 1.05; B_12 = 1000 × 1.05 = 1050
    s = mid_year_series()
    assert full_year_base(s, 2025) == pytest.approx(1050.0, abs=1e-9)
    pos = ytd_position(s, 2025)
    assert pos.base_method == "scaled_previous_year"
    assert pos.remaining_base == pytest.approx(630.0, abs=1e-9)  # 1050 − 420
    assert [str(p) for p in pos.remaining] == ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]


def test_full_year_base_published_liaoning_2018_retail():
    # Published: 2018 retail 14142.8 亿元, +6.7 %; 2017 13807 亿元. Level ratio 14142.8/13807 − 1 = 2.43 %,
    # but the comparable base is 14142.8/1.067 = 13254.73, not 13807.
    s = make_series("liaoning", "retail", {"2017-12": (13807.0, 2.9), "2018-12": (14142.8, 6.7)})
    assert 14142.8 / 13807 - 1 == pytest.approx(0.0243, abs=5e-5)
    assert full_year_base(s, 2018) == pytest.approx(13254.733, abs=1e-3)
    assert ytd_position(s, 2018).base_method == "december_release"


def test_full_year_base_fallbacks():
    # no 2026 release yet: last December's level unscaled
    s = mid_year_series()
    s26 = pd.concat([s, make_series("liaoning", "retail", {"2025-12": (1060.0, 6.0)})], ignore_index=True)
    assert full_year_base(s26, 2026) == 1060.0
    assert ytd_position(s26, 2026).base_method == "previous_year"
    # a 2025 release whose same month of 2024 is unknown falls back to an earlier month that has one
    pts = {"2024-02": (100.0, 0.0), "2024-12": (1000.0, 0.0), "2025-02": (102.0, 2.0), "2025-06": (441.0, 5.0)}
    # ratio from Jan–Feb: B = 102/1.02 = 100, V_2024 = 100 ⇒ 1.0 ⇒ B_12 = 1000
    assert full_year_base(make_series("liaoning", "retail", pts), 2025) == pytest.approx(1000.0)
    with pytest.raises(DataError, match="December 2024"):
        full_year_base(make_series("liaoning", "retail", {"2025-06": (441.0, 5.0)}), 2025)


def test_remaining_bases_split_like_last_year_and_sum_to_remaining_base():
    # 2024 flows Jul..Dec are 100 each (500, 600, …, 1000); remaining base 630 ⇒ 105 each
    bases = remaining_bases(mid_year_series(), 2025)
    assert bases.index.astype(str).tolist() == ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
    np.testing.assert_allclose(bases.to_numpy(), 105.0)


def test_base_effect_by_hand():
    from forecast.decisions.position import BASE_EFFECT_MIN, base_effect

    # June YTD / December YTD: 2021–2023 give the second half 60 %, 50 %, 70 % of the year (usual 60 %);
    # 2024 (LAST_YEAR) 1 − 400/1000 = 60 %: an ordinary base
    years = {"2021": (400.0, 1000.0), "2022": (500.0, 1000.0), "2023": (300.0, 1000.0)}
    pts = dict(LAST_YEAR)
    for y, (jun, dec) in years.items():
        pts.update({f"{y}-06": (jun, 0.0), f"{y}-12": (dec, 0.0)})
    pts.update({"2025-02": (105.0, 5.0), "2025-06": (441.0, 5.0)})
    effect = base_effect(make_series("liaoning", "retail", pts), 2025)
    assert effect.share == pytest.approx(60.0) and effect.usual == pytest.approx(60.0)
    assert effect.years == (2021, 2022, 2023) and effect.direction == "usual"
    assert [str(p) for p in effect.periods] == ["2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12"]
    # a 2024 December YTD of 800 instead of 1000: the second half was 1 − 400/800 = 50 % < 60 % × (1 − 0.15)
    pts["2024-12"] = (800.0, 0.0)
    low = base_effect(make_series("liaoning", "retail", pts), 2025)
    assert low.share == pytest.approx(50.0) and low.direction == "low"
    assert 1 - low.ratio > BASE_EFFECT_MIN
    # 1 − 400/1600 = 75 % ≥ 60 % × 1.15 = 69 %: a high base
    pts["2024-12"] = (1600.0, 0.0)
    assert base_effect(make_series("liaoning", "retail", pts), 2025).direction == "high"
    # nothing left to come, or a year before without its levels: no figure
    assert base_effect(make_series("liaoning", "retail", {**pts, "2025-12": (900.0, 5.0)}), 2025) is None
    del pts["2022-06"]
    assert base_effect(make_series("liaoning", "retail", pts), 2025) is None


def test_base_effect_of_bundled_fai_after_the_2025_fall():
    # Liaoning's fai fell 19.0 % in 2025 (JETRO; the bundled December figure) after −12.7 % to October:
    # November–December 2025 were a far smaller part of the year than in 2022–2024
    from forecast.data.files import load_bundled
    from forecast.data.panel import build_panel
    from forecast.decisions.position import base_effect

    panel = build_panel(load_bundled(), periods_per_year=11)
    rows = panel[(panel["region"] == "liaoning") & (panel["indicator"] == "fai")]
    effect = base_effect(rows, 2026)
    assert [str(p) for p in effect.periods] == ["2025-11", "2025-12"]
    assert effect.direction == "low" and effect.share < 0.85 * effect.usual
    retail = base_effect(panel[(panel["region"] == "liaoning") & (panel["indicator"] == "retail")], 2026)
    assert retail.direction == "usual"


def test_target_status_thresholds():
    assert [target_status(p) for p in (1.0, 0.7, 0.5, 0.3, 0.29, 0.0)] == [
        "on_track", "on_track", "at_risk", "at_risk", "off_track", "off_track"]
    assert target_status(0.55, thresholds=(0.9, 0.6)) == "off_track"
    with pytest.raises(DataError, match="thresholds"):
        target_status(0.5, thresholds=(0.3, 0.7))


# -- evaluate_targets through the year --------------------------------------------------------------------
def _one(panel, fc, target, kind="about", year=None):
    out = evaluate_targets(panel, {(fc.region, fc.indicator): fc} if fc else None,
                           targets_frame(("liaoning", "retail", year or 2025, target, kind)), year=year)
    assert len(out) == 1
    return out.iloc[0]


def test_mid_year():
    # V_t = 441, B_t = 420, B_12 = 1050. Four paths with remaining totals 651, 661.5, 672, 693:
    # full-year growth = (441 + total)/1050 − 1 = 1092/1050, 1102.5/1050, 1113/1050, 1134/1050 − 1
    #                  = 4 %, 5 %, 6 %, 8 %.
    fc = forecast_after("liaoning", "retail", "2025-06", [651.0, 661.5, 672.0, 693.0], 6)
    row = _one(mid_year_series(), fc, 6.0)
    assert row["periods_left"] == 6 and str(row["last_period"]) == "2025-06"
    assert row["ytd_growth"] == 5.0
    assert row["projected"] == pytest.approx(5.5)       # median of 4, 5, 6, 8 = (5 + 6)/2
    assert row["probability"] == 0.5                    # 6 % (met exactly) and 8 % are ≥ 6
    assert row["status"] == "at_risk"
    assert row["gap_pp"] == pytest.approx(-0.5)
    assert row["required_growth"] == pytest.approx(100 * (672 / 630 - 1))   # 6.6667 %
    # numpy linear quantiles of [4, 5, 6, 8]: p10 at position 0.3 ⇒ 4.3; p90 at 2.7 ⇒ 6 + 0.7×2 = 7.4;
    # p2.5 at 0.075 ⇒ 4.075; p97.5 at 2.925 ⇒ 6 + 0.925×2 = 7.85
    assert (row["p10"], row["p90"]) == (pytest.approx(4.3), pytest.approx(7.4))
    assert (row["p2_5"], row["p97_5"]) == (pytest.approx(4.075), pytest.approx(7.85))
    assert not row["decided"] and not row["derived_from_index"] and row["n_paths"] == 4
    assert row["kind"] == "about" and row["target_status"] == "published"


def test_after_jan_feb():
    # 2025 Jan–Feb: V = 190, −5 % ⇒ B_t = 200 = 2024 Jan–Feb level ⇒ ratio 1 ⇒ B_12 = 1000; 10 periods left.
    pts = {"2024-02": (200.0, 0.0), "2024-12": (1000.0, 0.0), "2025-02": (190.0, -5.0)}
    # totals 840, 860, 880 ⇒ (190 + x)/1000 − 1 = 3 %, 5 %, 7 %
    fc = forecast_after("liaoning", "retail", "2025-02", [840.0, 860.0, 880.0], 10)
    row = _one(make_series("liaoning", "retail", pts), fc, 5.0, kind="at_least")
    assert row["periods_left"] == 10
    assert row["required_growth"] == pytest.approx(7.5)   # (1050 − 190)/800 − 1
    assert row["projected"] == pytest.approx(5.0)
    assert row["probability"] == pytest.approx(2 / 3)
    assert row["status"] == "at_risk" and row["kind"] == "at_least"


def test_after_november():
    # 2025 Jan–Nov: V = 924, +5 % ⇒ B_t = 880 = 2024 Nov level ⇒ B_12 = 1000; one period (Dec) left.
    pts = {"2024-11": (880.0, 0.0), "2024-12": (1000.0, 0.0), "2025-11": (924.0, 5.0)}
    # December flows 120, 126, 132, 140 ⇒ full year 1044, 1050, 1056, 1064 ⇒ 4.4, 5.0, 5.6, 6.4 %
    fc = forecast_after("liaoning", "retail", "2025-11", [120.0, 126.0, 132.0, 140.0], 1)
    row = _one(make_series("liaoning", "retail", pts), fc, 6.0)
    assert row["periods_left"] == 1
    assert row["required_growth"] == pytest.approx(100 * (136 / 120 - 1))  # (1060 − 924)/120 − 1 = 13.33 %
    assert row["projected"] == pytest.approx(5.3)                          # (5.0 + 5.6)/2
    assert row["probability"] == 0.25 and row["status"] == "off_track"


def test_december_decided_with_published_2018_figures():
    s = make_series("liaoning", "retail", {"2017-12": (13807.0, 2.9), "2018-12": (14142.8, 6.7)})
    met = _one(s, None, 6.5, year=2018)   # no forecast needed once December is out
    assert met["decided"] and met["periods_left"] == 0
    assert met["projected"] == 6.7                                   # the published growth, not 2.43
    assert met["p2_5"] == met["p97_5"] == 6.7
    assert met["probability"] == 1.0 and met["status"] == "on_track"
    assert np.isnan(met["required_growth"])
    assert met["full_year_base"] == pytest.approx(13254.733, abs=1e-3)
    missed = _one(s, None, 7.0, year=2018)
    assert missed["probability"] == 0.0 and missed["status"] == "off_track"
    assert missed["gap_pp"] == pytest.approx(-0.3)
    assert "decided" in missed["note"]


def test_before_first_release_of_the_year():
    # year 2026, data to Dec 2025 (1060): the whole year remains; required growth = the target
    s = pd.concat([mid_year_series(), make_series("liaoning", "retail", {"2025-12": (1060.0, 6.0)})],
                  ignore_index=True)
    fc = forecast_after("liaoning", "retail", "2025-12", [1102.4, 1113.0, 1123.6], 11)
    row = _one(s, fc, 5.0, year=2026)
    assert row["periods_left"] == 11 and pd.isna(row["last_period"])
    assert row["required_growth"] == pytest.approx(5.0)
    # 1102.4/1060 − 1 = 4 %, 1113/1060 − 1 = 5 %, 1123.6/1060 − 1 = 6 %
    assert row["projected"] == pytest.approx(5.0) and row["probability"] == pytest.approx(2 / 3)


def test_growth_only_fai_runs_on_chained_index():
    from forecast.data.panel import build_panel

    # fai: growth only. 2024 every YTD +10 %; chained_index's default profile gives 2023 YTD_t = 100·t/11,
    # so 2024 YTD_t = 110·t/11 = 10·t (Dec = 110). 2025 Jan–Jun (season 5) −5 %: V = 50 × 0.95 = 47.5,
    # B_t = 50 = 2024 Jun ⇒ ratio 1 ⇒ B_12 = 110; remaining base 60.
    periods = [f"2024-{m:02d}" for m in range(2, 13)] + [f"2025-{m:02d}" for m in range(2, 7)]
    obs = pd.DataFrame({
        "region": "liaoning", "indicator": "fai", "period": pd.PeriodIndex(periods, freq="M"),
        "ytd_value": np.nan, "ytd_yoy": [10.0] * 11 + [-5.0] * 5,
    })
    panel = build_panel(obs)
    assert panel["is_index"].all()
    # T = 3 %: R = 1.03 × 110 − 47.5 = 65.8; 65.8/60 − 1 = 9.6667 %
    # paths 60, 66, 70 ⇒ 107.5/110 − 1 = −2.2727 %, 113.5/110 − 1 = 3.1818 %, 117.5/110 − 1 = 6.8182 %
    fc = forecast_after("liaoning", "fai", "2025-06", [60.0, 66.0, 70.0], 6)
    out = evaluate_targets(panel, [fc], targets_frame(("liaoning", "fai", 2025, 3.0, "about")))
    row = out.iloc[0]
    assert row["ytd_value"] == pytest.approx(47.5) and row["full_year_base"] == pytest.approx(110.0)
    assert row["required_growth"] == pytest.approx(100 * (65.8 / 60 - 1))
    assert row["projected"] == pytest.approx(100 * (113.5 / 110 - 1))
    assert row["probability"] == pytest.approx(2 / 3)
    assert row["derived_from_index"] and "index" in row["note"]


def test_rows_that_cannot_be_computed_say_why():
    s = mid_year_series()
    tg = targets_frame(("liaoning", "retail", 2025, 6.0, "about"), ("dalian", "retail", 2025, 6.0, "about"))
    # no forecast at all; dalian has no data
    out = evaluate_targets(s, None, tg).set_index("region")
    assert out.loc["liaoning", "status"] == "unknown" and "no forecast" in out.loc["liaoning", "note"]
    assert out.loc["liaoning", "required_growth"] == pytest.approx(100 * (672 / 630 - 1))  # still known
    assert out.loc["dalian", "note"] == "no data for this series"
    # a forecast from an older origin (May) still covering Jul–Dec is used and flagged
    fc = forecast_after("liaoning", "retail", "2025-05", [0.0], 7)   # periods Jun..Dec
    fc.paths = np.array([[100.0] + [651.0 / 6] * 6])
    stale = evaluate_targets(s, {("liaoning", "retail"): fc}, tg).set_index("region").loc["liaoning"]
    assert stale["projected"] == pytest.approx(4.0) and "2025-05" in stale["note"]   # (441 + 651)/1050 − 1
    # a forecast missing December gives NaN and a note
    short = forecast_after("liaoning", "retail", "2025-06", [600.0], 5)
    row = evaluate_targets(s, {("liaoning", "retail"): short}, tg).set_index("region").loc["liaoning"]
    assert np.isnan(row["projected"]) and "2025-12" in row["note"]


def test_year_defaults_to_latest_and_inputs_are_not_mutated():
    s = mid_year_series()
    fc = forecast_after("liaoning", "retail", "2025-06", [651.0, 693.0], 6)
    tg = targets_frame(("liaoning", "retail", 2025, 6.0, "about"), ("liaoning", "retail", 2024, 6.0, "about"))
    s_copy, tg_copy, paths_copy = s.copy(), tg.copy(), fc.paths.copy()
    out = evaluate_targets(s, {("liaoning", "retail"): fc}, tg)
    assert out["year"].tolist() == [2025]
    pd.testing.assert_frame_equal(s, s_copy)
    pd.testing.assert_frame_equal(tg, tg_copy)
    np.testing.assert_array_equal(fc.paths, paths_copy)
    with pytest.raises(DataError, match="several targets"):
        evaluate_targets(s, None, pd.concat([tg, tg]))


# -- properties -------------------------------------------------------------------------------------------
PATHS = st.lists(st.floats(500.0, 800.0), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(totals=PATHS, t1=st.floats(-5.0, 15.0), t2=st.floats(-5.0, 15.0))
def test_probability_is_monotone_in_the_target(totals, t1, t2):
    lo, hi = sorted((t1, t2))
    s = mid_year_series()
    fc = forecast_after("liaoning", "retail", "2025-06", totals, 6)
    p_lo = _one(s, fc, lo)["probability"]
    p_hi = _one(s, fc, hi)["probability"]
    assert p_lo >= p_hi


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), x=st.floats(-20.0, 20.0))
def test_pp_shock_raises_full_year_growth_by_x_times_remaining_share(seed, x):
    # flow += x/100 × base on every remaining period ⇒ full-year growth += x × (B_12 − B_t)/B_12
    # = x × 630/1050 = 0.6·x percentage points, on every path.
    s = mid_year_series()
    rng = np.random.default_rng(seed)
    fc = forecast_after("liaoning", "retail", "2025-06", [0.0] * 25, 6)
    fc.paths = rng.uniform(80.0, 130.0, size=(25, 6))
    bases = remaining_bases(s, 2025).to_numpy()
    shocked = FakeForecast(fc.region, fc.indicator, fc.last_period, fc.periods, shift_paths_pp(fc.paths, bases, x))
    before = full_year_growth_paths(s, fc, 2025)
    after = full_year_growth_paths(s, shocked, 2025)
    np.testing.assert_allclose(after - before, x * 630 / 1050, atol=1e-9)
    row_b, row_a = _one(s, fc, 6.0), _one(s, shocked, 6.0)
    assert row_a["projected"] - row_b["projected"] == pytest.approx(0.6 * x, abs=1e-9)
