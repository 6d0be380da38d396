"""Each city's share of the province's gap to its target, worked by hand.

The panel: retail, province `liaoning` (P) and two cities `shenyang` (A) and `dalian` (B), latest release
2025-10, so two periods remain (2025-11, 2025-12). The province target is T = 4 %, rate 1.04.

| region | 2024 Oct | 2024 Dec | 2025 Oct (growth) | B_t  | B_12 | (1+T)·B_12 |
|--------|----------|----------|-------------------|------|------|------------|
| A      | 400      | 500      | 420 (+5 %)        | 400  | 500  | 520        |
| B      | 450      | 560      | 459 (+2 %)        | 450  | 560  | 582.4      |
| P      | 1000     | 1250     | 1040 (+4 %)       | 1000 | 1250 | 1300       |
| D=P−ΣC | 150      | 190      | 161               | 150  | 190  | 197.6      |

Every ratio B_t / V_t(2024) is 1, so B_12 = the December 2024 level. Three hand-made paths of the two
remaining flows; the discrepancy's flows are chosen and the province's are their sum (coherent paths):

| path | A flows  | B flows  | D flows  | P flows    | L_A | L_B | L_D | L_P  |
|------|----------|----------|----------|------------|-----|-----|-----|------|
| 0    | 50, 50   | 50, 50   | 15, 15   | 115, 115   | 520 | 559 | 191 | 1270 |
| 1    | 40, 60   | 60, 60   | 20, 15   | 120, 135   | 520 | 579 | 196 | 1295 |
| 2    | 55, 45   | 45, 50   | 10, 15   | 110, 110   | 520 | 554 | 186 | 1260 |

A grows exactly at 4 % on every path (520 = 1.04 × 500).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from common import FakeForecast, series

# imported here, at collection: forecast.data.files fixes its data folder when first imported, and a doctest
# that runs before this module's real-run test would otherwise leave it at the doctest's scratch folder
from forecast.app.storage import demo_store
from forecast.data.errors import DataError
from forecast.decisions.gap_shares import GAP_COLUMNS, gap_shares
from forecast.decisions.targets import ytd_position
from forecast.runs.results import load_latest_run

LAST = pd.Period("2025-10", "M")
FUTURE = pd.PeriodIndex(["2025-11", "2025-12"], freq="M")
POINTS = {  # region → {period: (ytd_value, ytd_yoy)}
    "liaoning": {"2024-10": (1000.0, 3.0), "2024-12": (1250.0, 3.0), "2025-10": (1040.0, 4.0)},
    "shenyang": {"2024-10": (400.0, 3.0), "2024-12": (500.0, 3.0), "2025-10": (420.0, 5.0)},
    "dalian": {"2024-10": (450.0, 3.0), "2024-12": (560.0, 3.0), "2025-10": (459.0, 2.0)},
}
A_FLOWS = [[50.0, 50.0], [40.0, 60.0], [55.0, 45.0]]
B_FLOWS = [[50.0, 50.0], [60.0, 60.0], [45.0, 50.0]]
D_FLOWS = [[15.0, 15.0], [20.0, 15.0], [10.0, 15.0]]
TARGETS = pd.DataFrame({"region": ["liaoning"], "indicator": ["retail"], "year": [2025], "value": [4.0],
                        "kind": ["about"], "status": ["published"], "source": ["work report"]})




def make_panel(points=POINTS, indicator="retail", is_index=False):
    return pd.concat([series(r, indicator, p, is_index) for r, p in points.items()], ignore_index=True)


def fc(region, flows, indicator="retail"):
    return FakeForecast(region, indicator, LAST, FUTURE, np.array(flows, dtype=float))


def run_inputs(a=A_FLOWS, b=B_FLOWS, d=D_FLOWS, indicator="retail"):
    """Forecasts (province = A + B + D on every path and period) and the discrepancy, as a run holds them."""
    p = np.array(a) + np.array(b) + np.array(d)
    forecasts = {(r, indicator): fc(r, f, indicator) for r, f in (("liaoning", p), ("shenyang", a), ("dalian", b))}
    return forecasts, {("discrepancy", indicator): fc("discrepancy", d, indicator)}


def by_region(table):
    return table.set_index("region")


# -- the worked example ----------------------------------------------------------------------------------
def test_every_number_by_hand():
    forecasts, disc = run_inputs()
    g = gap_shares(make_panel(), forecasts, disc, TARGETS, "retail")
    assert list(g.columns) == GAP_COLUMNS
    assert g["region"].tolist() == ["shenyang", "dalian", "discrepancy", "liaoning"]
    assert g["role"].tolist() == ["city", "city", "discrepancy", "province"]
    assert set(g["year"]) == {2025} and set(g["target"]) == {4.0} and set(g["indicator"]) == {"retail"}
    t = by_region(g)
    # province: L_P = 1270, 1295, 1260; gap = L_P − 1.04 × 1250 = −30, −5, −40; mean −25
    prov_gap = np.mean([1270 - 1300, 1295 - 1300, 1260 - 1300])
    assert prov_gap == pytest.approx(-25.0)
    # shenyang: L_A = 420 + 100 = 520 = 1.04 × 500 on every path: gap 0, growth exactly 4 %
    # dalian:   L_B = 559, 579, 554; gap = L_B − 582.4 = −23.4, −3.4, −28.4; mean −18.4
    # discrepancy: L_D = 161 + 30, 35, 25 = 191, 196, 186; base 1250 − 500 − 560 = 190; gap = L_D − 197.6
    expected = {
        "shenyang": dict(base=500.0, level=520.0, gap=0.0, growth=4.0),
        "dalian": dict(base=560.0, level=(559 + 579 + 554) / 3, gap=(-23.4 - 3.4 - 28.4) / 3,
                       growth=(559 / 560 - 1) * 100),                       # median level 559
        "discrepancy": dict(base=190.0, level=(191 + 196 + 186) / 3, gap=(-6.6 - 1.6 - 11.6) / 3,
                            growth=(191 / 190 - 1) * 100),                  # median level 191
        "liaoning": dict(base=1250.0, level=(1270 + 1295 + 1260) / 3, gap=-25.0,
                         growth=(1270 / 1250 - 1) * 100),                   # median level 1270
    }
    for region, e in expected.items():
        row = t.loc[region]
        assert row["full_year_base"] == pytest.approx(e["base"], abs=1e-9), region
        assert row["full_year_level"] == pytest.approx(e["level"], abs=1e-9), region
        assert row["gap_yuan"] == pytest.approx(e["gap"], abs=1e-9), region
        assert row["gap_pp"] == pytest.approx(e["gap"] / 1250 * 100, abs=1e-9), region   # 百分点 of P's growth
        assert row["share_pct"] == pytest.approx(e["gap"] / -25.0 * 100, abs=1e-9), region
        assert row["city_growth"] == pytest.approx(e["growth"], abs=1e-9), region
    assert t.loc["dalian", "gap_yuan"] == pytest.approx(-18.4) and t.loc["dalian", "share_pct"] == pytest.approx(73.6)
    assert t.loc["discrepancy", "gap_yuan"] == pytest.approx(-6.6) and t.loc["discrepancy", "share_pct"] == pytest.approx(26.4)
    assert t.loc["liaoning", "gap_pp"] == pytest.approx(-2.0)          # mean growth 2.0 % − target 4 %
    # at or above the province's rate: shenyang (exactly 4 %) yes; dalian (−0.18 %), D (0.53 %), P (1.6 %) no
    assert t["above_target"].to_dict() == {"shenyang": True, "dalian": False, "discrepancy": False, "liaoning": False}
    assert g["above_target"].dtype == bool
    assert "statistical discrepancy" in t.loc["discrepancy", "note"]
    assert "target 4% (about, published)" in t.loc["liaoning", "note"]


@pytest.mark.parametrize("a", [A_FLOWS, [[80.0, 70.0], [65.0, 60.0], [90.0, 75.0]], [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]])
def test_rows_add_up_to_the_province(a):
    forecasts, disc = run_inputs(a=a)
    g = gap_shares(make_panel(), forecasts, disc, TARGETS, "retail")
    parts, total = g.iloc[:-1], g.iloc[-1]
    # the province's mean gap, straight from its own paths: 1040 + Σ flows − 1.04 × 1250
    prov_paths = np.array(a) + np.array(B_FLOWS) + np.array(D_FLOWS)
    direct = np.mean(1040 + prov_paths.sum(axis=1) - 1.04 * 1250)
    assert total["gap_yuan"] == pytest.approx(direct, abs=1e-9)
    assert abs(parts["gap_yuan"].sum() - total["gap_yuan"]) < 1e-9
    assert abs(parts["gap_pp"].sum() - total["gap_pp"]) < 1e-9
    assert abs(parts["full_year_level"].sum() - total["full_year_level"]) < 1e-9
    assert parts["share_pct"].sum() == pytest.approx(100.0, abs=1e-9)


def test_surplus_is_positive():
    # shenyang's flows now total 130 on every path: L_A = 550, gap = 550 − 520 = +30, growth 10 %
    a = [[65.0, 65.0], [60.0, 70.0], [70.0, 60.0]]
    forecasts, disc = run_inputs(a=a)
    t = by_region(gap_shares(make_panel(), forecasts, disc, TARGETS, "retail"))
    assert t.loc["shenyang", "gap_yuan"] == pytest.approx(30.0, abs=1e-9)
    assert t.loc["shenyang", "gap_pp"] == pytest.approx(30.0 / 1250 * 100, abs=1e-9)   # +2.4 百分点
    assert t.loc["shenyang", "city_growth"] == pytest.approx(10.0, abs=1e-9)
    assert bool(t.loc["shenyang", "above_target"])
    # province: L_P = 1300, 1325, 1290 → gaps 0, +25, −10; mean +5: a surplus, positive
    assert t.loc["liaoning", "gap_yuan"] == pytest.approx(5.0, abs=1e-9)
    assert t.loc["liaoning", "gap_pp"] == pytest.approx(0.4, abs=1e-9)
    # in a province with a surplus, the cities short of the rate have negative shares
    assert t.loc["shenyang", "share_pct"] == pytest.approx(30.0 / 5.0 * 100, abs=1e-9)
    assert t.loc["dalian", "share_pct"] == pytest.approx(-18.4 / 5.0 * 100, abs=1e-9)


def test_a_city_exactly_at_the_target_rate_has_no_gap():
    # dalian's flows total 1.04 × 560 − 459 = 123.4 on every path, split differently each time
    b = [[60.0, 63.4], [70.0, 53.4], [23.4, 100.0]]
    forecasts, disc = run_inputs(b=b)
    t = by_region(gap_shares(make_panel(), forecasts, disc, TARGETS, "retail"))
    for city in ("shenyang", "dalian"):
        assert abs(t.loc[city, "gap_yuan"]) < 1e-9 and abs(t.loc[city, "gap_pp"]) < 1e-9
        assert t.loc[city, "city_growth"] == pytest.approx(4.0, abs=1e-9) and bool(t.loc[city, "above_target"])
    # the whole gap is the discrepancy's: −6.6, 100 %
    assert t.loc["discrepancy", "gap_yuan"] == pytest.approx(-6.6, abs=1e-9)
    assert t.loc["discrepancy", "share_pct"] == pytest.approx(100.0, abs=1e-9)


def test_a_number_as_target():
    # T = 2 %: shenyang's gap is 520 − 1.02 × 500 = +10 on every path
    forecasts, disc = run_inputs()
    t = by_region(gap_shares(make_panel(), forecasts, disc, 2.0, "retail"))
    assert t.loc["shenyang", "gap_yuan"] == pytest.approx(10.0, abs=1e-9)
    assert t.loc["liaoning", "gap_yuan"] == pytest.approx((1270 + 1295 + 1260) / 3 - 1.02 * 1250, abs=1e-9)


def test_a_city_without_forecast_falls_into_the_discrepancy():
    # dalian has no forecast: the discrepancy is P − A, with base 1250 − 500 = 750 and level L_P − 520
    forecasts, disc = run_inputs()
    del forecasts[("dalian", "retail")]
    g = gap_shares(make_panel(), forecasts, disc, TARGETS, "retail")
    t = by_region(g)
    assert g["region"].tolist() == ["shenyang", "discrepancy", "liaoning"]
    assert t.loc["discrepancy", "gap_yuan"] == pytest.approx(np.mean([750 - 780, 775 - 780, 740 - 780]), abs=1e-9)
    assert t.loc["discrepancy", "full_year_base"] == pytest.approx(750.0)
    assert "dalian (no forecast)" in t.loc["discrepancy", "note"]


def test_a_decided_year_uses_the_december_release():
    # December 2025 released everywhere: no path; gap = V_12 − 1.04 × V_12 / (1 + g_12)
    pts = {r: {**p, "2025-12": v} for (r, p), v in zip(POINTS.items(), [(1287.5, 3.0), (525.0, 5.0), (571.2, 2.0)],
                                                         strict=True)}
    t = by_region(gap_shares(make_panel(pts), {}, None, TARGETS, "retail"))
    # bases: 1287.5/1.03 = 1250, 525/1.05 = 500, 571.2/1.02 = 560
    assert t.loc["shenyang", "gap_yuan"] == pytest.approx(525 - 520, abs=1e-9)
    assert t.loc["dalian", "gap_yuan"] == pytest.approx(571.2 - 582.4, abs=1e-9)
    assert t.loc["discrepancy", "gap_yuan"] == pytest.approx((1287.5 - 525 - 571.2) - 1.04 * 190, abs=1e-9)
    assert t.loc["liaoning", "gap_yuan"] == pytest.approx(1287.5 - 1300, abs=1e-9)
    assert "year decided" in t.loc["liaoning", "note"]


# -- refusals ---------------------------------------------------------------------------------------------
def test_refuses_growth_only_series():
    targets = TARGETS.assign(indicator="fai")
    forecasts, disc = run_inputs(indicator="fai")
    with pytest.raises(DataError, match="chained growth index.*do not add up"):
        gap_shares(make_panel(indicator="fai", is_index=True), forecasts, disc, targets, "fai")


def test_refuses_without_a_province_target():
    forecasts, disc = run_inputs()
    # a reference target and a city's own target are no province target of the year
    only_others = pd.concat([TARGETS.assign(status="reference"), TARGETS.assign(region="shenyang"),
                             TARGETS.assign(year=2024)], ignore_index=True)
    for targets in (only_others, TARGETS.iloc[:0]):
        with pytest.raises(DataError, match="no province target for retail 2025"):
            gap_shares(make_panel(), forecasts, disc, targets, "retail")
    # an analyst target counts
    analyst = TARGETS.assign(status="analyst")
    assert gap_shares(make_panel(), forecasts, disc, analyst, "retail")["gap_yuan"].iloc[-1] == pytest.approx(-25.0)


def test_refuses_paths_that_are_not_coherent():
    forecasts, disc = run_inputs()
    disc[("discrepancy", "retail")] = fc("discrepancy", np.array(D_FLOWS) + [[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    with pytest.raises(DataError, match="province ≠ Σ cities \\+ discrepancy"):
        gap_shares(make_panel(), forecasts, disc, TARGETS, "retail")


def test_without_discrepancy_paths_says_so():
    forecasts, _ = run_inputs()
    t = by_region(gap_shares(make_panel(), forecasts, None, TARGETS, "retail"))
    assert t.loc["discrepancy", "gap_yuan"] == pytest.approx(-6.6, abs=1e-9)
    assert "coherence of the paths not checked" in t.loc["discrepancy", "note"]


# -- a real run ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    db = demo_store(tmp_path_factory.mktemp("gap_shares"), ("liaoning", "shenyang", "dalian"))
    return load_latest_run(db)


def test_a_real_run_adds_up_to_the_province(demo_run):
    run = demo_run
    g = gap_shares(run.panel, run.forecasts, run.discrepancies, run.target_table, "retail", 2026)
    assert g["region"].tolist() == ["shenyang", "dalian", "discrepancy", "liaoning"]
    assert set(g["target"]) == {4.0}                                    # the published 2026 target
    # the province's mean gap, straight from its reconciled paths
    def position(region):
        rows = run.panel[(run.panel["region"] == region) & (run.panel["indicator"] == "retail")]
        return ytd_position(rows, 2026)

    def levels(region, fcs):
        pos, f = position(region), fcs[(region, "retail")]
        cols = [list(f.periods).index(p) for p in pos.remaining]
        return pos.ytd_value + np.asarray(f.paths)[:, cols].sum(axis=1)

    prov = position("liaoning")
    direct = np.mean(levels("liaoning", run.forecasts) - 1.04 * prov.full_year_base)
    assert g["gap_yuan"].iloc[-1] == pytest.approx(direct, abs=1e-9)
    assert abs(g["gap_yuan"].iloc[:-1].sum() - direct) < 1e-9
    assert abs(g["gap_pp"].iloc[:-1].sum() - direct / prov.full_year_base * 100) < 1e-9
    assert g["share_pct"].iloc[:-1].sum() == pytest.approx(100.0, abs=1e-9)
    # the discrepancy row is the run's discrepancy series (float32 storage: agree to 1e-3 亿元)
    cities = [position(c) for c in ("shenyang", "dalian")]
    v_d = prov.ytd_value - sum(p.ytd_value for p in cities)
    b_d = prov.full_year_base - sum(p.full_year_base for p in cities)
    f = run.discrepancies[("discrepancy", "retail")]
    cols = [list(f.periods).index(p) for p in prov.remaining]
    own = v_d + np.asarray(f.paths)[:, cols].sum(axis=1)
    assert g["gap_yuan"].iloc[-2] == pytest.approx(np.mean(own - 1.04 * b_d), abs=1e-3)


def test_a_real_run_refuses_fai(demo_run):
    run = demo_run
    if not run.panel.loc[run.panel["indicator"] == "fai", "is_index"].any():
        pytest.skip("the bundled fai rows carry levels")
    with pytest.raises(DataError, match="chained growth index"):
        gap_shares(run.panel, run.forecasts, run.discrepancies, 5.0, "fai", 2026)
