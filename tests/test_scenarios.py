"""Scenarios: each kind worked by hand on a 2-path forecast, identities kept, files validated and round-tripped.

The hand-built panel has no revision unless said so (the comparable base of a period is last year's flow).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.data.catalog import CITIES, INDICATORS, REGIONS
from forecast.data.errors import DataError
from forecast.decisions import targets as tg
from forecast.decisions.reconcile import DISCREPANCY, PathSet, reconcile
from forecast.decisions.scenarios import (
    Adjustment,
    Scenario,
    apply_scenario,
    compare_scenarios,
    list_scenarios,
    load_scenario,
    save_scenario,
    scenario_from_dict,
)

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).parent / "fixtures" / "scenarios_bad"
LAST = pd.Period("2026-10", "M")
P = "liaoning"
H3 = ["2026-11", "2026-12", "2027-02"]
H13 = ["2026-11", "2026-12"] + [f"2027-{m:02d}" for m in range(2, 13)]


def make_panel(flows, revision=1.0, index_rows=None):
    """Panel columns from flows per year (11 values, fewer for 2026). ``revision`` scales last year's YTD
    into this year's comparable base; ``index_rows`` maps a key to a function period → is_index."""
    rows = []
    for (r, ind), years in flows.items():
        prev = None
        for y in sorted(years):
            f = np.asarray(years[y], dtype=float)
            ytd = np.cumsum(f)
            for k in range(len(f)):
                p = pd.Period(year=y, month=k + 2, freq="M")
                b = prev[k] * revision if prev is not None else np.nan
                is_index = bool(index_rows[(r, ind)](p)) if index_rows and (r, ind) in index_rows else False
                rows.append({"region": r, "indicator": ind, "period": p, "year": y, "season": k + 1,
                             "ytd_value": ytd[k], "ytd_yoy": (ytd[k] / b - 1) * 100, "ytd_base": b, "value": f[k],
                             "base": np.nan, "is_index": is_index})
            prev = ytd
    df = pd.DataFrame(rows)
    df["period"] = df["period"].astype("period[M]")
    return df


def fc(region, ind, paths, periods=H3):
    return PathSet(region, ind, LAST, pd.PeriodIndex(periods, freq="M"), np.asarray(paths, dtype=float))


# Shenyang 2025: Jan–Feb 20, Mar–Oct 10 each, Nov 12, Dec 15 → 127 for the year, 100 to October.
# Shenyang 2026: Jan–Feb 22, Mar–Oct 11 each → 110 to October (+10 %). Dalian is about half of it.
SY = {2025: [20.0] + [10.0] * 8 + [12.0, 15.0], 2026: [22.0] + [11.0] * 8}
DL = {2025: [10.0] + [5.0] * 8 + [6.0, 8.0], 2026: [11.0] + [5.5] * 8}
PROV = {y: [a + b + 5.0 for a, b in zip(SY[y], DL[y], strict=True)] for y in SY}  # discrepancy 5


def tiny(ind="retail", periods=H3, **kw):
    panel = make_panel({("shenyang", ind): SY, ("dalian", ind): DL, (P, ind): PROV}, **kw)
    sy = np.array([[13.0, 16.0, 24.0], [11.0, 14.0, 20.0]])
    dl = np.array([[6.0, 9.0, 12.0], [7.0, 8.0, 10.0]])
    if len(periods) != 3:
        sy, dl = np.tile(sy, 5)[:, : len(periods)], np.tile(dl, 5)[:, : len(periods)]
    d = np.full_like(sy, 5.0)
    fcs = {("shenyang", ind): fc("shenyang", ind, sy, periods), ("dalian", ind): fc("dalian", ind, dl, periods),
           (DISCREPANCY, ind): fc(DISCREPANCY, ind, d, periods), (P, ind): fc(P, ind, sy + dl + d, periods)}
    return panel, fcs


def one(kind, regions, months, value, ind="retail"):
    return Scenario("t", (Adjustment(kind, ind, tuple(regions), months, value),))


def moved(out, fcs, key):
    return out[key].paths - fcs[key].paths


# -- each kind by hand ----------------------------------------------------------------------------------
def test_pct_by_hand():
    panel, fcs = tiny()
    out = apply_scenario(one("pct", ["shenyang"], ["2026-11"], 10.0), fcs, panel)
    # Nov × 1.1: 13 → 14.3, 11 → 12.1; the province moves by the same 1.3 and 1.1; Dalian is the same object
    np.testing.assert_allclose(out[("shenyang", "retail")].paths[:, 0], [14.3, 12.1])
    np.testing.assert_allclose(moved(out, fcs, (P, "retail")), [[1.3, 0, 0], [1.1, 0, 0]])
    assert out[("dalian", "retail")] is fcs[("dalian", "retail")]
    assert out[(DISCREPANCY, "retail")] is fcs[(DISCREPANCY, "retail")]


def test_pp_by_hand():
    panel, fcs = tiny()
    out = apply_scenario(one("pp", ["shenyang"], "2026-11..2027-02", 2.0), fcs, panel)
    # bases: Nov 2025 = 12, Dec 2025 = 15 (comparable base, no revision), Jan–Feb 2026 = 22 (observed flow)
    # → + 0.02 × (12, 15, 22) = (0.24, 0.30, 0.44) on both paths
    np.testing.assert_allclose(moved(out, fcs, ("shenyang", "retail")), [[0.24, 0.30, 0.44]] * 2)
    np.testing.assert_allclose(moved(out, fcs, (P, "retail")), [[0.24, 0.30, 0.44]] * 2)
    # full-year growth of path 0: (110 + 13 + 16)/127 − 1 = 9.4488 % → + (0.24 + 0.30)/127 = + 2 × 27/127 points
    g0 = tg.full_year_growth_paths(panel[panel.region == "shenyang"], fcs[("shenyang", "retail")], 2026)
    g1 = tg.full_year_growth_paths(panel[panel.region == "shenyang"], out[("shenyang", "retail")], 2026)
    assert g0[0] == pytest.approx((139 / 127 - 1) * 100)
    np.testing.assert_allclose(g1 - g0, 2 * 27 / 127)


def test_set_by_hand():
    panel, fcs = tiny()
    out = apply_scenario(one("set", ["dalian"], ["2026-12"], 5.0), fcs, panel)
    # Dalian Dec 2025 = 8 → 8 × 1.05 = 8.4 on both paths (was 9 and 8): changes −0.6 and +0.4
    np.testing.assert_allclose(out[("dalian", "retail")].paths[:, 1], [8.4, 8.4])
    np.testing.assert_allclose(moved(out, fcs, (P, "retail"))[:, 1], [-0.6, 0.4])


def test_abs_by_hand():
    panel, fcs = tiny()
    out = apply_scenario(one("abs", ["shenyang"], "2026-11..2027-02", 40.0), fcs, panel)
    # 40 亿元 over Nov (1 month), Dec (1) and Jan–Feb (2 months): 10, 10, 20
    np.testing.assert_allclose(moved(out, fcs, ("shenyang", "retail")), [[10, 10, 20]] * 2)
    np.testing.assert_allclose(moved(out, fcs, (P, "retail")), [[10, 10, 20]] * 2)


def test_next_year_base_is_the_paths_own_flow_as_shocked():
    panel, fcs = tiny(periods=H13)
    out = apply_scenario(one("set", ["shenyang"], "2026-11..2027-11", 10.0), fcs, panel)
    y = out[("shenyang", "retail")].paths
    # 2026-11: 12 × 1.1 = 13.2; 2027-11 against that: 13.2 × 1.1 = 14.52; 2027-02: Jan–Feb 2026 22 × 1.1 = 24.2
    np.testing.assert_allclose(y[:, 0], [13.2, 13.2])
    np.testing.assert_allclose(y[:, H13.index("2027-11")], [14.52, 14.52])
    np.testing.assert_allclose(y[:, H13.index("2027-02")], [24.2, 24.2])
    # 2027-12 is not selected: unchanged
    np.testing.assert_array_equal(y[:, -1], fcs[("shenyang", "retail")].paths[:, -1])


def test_pp_base_uses_the_comparable_base():
    # A 4 % upward revision of last year's base: remaining bases are 1.04 × (12, 15)
    panel, fcs = tiny(revision=1.04)
    out = apply_scenario(one("pp", ["shenyang"], "2026-11..2026-12", 1.0), fcs, panel)
    np.testing.assert_allclose(moved(out, fcs, ("shenyang", "retail"))[:, :2], [[0.1248, 0.156]] * 2)


# -- properties -----------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(x=st.floats(-30, 30, allow_nan=False), rev=st.floats(0.9, 1.1), seed=st.integers(0, 1000))
def test_pp_raises_full_year_growth_by_x_times_remaining_share(x, rev, seed):
    rng = np.random.default_rng(seed)
    flows = {("dalian", "retail"): {2025: list(rng.uniform(5, 20, 11)), 2026: list(rng.uniform(5, 20, 9))}}
    panel = make_panel(flows, revision=rev)
    fcs = {("dalian", "retail"): fc("dalian", "retail", rng.uniform(5, 20, (4, 3)))}
    out = apply_scenario(one("pp", ["dalian"], "2026-11..2026-12", x), fcs, panel)
    pos = tg.ytd_position(panel, 2026)
    share = (pos.full_year_base - pos.ytd_base) / pos.full_year_base
    g0 = tg.full_year_growth_paths(panel, fcs[("dalian", "retail")], 2026)
    g1 = tg.full_year_growth_paths(panel, out[("dalian", "retail")], 2026)
    np.testing.assert_allclose(g1 - g0, x * share, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(paths=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=6, max_size=6))
def test_empty_scenario_is_the_identity(paths):
    panel, fcs = tiny()
    fcs[("shenyang", "retail")] = fc("shenyang", "retail", np.reshape(paths, (2, 3)))
    out = apply_scenario(Scenario("empty", ()), fcs, panel)
    assert out.keys() == fcs.keys()
    for k in fcs:
        np.testing.assert_array_equal(out[k].paths, fcs[k].paths)


def test_pct_minus_100_allowed_below_refused():
    panel, fcs = tiny()
    out = apply_scenario(one("pct", ["dalian"], ["2026-11"], -100.0), fcs, panel)
    np.testing.assert_array_equal(out[("dalian", "retail")].paths[:, 0], [0.0, 0.0])
    with pytest.raises(DataError, match=r"value: pct -100.5 would make the level negative") as e:
        one("pct", ["dalian"], ["2026-11"], -100.5)
    assert e.value.problems[0].column == "value"


def test_trade_identity_kept():
    flows = {}
    for r, s in (("shenyang", 1.0), ("dalian", 0.5), (P, 1.6)):
        for ind, part in (("exports", 0.6), ("imports", 0.4), ("trade", 1.0)):
            flows[(r, ind)] = {y: [v * s * part for v in SY[y]] for y in SY}
    panel = make_panel(flows)
    rng = np.random.default_rng(0)
    fcs = {}
    for (r, ind) in flows:
        fcs[(r, ind)] = fc(r, ind, rng.uniform(5, 10, (2, 3)))
    fcs = reconcile(fcs, panel)
    sc = Scenario("x", (Adjustment("pct", "exports", ("shenyang",), "2026-11..2027-02", -10.0),
                        Adjustment("pct", "trade", ("dalian",), ["2026-12"], 20.0),
                        Adjustment("abs", "imports", (P,), ["2027-02"], 3.0)))
    out = apply_scenario(sc, fcs, panel)
    for r in ("shenyang", "dalian", P, DISCREPANCY):
        t, e, i = (out[(r, x)].paths for x in ("trade", "exports", "imports"))
        np.testing.assert_allclose(t, e + i, atol=1e-12)
    for ind in ("trade", "exports", "imports"):
        np.testing.assert_allclose(out[(P, ind)].paths, out[("shenyang", ind)].paths + out[("dalian", ind)].paths
                                   + out[(DISCREPANCY, ind)].paths, atol=1e-12)
    # the export shock moves Shenyang's trade by exactly the change of its exports
    np.testing.assert_allclose(moved(out, fcs, ("shenyang", "trade")), moved(out, fcs, ("shenyang", "exports")))
    np.testing.assert_allclose(moved(out, fcs, ("shenyang", "exports")), -0.1 * fcs[("shenyang", "exports")].paths)
    # +20 % on Dalian's trade in December is shared by its parts in proportion to their flows: each +20 %
    np.testing.assert_allclose(moved(out, fcs, ("dalian", "imports"))[:, 1], 0.2 * fcs[("dalian", "imports")].paths[:, 1])
    # a province-level change goes to the discrepancy: cities untouched
    np.testing.assert_allclose(moved(out, fcs, (DISCREPANCY, "imports"))[:, 2], [3.0, 3.0])
    assert out[("shenyang", "imports")] is fcs[("shenyang", "imports")]


def test_inputs_not_modified():
    panel, fcs = tiny()
    before = {k: v.paths.copy() for k, v in fcs.items()}
    p0 = panel.copy()
    apply_scenario(one("pp", ["shenyang", "liaoning"], "2026-11..2027-02", 3.0), fcs, panel)
    for k, v in fcs.items():
        np.testing.assert_array_equal(v.paths, before[k])
    pd.testing.assert_frame_equal(panel, p0)


# -- abs on a growth-only series -----------------------------------------------------------------------
def test_abs_on_index_series():
    never = {("shenyang", "fai"): lambda p: True, ("dalian", "fai"): lambda p: True, (P, "fai"): lambda p: True}
    panel, fcs = tiny("fai", index_rows=never)
    sc = one("abs", ["shenyang"], "2026-11..2027-02", 40.0, ind="fai")
    with pytest.raises(DataError, match=r"chained growth index with no published level.*levels="):
        apply_scenario(sc, fcs, panel)
    # 2025 full-year index 127 stands for 254 亿元 → 2 亿元 per point → 20 points: 5, 5, 10
    out = apply_scenario(sc, fcs, panel, levels={("shenyang", "fai"): (2025, 254.0)})
    np.testing.assert_allclose(moved(out, fcs, ("shenyang", "fai")), [[5, 5, 10]] * 2)
    assert any("2 亿元 per index point" in n for n in out[("shenyang", "fai")].notes)
    # anchored on a published level (2025-12 not from the index): index points are 亿元 estimates
    anchored = {**never, ("shenyang", "fai"): lambda p: p != pd.Period("2025-12", "M")}
    panel, fcs = tiny("fai", index_rows=anchored)
    out = apply_scenario(sc, fcs, panel)
    np.testing.assert_allclose(moved(out, fcs, ("shenyang", "fai")), [[10, 10, 20]] * 2)
    assert any("anchored on the published level of 2025-12 (127" in n for n in out[("shenyang", "fai")].notes)


# -- validation against the forecasts ---------------------------------------------------------------
def test_apply_names_every_field_that_does_not_fit():
    panel, fcs = tiny()
    sc = Scenario("x", (Adjustment("pct", "retail", ("dalian", "tieling"), ["2026-11", "2027-01", "2028-01"], 1.0),
                        Adjustment("pp", "retail", ("shenyang",), "2026-09..2026-12", 1.0),
                        Adjustment("pp", "fai", ("shenyang",), ["2026-11"], 1.0)))
    with pytest.raises(DataError) as e:
        apply_scenario(sc, fcs, panel)
    got = {p.column: p.message for p in e.value.problems}
    assert set(got) == {"adjustments[0].regions[1]", "adjustments[0].months[1]", "adjustments[0].months[2]",
                        "adjustments[1].months", "adjustments[2].regions[0]"}
    assert "use 2027-02" in got["adjustments[0].months[1]"]
    assert "outside the forecast horizon 2026-11..2027-02" in got["adjustments[0].months[2]"]
    assert "no forecast for tieling/retail" in got["adjustments[0].regions[1]"]


# -- files ---------------------------------------------------------------------------------------------
EXPECTED_BAD = {
    "unknown_region.yaml": ("adjustments[1].regions[0]", "unknown region 'shenyan'"),
    "unknown_indicator.yaml": ("adjustments[0].indicator", "unknown indicator 'retial'"),
    "unknown_kind.yaml": ("adjustments[0].kind", "unknown kind 'percent'"),
    "pct_below_minus_100.yaml": ("adjustments[0].value", "pct -120 would make the level negative"),
    "missing_name.yaml": ("name", "missing field 'name'"),
    "missing_months.json": ("adjustments[0].months", "missing field 'months'"),
    "bad_month.yaml": ("adjustments[0].months[1]", "got '2026-13'"),
    "backwards_range.yaml": ("adjustments[0].months", "ends before it starts"),
    "unknown_field.yaml": ("adjustments[0].regoins", "unknown field 'regoins'"),
    "value_is_text.yaml": ("adjustments[0].value", "got 'five'"),
    "adjustments_not_list.yaml": ("adjustments", "expected a list of adjustments"),
    "malformed.yaml": (None, "malformed YAML"),
    "malformed.json": (None, "malformed JSON"),
    "not_a_mapping.yaml": (None, "expected a mapping"),
    "wrong_suffix.toml": (None, "unknown suffix '.toml'"),
}


def test_every_bad_fixture_is_listed():
    assert {p.name for p in BAD.iterdir()} == set(EXPECTED_BAD)


@pytest.mark.parametrize("name", sorted(EXPECTED_BAD))
def test_bad_file_gives_one_error_naming_the_field(name):
    field, message = EXPECTED_BAD[name]
    with pytest.raises(DataError) as e:
        load_scenario(BAD / name)
    assert len(e.value.problems) == 1
    prob = e.value.problems[0]
    assert prob.column == field and message in prob.message and prob.file == str(BAD / name)
    assert message in str(e.value) and (field is None or field in str(e.value))
    if name.startswith("malformed"):
        assert prob.row is not None  # the line of the syntax error


names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)
adjustments = st.builds(
    lambda kind, ind, regs, rng_or_list, start, n, value, note: Adjustment(
        kind, ind, tuple(regs),
        f"{start}..{start + n}" if rng_or_list else tuple(start + k for k in range(n + 1)),
        max(value, -100.0) if kind in ("pct", "set") else value, note),
    st.sampled_from(["pp", "pct", "abs", "set"]), st.sampled_from(sorted(INDICATORS)),
    st.lists(st.sampled_from(sorted(REGIONS)), min_size=1, max_size=4, unique=True), st.booleans(),
    st.sampled_from([pd.Period("2026-11", "M"), pd.Period("2027-03", "M")]), st.integers(0, 5),
    st.floats(-1e6, 1e6, allow_nan=False), names | st.just(""))
scenarios = st.builds(Scenario, names.filter(lambda s: s == s.strip()), st.lists(adjustments, max_size=4).map(tuple),
                      st.none() | names, names | st.just(""), names | st.just(""), names | st.just(""))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sc=scenarios, suffix=st.sampled_from([".yaml", ".yml", ".json"]))
def test_round_trip(tmp_path, sc, suffix):
    path = save_scenario(sc, tmp_path / f"s{suffix}")
    assert load_scenario(path) == sc


def test_dataclasses_normalise_names_and_months():
    a = Adjustment("PCT", "社零", ["沈阳市", "Dalian"], [dt.date(2026, 12, 1), "2026-11"], 3)
    assert (a.kind, a.indicator, a.regions, a.months) == (
        "pct", "retail", ("shenyang", "dalian"), (pd.Period("2026-11", "M"), pd.Period("2026-12", "M")))
    assert scenario_from_dict({"name": "e", "adjustments": []}) == Scenario("e", ())
    with pytest.raises(DataError, match="regions\\[1\\]: region 'dalian' is listed twice"):
        Adjustment("pp", "fai", ("dalian", "大连"), "2026-11..2026-12", 1.0)


# -- the shipped scenarios -----------------------------------------------------------------------------
def full_set(n_paths=20, seed=0):
    """Province + 14 cities × 5 indicators, reconciled; fai anchored on the published 2025-12 level."""
    rng = np.random.default_rng(seed)
    flows, index_rows = {}, {}
    share = {"fai": 1.0, "retail": 1.2, "trade": 0.5, "exports": 0.3, "imports": 0.2}
    for r in (P, *CITIES):
        size = 14.0 if r == P else 1.0 + (CITIES.index(r) % 3)
        for ind, s in share.items():
            flows[(r, ind)] = {y: [v * size * s for v in SY[y]] for y in SY}
        index_rows[(r, "fai")] = lambda p: p != pd.Period("2025-12", "M")
    panel = make_panel(flows, index_rows=index_rows)
    fcs = {k: fc(*k, np.tile(np.r_[v[2025][-2:], v[2025]] * 1.05, (n_paths, 1))
                 * rng.uniform(0.9, 1.1, (n_paths, 13)), H13) for k, v in flows.items()}
    return panel, reconcile(fcs, panel)


def test_shipped_scenarios_load_and_apply():
    shipped = list_scenarios(ROOT / "data" / "scenarios")
    assert [s.name for s in shipped] == ["consumption_campaign", "export_shock", "major_projects"]
    assert all(s.name_zh and s.description and s.description_zh for s in shipped)
    panel, fcs = full_set()
    by = {s.name: apply_scenario(s, fcs, panel) for s in shipped}
    # 项目牵引: 50 亿元 in Shenyang and 30 in Dalian over the year's paths → province + 80 on every path
    mp = by["major_projects"]
    np.testing.assert_allclose(moved(mp, fcs, ("shenyang", "fai")).sum(axis=1), 50.0)
    np.testing.assert_allclose(moved(mp, fcs, (P, "fai")).sum(axis=1), 80.0)
    # 促消费: 12 亿元 of trade-in funds × gross leverage 332.5/34 × additionality 0.3 over Nov–Dec 2026 (one month
    # each) → province + extra/2 a month on every path; 20 % of it taken back over Feb–Mar 2027 (Jan–Feb counts two)
    cc = by["consumption_campaign"]
    extra = 12 * 332.5 / 34 * 0.3
    per_path = np.array([extra / 2, extra / 2, -0.2 * extra * 2 / 3, -0.2 * extra / 3])
    np.testing.assert_allclose(moved(cc, fcs, (P, "retail"))[:, :4], np.tile(per_path, (20, 1)), rtol=1e-6)
    np.testing.assert_allclose(moved(cc, fcs, ("shenyang", "retail"))[:, :2], np.full((20, 2), 3 * 332.5 / 34 * 0.3 / 2),
                               rtol=1e-6)
    # 外需冲击: exports −5 % 2026-11..2027-06 (7 periods); trade follows
    ex = by["export_shock"]
    np.testing.assert_allclose(moved(ex, fcs, (P, "trade")), moved(ex, fcs, (P, "exports")))
    assert (moved(ex, fcs, (P, "exports"))[:, :7] < 0).all() and (moved(ex, fcs, (P, "exports"))[:, 7:] == 0).all()
    for out in by.values():
        for ind in share_inds():
            np.testing.assert_allclose(out[(P, ind)].paths, sum(out[(c, ind)].paths for c in CITIES)
                                       + out[(DISCREPANCY, ind)].paths, rtol=1e-12)


def share_inds():
    return ("fai", "retail", "trade", "exports", "imports")


def test_compare_scenarios():
    panel, fcs = full_set(n_paths=40, seed=2)
    tgt = pd.DataFrame({"region": [P, P, "shenyang"], "indicator": ["retail", "trade", "retail"], "year": 2026,
                        "value": [6.0, 3.0, 5.0], "kind": ["about", "at_least", "about"],
                        "status": "published", "source": ""})
    shipped = list_scenarios(ROOT / "data" / "scenarios")
    table = compare_scenarios(panel, fcs, tgt, shipped)
    assert list(table["scenario"].unique()) == ["baseline", "consumption_campaign", "export_shock", "major_projects"]
    assert len(table) == 4 * 15 * 5 and not (table["region"] == DISCREPANCY).any()
    base = table[table.scenario == "baseline"]
    assert (base["delta_projected"] == 0).all() and (base["delta_probability"].fillna(0) == 0).all()
    pick = table.set_index(["scenario", "region", "indicator"])
    row = pick.loc[("consumption_campaign", P, "retail")]
    assert row["delta_projected"] > 0 and row["delta_probability"] >= 0 and row["has_target"]
    assert pick.loc[("export_shock", P, "trade"), "delta_projected"] < 0
    assert pick.loc[("export_shock", P, "retail"), "delta_projected"] == 0
    # required growth is §4's: province retail 2026 to October 14 × 1.2 × 110 = 1848 vs 1680 a year earlier
    # (+10 %), B_12 = 14 × 1.2 × 127 = 2133.6; R = 1.06 × 2133.6 − 1848 = 413.616; 413.616 / (2133.6 − 1680) − 1
    assert row["required_growth"] == pytest.approx((413.616 / 453.6 - 1) * 100)
    # the baseline's probability is evaluate_targets' own
    own = tg.evaluate_targets(panel, fcs, tgt, year=2026).set_index(["region", "indicator"])
    assert pick.loc[("baseline", P, "retail"), "probability"] == own.loc[(P, "retail"), "probability"]
    # series without a target keep their growth figures, not target figures
    sy_fai = pick.loc[("major_projects", "shenyang", "fai")]
    assert not sy_fai["has_target"] and np.isnan(sy_fai["probability"]) and sy_fai["status"] == "no target"
    assert sy_fai["delta_projected"] > 0
    with pytest.raises(DataError, match="repeated or reserved"):
        compare_scenarios(panel, fcs, tgt, [shipped[0], shipped[0]])
